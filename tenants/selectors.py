from django.utils.translation import gettext_lazy as _

from core.text import fold

from .directory import directory
from .models import AgencyKind, AgencyStatus

KIND_ORDER = [
    AgencyKind.CITY,
    AgencyKind.DEPARTMENT,
    AgencyKind.WARD,
    AgencyKind.COMMUNE,
    AgencyKind.SPECIAL_ZONE,
    AgencyKind.DISTRICT,
]


def agency_list_public(*, query="", include_closed=False):
    """Agencies for the city portal, from the in-process directory (no SQL); the query matches
    name or slug with or without diacritics."""
    needle = fold(query)
    items = [
        a
        for a in directory.all()
        if (include_closed or a.status == AgencyStatus.ACTIVE)
        and (not needle or needle in fold(a.name) or needle in a.slug or needle in a.national_code.lower())
    ]
    items.sort(key=lambda a: (KIND_ORDER.index(a.kind) if a.kind in KIND_ORDER else 99, fold(a.name)))
    return items


def agency_groups_public(*, query=""):
    groups = {}
    for agency in agency_list_public(query=query):
        groups.setdefault(agency.kind, []).append(agency)
    return [
        {"kind": kind, "label": _(AgencyKind(kind).label), "agencies": groups[kind]}
        for kind in KIND_ORDER
        if kind in groups
    ]
