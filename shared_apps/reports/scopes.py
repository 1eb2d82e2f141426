"""Who a report is about (the city, a group of agencies by kind, one agency — merged-away agencies
included, under their old names) and the update compliance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dossier import COMMUNE_LEVEL_KINDS
from core.errors import DomainError
from tenants.directory import directory
from tenants.models import AgencyKind, AgencyStatus

GROUPS = {
    "xa-phuong": (_("Các xã, phường, đặc khu"), COMMUNE_LEVEL_KINDS),
    "so-nganh": (_("Các sở, ban, ngành"), (AgencyKind.DEPARTMENT,)),
    "phuong": (_("Các phường"), (AgencyKind.WARD,)),
    "xa": (_("Các xã"), (AgencyKind.COMMUNE,)),
}


@dataclass(frozen=True)
class Scope:
    code: str  # "thanh-pho", "nhom:xa-phuong", "co-quan:<slug>"
    label: str
    agency_ids: tuple | None  # None: the whole city
    kinds: tuple | None
    agency: object = None


def period_bounds(period):
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(period.start, time()), tz),
        timezone.make_aware(datetime.combine(period.end, time()), tz),
    )


def agencies():
    """Every agency except the city's public schema, merged ones included (no SQL: the directory)."""
    return [a for a in directory.all() if a.schema_name != settings.PUBLIC_SCHEMA_NAME]


def scope_resolve(code: str) -> Scope:
    code = (code or "thanh-pho").strip()
    if code == "thanh-pho":
        return Scope(code, _("Toàn thành phố"), None, None)
    if code.startswith("nhom:") and code[5:] in GROUPS:
        label, kinds = GROUPS[code[5:]]
        ids = tuple(a.pk for a in agencies() if a.kind in kinds)
        return Scope(code, str(label), ids, tuple(kinds))
    if code.startswith("co-quan:"):
        agency = directory.by_slug(code[8:])
        if agency is not None and agency.schema_name != settings.PUBLIC_SCHEMA_NAME:
            label = agency.name + (_(" (đã sáp nhập)") if agency.status == AgencyStatus.MERGED else "")
            return Scope(code, label, (agency.pk,), (agency.kind,), agency)
    raise DomainError(_("Phạm vi báo cáo “%(c)s” không hợp lệ.") % {"c": code[:60]}, field="pham_vi")


def scope_of_agency(agency) -> Scope:
    return Scope(f"co-quan:{agency.slug}", agency.name, (agency.pk,), (agency.kind,), agency)


@dataclass(frozen=True)
class ComplianceRow:
    agency: object
    overdue_open: int

    @property
    def complies(self):
        return self.overdue_open == 0


def update_compliance(*, now=None) -> dict:
    """Cập nhật hồ sơ đúng hạn (no step left unrecorded past its sub-deadline): for each active
    agency, ``overdue_open`` = the open dossiers it HOLDS (received, not settled, in a processing
    state; paused ones wait for the citizen, not on the agency — as in II.06a, where a paused dossier
    is never overdue) whose current step is due on a day
    before today — the step's sub-deadline ``step_due_at`` on the index row, or the appointment
    ``due_at`` when the step has none (local dates; a step due later today is still in time). An
    agency complies when that number is 0; ``share`` = complying commune-level agencies (communes,
    wards, special zones) ÷ commune-level agencies × 100. One query on ReportStepOpen."""
    today = timezone.localdate(now or timezone.now())
    with connection.cursor() as cur:
        cur.execute(
            "SELECT agency_id, sum(n) FROM public.reports_step_open WHERE due_date < %s GROUP BY 1 "
            "HAVING sum(n) > 0",
            [today],
        )
        overdue = dict(cur.fetchall())
    rows = [
        ComplianceRow(a, int(overdue.get(a.pk, 0))) for a in agencies() if a.status == AgencyStatus.ACTIVE
    ]
    communes = [r for r in rows if r.agency.kind in COMMUNE_LEVEL_KINDS]
    ok = sum(1 for r in communes if r.complies)
    return {
        "rows": rows,
        "communes": len(communes),
        "communes_complying": ok,
        "share": round(ok * 100 / len(communes), 2) if communes else None,
    }
