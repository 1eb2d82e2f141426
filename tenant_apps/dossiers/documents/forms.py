"""The printable forms of a dossier (Circular 03/2025/TT-VPCP numbering), one function each. Every
function is keyword-only, takes the agency and the dossier, expects the connection on the agency's
schema and returns the PDF as bytes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.utils import translation

from core.dossier import SUPPLEMENT_REQUESTS, Action, State
from core.errors import DomainError

from ..notify import late_cause
from ..selectors import control_slip
from ..services.core import ensure_in_agency
from .numbering import logbook_numbers
from .pdf import (
    FORM_LABELS,
    TIMELINESS_LABELS,
    FormPDF,
    fmt_date,
    fmt_datetime,
    fmt_money,
    fmt_time_limit,
)

DESK = "Bộ phận Một cửa"

TITLE_RECEIPT = "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
TITLE_SUPPLEMENT = "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"
TITLE_REFUSAL = "Phiếu từ chối tiếp nhận giải quyết hồ sơ"
TITLE_APOLOGY = "Văn bản xin lỗi và đề nghị gia hạn"
TITLE_STOP = "Thông báo dừng giải quyết hồ sơ"
TITLE_CONTROL_SLIP = "Phiếu kiểm soát quá trình giải quyết hồ sơ"


# --- helpers -------------------------------------------------------------------------------------


def lookup_url(dossier):
    """What the receipt's QR code encodes: the city-wide look-up page of the dossier."""
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/tra-cuu/{quote(dossier.code or '', safe='')}/"


def _agency_lines(agency, *, desk=False):
    """The issuing body for the heading: the superior body (if any), the agency, and the desk."""
    lines = []
    if getattr(agency, "parent_id", None):
        lines.append(agency.parent.name)
    lines.append(agency.name)
    if desk:
        lines.append(DESK)
    return lines


def _latest_event(dossier, *actions):
    return dossier.events.filter(action__in=actions).order_by("-seq").first()


def _first_event(dossier, *actions):
    return dossier.events.filter(action__in=actions).order_by("seq").first()


def _applicant_block(pdf, dossier, *, label="Người nộp hồ sơ"):
    pdf.field(label, dossier.applicant_name, bold_value=True)
    if dossier.applicant_id_number:
        pdf.field("Số giấy tờ tùy thân / mã số", dossier.applicant_id_number)
    pdf.field("Địa chỉ", dossier.applicant_address)
    pdf.fields_inline(("Điện thoại", dossier.applicant_phone), ("Thư điện tử", dossier.applicant_email))


def _procedure_block(pdf, dossier):
    pdf.field("Nội dung yêu cầu giải quyết", dossier.procedure.name)
    if (dossier.request_summary or "").strip():
        pdf.field("Nội dung cụ thể", dossier.request_summary.strip())


def supplement_items(note):
    """The items of a supplement request: one per line, 'name: reason' (the reason is optional)."""
    items = []
    for line in (note or "").splitlines():
        line = line.strip()
        if not line:
            continue
        name, sep, reason = line.partition(": ")
        if not sep and line.endswith(":"):
            name, reason = line[:-1], ""
        items.append((name.strip(), reason.strip()))
    return items


def _new(title, agency, dossier, created_at):
    ensure_in_agency(agency)
    return FormPDF(
        title=title,
        agency_name=agency.name,
        reference=dossier.reference,
        created_at=created_at or dossier.received_at or dossier.registered_at,
    )


# --- form 01 -------------------------------------------------------------------------------------


def receipt_pdf(*, agency, dossier):
    """Form 01: receipt with the appointment, the dossier code and its look-up QR code."""
    if not dossier.code:
        raise DomainError("Hồ sơ chưa được tiếp nhận nên chưa có giấy tiếp nhận.", code="form_unavailable")
    pdf = _new(TITLE_RECEIPT, agency, dossier, dossier.received_at)
    pdf.national_heading(agency_lines=_agency_lines(agency, desk=True), right_date=dossier.received_at)
    pdf.form_title(TITLE_RECEIPT)

    # The code, the applicant and the request, with the QR code on their right.
    qr_size = 30
    qr_x, qr_y = pdf.w - pdf.r_margin - qr_size, pdf.get_y()
    url = lookup_url(dossier)
    pdf.qr(url, x=qr_x, y=qr_y, size=qr_size)
    pdf.font(7.5)
    pdf.set_xy(qr_x - 4, qr_y + qr_size)
    pdf.cell(qr_size + 8, 4, "Quét để tra cứu hồ sơ", align="C")
    pdf.set_xy(pdf.l_margin, qr_y)
    right_margin = pdf.r_margin
    pdf.set_right_margin(right_margin + qr_size + 4)
    pdf.font(12.5, "B")
    pdf.multi_cell(0, 7, f"Mã hồ sơ: {dossier.code}", new_x="LMARGIN", new_y="NEXT")
    pdf.para(f"{DESK} — {agency.name} đã tiếp nhận hồ sơ của:")
    _applicant_block(pdf, dossier)
    pdf.set_right_margin(right_margin)
    pdf.set_y(max(pdf.get_y(), qr_y + qr_size + 5))
    _procedure_block(pdf, dossier)
    pdf.space()

    pdf.para("1. Thành phần hồ sơ nộp gồm:", style="B")
    rows = [
        (
            i,
            c.name,
            FORM_LABELS.get(c.form, c.form),
            c.quantity,
            "x" if c.provided else "",
            "x" if c.digitised else "",
        )
        for i, c in enumerate(dossier.components.all(), start=1)
    ]
    pdf.grid(
        ("STT", "Tên giấy tờ", "Hình thức", "Số lượng", "Đã nộp", "Đã số hóa"),
        rows,
        widths=(6, 46, 18, 10, 9, 11),
        align=("C", "L", "L", "C", "C", "C"),
    )
    pdf.field("2. Số lượng hồ sơ", f"{dossier.sets} bộ")
    pdf.field(
        "3. Thời gian giải quyết hồ sơ theo quy định", fmt_time_limit(dossier.time_limit, dossier.time_unit)
    )
    pdf.field("4. Thời gian nhận hồ sơ", fmt_datetime(dossier.received_at))
    pdf.field("5. Thời gian trả kết quả giải quyết hồ sơ", fmt_datetime(dossier.due_at), bold_value=True)
    if dossier.received_on_behalf and not dossier.origin_agency_id:
        # received here on the deciding agency's behalf (phi địa giới): the code is that agency's
        handed = _first_event(dossier, "hand_over")
        if handed is not None:
            pdf.field("Cơ quan giải quyết", handed.receiver_name)
    pdf.field("6. Nơi nhận kết quả", f"{DESK} — {agency.name}")
    pdf.field("7. Phí, lệ phí", fmt_money(dossier.fees_total))
    book, entry = logbook_numbers(agency=agency, codes=[dossier.code]).get(
        dossier.code, ("........", "........")
    )
    pdf.field("Vào Sổ theo dõi hồ sơ", f"Quyển số: {book}  Số thứ tự: {entry}")
    pdf.para(
        f"Tra cứu tình trạng hồ sơ tại {url} hoặc quét mã QR trên giấy này.", style="I", size=10, align="L"
    )
    pdf.space(3)
    officer = dossier.received_by.display_name if dossier.received_by_id else ""
    pdf.signatures(
        [
            ("Người nộp hồ sơ", "(Ký và ghi rõ họ tên)", dossier.applicant_name),
            ("Người tiếp nhận hồ sơ", "(Ký và ghi rõ họ tên)", officer),
        ]
    )
    return pdf.bytes()


# --- form 02 -------------------------------------------------------------------------------------


def supplement_request_pdf(*, agency, dossier):
    """Form 02: every item to supplement with its reason, and the officer who guides the applicant."""
    ensure_in_agency(agency)
    event = _latest_event(dossier, *SUPPLEMENT_REQUESTS)
    if event is None:
        raise DomainError("Hồ sơ chưa có yêu cầu bổ sung, hoàn thiện.", code="form_unavailable")
    pdf = _new(TITLE_SUPPLEMENT, agency, dossier, event.at)
    pdf.national_heading(agency_lines=_agency_lines(agency, desk=True), right_date=event.at)
    pdf.form_title(TITLE_SUPPLEMENT)
    pdf.field("Mã hồ sơ", dossier.reference, bold_value=True)
    _applicant_block(pdf, dossier, label="Hồ sơ của")
    _procedure_block(pdf, dossier)
    pdf.field("Thời gian nộp hồ sơ", fmt_datetime(dossier.received_at or dossier.registered_at))
    pdf.space()
    pdf.para("Yêu cầu bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:", style="B")
    rows = [(i, name, reason) for i, (name, reason) in enumerate(supplement_items(event.note), start=1)]
    pdf.grid(
        ("STT", "Giấy tờ, nội dung cần bổ sung, hoàn thiện", "Lý do"),
        rows,
        widths=(7, 48, 45),
        align=("C", "L", "L"),
    )
    if event.action == Action.REQUEST_SUPPLEMENT:
        pdf.para(
            f"Thời gian giải quyết hồ sơ tạm dừng từ {fmt_datetime(event.at)} cho đến khi nhận đủ "
            "hồ sơ bổ sung; thời gian đã giải quyết trước đó vẫn được tính."
        )
    pdf.para(
        f"Trong quá trình bổ sung, hoàn thiện hồ sơ, nếu có vướng mắc, Ông/Bà liên hệ với "
        f"{event.actor_name or 'người hướng dẫn'} — {DESK}, {agency.name} để được hướng dẫn."
    )
    pdf.space(3)
    pdf.signatures(
        [
            ("Người nộp hồ sơ", "(Ký và ghi rõ họ tên)", dossier.applicant_name),
            ("Người hướng dẫn", "(Ký và ghi rõ họ tên)", event.actor_name),
        ]
    )
    return pdf.bytes()


# --- form 03 -------------------------------------------------------------------------------------


def refusal_pdf(*, agency, dossier):
    """Form 03: the dossier is not received, with the reason."""
    ensure_in_agency(agency)
    if dossier.state != State.REFUSED:
        raise DomainError("Hồ sơ không ở trạng thái từ chối tiếp nhận.", code="form_unavailable")
    event = _latest_event(dossier, "refuse")
    at = event.at if event else dossier.updated_at
    pdf = _new(TITLE_REFUSAL, agency, dossier, at)
    pdf.national_heading(agency_lines=_agency_lines(agency, desk=True), right_date=at)
    pdf.form_title(TITLE_REFUSAL)
    pdf.para(f"{DESK} — {agency.name} tiếp nhận hồ sơ của:")
    _applicant_block(pdf, dossier, label="Ông/Bà (tổ chức)")
    _procedure_block(pdf, dossier)
    pdf.field("Thời gian nộp hồ sơ", fmt_datetime(dossier.registered_at))
    pdf.space()
    pdf.para(
        f"Qua xem xét, {DESK} — {agency.name} thông báo không tiếp nhận, giải quyết hồ sơ này với lý do "
        "cụ thể như sau:"
    )
    pdf.para(dossier.closing_reason, style="B")
    pdf.para("Xin thông báo cho Ông/Bà được biết và thực hiện./.")
    pdf.space(3)
    pdf.signatures(
        [None, ("Người tiếp nhận hồ sơ", "(Ký và ghi rõ họ tên)", event.actor_name if event else "")]
    )
    return pdf.bytes()


# --- form 04 -------------------------------------------------------------------------------------


def apology_pdf(*, agency, dossier):
    """Form 04: the late agency apologises and gives the new appointment (once)."""
    ensure_in_agency(agency)
    event = _latest_event(dossier, "apologize")
    if not dossier.apology_count or event is None:
        raise DomainError("Hồ sơ chưa có văn bản xin lỗi và hẹn lại.", code="form_unavailable")
    pdf = _new(TITLE_APOLOGY, agency, dossier, event.at)
    pdf.national_heading(agency_lines=_agency_lines(agency), right_date=event.at)
    pdf.form_title(TITLE_APOLOGY)
    pdf.para(f"Kính gửi: Ông/Bà {dossier.applicant_name}", style="B", align="C")
    pdf.space()
    pdf.para(
        f"Ngày {fmt_date(dossier.received_at)}, {agency.name} tiếp nhận hồ sơ của Ông/Bà, "
        f"đề nghị giải quyết thủ tục: {dossier.procedure.name}."
    )
    pdf.field("Mã hồ sơ", dossier.code, bold_value=True)
    pdf.field("Thời gian hẹn trả kết quả giải quyết hồ sơ", fmt_datetime(dossier.original_due_at))
    cause = late_cause(agency=agency, dossier=dossier)
    if cause is None:
        pdf.para(
            f"Tuy nhiên đến nay, {agency.name} chưa trả kết quả giải quyết hồ sơ của Ông/Bà đúng hẹn ghi "
            "trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả."
        )
    else:
        # inter-agency processing: the agency whose step overran is named as the cause of the delay
        pdf.para(
            f"Tuy nhiên đến nay, hồ sơ của Ông/Bà chưa được trả kết quả đúng hẹn ghi trên Giấy tiếp nhận hồ "
            f"sơ và hẹn trả kết quả do {cause.name} giải quyết quá hạn phần việc của mình."
        )
        pdf.field("Cơ quan làm chậm", cause.name, bold_value=True)
    pdf.field("Lý do", event.note)
    pdf.para(
        f"Sự chậm trễ này đã gây phiền hà cho Ông/Bà. {agency.name} xin lỗi Ông/Bà và đề nghị gia hạn "
        "thời gian trả kết quả giải quyết hồ sơ đến:"
    )
    pdf.field("Thời gian hẹn trả kết quả mới", fmt_datetime(dossier.due_at), bold_value=True)
    pdf.para("Xin trân trọng cảm ơn sự hợp tác của Ông/Bà./.")
    pdf.space(3)
    pdf.signatures([None, ("Thủ trưởng cơ quan", "(Ký, ghi rõ họ tên và đóng dấu)", event.actor_name)])
    return pdf.bytes()


# --- form 05 -------------------------------------------------------------------------------------


def stop_notice_pdf(*, agency, dossier):
    """Form 05: processing of the dossier is stopped, with the reason."""
    ensure_in_agency(agency)
    if dossier.state != State.STOPPED:
        raise DomainError("Hồ sơ không ở trạng thái dừng xử lý.", code="form_unavailable")
    event = _latest_event(dossier, "stop")
    at = event.at if event else dossier.updated_at
    pdf = _new(TITLE_STOP, agency, dossier, at)
    pdf.national_heading(agency_lines=_agency_lines(agency), right_date=at)
    pdf.form_title(TITLE_STOP)
    pdf.para(f"Kính gửi: Ông/Bà {dossier.applicant_name}", style="B", align="C")
    pdf.space()
    pdf.para(
        f"Ngày {fmt_date(dossier.received_at)}, {agency.name} tiếp nhận hồ sơ của Ông/Bà, "
        f"đề nghị giải quyết thủ tục: {dossier.procedure.name}."
    )
    pdf.field("Mã hồ sơ", dossier.code, bold_value=True)
    pdf.field("Địa chỉ", dossier.applicant_address)
    pdf.para(f"{agency.name} thông báo dừng giải quyết hồ sơ nêu trên kể từ ngày {fmt_date(at)}.")
    pdf.field("Lý do", dossier.closing_reason)
    pdf.para("Xin thông báo để Ông/Bà được biết./.")
    pdf.space(3)
    pdf.signatures(
        [None, ("Thủ trưởng cơ quan", "(Ký, ghi rõ họ tên và đóng dấu)", event.actor_name if event else "")]
    )
    return pdf.bytes()


# --- form 06 -------------------------------------------------------------------------------------


def control_slip_pdf(*, agency, dossier):
    """Form 06: the dossier's header, then one row per hand-over with how that step did."""
    ensure_in_agency(agency)
    if not dossier.code:
        raise DomainError("Hồ sơ chưa được tiếp nhận nên chưa có phiếu kiểm soát.", code="form_unavailable")
    pdf = _new(TITLE_CONTROL_SLIP, agency, dossier, dossier.received_at)
    pdf.national_heading(agency_lines=_agency_lines(agency, desk=True), right_date=dossier.received_at)
    pdf.form_title(TITLE_CONTROL_SLIP)
    pdf.field("Mã hồ sơ", dossier.code, bold_value=True)
    pdf.field("Người nộp hồ sơ", dossier.applicant_name)
    pdf.field("Thủ tục", dossier.procedure.name)
    pdf.field("Thời gian nhận hồ sơ", fmt_datetime(dossier.received_at))
    if dossier.original_due_at and dossier.original_due_at != dossier.due_at:
        pdf.field("Thời gian hẹn trả kết quả ban đầu", fmt_datetime(dossier.original_due_at))
        pdf.field("Thời gian hẹn trả kết quả (đã hẹn lại)", fmt_datetime(dossier.due_at), bold_value=True)
    else:
        pdf.field("Thời gian hẹn trả kết quả", fmt_datetime(dossier.due_at), bold_value=True)
    pdf.space()
    with translation.override("vi"):  # an official form: in Vietnamese whatever the reader's language
        slip = control_slip(dossier=dossier, agency=agency)
    rows = [
        (
            i,
            r["step_label"],
            r["agency"],
            r["giver"],
            r["receiver"],
            fmt_datetime(r["at"]),
            fmt_datetime(r["due"]),
            TIMELINESS_LABELS.get(r["timeliness"], r["timeliness"]),
            r["note"],
        )
        for i, r in enumerate(slip, start=1)
    ]
    pdf.grid(
        (
            "STT",
            "Bước",
            "Cơ quan",
            "Bên giao",
            "Bên nhận",
            "Thời gian giao, nhận",
            "Hạn của bước",
            "Kết quả",
            "Ghi chú",
        ),
        rows,
        widths=(5, 12, 15, 15, 15, 12, 12, 10, 14),
        align=("C", "L", "L", "L", "L", "C", "C", "C", "L"),
        size=9,
    )
    pdf.para(
        "Kết quả của mỗi bước (trước hạn / đúng hạn / quá hạn) được so với hạn của chính bước đó.",
        style="I",
        size=9.5,
    )
    return pdf.bytes()


# --- the registry --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormSpec:
    slug: str
    number: str
    title: str
    render: Callable[..., bytes]
    states: frozenset | None  # the states in which it may be printed (None: any, see `available`)
    available: Callable

    def filename(self, dossier):
        return f"{self.slug}-{dossier.reference}.pdf"


def _has_code(d):
    return bool(d.code)


def _has_supplement_event(d):
    return d.pk is not None and d.events.filter(action__in=SUPPLEMENT_REQUESTS).exists()


FORMS = {
    # the receipt is the receiving desk's: not on a copy handed over by another agency
    "tiep-nhan": FormSpec(
        "tiep-nhan", "01", TITLE_RECEIPT, receipt_pdf, None, lambda d: _has_code(d) and not d.origin_agency_id
    ),
    "yeu-cau-bo-sung": FormSpec(
        "yeu-cau-bo-sung", "02", TITLE_SUPPLEMENT, supplement_request_pdf, None, _has_supplement_event
    ),
    "tu-choi": FormSpec(
        "tu-choi",
        "03",
        TITLE_REFUSAL,
        refusal_pdf,
        frozenset({State.REFUSED}),
        lambda d: d.state == State.REFUSED,
    ),
    "xin-loi": FormSpec("xin-loi", "04", TITLE_APOLOGY, apology_pdf, None, lambda d: d.apology_count > 0),
    "dung-xu-ly": FormSpec(
        "dung-xu-ly",
        "05",
        TITLE_STOP,
        stop_notice_pdf,
        frozenset({State.STOPPED}),
        lambda d: d.state == State.STOPPED,
    ),
    "kiem-soat": FormSpec("kiem-soat", "06", TITLE_CONTROL_SLIP, control_slip_pdf, None, _has_code),
}


def form_available(slug, dossier):
    """Whether form `slug` can be printed for `dossier` now (False for an unknown slug). The supplement
    request asks the database whether such an event exists (one query); the others do not query."""
    spec = FORMS.get(slug)
    return bool(spec and spec.available(dossier))


def forms_available(dossier):
    """The specs of the forms printable for `dossier`, in form-number order."""
    return [spec for spec in FORMS.values() if spec.available(dossier)]
