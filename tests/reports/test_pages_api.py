"""Dashboards, drill-down, exports and the API: permissions, the same figures everywhere, neutralised
cells, pinned query counts."""

import csv
import io

import pytest
from openpyxl import load_workbook

from shared_apps.reports.exports import safe

from .test_ii06a import A_P1, CITY, A

pytestmark = pytest.mark.django_db


def login(client, user, city):
    client.force_login(user)


def test_the_city_dashboard_is_for_city_admins(client, known, city):
    assert client.get("/thong-ke/").status_code == 302  # to the login page
    login(client, city.officer_a, city)
    assert client.get("/thong-ke/").status_code == 403
    assert client.get("/api/v1/reports/ii06a/").status_code == 403
    client.logout()
    login(client, city.city_admin, city)
    page = client.get("/thong-ke/?ky=2025-Q1")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "<script" not in html.split("</header>")[1]
    assert f'data-key="{known.a.slug}"' in html


def test_api_ii06a_city_and_agency_have_the_hand_counted_figures(
    client, known, city, django_assert_max_num_queries
):
    login(client, city.city_admin, city)
    with django_assert_max_num_queries(8):
        body = client.get("/api/v1/reports/ii06a/?period=2025-Q1").json()
    rows = {r["slug"]: r["figures"] for r in body["rows"]}
    assert rows[known.a.slug] == A
    assert body["totals"]["received_total"] >= CITY["received_total"]
    body = client.get(
        f"/api/v1/reports/ii06a/?period=2025-Q1&scope=co-quan:{known.a.slug}&by=procedure"
    ).json()
    assert body["totals"] == A
    assert {r["key"]: r["figures"] for r in body["rows"]}[known.p.p1.pk] == A_P1
    assert client.get("/api/v1/reports/ii06a/?period=2025-Q9").status_code == 400
    assert client.get("/api/v1/reports/ii06a/?scope=nhom:khong-co").status_code == 400


def test_agency_members_read_their_agency_only(client, known, city):
    login(client, city.admin_a, city)
    body = client.get(f"/{known.a.slug}/api/v1/reports/ii06a/?period=2025-Q1&scope=thanh-pho").json()
    assert body["scope"] == f"co-quan:{known.a.slug}" and body["totals"] == A  # the scope is forced
    assert client.get(f"/{known.b.slug}/api/v1/reports/ii06a/").status_code in (403, 404)
    # the reports are for leaders, page and API alike: a receiving officer is refused, a leader sees them
    client.logout()
    login(client, city.officer_a, city)
    assert client.get(f"/{known.a.slug}/thong-ke/").status_code == 403
    assert client.get(f"/{known.a.slug}/api/v1/reports/ii06a/?period=2025-Q1").status_code == 403
    client.logout()
    login(client, city.both, city)
    assert client.get(f"/{known.a.slug}/thong-ke/?ky=2025-Q1").status_code == 200
    assert client.get(f"/{known.a.slug}/api/v1/reports/ii06a/?period=2025-Q1").status_code == 200


def test_drill_down_to_the_dossiers_behind_a_number(client, known, city):
    login(client, city.city_admin, city)
    page = client.get(
        f"/thong-ke/ho-so/?pham-vi=co-quan:{known.a.slug}&ky=2025-Q1&chi-tieu=in_progress_overdue"
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-code="BC-a2"' in html and 'data-code="BC-a7"' in html and 'data-code="BC-a8"' not in html
    api = client.get(
        f"/api/v1/reports/dossiers/?scope=co-quan:{known.a.slug}&period=2025-Q1&column=carried_over"
    ).json()
    assert sorted(r["code"] for r in api["results"]) == ["BC-a1", "BC-a2"] and api["count"] == 2
    for column, expected in A.items():  # every number of the agency's row has exactly its dossiers
        api = client.get(
            f"/api/v1/reports/dossiers/?scope=co-quan:{known.a.slug}&period=2025-Q1&column={column}"
        )
        assert api.json()["count"] == expected, column


def test_exports_hold_the_same_figures(client, known, city):
    login(client, city.city_admin, city)
    base = f"/thong-ke/?pham-vi=co-quan:{known.a.slug}&ky=2025-Q1&bang=ii06a"
    xlsx = client.get(base + "&xuat=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[-1][0] == "Tổng cộng" and list(lines[-1][1:]) == list(A.values())
    text = client.get(base + "&xuat=csv").content.decode("utf-8-sig")
    last = list(csv.reader(io.StringIO(text)))[-1]
    assert last[0] == "Tổng cộng" and [int(v) for v in last[1:]] == list(A.values())
    for table in ("chi-so", "tuan-thu"):
        assert client.get(f"/thong-ke/?ky=2025-Q1&bang={table}&xuat=xlsx").status_code == 200


def test_formula_cells_are_neutralised():
    assert [safe(v) for v in ("=1+1", "+84", "-x", "@SUM", "Hà Nội", -3, 5)] == [
        "'=1+1",
        "'+84",
        "'-x",
        "'@SUM",
        "Hà Nội",
        -3,
        5,
    ]


def test_merged_agencies_stay_selectable_under_their_old_names(client, known, city):
    from tenants.directory import directory
    from tenants.models import Agency, AgencyStatus

    Agency.objects.filter(pk=known.b.pk).update(status=AgencyStatus.MERGED, successor=known.a)
    directory.invalidate_local()
    try:
        login(client, city.city_admin, city)
        html = client.get("/thong-ke/?ky=2025-Q1").content.decode()
        assert f'value="co-quan:{known.b.slug}"' in html and "đã sáp nhập" in html
        body = client.get(f"/api/v1/reports/ii06a/?period=2025-Q1&scope=co-quan:{known.b.slug}").json()
        assert body["totals"]["settled_early"] == 1
    finally:
        Agency.objects.filter(pk=known.b.pk).update(status=AgencyStatus.ACTIVE, successor=None)
        directory.invalidate_local()


def test_openapi_documents_the_reports(client):
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/reports/ii06a/" in schema and "/{agency_slug}/api/v1/reports/dashboard/" in schema
