"""A move of dossiers between two agencies leaves the source's report as it was, apart from the open
ones now shown as transferred out, and the target counts only the open ones, as received by transfer
(shared_apps/reports/sql.py)."""

import pytest
from django.core.management import call_command

from shared_apps.reports.periods import Period
from shared_apps.reports.selectors import ii06a
from shared_apps.tracking.models import DossierIndex
from tenants.split import dossiers_move

pytestmark = pytest.mark.django_db
UNCHANGED = (
    "received_online",
    "received_offline",
    "carried_over",
    "received_transferred",
    "settled_early",
    "settled_on_time",
    "settled_late",
    "settled_unjudged",
    "closed_other",
)


def totals(agency):
    return ii06a(period=Period.current_year(), agency_ids=[agency.pk]).totals


def test_a_move_keeps_what_the_source_did_and_the_target_takes_over_only_the_open_ones(communes, city):
    xa_mot, xa_hai, _ = communes.agencies
    mine = communes.dossiers["xa-mot"]
    moving = (
        "received",
        "withdrawn",
        "returned",
        "new",
    )  # open, closed without a result, settled, not received
    source_before, target_before = totals(xa_mot), totals(xa_hai)
    assert source_before.received_total > 0 and source_before.closed_other >= 1 and source_before.settled >= 1

    assert dossiers_move(
        source=xa_mot,
        target=xa_hai,
        dossier_ids=[mine[s].pk for s in moving],
        acting_user=city.city_admin,
        reason="Điều chỉnh địa giới",
    ) == len(moving)

    source, target = totals(xa_mot), totals(xa_hai)
    assert {k: getattr(source, k) for k in UNCHANGED} == {k: getattr(source_before, k) for k in UNCHANGED}
    assert (source.transferred_out, source.in_progress) == (1, source_before.in_progress - 1)  # "received"
    assert (
        source.received_total
        == source.settled + source.closed_other + source.transferred_out + source.in_progress
    )
    changed = {"received_transferred": 1, "in_progress": 1}
    assert {
        k: getattr(target, k) - getattr(target_before, k)
        for k in (*UNCHANGED, "transferred_out", "in_progress")
    } == {**dict.fromkeys((*UNCHANGED, "transferred_out", "in_progress"), 0), **changed}
    # every moved dossier that was received keeps a history row at the source; look-ups see one live row
    for state in moving:
        code = mine[state].code
        if code:
            assert DossierIndex.objects.get(code=code).agency_id == xa_hai.pk
    assert DossierIndex.all_rows.filter(agency_id=xa_mot.pk, transferred_out_at__isnull=False).count() == 3
    call_command("reports_rebuild", "--check")
