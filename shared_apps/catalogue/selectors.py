from __future__ import annotations

from django.db.models import Prefetch, Q
from django.utils import timezone

from core.dossier import level_for_kind
from core.text import fold

from .models import Procedure, ProcedureVersion, VersionStatus


def level_for_agency(agency):
    """The catalogue level of the agency's kind, or None (a district has none: core.dossier)."""
    return level_for_kind(agency.kind)


def procedure_current_version(*, procedure):
    """The latest published version (what new dossiers bind to unless an agency stays behind)."""
    return (
        ProcedureVersion.objects.filter(procedure=procedure, status=VersionStatus.PUBLISHED)
        .order_by("-number")
        .first()
    )


def procedure_version_in_force(*, procedure, at=None, pinned_version_id=None):
    """The version a dossier received at `at` binds to: the agency's pinned version while it is
    still published, else the latest published version in force on that date."""
    day = timezone.localdate(at) if at else timezone.localdate()
    published = ProcedureVersion.objects.filter(procedure=procedure, status=VersionStatus.PUBLISHED)
    if pinned_version_id:
        pinned = published.filter(pk=pinned_version_id).first()
        if pinned is not None:
            return pinned
    return (
        published.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-number")
        .first()
    )


def _published_prefetch():
    return Prefetch(
        "versions",
        queryset=ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED).order_by("-number"),
        to_attr="published_versions",
    )


def procedure_search(*, query="", sector=None, level=None, online_mode=None, limit=None):
    """Published procedures matching every word of `query` (code, name or sector; with or without
    diacritics), with their current version as `.current`. Two queries whatever the size."""
    qs = Procedure.objects.select_related("sector").filter(versions__status=VersionStatus.PUBLISHED)
    for word in fold(query).split():
        qs = qs.filter(search_text__contains=word)
    if sector:
        qs = qs.filter(sector__code=sector)
    qs = qs.distinct().order_by("sector__name", "name").prefetch_related(_published_prefetch())
    results = []
    for procedure in qs:
        procedure.current = procedure.published_versions[0] if procedure.published_versions else None
        current = procedure.current
        if current is None:
            continue
        if level and level not in current.levels:
            continue
        if online_mode is not None and online_mode != "" and current.online_mode != online_mode:
            continue
        results.append(procedure)
    return results[:limit] if limit else results


def procedure_detail(*, national_code):
    procedure = (
        Procedure.objects.select_related("sector")
        .prefetch_related(_published_prefetch())
        .filter(national_code=national_code)
        .first()
    )
    if procedure is None or not procedure.published_versions:
        return None
    current = procedure.published_versions[0]
    current = ProcedureVersion.objects.prefetch_related("components", "fees", "steps").get(pk=current.pk)
    procedure.current = current
    return procedure


def procedures_for_level(*, level):
    """Ids of procedures whose current published version is handled at `level`."""
    ids = []
    for procedure in Procedure.objects.prefetch_related(_published_prefetch()):
        if procedure.published_versions and level in procedure.published_versions[0].levels:
            ids.append(procedure.pk)
    return ids
