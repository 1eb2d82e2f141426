"""What the dashboards, exports and API show, with the permission check (selectors: keyword-only,
taking `acting_user`).

* ``report_scope_get`` — the scope of a request: the city and groups for city administrators, one
  agency for its members (and city administrators);
* ``report_table`` — an II.06a table (totals + rows by agency / procedure / sector) with labels;
* ``dashboard_get`` — everything a dashboard shows: the table, the monthly trend, the Decision 766
  indicators, and (city-wide) the update compliance;
* ``report_dossiers`` — the index rows behind one number (drill-down), same definitions as
  selectors.py, read from the index with a limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, F, Q, When
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dossier import IN_PROGRESS_STATUSES
from core.errors import DomainError, PermissionRefused
from core.text import fold
from shared_apps.catalogue.models import Procedure
from tenants.models import AgencyStatus
from tenants.selectors import KIND_ORDER

from .indicators import indicators_766
from .periods import Period
from .scopes import agencies, period_bounds, scope_of_agency, scope_resolve, update_compliance
from .selectors import COLUMN_LABELS, COLUMNS, II06a, ii06a

BY = ("agency", "procedure", "sector")
LEADER_ROLES = ("leader", "unit_head", "agency_admin")


def is_city_admin(user):
    return bool(
        user and user.is_authenticated and (user.is_superuser or getattr(user, "is_city_admin", False))
    )


def report_scope_get(*, acting_user, code="", agency=None, membership=None):
    """The scope asked for, or PermissionRefused — THE permission check of the reports, used by their
    pages and their API alike. In an agency's workspace (`agency` given) the scope is that agency
    whatever `code` says; its leaders, unit heads and administrators (`membership`: the caller's in
    that agency) and city administrators may read it. At the city address: city administrators only."""
    if agency is not None:
        if is_city_admin(acting_user):
            return scope_of_agency(agency)
        if membership is None or membership.agency_id != agency.pk:
            raise PermissionRefused(_("Bạn không phải thành viên của cơ quan này."))
        if not membership.has_role(*LEADER_ROLES):
            raise PermissionRefused(
                _("Thống kê của cơ quan dành cho lãnh đạo, trưởng đơn vị và quản trị cơ quan.")
            )
        return scope_of_agency(agency)
    if not is_city_admin(acting_user):
        raise PermissionRefused(_("Chỉ quản trị thành phố mới xem được thống kê toàn thành phố."))
    return scope_resolve(code)


def period_get(text, *, now=None) -> Period:
    if not text:
        return Period.current_year(now=now)
    period = Period.parse(text)
    if period is None or period.start.year < 2000 or period.start > timezone.localdate(now or timezone.now()):
        raise DomainError(
            _("Kỳ báo cáo “%(p)s” không hợp lệ (ví dụ: 2025, 2025-Q1, 03/2025).") % {"p": text[:20]},
            field="ky",
        )
    return period


@dataclass
class Row:
    key: object
    label: str
    figures: II06a
    slug: str = ""
    kind: str = ""
    merged: bool = False

    def value(self, column):
        return getattr(self.figures, column)


@dataclass
class Table:
    scope: object
    period: Period
    by: str
    as_of: object
    totals: II06a
    rows: list = field(default_factory=list)
    columns: tuple = COLUMNS
    trend: list | None = None

    @property
    def headers(self):
        return [str(COLUMN_LABELS[c]) for c in self.columns]


def _sorted(rows, sort):
    column, desc = sort.lstrip("-"), sort.startswith("-")
    if column in COLUMNS:
        return sorted(rows, key=lambda r: (r.value(column), fold(r.label)), reverse=desc)
    return sorted(
        rows, key=lambda r: (KIND_ORDER.index(r.kind) if r.kind in KIND_ORDER else 99, fold(r.label))
    )


def report_table(*, scope, period, by="agency", sort="", now=None, monthly=False) -> Table:
    """II.06a for `scope` and `period` with one row per agency (city, groups), procedure or sector.
    Agencies of the scope without any figure still show (with zeros) when active. `monthly`: the
    monthly trend too (``Table.trend``), from the same scan."""
    if by not in BY:
        raise DomainError(_("Cách nhóm “%(b)s” không hợp lệ.") % {"b": by[:20]}, field="theo")
    report = ii06a(
        period=period,
        agency_ids=scope.agency_ids,
        by="agency" if by == "agency" else "procedure",
        now=now,
        monthly=monthly,
    )
    rows = []
    if by == "agency":
        known = {a.pk: a for a in agencies()}
        ids = set(report.rows) | {
            pk
            for pk, a in known.items()
            if a.status == AgencyStatus.ACTIVE and (scope.agency_ids is None or pk in scope.agency_ids)
        }
        for pk in ids:
            a = known.get(pk)
            if a is None:
                continue
            merged = a.status == AgencyStatus.MERGED
            label = a.name + (" " + _("(đã sáp nhập)") if merged else "")
            rows.append(Row(pk, label, report.rows.get(pk, II06a()), slug=a.slug, kind=a.kind, merged=merged))
    else:
        procs = {p.pk: p for p in Procedure.objects.filter(pk__in=list(report.rows)).select_related("sector")}
        if by == "procedure":
            for pk, fig in report.rows.items():
                p = procs.get(pk)
                rows.append(Row(pk, f"{p.national_code} {p.name}" if p else str(pk), fig))
        else:
            sectors: dict = {}
            for pk, fig in report.rows.items():
                p = procs.get(pk)
                key = p.sector_id if p else 0
                label = p.sector.name if p else _("Không rõ lĩnh vực")
                if key in sectors:
                    sectors[key].figures = sectors[key].figures + fig
                else:
                    sectors[key] = Row(key, label, fig)
            rows = list(sectors.values())
    return Table(
        scope=scope,
        period=period,
        by=by,
        as_of=report.as_of,
        totals=report.totals,
        rows=_sorted(rows, sort),
        trend=report.monthly,
    )


def dashboard_get(*, scope, period, sort="", now=None) -> dict:
    """The dashboard of `scope`: the II.06a table (by agency for the city and groups, by procedure for
    one agency), the monthly trend, the Decision 766 indicators, and the update compliance when the
    scope is not a single agency. Each roll-up is scanned once: the trend comes with the table's
    flow query, the indicators take the table's totals, the catalogue counts are cached (5 queries
    for the city: flow, open, catalogue stamp, ratings, compliance; the agency: flow, open, procedure
    names, catalogue stamp, ratings)."""
    now = now or timezone.now()
    table = report_table(
        scope=scope,
        period=period,
        by="procedure" if scope.agency else "agency",
        sort=sort,
        now=now,
        monthly=True,
    )
    return {
        "table": table,
        "trend": table.trend,
        "indicators": indicators_766(
            period=period,
            agency_ids=scope.agency_ids,
            kinds=scope.kinds,
            now=now,
            totals=table.totals,
            with_processing=False,
        ),
        "compliance": None if scope.agency else update_compliance(now=now),
    }


# -- drill-down ------------------------------------------------------------------------------------
# The instants a row arrives at and leaves its reporting agency (sql.py: a row carried in by a merger or
# a move arrives when it was carried in; a history row left at the source leaves when it was carried
# away; a row carried in already settled counts nowhere — it counts where it was settled).
CARRIED_IN = Q(transferred_in_at__isnull=False, received_at__lt=F("transferred_in_at"))
ARRIVED_AT = Case(When(CARRIED_IN, then=F("transferred_in_at")), default=F("received_at"))
LEFT_AT = Case(
    When(finished_at__isnull=False, then=F("finished_at")),
    When(~Q(national_status__in=IN_PROGRESS_STATUSES), then=F("updated_at")),
    When(transferred_out_at__isnull=False, then=F("transferred_out_at")),
    default=None,
)
COUNTS = ~(
    CARRIED_IN
    & (
        Q(finished_at__isnull=False, finished_at__lt=F("transferred_in_at"))
        | (
            Q(finished_at__isnull=True, updated_at__lt=F("transferred_in_at"))
            & ~Q(national_status__in=IN_PROGRESS_STATUSES)
        )
    )
)


def _conditions(period, now):
    """Row filters (on the ``arrived_at`` / ``left_at`` annotations) with the roll-ups' definitions."""
    start, end = period_bounds(period)
    current = period.end > timezone.localdate(now)
    open_now = Q(
        finished_at__isnull=True, transferred_out_at__isnull=True, national_status__in=IN_PROGRESS_STATUSES
    )
    gone = Q(
        finished_at__isnull=True, transferred_out_at__isnull=False, national_status__in=IN_PROGRESS_STATUSES
    )
    closed_other = Q(finished_at__isnull=True) & ~Q(national_status__in=IN_PROGRESS_STATUSES)
    arrived = Q(arrived_at__gte=start, arrived_at__lt=end)
    received = arrived & ~CARRIED_IN
    carried = Q(arrived_at__lt=start) & (Q(left_at__isnull=True) | Q(left_at__gte=start))
    settled = Q(finished_at__gte=start, finished_at__lt=end)
    if current:
        from datetime import datetime, time

        limit = timezone.make_aware(datetime.combine(timezone.localdate(now), time()))
        in_progress = open_now
    else:
        limit = end
        in_progress = Q(arrived_at__lt=end) & (Q(left_at__isnull=True) | Q(left_at__gte=end))
    # overdue: not paused (the current pause state, as the roll-ups) with an appointment before the limit
    overdue = in_progress & Q(due_at__lt=limit, is_paused=False)
    return {
        "received_total": arrived | carried,
        "received_online": received & Q(channel="online"),
        "received_offline": received & ~Q(channel="online"),
        "carried_over": carried,
        "received_transferred": arrived & CARRIED_IN,
        "settled": settled,
        "settled_early": settled & Q(timeliness="early"),
        "settled_on_time": settled & Q(timeliness="on_time"),
        "settled_late": settled & Q(timeliness="late"),
        "closed_other": closed_other & Q(left_at__gte=start, left_at__lt=end),
        "transferred_out": gone & Q(left_at__gte=start, left_at__lt=end),
        "in_progress": in_progress,
        "in_progress_within": in_progress & ~overdue,
        "in_progress_overdue": overdue,
    }


def _agency_filter(agency_ids):
    from shared_apps.tracking.models import DossierIndex

    ids = list(agency_ids)
    if any(f.name == "origin_agency" for f in DossierIndex._meta.get_fields()):
        return Q(origin_agency_id__in=ids) | Q(origin_agency_id__isnull=True, agency_id__in=ids)
    return Q(agency_id__in=ids)


def report_dossiers(*, scope, period, column, procedure_id=None, limit=200, now=None):
    """The index rows behind `column` of II.06a for `scope` (an agency for the drill-down; the city is
    allowed too) and `period`, optionally one procedure: (rows, total count). Newest receipt first."""
    from shared_apps.tracking.models import DossierIndex

    now = now or timezone.now()
    conditions = _conditions(period, now)
    if column not in conditions:
        raise DomainError(_("Chỉ tiêu “%(c)s” không hợp lệ.") % {"c": column[:30]}, field="chi_tieu")
    # every row, history rows of merged-away agencies included (their old periods)
    qs = DossierIndex.all_rows.annotate(arrived_at=ARRIVED_AT, left_at=LEFT_AT).filter(
        COUNTS, conditions[column], received_at__isnull=False
    )
    if scope.agency_ids is not None:
        qs = qs.filter(_agency_filter(scope.agency_ids))
    if procedure_id:
        qs = qs.filter(procedure_id=procedure_id)
    qs = qs.order_by("-received_at", "-id")
    rows = list(
        qs.values(
            "id",
            "code",
            "agency_id",
            "procedure_name",
            "state",
            "channel",
            "received_at",
            "due_at",
            "finished_at",
            "timeliness",
        )[:limit]
    )
    total = len(rows) if len(rows) < limit else qs.count()
    return rows, total
