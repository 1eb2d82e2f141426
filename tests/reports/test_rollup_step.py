"""Step-level update compliance: the index row carries the current step's sub-deadline, the trigger
rolls open dossiers up by holding agency and step due date exactly as a rebuild does, and an agency
complies when none of the dossiers it holds has its current step due before today."""

import pytest
from django.core.management import call_command
from django.db import connection

from shared_apps.reports.scopes import update_compliance
from shared_apps.tracking.models import DossierIndex
from tests.dossiers.conftest import desk, receive  # noqa: F401  (the desk fixture)

from .conftest import at

pytestmark = pytest.mark.django_db
NOW = at(2030, 6, 15, 10)  # "today" is 15/06/2030


@pytest.fixture
def steps(known):
    """Besides a2 (A, open, no step due, appointment 10/01/2025: overdue by the appointment) and a9
    (A, paused):
      s1 A  step due 14/06/2030, appointment 2099            overdue: the step decides
      s2 A  step due 20/06/2030, appointment 01/06/2030       in time: the step decides
      s3 A  step due 15/06/2030 16:00                         due later today: in time
      s4 B  paused (supplement requested), step due 01/06     waits for the citizen: not counted
      s5 held by B, received by A (origin), step due 10/06    overdue at B, the holder
      s6 A  settled, step due 01/06                           not open: not counted"""
    serial = iter(range(700, 800))

    def row(name, agency, step_due, due, **values):
        base = dict(
            agency=agency,
            dossier_id=next(serial),
            procedure=known.p.p1,
            procedure_name="x",
            state="in_appraisal",
            national_status=4,
            channel="in_person",
            code=f"ST-{name}",
            received_at=at(2030, 5, 2),
            due_at=due,
            step_due_at=step_due,
        )
        base.update(values)
        known.rows[name] = DossierIndex.objects.create(**base)

    row("s1", known.a, at(2030, 6, 14), at(2099, 1, 1))
    row("s2", known.a, at(2030, 6, 20), at(2030, 6, 1))
    row("s3", known.a, at(2030, 6, 15, 16), at(2030, 7, 1))
    row(
        "s4",
        known.b,
        at(2030, 6, 1),
        at(2030, 7, 1),
        state="supplement_requested",
        national_status=5,
        is_paused=True,
    )
    row("s5", known.b, at(2030, 6, 10), at(2030, 7, 1), origin_agency=known.a)
    row(
        "s6",
        known.a,
        at(2030, 6, 1),
        at(2030, 6, 2),
        finished_at=at(2030, 6, 3),
        state="finished",
        national_status=9,
        timeliness="late",
    )
    return known


def step_rows():
    with connection.cursor() as cur:
        cur.execute("SELECT agency_id, due_date, n FROM public.reports_step_open WHERE n <> 0 ORDER BY 1, 2")
        return cur.fetchall()


def test_compliance_counts_the_steps_past_their_sub_deadline_at_the_holder(steps):
    result = update_compliance(now=NOW)
    overdue = {r.agency.pk: r.overdue_open for r in result["rows"]}
    assert overdue[steps.a.pk] == 2  # a2 (by its appointment), s1
    assert overdue[steps.b.pk] == 1  # s5, held by B (s4 paused)
    complying = {r.agency.pk for r in result["rows"] if r.complies}
    assert steps.a.pk not in complying and steps.b.pk not in complying
    communes = [r for r in result["rows"] if r.agency.kind in ("commune", "ward", "special_zone")]
    assert result["communes"] == len(communes)
    assert result["communes_complying"] == len(communes) - 2  # every other commune-level agency complies
    assert result["share"] == round((len(communes) - 2) * 100 / len(communes), 2)
    # the next day s3 (due 15/06 16:00) is overdue too; on 10/06 only a2 (s1 was due 14/06, s5 on 10/06)
    assert {r.agency.pk: r.overdue_open for r in update_compliance(now=at(2030, 6, 16))["rows"]}[
        steps.a.pk
    ] == 3
    early = {r.agency.pk: r.overdue_open for r in update_compliance(now=at(2030, 6, 10))["rows"]}
    assert (early[steps.a.pk], early[steps.b.pk]) == (1, 0)


def test_the_trigger_keeps_the_step_rollup_equal_to_a_rebuild(steps):
    rows = steps.rows
    DossierIndex.objects.filter(pk=rows["s1"].pk).update(step_due_at=at(2030, 6, 25))  # next step (step only)
    DossierIndex.objects.filter(pk=rows["s5"].pk).update(agency=steps.a)  # handed back (holder only)
    DossierIndex.objects.filter(pk=rows["s2"].pk).update(step_due_at=None)  # no sub-deadline: the appointment
    DossierIndex.objects.filter(pk=rows["s4"].pk).update(
        is_paused=False, state="in_appraisal", national_status=4
    )
    DossierIndex.objects.filter(pk=rows["s3"].pk).update(
        finished_at=at(2030, 6, 15), state="finished", national_status=9, timeliness="on_time"
    )
    DossierIndex.objects.filter(pk=rows["a2"].pk).delete()
    maintained = step_rows()
    call_command("reports_rebuild", "--check")  # raises when any roll-up differs
    call_command("reports_rebuild")
    assert step_rows() == maintained
    a, b = steps.a.pk, steps.b.pk
    d = lambda y, m, day: at(y, m, day).date()  # noqa: E731
    # A: s1 25/06, s2 01/06 (appointment), s5 10/06, a9 paused; B: s4 01/06
    assert maintained == [
        (a, d(2030, 6, 1), 1),
        (a, d(2030, 6, 10), 1),
        (a, d(2030, 6, 25), 1),
        (b, d(2030, 6, 1), 1),
    ]
    overdue = {r.agency.pk: r.overdue_open for r in update_compliance(now=NOW)["rows"]}
    assert (overdue[a], overdue[b]) == (2, 1)


def test_the_desk_writes_the_step_sub_deadline_on_the_index_row(desk):  # noqa: F811
    from tenant_apps.dossiers.models import Dossier
    from tenant_apps.dossiers.services import dossier_assign

    d = receive(desk)
    entry = DossierIndex.objects.get(agency=desk.agency, dossier_id=d.pk)
    d = Dossier.objects.get(pk=d.pk)
    assert d.step_due_at is not None and entry.step_due_at == d.step_due_at
    d = dossier_assign(agency=desk.agency, dossier=d, specialist=desk.specialist, acting_user=desk.unit_head)
    entry.refresh_from_db()
    d = Dossier.objects.get(pk=d.pk)
    assert entry.current_step == d.current_step == "appraise" and entry.step_due_at == d.step_due_at
    call_command("reports_rebuild", "--check")
