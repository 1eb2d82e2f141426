"""Public disclosure of dossier-processing progress ("công khai tiến độ giải quyết hồ sơ"), for the
whole city and for each agency, month by month.

Everything here is read from the public read model `DossierIndex` (one row per dossier of every
agency), never from an agency's schema. Agencies' names come from the same query (a join) or from
the in-process agency directory (no SQL).

A month M is a calendar month in the city's local time (settings.TIME_ZONE, Asia/Ho_Chi_Minh):
from 00:00 on the 1st (inclusive) to 00:00 on the 1st of the next month (exclusive). `now` is the
moment of the report (default: `timezone.now()`).

What each number counts (`ProgressCounts`):

``received``
    rows whose ``received_at`` falls in M: dossiers accepted with a code and an appointment in M,
    whatever happened to them afterwards (finished, withdrawn, stopped, handed over to a successor).
    Dossiers still waiting at intake (status 1, or 5 for an intake supplement) and dossiers refused at
    intake (status 3) have no ``received_at`` and are never counted.
``received_online``
    of ``received``, those with ``channel == "online"``.
``received_offline``
    of ``received``, every other channel: in person at the desk or by post
    (``received == received_online + received_offline``).
``finished``
    rows whose ``finished_at`` falls in M: the result was recorded at the desk in M (national status
    9, or 10 once handed over), whenever the dossier was received.
``finished_early`` / ``finished_on_time`` / ``finished_late``
    of ``finished``, by ``timeliness`` ("early", "on_time", "late"), the verdict the desk gave when
    the result was recorded: the finish compared with the appointment after pauses and the one
    allowed re-appointment; more than one supplement request makes a dossier late. A finished row
    without a verdict (no appointment) counts in ``finished`` only.
``on_time_rate``
    (early + on time) ÷ (early + on time + late) × 100 for the dossiers finished in M, as a float;
    ``None`` when none of them has a verdict.
``returned``
    rows whose ``returned_at`` falls in M: the result was handed over in M (national status 10).
``in_progress``
    a snapshot at ``now``, the same whichever month is shown: rows with ``national_status`` 2
    (received), 4 (being processed), 5 (supplement requested) or 6 (financial obligation), with a
    ``received_at`` and no ``finished_at``. Paused dossiers (5, 6) count as in progress.
``in_progress_overdue``
    of ``in_progress``, those whose appointment ``due_at`` is before ``now`` (the appointment as it
    stands, after any re-appointment; a paused dossier is measured against its appointment too, which
    moves only when it resumes).
``in_progress_within``
    of ``in_progress``, the rest: ``due_at`` at or after ``now``, or no appointment
    (``in_progress == in_progress_within + in_progress_overdue``).
``paused``
    of ``in_progress``, those waiting for a supplement or a financial obligation (``is_paused``).

Selectors (keyword-only):

``progress_city(*, month, sort="", now=None) -> CityProgress``
    the city totals and one row per agency, from ONE query (GROUP BY agency, joined with the agency
    for its name). Rows: every agency with at least one counted dossier (so agencies merged away
    still appear for the months they worked in) plus every active agency with zeros (from the
    directory, no SQL). The city totals are the sum of the rows. ``sort``: "" (by kind, then name),
    ``"ty-le"`` (highest on-time rate first) or ``"ty-le-thap"`` (lowest first); agencies without a
    rate come last, ties by received (most first), then by name.
``progress_agency(*, agency, month, now=None) -> AgencyProgress``
    the same numbers for one agency (any status), from one aggregate query.
``progress_agency_find(*, slug)``
    the agency of a slug from the directory (any status, no SQL), or None.

``month`` is a `Month` or a `datetime.date` (any day of the month); `Month.parse("03/2026")` reads
the ``?thang=mm/yyyy`` of the pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import date, datetime

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from core.dossier import IN_PROGRESS_STATUSES
from core.text import fold
from tenants.directory import directory
from tenants.models import AgencyStatus
from tenants.selectors import KIND_ORDER

from .models import DossierIndex

ONLINE = "online"
SORTS = ("", "ty-le", "ty-le-thap")
FIRST_YEAR = 2000  # the selector refuses months before this (nothing on the platform is older)


# -- months ---------------------------------------------------------------------------------------
@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    _PATTERN = re.compile(r"^\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*$")

    @classmethod
    def of(cls, value) -> Month:
        if isinstance(value, Month):
            return value
        if isinstance(value, datetime):
            value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
        return cls(value.year, value.month)

    @classmethod
    def current(cls, *, now=None) -> Month:
        return cls.of(timezone.localtime(now or timezone.now()).date())

    @classmethod
    def parse(cls, text, *, now=None) -> Month | None:
        """'03/2026' (also '3/2026', '03-2026') -> Month(2026, 3); None when malformed, before
        FIRST_YEAR or after the current month."""
        m = cls._PATTERN.match(text or "")
        if not m:
            return None
        month, year = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12 or year < FIRST_YEAR:
            return None
        value = cls(year, month)
        return value if value <= cls.current(now=now) else None

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.next.first_day.toordinal() - 1)

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime(self.year, self.month, 1))

    @property
    def end(self) -> datetime:
        return self.next.start

    @property
    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    @property
    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    @property
    def label(self) -> str:
        """'03/2026': the form of ?thang= and of the page."""
        return f"{self.month:02d}/{self.year}"

    def __str__(self):
        return self.label


def month_choices(*, selected: Month, now=None, count=24) -> list[Month]:
    """The months offered by the selector: the current one and the `count - 1` before it, newest
    first, plus `selected` when it is older."""
    months, m = [], Month.current(now=now)
    for _ in range(count):
        months.append(m)
        m = m.previous
    if selected not in months:
        months.append(selected)
    return months


# -- numbers --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProgressCounts:
    received: int = 0
    received_online: int = 0
    received_offline: int = 0
    finished: int = 0
    finished_early: int = 0
    finished_on_time: int = 0
    finished_late: int = 0
    returned: int = 0
    in_progress: int = 0
    in_progress_within: int = 0
    in_progress_overdue: int = 0
    paused: int = 0

    @property
    def finished_judged(self) -> int:
        return self.finished_early + self.finished_on_time + self.finished_late

    @property
    def on_time_rate(self) -> float | None:
        judged = self.finished_judged
        return None if judged == 0 else (self.finished_early + self.finished_on_time) * 100 / judged

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))

    def __add__(self, other: ProgressCounts) -> ProgressCounts:
        return ProgressCounts(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )


COUNT_NAMES = tuple(f.name for f in fields(ProgressCounts))


def _conditions(month: Month, now) -> dict[str, Q]:
    received = Q(received_at__gte=month.start, received_at__lt=month.end)
    finished = Q(finished_at__gte=month.start, finished_at__lt=month.end)
    in_progress = Q(
        national_status__in=IN_PROGRESS_STATUSES, received_at__isnull=False, finished_at__isnull=True
    )
    overdue = Q(due_at__lt=now)
    return {
        "received": received,
        "received_online": received & Q(channel=ONLINE),
        "received_offline": received & ~Q(channel=ONLINE),
        "finished": finished,
        "finished_early": finished & Q(timeliness="early"),
        "finished_on_time": finished & Q(timeliness="on_time"),
        "finished_late": finished & Q(timeliness="late"),
        "returned": Q(returned_at__gte=month.start, returned_at__lt=month.end),
        "in_progress": in_progress,
        "in_progress_within": in_progress & ~overdue,  # ~ keeps rows without an appointment (NULL)
        "in_progress_overdue": in_progress & overdue,
        "paused": in_progress & Q(is_paused=True),
    }


def _relevant(conditions) -> Q:
    """Rows that count for anything (keeps the scan to the month's rows and the open ones)."""
    return (
        conditions["received"] | conditions["finished"] | conditions["returned"] | conditions["in_progress"]
    )


def _aggregates(conditions) -> dict:
    return {name: Count("id", filter=conditions[name]) for name in COUNT_NAMES}


# -- reports --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AgencyRow:
    agency_id: int
    slug: str
    name: str
    kind: str
    status: str
    counts: ProgressCounts

    @property
    def is_merged(self) -> bool:
        return self.status == AgencyStatus.MERGED


@dataclass(frozen=True)
class CityProgress:
    month: Month
    as_of: datetime
    sort: str
    totals: ProgressCounts
    rows: list[AgencyRow] = field(default_factory=list)


@dataclass(frozen=True)
class AgencyProgress:
    month: Month
    as_of: datetime
    agency: object
    counts: ProgressCounts
    successor: object = None


def _sort_rows(rows, sort):
    def by_name(row):
        return (KIND_ORDER.index(row.kind) if row.kind in KIND_ORDER else 99, fold(row.name), row.agency_id)

    if sort not in ("ty-le", "ty-le-thap"):
        return sorted(rows, key=by_name)
    sign = -1 if sort == "ty-le" else 1

    def by_rate(row):
        rate = row.counts.on_time_rate
        return (rate is None, sign * (rate or 0), -row.counts.received, fold(row.name), row.agency_id)

    return sorted(rows, key=by_rate)


def progress_city(*, month, sort="", now=None) -> CityProgress:
    """City totals and one row per agency for `month` (see the module docstring): one SQL query."""
    month, now = Month.of(month), now or timezone.now()
    conditions = _conditions(month, now)
    grouped = (
        DossierIndex.objects.filter(_relevant(conditions))
        .values("agency_id", "agency__slug", "agency__name", "agency__kind", "agency__status")
        .annotate(**_aggregates(conditions))
        .order_by()
    )
    rows = {
        g["agency_id"]: AgencyRow(
            agency_id=g["agency_id"],
            slug=g["agency__slug"],
            name=g["agency__name"],
            kind=g["agency__kind"],
            status=g["agency__status"],
            counts=ProgressCounts(**{n: g[n] for n in COUNT_NAMES}),
        )
        for g in grouped
    }
    for agency in directory.all():  # active agencies without a dossier still show, with zeros
        if (
            agency.pk not in rows
            and agency.status == AgencyStatus.ACTIVE
            and agency.schema_name != settings.PUBLIC_SCHEMA_NAME
        ):
            rows[agency.pk] = AgencyRow(
                agency_id=agency.pk,
                slug=agency.slug,
                name=agency.name,
                kind=agency.kind,
                status=agency.status,
                counts=ProgressCounts(),
            )
    totals = sum((r.counts for r in rows.values()), ProgressCounts())
    sort = sort if sort in SORTS else ""
    return CityProgress(
        month=month, as_of=now, sort=sort, totals=totals, rows=_sort_rows(rows.values(), sort)
    )


def progress_agency(*, agency, month, now=None) -> AgencyProgress:
    """The numbers of one agency (any status, merged ones included) for `month`: one SQL query."""
    month, now = Month.of(month), now or timezone.now()
    conditions = _conditions(month, now)
    values = DossierIndex.objects.filter(_relevant(conditions), agency_id=agency.pk).aggregate(
        **_aggregates(conditions)
    )
    successor = None
    if getattr(agency, "successor_id", None):
        successor = next((a for a in directory.all() if a.pk == agency.successor_id), None)
    return AgencyProgress(
        month=month,
        as_of=now,
        agency=agency,
        counts=ProgressCounts(**{n: values[n] or 0 for n in COUNT_NAMES}),
        successor=successor,
    )


def progress_agency_find(*, slug):
    """The agency with this slug, whatever its status (merged agencies keep their pages), or None.
    From the in-process directory: no SQL."""
    agency = directory.by_slug(slug)
    if agency is None or agency.schema_name == settings.PUBLIC_SCHEMA_NAME:
        return None
    return agency
