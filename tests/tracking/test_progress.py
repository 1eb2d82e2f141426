"""Public progress disclosure (/cong-khai/): every number of the city page and of one agency's page,
the month selector, sorting by on-time rate, the pinned query count and the 404.

Dossiers are made through the real desk services; a few index rows are then moved into the previous
month or made late / overdue directly (the clock of a real database cannot be moved)."""

import re
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from shared_apps.accounts.models import User
from shared_apps.tracking.models import DossierIndex
from shared_apps.tracking.progress import (
    Month,
    ProgressCounts,
    month_choices,
    progress_agency,
    progress_city,
)
from tenant_apps.dossiers import services as s
from tenants.directory import directory
from tenants.models import Agency, AgencyStatus
from tests.dossiers.conftest import APPLICANT, COMPLETE, receive
from tests.submissions.conftest import pdf

pytestmark = pytest.mark.django_db


# -- building the scene -----------------------------------------------------------------------------
def _index(dossier):
    return (
        DossierIndex.objects.filter(code=dossier.code)
        if dossier.code
        else DossierIndex.objects.filter(dossier_id=dossier.pk)
    )


def _to_result(desk, d):
    d = s.dossier_assign(
        agency=desk.agency, dossier=d, specialist=desk.specialist, acting_user=desk.unit_head
    )
    d = s.dossier_appraise(agency=desk.agency, dossier=d, opinion="Đủ điều kiện", acting_user=desk.specialist)
    d = s.dossier_submit_for_approval(
        agency=desk.agency, dossier=d, leader=desk.leader, acting_user=desk.specialist
    )
    d = s.dossier_approve(agency=desk.agency, dossier=d, acting_user=desk.leader)
    return s.dossier_record_result(
        agency=desk.agency, dossier=d, result_number="1/KS", acting_user=desk.leader
    )


def _return(desk, d):
    return s.dossier_return_result(
        agency=desk.agency,
        dossier=d,
        method="counter",
        collected_by="Nguyễn Văn An",
        acting_user=desk.receiving_officer,
    )


def _received_online(desk):
    """Submitted by a citizen with the files of the required components (online, a component is
    provided only with its file), then accepted at the desk."""
    citizen = User.objects.create_user(username="cong_dan_tien_do", password="x")
    d, _created = s.dossier_submit_online_with_files(
        agency=desk.agency,
        procedure="1.001193",
        applicant=APPLICANT,
        files=[(position, pdf(), "application/pdf") for position in COMPLETE],
        acting_user=citizen,
        idempotency_key="tien-do-0001",
    )
    return s.dossier_accept(agency=desk.agency, dossier=d, acting_user=desk.receiving_officer)


@pytest.fixture
def scene(desk, city, settings, tmp_path):
    """The desk's ward, ward A (rows written directly) and commune B (merged away, old rows only).

    This month M (local time) and the previous month P, for the desk's ward:
      d1  in person, finished and returned in M (the desk's verdict: early)
      d2  finished in M, late
      d3  online, being processed, within time
      d4  supplement requested (paused), appointment passed: overdue
      d5  received, waiting for assignment, appointment passed: overdue
      d6  withdrawn (received in M, in progress no more)
      d7  received, finished (on time) and returned in P
      d8  received in P, finished on time in M
      d9  received in P, still waiting for assignment, within time
      and three that count nowhere: refused at intake, online not yet accepted, intake supplement.
    """
    settings.MEDIA_ROOT = tmp_path  # d3's files
    now = timezone.now()
    month = Month.current(now=now)
    previous = month.previous
    in_m = month.start + (now - month.start) / 2  # earlier this month
    in_p = previous.start + timedelta(days=10, hours=9)  # 11th of last month

    d1 = _return(desk, _to_result(desk, receive(desk)))
    assert _index(d1).get().timeliness == "early"
    d2 = _to_result(desk, receive(desk))
    _index(d2).update(timeliness="late")
    d3 = s.dossier_assign(
        agency=desk.agency,
        dossier=_received_online(desk),
        specialist=desk.specialist,
        acting_user=desk.unit_head,
    )
    d4 = s.dossier_assign(
        agency=desk.agency, dossier=receive(desk), specialist=desk.specialist, acting_user=desk.unit_head
    )
    d4 = s.dossier_request_supplement(
        agency=desk.agency, dossier=d4, reason="Thiếu giấy chứng sinh", acting_user=desk.specialist
    )
    _index(d4).update(due_at=now - timedelta(hours=1))
    d5 = receive(desk)
    _index(d5).update(due_at=now - timedelta(days=2))
    d6 = s.dossier_withdraw(
        agency=desk.agency, dossier=receive(desk), reason="Đơn rút hồ sơ", acting_user=desk.receiving_officer
    )
    d7 = _return(desk, _to_result(desk, receive(desk)))
    _index(d7).update(
        received_at=in_p,
        finished_at=in_p + timedelta(days=2),
        returned_at=in_p + timedelta(days=3),
        timeliness="on_time",
    )
    d8 = _to_result(desk, receive(desk))
    _index(d8).update(received_at=in_p, finished_at=in_m, timeliness="on_time")
    d9 = receive(desk)
    _index(d9).update(received_at=in_p)

    refused = s.dossier_register(
        agency=desk.agency,
        procedure="1.001193",
        applicant=APPLICANT,
        channel="in_person",
        components={1: {"provided": True}},
        acting_user=desk.receiving_officer,
    )
    s.dossier_refuse(
        agency=desk.agency,
        dossier=refused,
        reason="Không thuộc thẩm quyền",
        acting_user=desk.receiving_officer,
    )
    s.dossier_register(
        agency=desk.agency,
        procedure="1.001193",
        applicant=APPLICANT,
        channel="online",
        components={},  # online, flags come only with files
        acting_user=None,
    )
    waiting = s.dossier_register(
        agency=desk.agency,
        procedure="1.001193",
        applicant=APPLICANT,
        channel="in_person",
        components={1: {"provided": True}},
        acting_user=desk.receiving_officer,
    )
    s.dossier_request_intake_supplement(
        agency=desk.agency,
        dossier=waiting,
        acting_user=desk.receiving_officer,
        items=[{"name": "Giấy chứng sinh", "reason": "Chưa có"}],
    )

    statuses = dict(
        DossierIndex.objects.filter(agency=desk.agency).values_list("dossier_id", "national_status")
    )
    assert [statuses[d.pk] for d in (d1, d2, d3, d4, d5, d6, d7, d8, d9)] == [10, 9, 4, 5, 2, 7, 10, 9, 2]
    assert sorted(statuses.values()).count(5) == 2  # d4 and the intake supplement (not received)

    # Ward A and commune B: rows written directly (their desks are not set up in this test).
    procedure_id = _index(d1).get().procedure_id
    serial = iter(range(1, 100))

    def row(agency, **values):
        base = dict(
            agency=agency,
            dossier_id=next(serial),
            procedure_id=procedure_id,
            procedure_name="Đăng ký khai sinh",
            state="received",
            national_status=2,
            channel="in_person",
        )
        base.update(values)
        return DossierIndex.objects.create(**base)

    a, b = city.a, city.b
    row(
        a,
        received_at=in_m,
        due_at=in_m + timedelta(days=3),
        finished_at=in_m + timedelta(days=4),
        timeliness="late",
        state="finished",
        national_status=9,
    )
    row(
        a,
        received_at=in_m,
        due_at=in_m + timedelta(days=3),
        finished_at=in_m + timedelta(hours=1),
        timeliness="on_time",
        state="finished",
        national_status=9,
    )
    row(
        a,
        received_at=in_m,
        due_at=now + timedelta(days=3),
        channel="online",
        state="in_appraisal",
        national_status=4,
    )
    row(a, received_at=in_p, due_at=None)  # in progress without an appointment: within time
    row(
        b,
        received_at=in_p,
        due_at=in_p + timedelta(days=3),
        finished_at=in_p + timedelta(hours=2),
        returned_at=in_p + timedelta(hours=3),
        timeliness="early",
        state="returned",
        national_status=10,
    )
    row(b, received_at=in_p, due_at=in_p + timedelta(days=3), state="withdrawn", national_status=7)
    Agency.objects.filter(pk=b.pk).update(status=AgencyStatus.MERGED, successor=a)
    directory.invalidate_local()

    # nothing else in the index: the city totals below are exact
    assert set(DossierIndex.objects.values_list("agency_id", flat=True).distinct()) == {
        desk.agency.pk,
        a.pk,
        b.pk,
    }
    return SimpleNamespace(month=month, previous=previous, desk=desk, a=a, b=b, now=now)


DESK_M = dict(
    received=6,
    received_online=1,
    received_offline=5,
    finished=3,
    finished_early=1,
    finished_on_time=1,
    finished_late=1,
    returned=1,
    in_progress=4,
    in_progress_within=2,
    in_progress_overdue=2,
    paused=1,
)
DESK_P = dict(
    received=3,
    received_online=0,
    received_offline=3,
    finished=1,
    finished_early=0,
    finished_on_time=1,
    finished_late=0,
    returned=1,
    in_progress=4,
    in_progress_within=2,
    in_progress_overdue=2,
    paused=1,
)
A_M = dict(
    received=3,
    received_online=1,
    received_offline=2,
    finished=2,
    finished_early=0,
    finished_on_time=1,
    finished_late=1,
    returned=0,
    in_progress=2,
    in_progress_within=2,
    in_progress_overdue=0,
    paused=0,
)
A_P = dict(
    received=1,
    received_online=0,
    received_offline=1,
    finished=0,
    finished_early=0,
    finished_on_time=0,
    finished_late=0,
    returned=0,
    in_progress=2,
    in_progress_within=2,
    in_progress_overdue=0,
    paused=0,
)
B_P = dict(
    received=2,
    received_online=0,
    received_offline=2,
    finished=1,
    finished_early=1,
    finished_on_time=0,
    finished_late=0,
    returned=1,
    in_progress=0,
    in_progress_within=0,
    in_progress_overdue=0,
    paused=0,
)


def _sum(*parts):
    return {k: sum(p[k] for p in parts) for k in parts[0]}


# -- reading the pages ------------------------------------------------------------------------------
def _summary(html):
    """{key: text} of the summary tables (before the per-agency table)."""
    head = html.split('data-table="agencies"', 1)[0]
    return dict(re.findall(r'data-k="(\w+)">([^<]*)<', head))


def _row(html, slug):
    block = re.search(rf'<tr data-agency="{slug}">(.*?)</tr>', html, re.S)
    return dict(re.findall(r'data-k="(\w+)">([^<]*)<', block.group(1))) if block else None


def _as_text(expected, rate):
    shown = {k: str(v) for k, v in expected.items()}
    shown["on_time_rate"] = rate
    return shown


def _row_keys(shown):
    # the per-agency table leaves out "in progress" in total and "paused"
    return {k: v for k, v in shown.items() if k not in ("in_progress", "paused")}


# -- the selectors ----------------------------------------------------------------------------------
def test_the_selectors_count_exactly_what_the_module_says(scene):
    city = progress_city(month=scene.month.first_day)
    by_slug = {r.slug: r.counts for r in city.rows}
    assert by_slug["phuong-mot-cua"] == ProgressCounts(**DESK_M)
    assert by_slug["phuong-a"] == ProgressCounts(**A_M)
    assert "xa-b" not in by_slug  # merged away, nothing this month
    assert city.totals == ProgressCounts(**_sum(DESK_M, A_M))
    assert round(city.totals.on_time_rate, 1) == 60.0  # (1 + 2) / 5

    old = progress_city(month=scene.previous)
    by_slug = {r.slug: r for r in old.rows}
    assert by_slug["phuong-mot-cua"].counts == ProgressCounts(**DESK_P)
    assert by_slug["phuong-a"].counts == ProgressCounts(**A_P)
    assert by_slug["xa-b"].counts == ProgressCounts(**B_P) and by_slug["xa-b"].is_merged
    assert old.totals == ProgressCounts(**_sum(DESK_P, A_P, B_P))

    assert progress_agency(agency=scene.desk.agency, month=scene.month).counts == ProgressCounts(**DESK_M)
    merged = progress_agency(agency=directory.by_slug("xa-b"), month=scene.previous)
    assert merged.counts == ProgressCounts(**B_P) and merged.successor.slug == "phuong-a"
    assert progress_agency(agency=scene.b, month=scene.month).counts.is_empty


def test_sorting_by_on_time_rate(scene):
    def order(sort):
        return [r.slug for r in progress_city(month=scene.month, sort=sort).rows if r.counts.finished_judged]

    assert order("ty-le") == ["phuong-mot-cua", "phuong-a"]  # 66.7 % before 50 %
    assert order("ty-le-thap") == ["phuong-a", "phuong-mot-cua"]
    rows = progress_city(month=scene.month, sort="ty-le").rows
    assert all(r.counts.on_time_rate is None for r in rows[2:])  # agencies without a rate come last
    assert progress_city(month=scene.month, sort="'; drop").sort == ""


def test_months_are_local_calendar_months():
    m = Month.parse("3/2026", now=timezone.make_aware(datetime(2026, 11, 26, 9)))
    assert m == Month(2026, 3) and m.label == "03/2026" and str(m.last_day) == "2026-03-31"
    assert timezone.localtime(m.start).isoformat() == "2026-03-01T00:00:00+07:00"
    assert m.end == Month(2026, 4).start and Month(2026, 12).next == Month(2027, 1)
    assert Month(2026, 1).previous == Month(2025, 12)
    for bad in ("13/2026", "00/2026", "2026-03", "abc", "", "01/1999", "12/2999"):
        assert Month.parse(bad) is None, bad
    assert Month.of(date(2026, 2, 17)) == Month(2026, 2)
    choices = month_choices(selected=Month(2020, 5), now=timezone.make_aware(datetime(2026, 11, 26, 9)))
    assert choices[0] == Month(2026, 11) and choices[-1] == Month(2020, 5) and len(choices) == 25


# -- the pages --------------------------------------------------------------------------------------
def test_the_city_page_shows_every_number_for_the_current_month(client, scene):
    response = client.get("/cong-khai/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Công khai tiến độ giải quyết hồ sơ" in html
    label = scene.month.label
    assert f"tháng {label} (từ {scene.month.first_day:%d/%m/%Y} đến {scene.month.last_day:%d/%m/%Y})" in html
    assert _summary(html) == _as_text(_sum(DESK_M, A_M), "60%")
    assert _row(html, "phuong-mot-cua") == _row_keys(_as_text(DESK_M, "66,7%"))
    assert _row(html, "phuong-a") == _row_keys(_as_text(A_M, "50%"))
    assert _row(html, "") == _row_keys(_as_text(_sum(DESK_M, A_M), "60%"))  # the city row (tfoot)
    assert _row(html, "xa-b") is None
    assert f'href="/cong-khai/phuong-mot-cua/?thang={label}"' in html
    # accessible, and no table wider than a phone: each sits in a horizontally scrollable box
    assert html.count("<caption") == 4 and 'scope="row"' in html and 'scope="colgroup"' in html
    assert html.count('<div style="overflow-x:auto"') == 4 and html.count("<table") == 4
    assert f"{timezone.localtime(scene.now):%d/%m/%Y}" in html  # "in progress" is as of today


def test_the_month_selector(client, scene):
    label = scene.previous.label
    html = client.get("/cong-khai/", {"thang": label}).content.decode()
    assert _summary(html) == _as_text(_sum(DESK_P, A_P, B_P), "100%")
    assert _row(html, "phuong-mot-cua") == _row_keys(_as_text(DESK_P, "100%"))
    assert _row(html, "xa-b") == _row_keys(_as_text(B_P, "100%"))
    assert "Đã sáp nhập" in html
    assert f'<option value="{label}" selected>' in html
    assert f'href="?thang={scene.month.label}" rel="next"' in html  # back to this month
    current = client.get("/cong-khai/").content.decode()
    assert 'rel="next"' not in current and f'<option value="{scene.month.label}" selected>' in current
    assert f'href="?thang={label}" rel="prev"' in current

    bad = client.get("/cong-khai/", {"thang": "13/2026"})
    assert bad.status_code == 200 and "không hợp lệ" in bad.content.decode()
    assert _summary(bad.content.decode()) == _summary(current)


def test_sorting_keeps_the_month(client, scene):
    html = client.get("/cong-khai/", {"thang": scene.month.label, "sap-xep": "ty-le-thap"}).content.decode()
    assert html.index('data-agency="phuong-a"') < html.index('data-agency="phuong-mot-cua"')
    assert 'aria-sort="ascending"' in html
    assert '<input type="hidden" name="sap-xep" value="ty-le-thap">' in html
    html = client.get("/cong-khai/", {"sap-xep": "ty-le"}).content.decode()
    assert html.index('data-agency="phuong-mot-cua"') < html.index('data-agency="phuong-a"')


def test_one_agency_page(client, scene):
    html = client.get("/cong-khai/phuong-mot-cua/").content.decode()
    assert "<h1>Phường Một Cửa</h1>" in html
    assert _summary(html) == _as_text(DESK_M, "66,7%")
    html = client.get("/cong-khai/phuong-mot-cua/", {"thang": scene.previous.label}).content.decode()
    assert _summary(html) == _as_text(DESK_P, "100%")


def test_an_agency_merged_away_keeps_its_page_for_old_months(client, scene):
    response = client.get("/cong-khai/xa-b/", {"thang": scene.previous.label})
    html = response.content.decode()
    assert response.status_code == 200
    assert _summary(html) == _as_text(B_P, "100%")
    assert "đã được sáp nhập vào Phường Thử Nghiệm A" in html
    assert f'href="/cong-khai/phuong-a/?thang={scene.previous.label}"' in html


def test_an_unknown_agency_is_not_found(client, scene):
    assert client.get("/cong-khai/khong-co-co-quan-nay/").status_code == 404


def test_each_page_is_one_query(client, scene, django_assert_num_queries):
    client.get("/cong-khai/")  # switches the test's connection back to the public schema, loads the directory
    with django_assert_num_queries(1):  # one GROUP BY for the totals and every agency
        assert client.get("/cong-khai/", {"sap-xep": "ty-le"}).status_code == 200
    with django_assert_num_queries(1):
        assert client.get("/cong-khai/", {"thang": scene.previous.label}).status_code == 200
    with django_assert_num_queries(1):  # the agency from the directory, its numbers in one aggregate
        assert client.get("/cong-khai/phuong-mot-cua/").status_code == 200
    with django_assert_num_queries(0):
        assert client.get("/cong-khai/khong-co/").status_code == 404


def test_a_month_without_data_renders(client, city):
    response = client.get("/cong-khai/", {"thang": "01/2021"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Chưa có hồ sơ nào trong tháng này." in html and 'data-k="on_time_rate">—<' in html
    assert _row(html, "phuong-a") == _row_keys(
        _as_text(dict.fromkeys(DESK_M, 0), "—")
    )  # active: shown with zeros
    assert '<option value="01/2021" selected>' in html
    agency = client.get("/cong-khai/phuong-a/", {"thang": "01/2021"})
    assert agency.status_code == 200 and "Chưa có hồ sơ nào trong tháng này." in agency.content.decode()


def test_large_numbers_have_thousands_separators(city):
    from shared_apps.tracking.progress import AgencyRow, CityProgress

    big = ProgressCounts(
        received=12345,
        received_online=10000,
        received_offline=2345,
        finished=1200,
        finished_early=1000,
        finished_on_time=150,
        finished_late=50,
        returned=1100,
        in_progress=3456,
        in_progress_within=3000,
        in_progress_overdue=456,
        paused=7,
    )
    report = CityProgress(
        month=Month(2026, 3),
        as_of=timezone.now(),
        sort="",
        totals=big,
        rows=[
            AgencyRow(agency_id=1, slug="phuong-a", name="Phường A", kind="ward", status="active", counts=big)
        ],
    )
    request = RequestFactory().get("/cong-khai/")
    request.user = AnonymousUser()
    nav = {
        "month": Month(2026, 3),
        "previous": Month(2026, 2),
        "next": Month(2026, 4),
        "choices": [Month(2026, 3)],
    }
    html = render_to_string("tracking/progress_city.html", {"report": report, "nav": nav}, request=request)
    summary = _summary(html)
    assert summary["received"] == "12.345" and summary["in_progress"] == "3.456"
    assert summary["on_time_rate"] == "95,8%"  # 1150 / 1200
    assert _row(html, "phuong-a")["received_online"] == "10.000"
