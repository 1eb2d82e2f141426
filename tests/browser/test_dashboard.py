"""A city administrator opens the city dashboard, drills down agency → procedure → the dossiers behind
a number → one dossier, and downloads the xlsx export, which opens with openpyxl and holds the figures
the page shows — in real headless Chromium, on committed data. The dashboard also passes axe-core and
fits a 360-px phone."""

from datetime import datetime

import pytest
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import ARTIFACTS
from tests.committed import committed_agency

pytestmark = [pytest.mark.django_db, pytest.mark.browser]
PASSWORD = "mat-khau-thu-1"


def at(y, m, d):
    return timezone.make_aware(datetime(y, m, d, 10))


@pytest.fixture(scope="module")
def stats(city, django_db_blocker):
    from shared_apps.accounts.models import User
    from shared_apps.catalogue.models import Procedure
    from shared_apps.tracking.models import DossierIndex

    with committed_agency(
        django_db_blocker,
        slug="phuong-thong-ke",
        national_code="000.95.07.H31",
        users={"tk_lanhdao": ["leader"]},
        sector_code="ho-tich-thong-ke",
    ) as world:
        with django_db_blocker.unblock():
            connection.set_schema_to_public()
            admin = User.objects.create_user(
                username="tk_thanhpho", password=PASSWORD, full_name="Quản trị TP", is_city_admin=True
            )
            p = Procedure.objects.get(national_code="1.001193")
            base = dict(agency=world.agency, procedure=p, procedure_name=p.name, channel="in_person")
            DossierIndex.objects.create(
                dossier_id=1,
                code="000.95.07.H31-250110-0001",
                state="returned",
                national_status=10,
                received_at=at(2025, 1, 10),
                due_at=at(2025, 1, 13),
                finished_at=at(2025, 1, 12),
                timeliness="early",
                **base,
            )
            DossierIndex.objects.create(
                dossier_id=2,
                code="000.95.07.H31-250203-0001",
                state="finished",
                national_status=9,
                received_at=at(2025, 2, 3),
                due_at=at(2025, 2, 6),
                finished_at=at(2025, 3, 2),
                timeliness="late",
                **{**base, "channel": "online"},
            )
            DossierIndex.objects.create(
                dossier_id=3,
                code="000.95.07.H31-250320-0001",
                state="in_appraisal",
                national_status=4,
                received_at=at(2025, 3, 20),
                due_at=at(2099, 3, 25),
                **base,
            )
        try:
            yield world
        finally:
            with django_db_blocker.unblock():
                connection.set_schema_to_public()
                User.objects.filter(pk=admin.pk)._raw_delete(using="default")


EXPECTED = {
    "received_total": 3,
    "received_online": 1,
    "received_offline": 2,
    "carried_over": 0,
    "received_transferred": 0,
    "settled": 2,
    "settled_early": 1,
    "settled_on_time": 0,
    "settled_late": 1,
    "closed_other": 0,
    "transferred_out": 0,
    "in_progress": 1,
    "in_progress_within": 1,
    "in_progress_overdue": 0,
}


def test_city_dashboard_drill_down_and_xlsx_export(page, server_url, stats, tmp_path):
    slug = stats.agency.slug
    page.goto(f"{server_url}/thong-ke/?ky=2025-Q1")
    assert "/tai-khoan/dang-nhap/" in page.url
    page.get_by_label("Tên đăng nhập").fill("tk_thanhpho")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/thong-ke/?ky=2025-Q1")
    charts = page.locator("svg[role=img]")
    assert charts.count() == 3
    # each chart: an accessible name with its figures, described by the table of the same figures
    months = page.get_by_role("img", name="Hồ sơ tiếp nhận theo tháng")
    assert "01/2025: 1 (Trực tuyến: 0)" in months.get_attribute("aria-label")
    table = page.locator("#" + months.get_attribute("aria-describedby"))
    assert table.locator("tbody tr").count() == 3  # 01/2025, 02/2025, 03/2025
    assert months.locator("text", has_text="03/2025").count() == 1  # the axis values are text
    violations = axe_violations(page)
    assert not violations, describe(violations)

    # city -> agency
    row = page.locator(f'table[data-table=ii06a] tr[data-key="{slug}"]')
    assert row.locator('td[data-k="received_total"]').inner_text() == "3"
    row.get_by_role("link", name=stats.agency.name).click()
    page.wait_for_url(f"**pham-vi=co-quan:{slug}**")
    # agency -> procedure -> the dossiers behind "settled late"
    procedure_row = page.locator("table[data-table=ii06a] tbody tr").first
    shown = {k: int(procedure_row.locator(f'td[data-k="{k}"]').inner_text()) for k in EXPECTED}
    assert shown == EXPECTED
    procedure_row.locator('td[data-k="settled_late"] a').click()
    page.wait_for_url("**/thong-ke/ho-so/**")
    codes = page.locator("table[data-table=dossiers] tbody tr")
    assert codes.count() == 1
    # -> the dossier
    codes.first.get_by_role("link", name="000.95.07.H31-250203-0001").click()
    page.wait_for_url("**/tra-cuu/000.95.07.H31-250203-0001/")
    assert "000.95.07.H31-250203-0001" in page.content()

    # back on the agency's table: the xlsx export holds the same figures
    page.go_back()
    page.go_back()
    with page.expect_download() as info:
        page.locator('a[data-export="xlsx"]').click()
    path = tmp_path / "ii06a.xlsx"
    info.value.save_as(path)
    lines = list(load_workbook(path).active.iter_rows(values_only=True))
    assert lines[0][0] == "Thủ tục"
    assert dict(zip(EXPECTED, lines[1][1:], strict=True)) == shown
    assert lines[-1][0] == "Tổng cộng" and list(lines[-1][1:]) == list(EXPECTED.values())


def test_the_dashboard_fits_a_phone(phone, server_url, stats):
    phone.goto(f"{server_url}/tai-khoan/dang-nhap/?next=/thong-ke/%3Fky%3D2025-Q1")
    phone.get_by_label("Tên đăng nhập").fill("tk_thanhpho")
    phone.get_by_label("Mật khẩu").fill(PASSWORD)
    phone.get_by_role("button", name="Đăng nhập").click()
    phone.wait_for_url("**/thong-ke/?ky=2025-Q1")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page is {width}px wide on a 360px phone"
    for chart in phone.locator("svg[role=img]").all():
        box = chart.bounding_box()
        assert 280 <= box["width"] <= 360, box  # as wide as the screen, no wider
    phone.locator(".charts").screenshot(path=str(ARTIFACTS / "dashboard-charts-phone.png"))
    violations = axe_violations(phone)
    assert not violations, describe(violations)
