"""The month-grain open roll-up (reports_open_month): kept by the trigger exactly as a rebuild makes it,
and the city-wide / per-agency figures read from it equal the per-procedure ones (read from the
day-grain reports_open) — now (days of this month before today) and at past month boundaries."""

import pytest
from django.core.management import call_command
from django.db import connection

from shared_apps.reports.management.commands.reports_rebuild import snapshot
from shared_apps.reports.periods import Period
from shared_apps.reports.selectors import ii06a
from shared_apps.tracking.models import DossierIndex

from .conftest import at

pytestmark = pytest.mark.django_db
NOW = at(2030, 6, 15, 10)  # "today" is 15/06/2030
OPEN_FIGURES = ("in_progress", "in_progress_overdue", "paused", "in_progress_multi_supplement")


@pytest.fixture
def open_now(known):
    """Besides a2 (due 10/01/2025) and a9 (due 2099, paused), open at A on 15/06/2030:
      o1 due 20/05/2030 (P2)                     overdue, in an earlier month
      o2 due 03/06/2030, 2 supplements           overdue, earlier this month
      o3 due 15/06/2030 16:00 (P2)               due today: within time until the day is over
      o4 due 02/07/2030, paused                  within
      o5 no appointment                          within
    and at B: o6 due 14/06/2030 (yesterday)      overdue."""
    serial = iter(range(500, 600))

    def row(name, agency, due, procedure=known.p.p1, **values):
        base = dict(
            agency=agency,
            dossier_id=next(serial),
            procedure=procedure,
            procedure_name=procedure.name,
            state="in_appraisal",
            national_status=4,
            channel="online",
            code=f"OM-{name}",
            received_at=at(2030, 5, 2),
            due_at=due,
        )
        base.update(values)
        known.rows[name] = DossierIndex.objects.create(**base)

    row("o1", known.a, at(2030, 5, 20), procedure=known.p.p2)
    row("o2", known.a, at(2030, 6, 3), supplement_count=2)
    row("o3", known.a, at(2030, 6, 15, 16), procedure=known.p.p2)
    row("o4", known.a, at(2030, 7, 2), state="supplement_requested", national_status=5, is_paused=True)
    row("o5", known.a, None)
    row("o6", known.b, at(2030, 6, 14))
    return known


def open_month_rows():
    with connection.cursor() as cur:
        cur.execute(
            "SELECT agency_id, due_month, n, paused, multi_supplement FROM public.reports_open_month "
            "WHERE n <> 0 OR paused <> 0 OR multi_supplement <> 0 ORDER BY 1, 2"
        )
        return cur.fetchall()


def test_open_month_holds_the_open_dossiers_by_due_month(open_now):
    a, b = open_now.a.pk, open_now.b.pk
    d = lambda y, m: at(y, m, 1).date()  # noqa: E731
    assert open_month_rows() == [
        (a, d(2025, 1), 1, 0, 0),
        (a, d(2030, 5), 1, 0, 0),
        (a, d(2030, 6), 2, 0, 1),
        (a, d(2030, 7), 1, 1, 0),
        (a, d(2099, 5), 1, 1, 0),
        (a, d(9999, 12), 1, 0, 0),
        (b, d(2030, 6), 1, 0, 0),
    ]


def test_the_trigger_keeps_open_month_equal_to_a_rebuild(open_now):
    rows = open_now.rows
    DossierIndex.objects.filter(pk=rows["o1"].pk).update(due_at=at(2030, 8, 1))  # another month
    DossierIndex.objects.filter(pk=rows["o2"].pk).update(
        finished_at=at(2030, 6, 10), state="finished", national_status=9, timeliness="late"
    )  # settled
    DossierIndex.objects.filter(pk=rows["o3"].pk).update(agency=open_now.b)  # another agency
    DossierIndex.objects.filter(pk=rows["o4"].pk).update(
        is_paused=False, state="in_appraisal", national_status=4, supplement_count=2
    )
    DossierIndex.objects.filter(pk=rows["o5"].pk).update(due_at=at(2030, 6, 1))  # gets an appointment
    DossierIndex.objects.filter(pk=rows["o6"].pk).delete()
    DossierIndex.objects.filter(pk=rows["a9"].pk).update(state="withdrawn", national_status=7)
    maintained = open_month_rows()
    with connection.cursor() as cur:
        before = snapshot(cur)
    call_command("reports_rebuild", "--check")  # raises when any roll-up differs
    call_command("reports_rebuild")
    assert open_month_rows() == maintained
    with connection.cursor() as cur:
        assert snapshot(cur) == before
    assert sum(r[2] for r in maintained) == 5  # a2, o1, o3, o4, o5


@pytest.mark.parametrize("period", [Period.year(2030), Period.month(2030, 6)])
def test_open_now_city_and_agency_figures_equal_the_per_procedure_ones(open_now, period):
    a, b = open_now.a.pk, open_now.b.pk
    city = ii06a(period=period, now=NOW).totals
    by_procedure = ii06a(period=period, now=NOW, by="procedure")
    by_agency = ii06a(period=period, now=NOW, by="agency", agency_ids=[a, b])
    for name in OPEN_FIGURES:
        assert getattr(city, name) == getattr(by_procedure.totals, name) == getattr(by_agency.totals, name), (
            name
        )
    # A: a2, o1, o2 overdue; o3 (due later today), o4, o5, a9 within; paused a9, o4; multi-supplement o2
    fig_a = by_agency.rows[a]
    assert [getattr(fig_a, n) for n in OPEN_FIGURES] == [7, 3, 2, 1]
    assert [getattr(by_agency.rows[b], n) for n in OPEN_FIGURES] == [1, 1, 0, 0]
    procedure_a = ii06a(period=period, now=NOW, by="procedure", agency_ids=[a])
    assert sum(f.in_progress_overdue for f in procedure_a.rows.values()) == 3
    assert procedure_a.rows[open_now.p.p2.pk].in_progress_overdue == 1  # o1 (o3 is due later today)


def test_on_the_first_day_of_a_month_only_earlier_months_are_overdue(open_now):
    first = at(2030, 6, 1, 8)
    fig = ii06a(period=Period.year(2030), now=first, agency_ids=[open_now.a.pk]).totals
    assert (fig.in_progress, fig.in_progress_overdue) == (7, 2)  # a2, o1
    by_procedure = ii06a(period=Period.year(2030), now=first, agency_ids=[open_now.a.pk], by="procedure")
    assert by_procedure.totals.in_progress_overdue == 2


def test_past_month_boundaries_read_the_month_grain_exactly(open_now):
    for period in (Period.quarter(2025, 1), Period.year(2024), Period.month(2030, 5), Period.month(2030, 4)):
        if period.end > NOW.date():
            continue
        city = ii06a(period=period, now=NOW)
        by_procedure = ii06a(period=period, now=NOW, by="procedure")
        assert city.totals.as_dict() == by_procedure.totals.as_dict(), period
    # open at 01/06/2030 and due before it: a2 and o1 (o2 was due 03/06)
    may = ii06a(period=Period.month(2030, 5), now=NOW, agency_ids=[open_now.a.pk]).totals
    assert may.in_progress_overdue == 2
