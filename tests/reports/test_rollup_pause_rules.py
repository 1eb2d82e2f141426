"""Issue 7: a paused dossier (clock stopped) is never in progress overdue, and a dossier with more than
one supplement request is late for the Decision 766 on-time rate also while in progress — now and at
past month boundaries; the roll-ups stay equal to a rebuild (and to the merger's narrowed recompute).

Commune B of the `known` set has nothing open after 2025; in 2030 it gets (all P1 unless said,
received 02/05/2030, "today" 15/06/2030):
  p1 due 20/05, paused, 1 supplement             within (paused)
  p2 due 10/06, paused, 2 supplements (P2)       within (paused), late for 766
  p3 due 25/05, 2 supplements                    overdue (already late for 766: not taken twice)
  p4 due 30/06, 2 supplements (P2)               within, late for 766
  p5 due 01/07                                   within
  p6 due 05/06                                   overdue now; within at 01/06
  s1 due 04/06, settled early 03/06
  c1 due 20/05, 2 supplements, settled late 10/06 (ReportLate: overdue at 01/06)
  c2 due 05/06, 2 supplements, settled 04/06 (the desk's verdict late: two supplements)
"""

import pytest
from django.core.management import call_command
from django.db import connection

from shared_apps.reports.indicators import on_time_rate
from shared_apps.reports.management.commands.reports_rebuild import snapshot
from shared_apps.reports.periods import Period
from shared_apps.reports.selectors import ii06a
from shared_apps.tracking.models import DossierIndex

from .conftest import at

pytestmark = pytest.mark.django_db
NOW = at(2030, 6, 15, 10)
JUNE, MAY = Period.month(2030, 6), Period.month(2030, 5)
FIGURES = (
    "in_progress",
    "in_progress_overdue",
    "in_progress_within",
    "in_progress_multi_supplement",
    "in_progress_multi_supplement_within",
)


@pytest.fixture
def b_2030(known):
    serial = iter(range(700, 800))
    p1, p2 = known.p.p1, known.p.p2

    def row(name, due, procedure=p1, **values):
        base = dict(
            agency=known.b,
            dossier_id=next(serial),
            procedure=procedure,
            procedure_name=procedure.name,
            state="in_appraisal",
            national_status=4,
            channel="in_person",
            code=f"PR-{name}",
            received_at=at(2030, 5, 2),
            due_at=due,
        )
        base.update(values)
        known.rows[name] = DossierIndex.objects.create(**base)

    paused = dict(state="supplement_requested", national_status=5, is_paused=True)
    done = dict(state="returned", national_status=10)
    row("p1", at(2030, 5, 20), supplement_count=1, **paused)
    row("p2", at(2030, 6, 10), procedure=p2, supplement_count=2, **paused)
    row("p3", at(2030, 5, 25), supplement_count=2)
    row("p4", at(2030, 6, 30), procedure=p2, supplement_count=2)
    row("p5", at(2030, 7, 1))
    row("p6", at(2030, 6, 5))
    row("s1", at(2030, 6, 4), finished_at=at(2030, 6, 3), timeliness="early", **done)
    row("c1", at(2030, 5, 20), supplement_count=2, finished_at=at(2030, 6, 10), timeliness="late", **done)
    row("c2", at(2030, 6, 5), supplement_count=2, finished_at=at(2030, 6, 4), timeliness="late", **done)
    return known


def values(fig):
    return [getattr(fig, name) for name in FIGURES]


def every_reading(known, period):
    """The figures of B read city-wide-style (month grain), per agency and per procedure (day grain)."""
    b = [known.b.pk]
    return (
        ii06a(period=period, now=NOW, agency_ids=b).totals,
        ii06a(period=period, now=NOW, agency_ids=b, by="agency").rows[known.b.pk],
        ii06a(period=period, now=NOW, agency_ids=b, by="procedure").totals,
    )


def test_now_paused_ones_are_not_overdue_and_multi_supplement_ones_are_late_for_766(b_2030):
    for fig in every_reading(b_2030, JUNE):
        # open 6; overdue p3, p6 (p1, p2 paused with their appointment passed); multi p2, p3, p4, of
        # which within p2, p4
        assert values(fig) == [6, 2, 4, 3, 2]
        assert fig.paused == 2
        # settled in June with a verdict: s1, c1, c2; on time for 766: s1 (c2 had two supplements)
        rate = on_time_rate(fig)
        assert (rate.numerator, rate.denominator) == (1 + 4 - 2, 3 + 6)
        assert (rate.value, rate.points) == (33.33, 6.67)


def test_at_a_past_boundary_too(b_2030):
    for fig in every_reading(b_2030, MAY):
        # open at 01/06: p1–p6, s1, c1, c2; overdue: p3, c1 (closed since, ReportLate) — not p1 (paused);
        # multi: p2, p3, p4, c1, c2, of which within p2, p4, c2 (c2 settled since: from the flows)
        assert values(fig) == [9, 2, 7, 5, 3]
        rate = on_time_rate(fig)
        assert (rate.numerator, rate.denominator) == (0 + 7 - 3, 0 + 9)
        assert rate.value == 44.44


def test_resuming_or_settling_does_not_move_a_past_boundary(b_2030):
    rows = b_2030.rows
    before = values(ii06a(period=MAY, now=NOW, agency_ids=[b_2030.b.pk]).totals)
    # p1 resumed: its appointment moves past the resume (20/06); p2 settled late after its resume
    DossierIndex.objects.filter(pk=rows["p1"].pk).update(
        is_paused=False, state="in_appraisal", national_status=4, due_at=at(2030, 6, 20)
    )
    DossierIndex.objects.filter(pk=rows["p2"].pk).update(
        is_paused=False,
        due_at=at(2030, 6, 14),
        finished_at=at(2030, 6, 15, 9),
        timeliness="late",
        state="finished",
        national_status=9,
    )
    for fig in every_reading(b_2030, MAY):
        assert values(fig) == before
    june = ii06a(period=JUNE, now=NOW, agency_ids=[b_2030.b.pk]).totals
    assert values(june) == [5, 2, 3, 2, 1]  # p1, p3–p6; overdue p3, p6; multi p3, p4 (p4 within)


def test_the_trigger_keeps_the_pause_and_supplement_counts_equal_to_a_rebuild(b_2030):
    from tenants import rollups

    rows = b_2030.rows
    upd = lambda name, **v: DossierIndex.objects.filter(pk=rows[name].pk).update(**v)  # noqa: E731
    upd("p1", is_paused=False, state="in_appraisal", national_status=4, supplement_count=2)
    upd("p2", supplement_count=3)
    upd("p3", state="withdrawn", national_status=7)  # closed without a result, 2 supplements
    upd("p4", finished_at=at(2030, 7, 3), timeliness="late", state="finished", national_status=9)  # late
    upd("p5", supplement_count=2, is_paused=True, state="supplement_requested", national_status=5)
    upd("c1", agency=b_2030.a)
    DossierIndex.objects.filter(pk=rows["c2"].pk).delete()
    with connection.cursor() as cur:
        cur.execute("SELECT sum(multi_paused) FROM public.reports_open WHERE agency_id = %s", [b_2030.b.pk])
        assert cur.fetchone()[0] == 2  # p2, p5
        cur.execute(
            "SELECT sum(multi_supplement) FROM public.reports_late WHERE agency_id = %s", [b_2030.a.pk]
        )
        assert cur.fetchone()[0] == 1  # c1, now at A (a7 is late at A too, with no supplement)
        maintained = snapshot(cur)
    call_command("reports_rebuild", "--check")  # raises when any roll-up differs
    with connection.cursor() as cur:
        statements = rollups.recompute_statements(cur, agency_ids=[b_2030.a.pk, b_2030.b.pk])
        assert statements  # the narrowing still understands rebuild_sql
        for statement in statements:
            cur.execute(statement)
        assert snapshot(cur) == maintained
    call_command("reports_rebuild")
    with connection.cursor() as cur:
        assert snapshot(cur) == maintained
