"""Mergers of agencies: every dossier in progress carried over with its code and full history, all or
nothing, the old agencies kept readable under their old names."""

import pytest
from django.db import connection

from core.errors import DomainError
from shared_apps.accounts.models import Membership, Role
from shared_apps.tracking.models import DossierIndex, IndexEvent
from shared_apps.tracking.selectors import dossier_lookup
from tenant_apps.dossiers import services as s
from tenant_apps.dossiers.lifecycle import CLOSED
from tenant_apps.dossiers.models import Dossier
from tenants.merge import agencies_merge, agency_merge_source_done
from tenants.models import Agency, AgencyEvent, AgencyStatus, DossierTransfer

from .conftest import COMPLETE, STATES, dossier_rows, history

pytestmark = pytest.mark.django_db
NEW = {"name": "Xã Hợp Nhất", "slug": "xa-hop-nhat", "kind": "commune", "national_code": "000.94.09.H31"}
OPEN_STATES = [st for st in STATES if st not in {str(c) for c in CLOSED}]


def snapshot_everything(agencies):
    """What a failed or dry-run merger must leave untouched."""
    out = {
        "agencies": list(Agency.objects.order_by("pk").values_list("slug", "status", "successor_id")),
        "index": list(DossierIndex.objects.order_by("pk").values_list("code", "agency_id", "dossier_id")),
        "memberships": list(Membership.objects.order_by("pk").values_list("user_id", "agency_id", "roles")),
        "events": AgencyEvent.objects.count(),
        "transfers": DossierTransfer.objects.count(),
    }
    for agency in agencies:
        out[agency.slug] = history(agency)
    return out


def rollups():
    from tenants.rollups import TABLES

    out = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT * FROM public.{table}")
            names = [c.name for c in cursor.description]
            counts = [i for i, n in enumerate(names) if n != "id" and not n.endswith("_id")]  # and dates
            # a bucket whose counts all went back to 0 (its dossiers moved or were removed) equals no bucket
            out[table] = sorted(
                tuple(r[1:])
                for r in cursor.fetchall()
                if any(isinstance(r[i], int) and r[i] != 0 for i in counts)
            )
    return out


def rebuilt_rollups():
    from shared_apps.reports import sql as reports_sql

    with connection.cursor() as cursor:
        reports_sql.rebuild(cursor)
    return rollups()


def test_merging_three_communes_into_a_new_one_carries_every_dossier_in_progress(
    communes, city, django_capture_on_commit_callbacks
):
    before = {a.slug: history(a) for a in communes.agencies}
    rows_before = {a.slug: dossier_rows(a) for a in communes.agencies}
    codes_before = {
        a.slug: {d.code for d in rows_before[a.slug].values() if d.code} for a in communes.agencies
    }

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = agencies_merge(
            sources=[a.slug for a in communes.agencies],
            target=None,
            new_agency=NEW,
            acting_user=city.city_admin,
        )
    assert callbacks, "the directory is invalidated on commit"
    target = Agency.objects.get(slug="xa-hop-nhat")
    assert report.target == "xa-hop-nhat" and report.target_is_new and not report.dry_run
    assert report.carried == 3 * len(OPEN_STATES)
    for rep in report.sources:
        assert rep.carried_by_state == {st: 1 for st in OPEN_STATES}
        assert rep.staying == len(STATES) - len(OPEN_STATES)

    # counts and codes before = after; every history intact plus exactly one transfer event
    carried = dossier_rows(target)
    assert len(carried) == 3 * len(OPEN_STATES)
    after = history(target)
    for agency in communes.agencies:
        for d in rows_before[agency.slug].values():
            key = d.code or None
            if d.state in OPEN_STATES and key:
                assert after[key][:-1] == before[agency.slug][key]
                last = after[key][-1]
                assert last[1] == "transfer_in" and last[4] == f"Chuyển từ {agency.name} do sáp nhập"
                assert last[5]["agency"] == agency.slug and last[6]["agency"] == "xa-hop-nhat"
    carried_codes = {d.code for d in carried.values() if d.code}
    assert carried_codes == {
        d.code
        for a in communes.agencies
        for d in rows_before[a.slug].values()
        if d.code and d.state in OPEN_STATES
    }
    by_code = {d.code: d for d in carried.values() if d.code}
    for agency in communes.agencies:
        for d in rows_before[agency.slug].values():
            if not d.code or d.state not in OPEN_STATES:
                continue
            moved = by_code[d.code]
            assert (moved.due_at, moved.received_at, moved.state, moved.applicant_name) == (
                d.due_at,
                d.received_at,
                d.state,
                d.applicant_name,
            )
            assert [(c.position, c.name, c.provided, c.file.name) for c in moved.components.all()] == [
                (c.position, c.name, c.provided, c.file.name) for c in d.components.all()
            ]
            assert [(p.kind, p.started_at, p.ended_at) for p in moved.pauses.all()] == [
                (p.kind, p.started_at, p.ended_at) for p in d.pauses.all()
            ]
            scan = next(c for c in moved.components.all() if c.position == 1).file
            with scan.open("rb") as fh:
                assert fh.read().startswith(b"%PDF")

    # the sources: every dossier still there, closed ones untouched, carried ones say where they went
    for agency in communes.agencies:
        agency.refresh_from_db()
        assert agency.status == AgencyStatus.MERGED and agency.successor == target
        still = dossier_rows(agency)
        assert set(still) == set(rows_before[agency.slug])
        assert {d.code for d in still.values() if d.code} == codes_before[agency.slug]
        for d in still.values():
            if d.state in OPEN_STATES:
                last = list(d.events.all())[-1]
                assert last.action == "transfer_out" and last.note == "Chuyển sang Xã Hợp Nhất do sáp nhập"
                assert last.new_values["agency"] == "xa-hop-nhat"
            else:
                assert [
                    e[:7] for e in history(agency)[d.code or f"{d.applicant_name}#{d.idempotency_key}"]
                ] == [e[:7] for e in before[agency.slug][d.code or f"{d.applicant_name}#{d.idempotency_key}"]]
        assert AgencyEvent.objects.filter(agency=agency, action="merged_into").exists()
    assert (
        AgencyEvent.objects.get(agency=target, action="merged_from").new_values["carried"] == report.carried
    )

    # look-up by every old code: in progress -> the successor, with the transfer on the timeline
    for agency in communes.agencies:
        for d in rows_before[agency.slug].values():
            if not d.code:
                continue
            found = dossier_lookup(code=d.code)
            assert found is not None
            row = DossierIndex.objects.get(code=d.code)
            if d.state in OPEN_STATES:
                assert (row.agency_id, row.dossier_id) == (target.pk, by_code[d.code].pk)
                assert (
                    found.entry.agency.name == "Xã Hợp Nhất" and found.events[-1]["agency"] == "Xã Hợp Nhất"
                )
                assert (
                    found.events[-1]["label"] == "Chuyển cơ quan giải quyết (sáp nhập, điều chỉnh địa giới)"
                )
                assert len(found.events) == IndexEvent.objects.filter(entry=row).count()
            else:
                assert row.agency_id == agency.pk and found.entry.agency.name == agency.name
    assert DossierTransfer.objects.filter(target_agency=target).count() == report.carried

    # the report roll-ups (recomputed set-based for the agencies involved) equal a full rebuild
    assert rollups() == rebuilt_rollups()

    # memberships moved; the member of two communes has both roles in the successor
    for agency in communes.agencies:
        for role in Role:
            user = communes.staff[agency.slug][role.value]
            assert role.value in Membership.objects.get(user=user, agency=target).roles
    assert sorted(Membership.objects.get(user=communes.shared, agency=target).roles) == [
        "leader",
        "specialist",
    ]

    # the histories' hash chains hold on both sides: carried as they were, the transfer events sealed on
    from tenant_apps.dossiers.chain import history_verify

    for agency in [target, *communes.agencies]:
        connection.set_tenant(agency)
        total, broken = history_verify(agency=agency, acting_user=None)
        assert total > 0 and broken == [], (agency.slug, broken)
    connection.set_schema_to_public()


def test_the_successor_issues_codes_that_never_collide_with_carried_ones(communes, city):
    agencies_merge(
        sources=[a.slug for a in communes.agencies], target=None, new_agency=NEW, acting_user=city.city_admin
    )
    target = Agency.objects.get(slug="xa-hop-nhat")
    connection.set_tenant(target)
    carried = set(Dossier.objects.exclude(code=None).values_list("code", flat=True))
    officer = communes.staff["xa-mot"][Role.RECEIVING_OFFICER]
    fresh = s.dossier_receive(
        agency=target,
        procedure="1.001193",
        applicant={"name": "Lê Văn Cường"},
        channel="in_person",
        components=COMPLETE,
        acting_user=officer,
    )
    assert fresh.code.startswith("000.94.09.H31-") and fresh.code not in carried
    assert DossierIndex.objects.get(code=fresh.code).agency_id == target.pk


def test_merging_into_an_existing_agency_keeps_its_own_dossiers(communes, city):
    xa_mot, xa_hai, xa_ba = communes.agencies
    own_before = history(xa_mot)
    report = agencies_merge(sources=["xa-hai", "xa-ba"], target="xa-mot", acting_user=city.city_admin)
    assert report.carried == 2 * len(OPEN_STATES) and not report.target_is_new
    after = history(xa_mot)
    for key, events in own_before.items():
        assert after[key] == events
    assert len(dossier_rows(xa_mot)) == len(STATES) + 2 * len(OPEN_STATES)
    assert sorted(Membership.objects.get(user=communes.shared, agency=xa_mot).roles) == [
        "leader",
        "specialist",
    ]
    for merged in (xa_hai, xa_ba):
        merged.refresh_from_db()
        assert merged.status == AgencyStatus.MERGED and merged.successor_id == xa_mot.pk
    xa_mot.refresh_from_db()
    assert xa_mot.status == AgencyStatus.ACTIVE


def test_an_idempotency_key_used_in_two_communes_is_cleared_in_the_successor_not_duplicated(communes, city):
    xa_mot, xa_hai, _xa_ba = communes.agencies
    connection.set_tenant(xa_hai)
    Dossier.objects.filter(state="new").update(idempotency_key="khoa-xa-mot-0001")  # the same client key
    connection.set_schema_to_public()
    report = agencies_merge(sources=["xa-hai"], target="xa-mot", acting_user=city.city_admin)
    assert report.sources[0].unique_values_cleared == {"idempotency_key": 1}
    connection.set_tenant(xa_mot)
    assert Dossier.objects.filter(idempotency_key="khoa-xa-mot-0001").count() == 1
    assert Dossier.objects.filter(state="new").count() == 2


def test_a_dry_run_reports_what_would_move_and_changes_nothing(communes, city):
    before = snapshot_everything(communes.agencies)
    report = agencies_merge(
        sources=["xa-hai", "xa-ba"], target="xa-mot", acting_user=city.city_admin, dry_run=True
    )
    assert report.dry_run and report.carried == 2 * len(OPEN_STATES)
    hai = report.sources[0]
    assert hai.slug == "xa-hai" and hai.dossiers_by_state == {st: 1 for st in STATES}
    assert hai.carried_by_state == {st: 1 for st in OPEN_STATES}
    assert hai.memberships_moved == len(Role) and hai.memberships_merged == 1  # the shared member
    assert hai.code_conflicts == [] and hai.adoption_conflicts == []
    assert snapshot_everything(communes.agencies) == before
    new_report = agencies_merge(
        sources=["xa-hai"], target=None, new_agency=NEW, acting_user=city.city_admin, dry_run=True
    )
    assert new_report.target_is_new and new_report.carried == len(OPEN_STATES)
    assert not Agency.objects.filter(slug="xa-hop-nhat").exists()
    assert snapshot_everything(communes.agencies) == before


def test_a_failure_after_the_second_source_leaves_every_agency_as_it_was(communes, city):
    before = snapshot_everything(communes.agencies)
    seen = []

    def explode(source, **kwargs):
        seen.append(source.slug)
        if len(seen) == 2:
            raise RuntimeError("mất điện giữa chừng")

    agency_merge_source_done.connect(explode)
    try:
        with pytest.raises(RuntimeError):
            agencies_merge(
                sources=[a.slug for a in communes.agencies],
                target=None,
                new_agency=NEW,
                acting_user=city.city_admin,
            )
    finally:
        agency_merge_source_done.disconnect(explode)
    assert seen == ["xa-mot", "xa-hai"]
    connection.set_schema_to_public()
    assert not Agency.objects.filter(slug="xa-hop-nhat").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = 'ag_xa_hop_nhat'")
        assert cursor.fetchone() is None
    assert snapshot_everything(communes.agencies) == before


def test_a_merger_is_refused_for_non_city_admins_and_bad_choices(communes, city):
    with pytest.raises(DomainError):
        agencies_merge(
            sources=["xa-hai"], target="xa-mot", acting_user=communes.staff["xa-mot"][Role.AGENCY_ADMIN]
        )
    with pytest.raises(DomainError):
        agencies_merge(sources=["xa-mot"], target="xa-mot", acting_user=city.city_admin)
    with pytest.raises(DomainError):
        agencies_merge(sources=["xa-hai", "xa-hai"], target="xa-mot", acting_user=city.city_admin)
    agencies_merge(sources=["xa-hai"], target="xa-mot", acting_user=city.city_admin)
    with pytest.raises(DomainError):  # already merged
        agencies_merge(sources=["xa-hai"], target="xa-ba", acting_user=city.city_admin)


def test_without_skipping_the_row_checks_the_merger_gives_the_same_result(communes, city, monkeypatch):
    """The path of a database role that may not set session_replication_role: foreign keys checked
    row by row, the roll-up trigger switched off for the index statements and the roll-ups rebuilt."""
    from tenants import copier

    monkeypatch.setattr(copier, "TRUST_COPY", False)
    report = agencies_merge(sources=["xa-hai", "xa-ba"], target="xa-mot", acting_user=city.city_admin)
    assert report.carried == 2 * len(OPEN_STATES)
    assert rollups() == rebuilt_rollups()
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgenabled FROM pg_trigger WHERE tgname = 'reports_index_rollup'")
        assert cursor.fetchone()[0] == "O"  # switched back on
    for code in [d.code for d in communes.dossiers["xa-hai"].values() if d.code and d.state in OPEN_STATES]:
        assert dossier_lookup(code=code).entry.agency.name == "Xã Một"
