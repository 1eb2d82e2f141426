"""The printable forms (PDF, text checked with its diacritics) and the logbook (xlsx).

Set EGOV_DUMP_DOCUMENTS=/some/dir to keep the generated files for a look."""

import io
import os
import re
import unicodedata
from datetime import timedelta
from pathlib import Path

import pytest
import zxingcpp
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from core.errors import DomainError
from tenant_apps.dossiers import services as s
from tenant_apps.dossiers.documents import (
    FORMS,
    apology_pdf,
    control_slip_pdf,
    form_available,
    logbook_xlsx,
    lookup_url,
    receipt_pdf,
    refusal_pdf,
    stop_notice_pdf,
    supplement_request_pdf,
)
from tenant_apps.dossiers.documents import pdf as layout
from tenant_apps.dossiers.models import Dossier

from .conftest import APPLICANT, receive

pytestmark = pytest.mark.django_db


def dump(name, data):
    folder = os.environ.get("EGOV_DUMP_DOCUMENTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / name).write_bytes(data)


def text_of(data):
    """All the text of a PDF, whitespace collapsed (a table cell may wrap over two lines)."""
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def hm(dt):
    return timezone.localtime(dt).strftime("%H:%M %d/%m/%Y")


def dmy(dt):
    return timezone.localtime(dt).strftime("%d/%m/%Y")


def place_date(dt):
    local = timezone.localtime(dt)
    return f"Hải Phòng, ngày {local:%d} tháng {local:%m} năm {local:%Y}"


def assert_contains(text, *expected):
    missing = [e for e in expected if e not in text]
    assert not missing, f"missing {missing!r} in {text!r}"


HEADING = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "PHƯỜNG MỘT CỬA")


def register_incomplete(desk):
    return s.dossier_register(
        agency=desk.agency,
        procedure="1.001193",
        applicant=APPLICANT,
        channel="in_person",
        components={1: {"provided": True}},
        acting_user=desk.receiving_officer,
    )


# --- form 01 -------------------------------------------------------------------------------------


def test_receipt_has_every_field_with_diacritics(desk, settings):
    settings.PUBLIC_BASE_URL = "https://dichvucong.haiphong.example/"
    d = receive(
        desk,
        request_summary="Đăng ký khai sinh cho con thứ hai",
        sets=2,
        components={1: {"provided": True, "digitised": True}, 2: {"provided": True}, 3: {"provided": True}},
    )
    data = receipt_pdf(agency=desk.agency, dossier=d)
    dump("01-tiep-nhan.pdf", data)
    reader = PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 portrait
    assert reader.metadata.title == "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
    text = text_of(data)
    assert_contains(
        text,
        *HEADING,
        "BỘ PHẬN MỘT CỬA",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        d.code,
        "Nguyễn Văn An",
        "031099001234",
        "Thôn 1, đặc khu Bạch Long Vĩ",
        "0912345678",
        "Đăng ký khai sinh",
        "Đăng ký khai sinh cho con thứ hai",
        "Tờ khai đăng ký khai sinh",
        "Giấy chứng sinh",
        "Giấy tờ chứng minh nơi cư trú",
        "Bản chính",
        "Bản sao",
        "Số lượng hồ sơ: 2 bộ",
        "3 ngày làm việc",
        f"Thời gian nhận hồ sơ: {hm(d.received_at)}",
        f"Thời gian trả kết quả giải quyết hồ sơ: {hm(d.due_at)}",
        "Nơi nhận kết quả: Bộ phận Một cửa — Phường Một Cửa",
        "8.000 đồng",
        "Người receiving_officer",
        place_date(d.received_at),
        lookup_url(d),
        # the first code of the year: entry 1 of this year's book
        f"Quyển số: 01/{timezone.localtime(d.received_at).year} Số thứ tự: 1",
    )
    assert lookup_url(d) == f"https://dichvucong.haiphong.example/tra-cuu/{d.code}/"


def test_receipt_qr_code_decodes_to_the_lookup_url(desk, settings):
    settings.PUBLIC_BASE_URL = "https://dichvucong.haiphong.example"
    d = receive(desk)
    reader = PdfReader(io.BytesIO(receipt_pdf(agency=desk.agency, dossier=d)))
    images = reader.pages[0].images
    assert len(images) == 1
    decoded = zxingcpp.read_barcodes(images[0].image.convert("L"))
    assert [b.text for b in decoded] == [f"https://dichvucong.haiphong.example/tra-cuu/{d.code}/"]
    assert decoded[0].format == zxingcpp.BarcodeFormat.QRCode


def test_receipt_free_of_charge_decomposed_input_and_deterministic_output(desk):
    decomposed = unicodedata.normalize("NFD", "Trần Thị Ánh Tuyết")
    d = receive(desk, applicant={**APPLICANT, "name": decomposed})
    Dossier.objects.filter(pk=d.pk).update(fees_total=0)
    d.refresh_from_db()
    first = receipt_pdf(agency=desk.agency, dossier=d)
    assert_contains(text_of(first), "Miễn phí", "Trần Thị Ánh Tuyết")
    assert receipt_pdf(agency=desk.agency, dossier=d) == first


def test_receipt_needs_a_code(desk):
    d = register_incomplete(desk)
    assert not form_available("tiep-nhan", d) and not form_available("kiem-soat", d)
    with pytest.raises(DomainError):
        receipt_pdf(agency=desk.agency, dossier=d)


# --- form 02 -------------------------------------------------------------------------------------


def test_supplement_request_at_intake_lists_every_item_with_its_reason(desk):
    d = register_incomplete(desk)
    assert not form_available("yeu-cau-bo-sung", d)
    d = s.dossier_request_intake_supplement(
        agency=desk.agency,
        dossier=d,
        acting_user=desk.receiving_officer,
        items=[
            {"name": "Giấy chứng sinh", "reason": "Chưa có bản chính"},
            {"name": "Giấy tờ chứng minh nơi cư trú", "reason": "Bản sao không rõ chữ"},
        ],
    )
    assert form_available("yeu-cau-bo-sung", d)
    data = supplement_request_pdf(agency=desk.agency, dossier=d)
    dump("02-yeu-cau-bo-sung.pdf", data)
    event = d.events.get(action="request_intake_supplement")
    assert_contains(
        text_of(data),
        *HEADING,
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        d.reference,
        "Nguyễn Văn An",
        "Giấy chứng sinh",
        "Chưa có bản chính",
        "Giấy tờ chứng minh nơi cư trú",
        "Bản sao không rõ chữ",
        "NGƯỜI HƯỚNG DẪN",
        "Người receiving_officer",
        place_date(event.at),
    )


def test_supplement_request_during_processing_says_the_clock_pauses(desk):
    d = receive(desk)
    d = s.dossier_assign(
        agency=desk.agency, dossier=d, specialist=desk.specialist, acting_user=desk.unit_head
    )
    d = s.dossier_request_supplement(
        agency=desk.agency, dossier=d, reason="Giấy chứng sinh: bản sao bị mờ", acting_user=desk.specialist
    )
    text = text_of(supplement_request_pdf(agency=desk.agency, dossier=d))
    event = d.events.get(action="request_supplement")
    assert_contains(
        text, d.code, "Giấy chứng sinh", "bản sao bị mờ", "Người specialist", f"tạm dừng từ {hm(event.at)}"
    )


# --- form 03 -------------------------------------------------------------------------------------


def test_refusal_gives_the_reason_and_the_officer(desk):
    d = register_incomplete(desk)
    assert not form_available("tu-choi", d)
    d = s.dossier_refuse(
        agency=desk.agency,
        dossier=d,
        reason="Không thuộc thẩm quyền giải quyết của phường",
        acting_user=desk.receiving_officer,
    )
    assert form_available("tu-choi", d)
    data = refusal_pdf(agency=desk.agency, dossier=d)
    dump("03-tu-choi.pdf", data)
    event = d.events.get(action="refuse")
    assert_contains(
        text_of(data),
        *HEADING,
        "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        "Nguyễn Văn An",
        "Không thuộc thẩm quyền giải quyết của phường",
        "Người receiving_officer",
        place_date(event.at),
    )


def test_a_form_for_the_wrong_state_is_refused(desk):
    d = receive(desk)
    for render in (refusal_pdf, apology_pdf, stop_notice_pdf, supplement_request_pdf):
        with pytest.raises(DomainError):
            render(agency=desk.agency, dossier=d)


# --- form 04 -------------------------------------------------------------------------------------


def test_apology_gives_the_original_and_the_new_appointment(desk):
    d = receive(desk)
    d = s.dossier_assign(
        agency=desk.agency, dossier=d, specialist=desk.specialist, acting_user=desk.unit_head
    )
    assert not form_available("xin-loi", d)
    Dossier.objects.filter(pk=d.pk).update(due_at=timezone.now() - timedelta(hours=1))
    d = s.dossier_apologize(
        agency=desk.agency,
        dossier=d,
        new_due_at=timezone.now() + timedelta(days=5, minutes=7),
        reason="Chờ kết quả xác minh của cơ quan công an",
        acting_user=desk.leader,
    )
    assert form_available("xin-loi", d)
    data = apology_pdf(agency=desk.agency, dossier=d)
    dump("04-xin-loi.pdf", data)
    assert_contains(
        text_of(data),
        *HEADING,
        "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN",
        "Kính gửi: Ông/Bà Nguyễn Văn An",
        d.code,
        f"Ngày {dmy(d.received_at)}, Phường Một Cửa tiếp nhận",
        hm(d.original_due_at),
        "Chờ kết quả xác minh của cơ quan công an",
        hm(d.due_at),
        "THỦ TRƯỞNG CƠ QUAN",
        "Người leader",
    )
    # +7 minutes: received on a Thursday, +3 working days lands on the same minute as +5 days
    assert hm(d.original_due_at) != hm(d.due_at)


# --- form 05 -------------------------------------------------------------------------------------


def test_stop_notice_gives_the_reason_and_the_date(desk):
    d = receive(desk)
    d = s.dossier_assign(
        agency=desk.agency, dossier=d, specialist=desk.specialist, acting_user=desk.unit_head
    )
    d = s.dossier_request_financial_obligation(
        agency=desk.agency, dossier=d, reason="Nộp lệ phí", acting_user=desk.specialist
    )
    assert not form_available("dung-xu-ly", d)
    d = s.dossier_stop(
        agency=desk.agency,
        dossier=d,
        reason="Quá thời hạn thực hiện nghĩa vụ tài chính",
        acting_user=desk.leader,
    )
    assert form_available("dung-xu-ly", d)
    data = stop_notice_pdf(agency=desk.agency, dossier=d)
    dump("05-dung-xu-ly.pdf", data)
    event = d.events.get(action="stop")
    assert_contains(
        text_of(data),
        *HEADING,
        "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
        d.code,
        "Quá thời hạn thực hiện nghĩa vụ tài chính",
        f"kể từ ngày {dmy(event.at)}",
        place_date(event.at),
        "Người leader",
    )


# --- form 06 -------------------------------------------------------------------------------------


def test_control_slip_has_one_row_per_hand_over(desk):
    d = receive(desk)
    d = s.dossier_assign(
        agency=desk.agency, dossier=d, specialist=desk.specialist, acting_user=desk.unit_head
    )
    d = s.dossier_appraise(agency=desk.agency, dossier=d, opinion="Đủ điều kiện", acting_user=desk.specialist)
    d = s.dossier_submit_for_approval(
        agency=desk.agency, dossier=d, leader=desk.leader, acting_user=desk.specialist
    )
    d = s.dossier_approve(agency=desk.agency, dossier=d, acting_user=desk.leader)
    d = s.dossier_record_result(
        agency=desk.agency, dossier=d, result_number="123/TLKS", acting_user=desk.leader
    )
    d = s.dossier_return_result(
        agency=desk.agency,
        dossier=d,
        method="counter",
        collected_by="Nguyễn Văn An",
        acting_user=desk.receiving_officer,
    )
    assert form_available("kiem-soat", d)
    data = control_slip_pdf(agency=desk.agency, dossier=d)
    dump("06-kiem-soat.pdf", data)
    text = text_of(data)
    assign = d.events.get(action="assign")
    assert_contains(
        text,
        *HEADING,
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        d.code,
        "Nguyễn Văn An",
        "Đăng ký khai sinh",
        hm(d.received_at),
        hm(d.due_at),
        "Tiếp nhận",
        "Phân công",
        "Thẩm định",
        "Phê duyệt",
        "Trả kết quả",
        "Người unit_head",
        "Người specialist",
        "Người leader",
        hm(assign.at),
    )
    assert re.search("Trước hạn|Đúng hạn", text) and "Quá hạn" not in text


# --- layout --------------------------------------------------------------------------------------


def test_long_tables_continue_on_the_next_page_with_their_heading():
    doc = layout.FormPDF(title="Thử", agency_name="Phường Thử")
    doc.grid(
        ("STT", "Giấy tờ"), [(i, f"Giấy tờ số {i} có dấu tiếng Việt") for i in range(1, 90)], widths=(1, 5)
    )
    reader = PdfReader(io.BytesIO(doc.bytes()))
    assert len(reader.pages) >= 2
    assert reader.pages[1].extract_text().startswith("STT Giấy tờ")  # the heading row is repeated
    assert "Giấy tờ số 89 có dấu tiếng Việt" in reader.pages[-1].extract_text()


def test_formatting_helpers():
    from decimal import Decimal

    assert layout.fmt_money(8000) == "8.000 đồng" and layout.fmt_money(1250000) == "1.250.000 đồng"
    assert layout.fmt_money(0) == "Miễn phí"
    assert layout.fmt_time_limit(Decimal("3.00"), "working_days") == "3 ngày làm việc"
    assert layout.fmt_time_limit(Decimal("1.50"), "working_hours") == "1,5 giờ làm việc"
    assert layout.fmt_time_limit(Decimal("15"), "calendar_days") == "15 ngày"
    assert layout.fmt_time_limit(Decimal("2"), "months") == "2 tháng"


def test_registry_lists_the_six_forms():
    assert list(FORMS) == ["tiep-nhan", "yeu-cau-bo-sung", "tu-choi", "xin-loi", "dung-xu-ly", "kiem-soat"]
    assert [f.number for f in FORMS.values()] == ["01", "02", "03", "04", "05", "06"]
    assert FORMS["tiep-nhan"].title == "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
    assert FORMS["tiep-nhan"].render is receipt_pdf
    assert not form_available("khong-co", None)


# --- form 07 -------------------------------------------------------------------------------------


def test_logbook_lists_the_dossiers_of_the_period_and_neutralises_formulas(desk, django_assert_num_queries):
    inside = receive(desk)
    injected = receive(
        desk, applicant={**APPLICANT, "name": '=HYPERLINK("http://x","Bấm")', "address": "@SUM(A1)"}
    )
    outside = receive(desk)
    Dossier.objects.filter(pk=outside.pk).update(received_at=outside.received_at - timedelta(days=10))
    register_incomplete(desk)  # no code: never in the logbook
    today = timezone.localdate()

    with django_assert_num_queries(2):  # the dossiers, the day counters of the year (entry numbers)
        data = logbook_xlsx(agency=desk.agency, date_from=today - timedelta(days=2), date_to=today)
    wb = load_workbook(io.BytesIO(data))
    ws = wb.active
    assert ws["A1"].value.startswith("SỔ THEO DÕI HỒ SƠ") and ws["A1"].font.bold
    header = [c.value for c in ws[4]]
    assert header[:5] == [
        "Số thứ tự",
        "Quyển số",
        "Mã hồ sơ",
        "Tên thủ tục hành chính",
        "Tên người nộp hồ sơ",
    ]
    assert all(c.font.bold for c in ws[4])
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=5)]
    assert [r[2] for r in rows] == [inside.code, injected.code]
    book = f"01/{today.year}"
    assert [r[:2] for r in rows] == [[1, book], [2, book]]  # entries of this year's book, in order of receipt
    first = rows[0]
    assert first[3] == "Đăng ký khai sinh" and first[4] == "Nguyễn Văn An"
    assert first[5] == "Thôn 1, đặc khu Bạch Long Vĩ, 0912345678" and first[6] == "Phường Một Cửa"
    assert first[7].date() == timezone.localtime(inside.received_at).date()
    assert first[8].date() == timezone.localtime(inside.due_at).date()
    assert ws.cell(row=5, column=8).number_format == "dd/mm/yyyy"
    assert rows[1][4] == '\'=HYPERLINK("http://x","Bấm")' and rows[1][5].startswith("'@SUM(A1)")
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)

    old_day = timezone.localtime(outside.received_at - timedelta(days=10)).date()
    wb = load_workbook(io.BytesIO(logbook_xlsx(agency=desk.agency, date_from=old_day, date_to=old_day)))
    # listed by its receipt date; numbered by its code (the third issued this year) — a number never moves
    assert [[c.value for c in row][:3] for row in wb.active.iter_rows(min_row=5)] == [[3, book, outside.code]]


def test_logbook_query_count_does_not_grow_with_the_dossiers(desk, django_assert_num_queries):
    today = timezone.localdate()
    for _ in range(4):
        receive(desk)
    with django_assert_num_queries(2):
        data = logbook_xlsx(agency=desk.agency, date_from=today, date_to=today)
    dump("07-so-theo-doi.xlsx", data)
    assert load_workbook(io.BytesIO(data)).active.max_row == 4 + 4
