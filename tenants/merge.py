"""Administrative mergers, moves of chosen dossiers and renames of agencies (issue #6).

`agencies_merge` carries every dossier in progress of each source into the target (an existing agency
or one onboarded in the same run), moves memberships, reconciles adopted procedures and marks the
sources merged — all in ONE transaction: any failure leaves every agency as it was. The copying itself
is set-based SQL in `tenants.copier`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from shared_apps.accounts.models import Membership
from shared_apps.accounts.services import ensure_city_admin

from . import copier
from .directory import directory
from .models import Agency, AgencyEvent, AgencyStatus, DossierTransfer

# Sent inside the merger's transaction after each source is done (connection on public). A receiver
# that raises aborts the whole merger (used by the tests to inject a failure half-way).
agency_merge_source_done = Signal()


@dataclass
class SourceReport:
    slug: str
    name: str
    dossiers_by_state: dict = field(default_factory=dict)  # every dossier of the source, by state
    carried_by_state: dict = field(default_factory=dict)  # those that move to the target
    staying: int = 0  # closed dossiers that stay in the source
    memberships_moved: int = 0  # new members of the target
    memberships_merged: int = 0  # already members: roles merged
    adoptions_added: int = 0
    adoption_conflicts: list = field(default_factory=list)  # procedure ids, the target's settings kept
    code_conflicts: list = field(default_factory=list)  # codes that already exist in the target
    unique_values_cleared: dict = field(default_factory=dict)

    @property
    def carried(self):
        return sum(self.carried_by_state.values())


@dataclass
class MergeReport:
    target: str
    target_is_new: bool
    dry_run: bool
    sources: list = field(default_factory=list)

    @property
    def carried(self):
        return sum(s.carried for s in self.sources)

    def as_dict(self):
        out = asdict(self)
        out["carried"] = self.carried
        for src, data in zip(self.sources, out["sources"], strict=True):
            data["carried"] = src.carried
        return out


def closed_states():
    """States whose dossiers stay with the old agency (read from the life cycle at run time)."""
    from tenant_apps.dossiers.lifecycle import CLOSED

    return sorted(str(s) for s in CLOSED)


def _dossier_counts(cursor, agency, *, dossier_ids=None):
    where, params = copier.carried_filter(closed_states=[], dossier_ids=dossier_ids)
    if dossier_ids is None:
        where, params = "true", []
    cursor.execute(
        f"SELECT d.state, count(*) FROM {copier.t(agency.schema_name, copier.DOSSIER_TABLE)} d "
        f"WHERE {where} AND NOT EXISTS (SELECT 1 FROM public.tenants_dossiertransfer x "
        "WHERE x.source_agency_id = %s AND x.source_dossier_id = d.id) GROUP BY 1 ORDER BY 1",
        [*params, agency.pk],
    )
    return dict(cursor.fetchall())


def _membership_plan(source, target):
    """(to create, to merge) memberships of the source's active members in the target."""
    in_target = {m.user_id: m for m in Membership.objects.filter(agency=target)} if target.pk else {}
    create, merge = [], []
    for m in Membership.objects.filter(agency=source, is_active=True).order_by("id"):
        (merge if m.user_id in in_target else create).append(m)
    return create, merge, in_target


def _memberships_move(*, source, target):
    create, merge, in_target = _membership_plan(source, target)
    for m in create:
        Membership.objects.create(user_id=m.user_id, agency=target, roles=list(m.roles))
    for m in merge:
        existing = in_target[m.user_id]
        roles = sorted(set(existing.roles) | set(m.roles))
        if roles != sorted(existing.roles) or not existing.is_active:
            existing.roles, existing.is_active = roles, True
            existing.save(update_fields=["roles", "is_active"])
    return len(create), len(merge)


def _check_sources(sources, target):
    if not sources:
        raise DomainError(_("Hãy chọn ít nhất một cơ quan bị sáp nhập."), field="sources")
    slugs = [s.slug for s in sources]
    if len(set(slugs)) != len(slugs):
        raise DomainError(_("Một cơ quan được chọn hai lần."), field="sources")
    for s in sources:
        if s.is_public:
            raise DomainError(_("Không thể sáp nhập lược đồ chung."), field="sources")
        if s.status != AgencyStatus.ACTIVE:
            raise DomainError(
                _("Cơ quan “%(n)s” không còn hoạt động (%(s)s).")
                % {"n": s.name, "s": s.get_status_display()},
                field="sources",
            )
        if target is not None and target.pk == s.pk:
            raise DomainError(
                _("Cơ quan kế thừa không thể là một trong các cơ quan bị sáp nhập."), field="target"
            )
    if target is not None and target.pk and target.status != AgencyStatus.ACTIVE:
        raise DomainError(
            _("Cơ quan kế thừa “%(n)s” không còn hoạt động.") % {"n": target.name}, field="target"
        )


def _resolve(value):
    if isinstance(value, Agency):
        return value
    agency = Agency.objects.filter(slug=value).first()
    if agency is None:
        raise DomainError(_("Không có cơ quan “%(s)s”.") % {"s": value}, code="not_found")
    return agency


def agencies_merge(
    *, sources, target, acting_user, dry_run=False, new_agency=None, progress=None, timings=None
):
    """Merge `sources` (agencies or slugs) into `target` (an agency or slug), or into a new agency
    described by `new_agency` (keyword arguments of `agency_onboard`, target=None). Returns a
    MergeReport; with `dry_run` nothing is written. `progress(done, total, label)` is called after
    each phase; `timings` (a dict, for benchmarks) receives the seconds spent per phase."""
    ensure_city_admin(acting_user, message=_("Chỉ quản trị thành phố mới được sáp nhập cơ quan."))
    connection.set_schema_to_public()
    sources = [_resolve(s) for s in sources]
    if (target is None) == (new_agency is None):
        raise DomainError(
            _("Hãy chọn cơ quan kế thừa có sẵn hoặc mô tả cơ quan mới (chỉ một)."), field="target"
        )
    target_obj = _resolve(target) if target is not None else None
    _check_sources(sources, target_obj)
    report = MergeReport(
        target=target_obj.slug if target_obj else new_agency.get("slug") or new_agency["name"],
        target_is_new=target_obj is None,
        dry_run=dry_run,
    )
    if dry_run:
        return _dry_run(report, sources, target_obj)

    total = len(sources) + 2
    tick = progress or (lambda done, total, label: None)
    now = timezone.now()
    with transaction.atomic():
        # one merger at a time per agency; desk writes to the sources wait until we commit
        locked = {
            a.pk: a
            for a in Agency.objects.select_for_update().filter(pk__in=[s.pk for s in sources]).order_by("pk")
        }
        sources = [locked[s.pk] for s in sources]
        _check_sources(sources, target_obj)
        if target_obj is None:
            from .services import agency_onboard

            with copier.timed(timings, "onboard target"):
                target_obj = agency_onboard(acting_user=acting_user, **new_agency)
            report.target = target_obj.slug
        else:
            target_obj = Agency.objects.select_for_update().get(pk=target_obj.pk)
        connection.set_schema_to_public()
        tick(1, total, _("Cơ quan kế thừa: %(n)s") % {"n": target_obj.name})
        with connection.cursor() as cursor:
            for s in sources:
                cursor.execute(
                    f"LOCK TABLE {copier.t(s.schema_name, copier.DOSSIER_TABLE)} IN EXCLUSIVE MODE"
                )
            copier.map_reset(cursor)
            copier.bulk_begin(cursor)
            for done, source in enumerate(sources, start=2):
                report.sources.append(
                    _merge_one(
                        cursor,
                        source=source,
                        target=target_obj,
                        acting_user=acting_user,
                        now=now,
                        timings=timings,
                    )
                )
                agency_merge_source_done.send(sender=Agency, source=source, target=target_obj, report=report)
                tick(done, total, source.name)
            with copier.timed(timings, "cross-agency pointers"):
                copier.pointers_remap(cursor=cursor, target=target_obj, sources=sources)
            copier.index_follow(cursor=cursor, target=target_obj, sources=sources, now=now, timings=timings)
            copier.bulk_end(cursor)
        for source in sources:
            old = {
                "status": source.status,
                "successor": source.successor_id,
                "valid_to": str(source.valid_to or ""),
            }
            source.status, source.successor = AgencyStatus.MERGED, target_obj
            source.status_reason = _("Sáp nhập vào %(n)s") % {"n": target_obj.name}
            source.valid_to = timezone.localdate()
            source.save(update_fields=["status", "successor", "status_reason", "valid_to", "updated_at"])
            AgencyEvent.objects.create(
                agency=source,
                action="merged_into",
                actor=acting_user,
                old_values=old,
                new_values={
                    "status": source.status,
                    "successor": target_obj.pk,
                    "successor_slug": target_obj.slug,
                    "valid_to": str(source.valid_to),
                },
                note=source.status_reason,
            )
        AgencyEvent.objects.create(
            agency=target_obj,
            action="merged_from",
            actor=acting_user,
            new_values=report.as_dict(),
            note=_("Tiếp nhận sáp nhập: %(s)s") % {"s": ", ".join(s.name for s in sources)},
        )
        transaction.on_commit(directory.invalidate_local)
        transaction.on_commit(directory.bump)
        tick(total, total, _("Hoàn tất"))
    return report


def _merge_one(cursor, *, source, target, acting_user, now, timings=None):
    rep = SourceReport(slug=source.slug, name=source.name)
    rep.dossiers_by_state = _dossier_counts(cursor, source)
    closed = closed_states()
    where, params = copier.carried_filter(closed_states=closed, dossier_ids=None)
    conflicts = copier.code_conflicts(cursor, source=source, target=target, where=where, params=params)
    if conflicts:
        raise DomainError(
            _("Mã hồ sơ của “%(n)s” đã có ở cơ quan kế thừa: %(c)s.")
            % {"n": source.name, "c": ", ".join(conflicts[:5])},
            code="code_conflict",
        )
    result = copier.dossiers_carry(
        cursor=cursor,
        source=source,
        target=target,
        kind=DossierTransfer.Kind.MERGER,
        note_out=_("Chuyển sang %(t)s do sáp nhập") % {"t": target.name},
        note_in=_("Chuyển từ %(s)s do sáp nhập") % {"s": source.name},
        acting_user=acting_user,
        now=now,
        closed_states=closed,
        timings=timings,
    )
    rep.carried_by_state = result.by_state
    rep.unique_values_cleared = {k: v for k, v in result.cleared.items() if v}
    rep.staying = sum(rep.dossiers_by_state.values()) - result.carried
    with copier.timed(timings, "adoptions"):
        rep.adoptions_added, rep.adoption_conflicts = copier.adoptions_reconcile(
            cursor=cursor, source=source, target=target
        )
    with copier.timed(timings, "memberships"):
        rep.memberships_moved, rep.memberships_merged = _memberships_move(source=source, target=target)
    return rep


def _dry_run(report, sources, target):
    """What a merger would do, from reads only."""
    closed = set(closed_states())
    with connection.cursor() as cursor:
        for source in sources:
            rep = SourceReport(slug=source.slug, name=source.name)
            rep.dossiers_by_state = _dossier_counts(cursor, source)
            rep.carried_by_state = {k: v for k, v in rep.dossiers_by_state.items() if k not in closed}
            rep.staying = sum(rep.dossiers_by_state.values()) - rep.carried
            create, merge, _in_target = _membership_plan(source, target or Agency())
            rep.memberships_moved, rep.memberships_merged = len(create), len(merge)
            if target is not None:
                where, params = copier.carried_filter(closed_states=sorted(closed), dossier_ids=None)
                rep.code_conflicts = copier.code_conflicts(
                    cursor, source=source, target=target, where=where, params=params
                )
                rep.adoptions_added, rep.adoption_conflicts = _adoption_plan(cursor, source, target)
            else:
                rep.adoptions_added = _count(cursor, source.schema_name, "adoption_procedureadoption")
            report.sources.append(rep)
    return report


def _count(cursor, schema, table):
    cursor.execute(f"SELECT count(*) FROM {copier.t(schema, table)}")
    return cursor.fetchone()[0]


def _adoption_plan(cursor, source, target):
    """(procedures the target would adopt, conflicts) without writing: the reconcile in a savepoint
    that is always rolled back."""
    sid = transaction.savepoint() if connection.in_atomic_block else None
    if sid is None:
        with transaction.atomic():
            sp = transaction.savepoint()
            out = copier.adoptions_reconcile(cursor=cursor, source=source, target=target)
            transaction.savepoint_rollback(sp)
        return out
    out = copier.adoptions_reconcile(cursor=cursor, source=source, target=target)
    transaction.savepoint_rollback(sid)
    return out
