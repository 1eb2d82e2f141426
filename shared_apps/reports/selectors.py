"""Report II.06a (tình hình giải quyết TTHC) for an agency, a group of agencies or the whole city, for
any whole-month period, in total, per agency, per procedure or per sector — read from the roll-ups
(models.py), never from the index rows nor an agency's schema.

Definitions (a dossier counts at its reporting agency, see sql.py; P = [S, E) a whole-month period;
"as of" A = E when E is in the past, else now):

``received_online`` / ``received_offline``
    received in P (``received_at`` in P), online / in person or by post.
``carried_over``
    received before S and neither settled nor closed without a result before S:
    Σ over months < S of (received − settled − closed without result).
``received_transferred``
    arrived in P from another agency by a merger or a move, still open then (sql.py): not a receipt
    of this agency (not in the online share), but work it took over.
``received_total`` = online + offline + received by transfer + carried over.
``settled_early`` / ``settled_on_time`` / ``settled_late`` (+ ``settled_unjudged``, no verdict)
    ``finished_at`` in P, by the desk's verdict (more than one supplement request already makes the
    desk's verdict late).
``closed_other``
    left without a result in P (withdrawn, stopped) — not an II.06a column, shown so that
    received_total = settled + closed_other + in_progress.
``transferred_out``
    left open in P for another agency by a merger or a move — shown, as ``closed_other``, so that
    received_total = settled + closed_other + transferred_out + in_progress. For a group of agencies
    (the city) a merger inside the group appears on both sides.
``in_progress`` (at A)
    E in the past: Σ over months < E of (received − settled − closed without result);
    current period: the dossiers open now.
``in_progress_overdue`` (at A)
    Open, NOT PAUSED and with an appointment before A: a paused dossier (waiting for the citizen's
    supplement or a financial obligation) has its clock stopped, and its appointment moves on when
    it resumes — it is within time whatever the ``due_at`` kept from before the pause.
    E in the past: open at E, not paused, with an appointment before E = closed ones whose due month
    < E ≤ close month (ReportLate) + still open ones due before E and not paused (ReportOpenMonth
    ``n − paused``: due month < E, exact since E is a month start; ReportOpen per procedure) — in
    both, only rows the agency held at E (``since_month`` < E: carried in by a merger before E).
    APPROXIMATION: for the still open ones the pause state is the CURRENT one, not the one at E — one
    paused now but not at E counts within time at E, one paused at E and resumed since has its
    appointment moved past the resume (hence past E) and so counts within time anyway. A closed one
    was judged on its final appointment (moved by its pauses). Otherwise exact at month boundaries.
    Current period: open now, not paused, with an appointment on a day before today = ReportOpenMonth
    ``n − paused`` with due month < M (M the first day of this month) + ReportOpen ``n − paused``
    with due date in [M, today) (per procedure: ReportOpen with due date < today). APPROXIMATION: a
    dossier due later today counts as within time until the day is over; the roll-up keeps the due
    day, not the hour. Dossiers without an appointment are within time.
``in_progress_within`` = in_progress − in_progress_overdue (paused ones included).
``in_progress_multi_supplement`` / ``in_progress_multi_supplement_overdue`` (at A; Decision 766)
    in progress with more than one supplement request / of which counted in ``in_progress_overdue``.
    E in the past: Σ over months < E of (multi_supplement_received − multi_supplement_closed) from
    the flows / ReportLate ``multi_supplement`` (due month < E ≤ close month) + ReportOpenMonth
    ``multi_supplement − multi_paused`` with due month < E. Current period: ReportOpen(Month)
    ``multi_supplement`` / ``multi_supplement − multi_paused`` due before today, as above.
    APPROXIMATION: the supplement count is the dossier's current (final) one, not the one at E.
    ``in_progress_multi_supplement_within`` = their difference: the multi ones counted within time,
    which the on-time rate (indicators.py) counts as late.

Query cost: totals and per-agency figures read ReportFlowAgency (agency × month) — about 12 rows per
agency and year — plus ReportOpenMonth (agency × due month), this month's days of ReportOpen and
ReportLate; per procedure / sector read ReportFlow and ReportOpen.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime, time

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import NO_DUE
from .periods import Period
from .sql import FLOW_COLUMNS

KEYS = {"agency": "agency_id", "procedure": "procedure_id", None: "0"}


@dataclass
class II06a:
    received_online: int = 0
    received_offline: int = 0
    carried_over: int = 0
    settled_early: int = 0
    settled_on_time: int = 0
    settled_late: int = 0
    settled_unjudged: int = 0
    closed_other: int = 0
    in_progress: int = 0
    in_progress_overdue: int = 0
    paused: int = 0
    # not II.06a columns; used by the Decision 766 indicators
    settled_on_time_766: int = 0
    settled_seconds: int = 0
    in_progress_multi_supplement: int = 0  # in progress with more than one supplement request
    in_progress_multi_supplement_overdue: int = 0  # of which counted in in_progress_overdue
    multi_supplement_received: int = 0  # flows of the period (FLOW_COLUMNS), not read by the indicators
    multi_supplement_closed: int = 0
    received_transferred: int = 0  # carried in from another agency in the period (merger, move)
    transferred_out: int = 0  # carried away to another agency in the period, still open
    received_digitised: int = 0  # received in the period with every component digitised
    components_received: int = 0  # components of the dossiers received in the period
    components_reused: int = 0  # of which reused from digitised data

    @property
    def received_in_period(self):
        return self.received_online + self.received_offline

    @property
    def received_total(self):
        return self.received_in_period + self.received_transferred + self.carried_over

    @property
    def settled(self):
        return self.settled_early + self.settled_on_time + self.settled_late + self.settled_unjudged

    @property
    def settled_judged(self):
        return self.settled_early + self.settled_on_time + self.settled_late

    @property
    def in_progress_within(self):
        return self.in_progress - self.in_progress_overdue

    @property
    def in_progress_multi_supplement_within(self):
        """In progress within time with more than one supplement request (late for Decision 766)."""
        return self.in_progress_multi_supplement - self.in_progress_multi_supplement_overdue

    @classmethod
    def total(cls, figures):
        """The column-wise sum of many (the city's 1,000 agency rows: one pass per column)."""
        figures = list(figures)
        return cls(**{name: sum(getattr(f, name) for f in figures) for name in FIELD_NAMES})

    def __add__(self, other):
        return II06a(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    def as_dict(self):
        return {name: getattr(self, name) for name in COLUMNS}


FIELD_NAMES = tuple(f.name for f in fields(II06a))

COLUMNS = (
    "received_total",
    "received_online",
    "received_offline",
    "carried_over",
    "received_transferred",
    "settled",
    "settled_early",
    "settled_on_time",
    "settled_late",
    "closed_other",
    "transferred_out",
    "in_progress",
    "in_progress_within",
    "in_progress_overdue",
)

# translated where shown (pages, exports in the reader's language)
COLUMN_LABELS = {
    "received_total": _("Tổng số hồ sơ tiếp nhận"),
    "received_online": _("Tiếp nhận trực tuyến"),
    "received_offline": _("Tiếp nhận trực tiếp, bưu chính"),
    "carried_over": _("Kỳ trước chuyển qua"),
    "received_transferred": _("Nhận từ cơ quan sáp nhập, điều chuyển"),
    "settled": _("Đã giải quyết"),
    "settled_early": _("Trước hạn"),
    "settled_on_time": _("Đúng hạn"),
    "settled_late": _("Quá hạn"),
    "closed_other": _("Rút, dừng xử lý"),
    "transferred_out": _("Chuyển sang cơ quan khác (sáp nhập, điều chuyển)"),
    "in_progress": _("Đang giải quyết"),
    "in_progress_within": _("Trong hạn"),
    "in_progress_overdue": _("Quá hạn (đang giải quyết)"),
}


@dataclass
class Report:
    period: Period
    as_of: object
    totals: II06a
    rows: dict = field(default_factory=dict)  # key (agency id / procedure id) -> II06a
    monthly: list | None = None  # (month, received, received online, settled early or on time, late)


def _scope_sql(agency_ids, column="agency_id"):
    if agency_ids is None:
        return "TRUE", []
    return f"{column} = ANY(%s)", [list(agency_ids)]


def _is_current(period, now) -> bool:
    return period.end > timezone.localdate(now)


def _open_now_sql(by, where, params, today):
    """(sql, params): key, open now, open now not paused with an appointment before `today` (overdue),
    paused, more than one supplement request, of which overdue. Per procedure from ReportOpen;
    otherwise from ReportOpenMonth (whole months before this one) plus the days of this month before
    today from ReportOpen (index on due_date)."""
    key = KEYS[by]
    if by == "procedure":
        return (
            f"SELECT {key}, sum(n), COALESCE(sum(n - paused) FILTER (WHERE due_date < %s), 0), sum(paused), "
            f"sum(multi_supplement), COALESCE(sum(multi_supplement - multi_paused) FILTER (WHERE due_date < %s), 0)"
            f" FROM public.reports_open WHERE {where} GROUP BY 1",
            [today, today] + params,
        )
    month = today.replace(day=1)
    return (
        f"SELECT {key}, sum(n), sum(overdue), sum(paused), sum(multi_supplement), sum(multi_overdue) FROM ("
        f" SELECT {key}, n, CASE WHEN due_month < %s THEN n - paused ELSE 0 END AS overdue, paused,"
        f" multi_supplement, CASE WHEN due_month < %s THEN multi_supplement - multi_paused ELSE 0 END"
        f" AS multi_overdue FROM public.reports_open_month WHERE {where}"
        f" UNION ALL"
        f" SELECT {key}, 0, n - paused, 0, 0, multi_supplement - multi_paused FROM public.reports_open"
        f" WHERE {where} AND due_date >= %s AND due_date < %s"
        f") x GROUP BY 1",
        [month, month] + params + params + [month, today],
    )


def ii06a(*, period: Period, agency_ids=None, by=None, now=None, monthly=False) -> Report:
    """II.06a for the agencies `agency_ids` (None: the whole city) over `period`; `by` None (totals
    only), "agency" or "procedure" (rows per key, totals = their sum); `monthly` also fills
    ``Report.monthly`` (the trend, as `ii06a_monthly`) from the same scan of the flow roll-up (grouping
    sets: per key and per month). 2 queries."""
    now = now or timezone.now()
    current = _is_current(period, now)
    key = KEYS[by]
    table = "reports_flow" if by == "procedure" else "reports_flow_agency"
    where, params = _scope_sql(agency_ids)
    net = (
        "(received_online + received_offline + received_transferred - settled_early - settled_on_time"
        " - settled_late - settled_unjudged - closed_other - transferred_out)"
    )
    multi_net = "(multi_supplement_received - multi_supplement_closed)"
    in_p = "month >= %s"
    flow_cols = FLOW_COLUMNS
    n = len(flow_cols)
    select = ", ".join(f"COALESCE(sum({c}) FILTER (WHERE {in_p}), 0)" for c in flow_cols)
    rows: dict = {}
    months: dict = {}
    if monthly:
        group = f"GROUPING SETS (({key}), (month))" if by else "GROUPING SETS ((), (month))"
        extra = ", GROUPING(month), month"
    else:
        group, extra = "1", ""
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT {key}, {select}, COALESCE(sum({net}) FILTER (WHERE month < %s), 0), COALESCE(sum({net}), 0),"
            f" COALESCE(sum({multi_net}), 0){extra} FROM public.{table} WHERE {where} AND month < %s GROUP BY {group}",
            [period.start] * len(flow_cols) + [period.start] + params + [period.end],
        )
        for r in cur.fetchall():
            if monthly and r[n + 4] == 0:  # a month's row (all keys)
                if r[n + 5] >= period.start:
                    m = dict(zip(flow_cols, r[1 : n + 1], strict=True))
                    months[r[n + 5]] = (
                        int(m["received_online"] + m["received_offline"]),
                        int(m["received_online"]),
                        int(m["settled_early"] + m["settled_on_time"]),
                        int(m["settled_late"]),
                    )
                continue
            fig = rows.setdefault(r[0], II06a())
            for name, value in zip(flow_cols, r[1 : n + 1], strict=True):
                setattr(fig, name, int(value))
            fig.carried_over = int(r[n + 1])
            if not current:
                fig.in_progress = int(r[n + 2])
                fig.in_progress_multi_supplement = int(r[n + 3])
        if current:
            today = timezone.localdate(now)
            cur.execute(*_open_now_sql(by, where, params, today))
            for r in cur.fetchall():
                fig = rows.setdefault(r[0], II06a())
                fig.in_progress, fig.in_progress_overdue = int(r[1]), int(r[2])
                fig.paused, fig.in_progress_multi_supplement = int(r[3]), int(r[4])
                fig.in_progress_multi_supplement_overdue = int(r[5])
        else:
            open_table, due = (
                ("reports_open", "due_date") if by == "procedure" else ("reports_open_month", "due_month")
            )
            # overdue at E: not paused (the pause state of the still open ones is the current one)
            cur.execute(
                f"SELECT {key}, sum(n), sum(m) FROM ("
                f" SELECT {key}, n, multi_supplement AS m FROM public.reports_late"
                f" WHERE {where} AND due_month < %s AND close_month >= %s AND since_month < %s"
                f" UNION ALL"
                f" SELECT {key}, n - paused, multi_supplement - multi_paused FROM public.{open_table}"
                f" WHERE {where} AND {due} < %s AND since_month < %s) x GROUP BY 1",
                params + [period.end] * 3 + params + [period.end] * 2,
            )
            for r in cur.fetchall():
                fig = rows.setdefault(r[0], II06a())
                fig.in_progress_overdue, fig.in_progress_multi_supplement_overdue = int(r[1]), int(r[2])
    rows = {k: v for k, v in rows.items() if any(getattr(v, name) for name in FIELD_NAMES)}
    totals = II06a.total(rows.values())
    as_of = now if current else timezone.make_aware(datetime.combine(period.end, time()))
    trend = [(m, *months.get(m, (0, 0, 0, 0))) for m in period.months()] if monthly else None
    return Report(period=period, as_of=as_of, totals=totals, rows=rows if by else {}, monthly=trend)


def ii06a_monthly(*, period: Period, agency_ids=None) -> list[tuple[date, int, int, int, int]]:
    """(month, received, received online, settled on time or early) per month of `period`: the trend
    chart. One query on ReportFlowAgency."""
    where, params = _scope_sql(agency_ids)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT month, sum(received_online + received_offline), sum(received_online), "
            "sum(settled_early + settled_on_time), sum(settled_late) "
            f"FROM public.reports_flow_agency WHERE {where} AND month >= %s AND month < %s GROUP BY 1",
            params + [period.start, period.end],
        )
        found = {r[0]: tuple(int(v) for v in r[1:]) for r in cur.fetchall()}
    return [(m, *found.get(m, (0, 0, 0, 0))) for m in period.months()]


__all__ = ["II06a", "Report", "ii06a", "ii06a_monthly", "COLUMNS", "COLUMN_LABELS", "NO_DUE"]
