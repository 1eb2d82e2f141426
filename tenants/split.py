"""The inverse of a merger: rename an agency (its old path keeps working) and move chosen dossiers to
another agency with the merger's guarantees (same copier, one transaction, pointer left behind)."""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from shared_apps.accounts.services import ensure_city_admin

from . import copier
from .directory import directory
from .models import Agency, AgencyEvent, AgencySlugAlias, AgencyStatus, DossierTransfer
from .services import SLUG_RE


def agency_rename(*, agency, name, acting_user, slug=None, short_name=None):
    """Give an agency a new name (and path). The old path redirects to the new one; dossier codes
    do not change, so every old code keeps resolving."""
    ensure_city_admin(acting_user, message=_("Chỉ quản trị thành phố mới được đổi tên cơ quan."))
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Tên cơ quan không được để trống."), field="name")
    slug = (slug or agency.slug).strip()
    if not SLUG_RE.match(slug):
        raise DomainError(_("Đường dẫn chỉ gồm chữ thường không dấu, số và dấu gạch ngang."), field="slug")
    if slug in settings.RESERVED_SLUGS:
        raise DomainError(_("Đường dẫn “%(slug)s” được hệ thống dùng riêng.") % {"slug": slug}, field="slug")
    taken = (
        Agency.objects.filter(slug=slug).exclude(pk=agency.pk).exists()
        or AgencySlugAlias.objects.filter(slug=slug).exclude(agency=agency).exists()
    )
    if taken:
        raise DomainError(_("Đường dẫn “%(slug)s” đã được cơ quan khác dùng.") % {"slug": slug}, field="slug")
    connection.set_schema_to_public()
    with transaction.atomic():
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        old = {"name": agency.name, "slug": agency.slug, "short_name": agency.short_name}
        if slug != agency.slug:
            AgencySlugAlias.objects.filter(agency=agency, slug=slug).delete()  # back to an old path
            AgencySlugAlias.objects.create(agency=agency, slug=agency.slug)
        agency.name, agency.slug = name, slug
        if short_name is not None:
            agency.short_name = short_name
        agency.save(update_fields=["name", "slug", "short_name", "updated_at"])
        new = {"name": agency.name, "slug": agency.slug, "short_name": agency.short_name}
        if new != old:
            AgencyEvent.objects.create(
                agency=agency, action="renamed", actor=acting_user, old_values=old, new_values=new
            )
        transaction.on_commit(directory.invalidate_local)
    return agency


def dossiers_move(*, source, target, dossier_ids, acting_user, reason=""):
    """Move the chosen dossiers of `source` to `target` (e.g. part of a commune's territory going to
    another): same code, full history, components, a transfer event on both sides, the public row
    pointing at the target, a pointer left in the source. All or nothing. Returns the number moved."""
    ensure_city_admin(
        acting_user, message=_("Chỉ quản trị thành phố mới được chuyển hồ sơ giữa các cơ quan.")
    )
    ids = sorted({int(i) for i in dossier_ids or []})
    if not ids:
        raise DomainError(_("Hãy chọn hồ sơ cần chuyển."), field="dossier_ids")
    if source.pk == target.pk:
        raise DomainError(_("Cơ quan nhận phải khác cơ quan chuyển."), field="target")
    for agency in (source, target):
        if agency.status != AgencyStatus.ACTIVE:
            raise DomainError(_("Cơ quan “%(n)s” không còn hoạt động.") % {"n": agency.name})
    connection.set_schema_to_public()
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        Agency.objects.select_for_update().filter(pk__in=[source.pk, target.pk]).order_by("pk").first()
        cursor.execute(f"LOCK TABLE {copier.t(source.schema_name, copier.DOSSIER_TABLE)} IN EXCLUSIVE MODE")
        cursor.execute(
            f"SELECT id, procedure_id FROM {copier.t(source.schema_name, copier.DOSSIER_TABLE)} "
            "WHERE id = ANY(%s)",
            [ids],
        )
        found = dict(cursor.fetchall())
        gone = set(
            DossierTransfer.objects.filter(source_agency=source, source_dossier_id__in=ids).values_list(
                "source_dossier_id", flat=True
            )
        )
        missing = [i for i in ids if i not in found or i in gone]
        if missing:
            raise DomainError(
                _("Không có hồ sơ %(ids)s ở “%(n)s” (hoặc đã chuyển đi).")
                % {"ids": ", ".join(map(str, missing)), "n": source.name},
                field="dossier_ids",
            )
        where, params = copier.carried_filter(closed_states=[], dossier_ids=ids)
        conflicts = copier.code_conflicts(cursor, source=source, target=target, where=where, params=params)
        if conflicts:
            raise DomainError(
                _("Mã hồ sơ đã có ở cơ quan nhận: %(c)s.") % {"c": ", ".join(conflicts[:5])},
                code="code_conflict",
            )
        note = reason.strip() if reason else ""
        copier.map_reset(cursor)
        copier.bulk_begin(cursor)
        result = copier.dossiers_carry(
            cursor=cursor,
            source=source,
            target=target,
            kind=DossierTransfer.Kind.MOVE,
            note_out=_("Chuyển sang %(t)s") % {"t": target.name} + (f": {note}" if note else ""),
            note_in=_("Chuyển từ %(s)s") % {"s": source.name} + (f": {note}" if note else ""),
            acting_user=acting_user,
            now=now,
            closed_states=[],
            dossier_ids=ids,
        )
        copier.pointers_remap(cursor=cursor, target=target, sources=[source])
        copier.index_follow(cursor=cursor, target=target, sources=[source], now=now)
        copier.bulk_end(cursor)
        added, conflicts = copier.adoptions_reconcile(
            cursor=cursor, source=source, target=target, procedure_ids=sorted(set(found.values()))
        )
        details = {
            "dossier_ids": ids,
            "by_state": result.by_state,
            "adoptions_added": added,
            "adoption_conflicts": conflicts,
            "target": target.slug,
            "source": source.slug,
        }
        AgencyEvent.objects.create(
            agency=source, action="dossiers_moved_out", actor=acting_user, new_values=details, note=note
        )
        AgencyEvent.objects.create(
            agency=target, action="dossiers_moved_in", actor=acting_user, new_values=details, note=note
        )
    return result.carried


def dossier_location(*, agency, dossier_id):
    """Where a dossier of `agency` lives now: follows the pointers of mergers and moves.
    Returns (agency, dossier id)."""
    seen = set()
    while (agency.pk, dossier_id) not in seen:
        seen.add((agency.pk, dossier_id))
        hop = (
            DossierTransfer.objects.select_related("target_agency")
            .filter(source_agency=agency, source_dossier_id=dossier_id)
            .first()
        )
        if hop is None:
            break
        agency, dossier_id = hop.target_agency, hop.target_dossier_id
    return agency, dossier_id
