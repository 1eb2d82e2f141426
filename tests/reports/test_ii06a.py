"""Report II.06a: every number for an agency, the city, a group, per procedure and per sector,
against values counted by hand from the known rows (conftest.py); the trigger-maintained roll-ups
equal a set-based rebuild after inserts, updates (state, agency, months) and deletes."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from shared_apps.reports.management.commands.reports_rebuild import snapshot
from shared_apps.reports.periods import Period
from shared_apps.reports.scopes import scope_resolve
from shared_apps.reports.selectors import ii06a
from shared_apps.tracking.models import DossierIndex

from .conftest import at

pytestmark = pytest.mark.django_db
Q1 = Period.quarter(2025, 1)

A = dict(
    received_total=9,
    received_online=3,
    received_offline=4,
    carried_over=2,
    received_transferred=0,
    settled=4,
    settled_early=1,
    settled_on_time=2,
    settled_late=1,
    closed_other=1,
    transferred_out=0,
    in_progress=4,
    in_progress_within=2,
    in_progress_overdue=2,
)
B = dict(
    received_total=2,
    received_online=0,
    received_offline=1,
    carried_over=1,
    received_transferred=0,
    settled=1,
    settled_early=1,
    settled_on_time=0,
    settled_late=0,
    closed_other=1,
    transferred_out=0,
    in_progress=0,
    in_progress_within=0,
    in_progress_overdue=0,
)
CITY = {k: A[k] + B[k] for k in A}
A_P1 = dict(
    received_total=7,
    received_online=3,
    received_offline=2,
    carried_over=2,
    received_transferred=0,
    settled=3,
    settled_early=1,
    settled_on_time=2,
    settled_late=0,
    closed_other=1,
    transferred_out=0,
    in_progress=3,
    in_progress_within=2,
    in_progress_overdue=1,
)
A_P2 = dict(
    received_total=2,
    received_online=0,
    received_offline=2,
    carried_over=0,
    received_transferred=0,
    settled=1,
    settled_early=0,
    settled_on_time=0,
    settled_late=1,
    closed_other=0,
    transferred_out=0,
    in_progress=1,
    in_progress_within=0,
    in_progress_overdue=1,
)


def test_every_number_for_one_agency_in_a_closed_quarter(known):
    report = ii06a(period=Q1, agency_ids=[known.a.pk])
    assert report.totals.as_dict() == A
    assert timezone.localtime(report.as_of).date() == Q1.end
    assert ii06a(period=Q1, agency_ids=[known.b.pk]).totals.as_dict() == B


def test_the_city_is_the_sum_of_its_agencies_and_rows_per_agency(known):
    report = ii06a(period=Q1, agency_ids=[known.a.pk, known.b.pk], by="agency")
    assert report.totals.as_dict() == CITY
    assert report.rows[known.a.pk].as_dict() == A
    assert report.rows[known.b.pk].as_dict() == B
    city = ii06a(period=Q1).totals.as_dict()
    assert city == CITY  # nothing else in the index for that quarter


def test_a_group_of_agencies_by_kind(known):
    wards = scope_resolve("nhom:phuong")
    assert known.a.pk in wards.agency_ids and known.b.pk not in wards.agency_ids
    assert ii06a(period=Q1, agency_ids=wards.agency_ids).totals.as_dict() == A
    communes = scope_resolve("nhom:xa-phuong")
    assert ii06a(period=Q1, agency_ids=communes.agency_ids).totals.as_dict() == CITY


def test_per_procedure_and_per_sector(known):
    report = ii06a(period=Q1, agency_ids=[known.a.pk], by="procedure")
    assert report.rows[known.p.p1.pk].as_dict() == A_P1
    assert report.rows[known.p.p2.pk].as_dict() == A_P2
    assert report.totals.as_dict() == A  # one sector: the sector's row is the agency's


def test_a_month_and_a_year(known):
    january = ii06a(period=Period.month(2025, 1), agency_ids=[known.a.pk]).totals.as_dict()
    # received a3 (online); carried a1, a2; settled a1 (on time), a3 (early); open at 01/02: a2 (overdue)
    assert january == dict(
        received_total=3,
        received_online=1,
        received_offline=0,
        carried_over=2,
        received_transferred=0,
        settled=2,
        settled_early=1,
        settled_on_time=1,
        settled_late=0,
        closed_other=0,
        transferred_out=0,
        in_progress=1,
        in_progress_within=0,
        in_progress_overdue=1,
    )
    year_2024 = ii06a(period=Period.year(2024), agency_ids=[known.a.pk, known.b.pk]).totals.as_dict()
    # a1, a2 (A) and b2 (B) received in 2024, none settled; at 01/01/2025 a1 within, a2 within, b2 overdue
    assert year_2024 == dict(
        received_total=3,
        received_online=1,
        received_offline=2,
        carried_over=0,
        received_transferred=0,
        settled=0,
        settled_early=0,
        settled_on_time=0,
        settled_late=0,
        closed_other=0,
        transferred_out=0,
        in_progress=3,
        in_progress_within=2,
        in_progress_overdue=1,
    )


def test_the_current_period_counts_what_is_open_now(known):
    report = ii06a(period=Period.current_year(), agency_ids=[known.a.pk, known.b.pk])
    # open now: a2 (due 10/01/2025: overdue), a9 (due 2099: within)
    assert (report.totals.in_progress, report.totals.in_progress_overdue, report.totals.paused) == (2, 1, 1)
    assert report.as_of <= timezone.now()


def test_triggers_equal_a_rebuild_after_inserts_updates_and_deletes(known):
    rows = known.rows
    # a dossier moves on, changes agency (a merger), changes month, is deleted
    DossierIndex.objects.filter(pk=rows["a2"].pk).update(
        state="finished", national_status=9, finished_at=at(2025, 2, 3), timeliness="late"
    )
    DossierIndex.objects.filter(pk=rows["a9"].pk).update(agency=known.b)
    DossierIndex.objects.filter(pk=rows["b1"].pk).update(received_at=at(2025, 2, 10), channel="online")
    DossierIndex.objects.filter(pk=rows["a10"].pk).update(
        received_at=at(2025, 3, 3),
        state="received",
        national_status=2,
        due_at=at(2025, 3, 3) + timedelta(days=2),
    )
    DossierIndex.objects.filter(pk=rows["a11"].pk).delete()
    # a withdrawn dossier touched in another month moves its "closed" month; a step change counts nothing
    DossierIndex.objects.filter(pk=rows["a6"].pk).update(updated_at=at(2025, 4, 2))
    DossierIndex.objects.filter(pk=rows["a8"].pk).update(
        current_step="approve", state="awaiting_approval", updated_at=at(2025, 5, 1)
    )
    with connection.cursor() as cur:
        maintained = snapshot(cur)
    call_command("reports_rebuild", "--check")  # raises when they differ
    call_command("reports_rebuild")
    with connection.cursor() as cur:
        assert snapshot(cur) == maintained
    figures = ii06a(period=Q1, agency_ids=[known.a.pk]).totals
    assert (figures.settled_late, figures.closed_other) == (2, 0)  # a4 and a2 now; a6 closed in April


def test_truncating_the_index_empties_the_rollups(known):
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # deferred FK checks would block TRUNCATE
        cur.execute("TRUNCATE tracking_indexevent, tracking_dossierindex CASCADE")
        assert all(not rows for rows in snapshot(cur).values())
