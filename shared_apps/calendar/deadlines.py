"""The legal deadline engine: pure Python (standard library only, no Django).

Public API (functions are keyword-only)::

    WorkCalendar(weekly_hours, holidays=(), days_off=(), swap_workdays=(), standard_hours=None,
                 tz="Asia/Ho_Chi_Minh")                  # immutable value; equal inputs -> equal, hashable
        .office_hours(day) -> ((time, time), ...)    .is_working_day(day) -> bool
        .standard_day -> timedelta                   # the unit of fractional working days
    office_week(*, weekdays=(("07:30","11:30"),("13:30","17:00")), saturday=(), sunday=()) -> weekly_hours
    Holiday(day, name)   DayOff(day, reason)   SwapWorkday(day, reason, hours=None)   Pause(start, end, reason="")
    deadline_compute(*, calendar, start, amount, unit, cutoff=None, pauses=()) -> Deadline
        unit: Unit.WORKING_DAYS | WORKING_HOURS | CALENDAR_DAYS | MONTHS (or their string values)
        Deadline.due, .counted_from, .paused (timedelta), .reasons -> (Reason(code, text, first_day, last_day), ...)
    working_time_between(*, calendar, start, end) -> timedelta      # negative if end < start
    timeliness(*, calendar, finished, due) -> Timeliness            # "early" | "on_time" | "late"

Times
    Naive datetimes are the city's local wall-clock time. Aware datetimes are converted to the
    calendar's ``tz`` and computed as local time; results are then aware in that zone (naive in,
    naive out). Arithmetic is exact to the microsecond (integers, no floats).

Office time ("W")
    Internally every instant maps to W = office time elapsed since a fixed origin. W is flat outside
    office hours, so the working time between two instants is a difference of two W values, and
    "add h of office time" means "the earliest instant whose W is W(start) + h": a result that falls
    exactly on a session boundary is the end of the session (11:30), never the next opening (13:30).

Rules
    * Start: a receipt strictly after the ``cutoff`` (if one is given), at or after the day's
      closing, or on a day off counts from the opening of the next working day; before opening,
      from that day's opening; in a gap between two sessions (lunch, before the cut-off), from the
      next session's start. Applies to every unit.
    * Working days: the same time of day on the N-th following working day (never 8-hour days).
      If that time is outside that day's sessions (e.g. a Saturday morning) it is snapped into
      them: before opening -> the opening; in a gap -> the end of the previous session; after
      closing -> the closing. A fraction f of a day is f x ``standard_day`` of office time, added
      after the whole days.
    * Working hours: office time; the due time is the earliest instant at which it has elapsed.
    * Calendar days and months (Civil Code 2015, art. 147-148: the first day is not counted, the
      period ends at the end of its last day): the close of office hours on the last day, or on
      the next working day when that day is off. Months keep the day of the month, clamped to the
      month's end (31/01 + 1 month = 28 or 29/02). Amounts must be whole numbers.
    * Pauses (merged when they overlap or touch) shift the due time by exactly the office time
      inside them after the start, if they begin before the due time reached so far (a pause that
      begins at or after it is reported and ignored).
    * Timeliness: ``late`` after the due instant; ``early`` on a date before the due date;
      otherwise ``on_time``.
    * Results: the due time always lies in a session [start, end] of a working day (end included).

Speed: per-day tables (sessions, prefix sums of office time, working-day indices) are built on
first use around the dates asked for and grown on demand; a computation is a few list look-ups
and a bisect, no loops over days. Explanations are rendered only when ``.reasons`` is read.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from calendar import monthrange
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache
from zoneinfo import ZoneInfo

__all__ = [
    "DayOff",
    "Deadline",
    "Holiday",
    "Pause",
    "Reason",
    "ReasonCode",
    "SwapWorkday",
    "Timeliness",
    "Unit",
    "WorkCalendar",
    "deadline_compute",
    "office_week",
    "timeliness",
    "working_time_between",
]

US = 1_000_000
MINUTE = 60 * US
HOUR = 60 * MINUTE
DAY = 24 * HOUR
_MAX_ORD = date.max.toordinal()
_FAR = 366 * 30  # a request this far from the current tables gets a fresh window
_WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
DEFAULT_TZ = "Asia/Ho_Chi_Minh"

Interval = tuple[time, time]
IntervalInput = tuple[time | str, time | str]


class Unit(StrEnum):
    WORKING_HOURS = "working_hours"
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    MONTHS = "months"


class Timeliness(StrEnum):
    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


class ReasonCode(StrEnum):
    START_AFTER_CUTOFF = "start_after_cutoff"
    START_BEFORE_OPENING = "start_before_opening"
    START_OUTSIDE_OFFICE_HOURS = "start_outside_office_hours"
    START_ON_DAY_OFF = "start_on_day_off"
    HOLIDAY = "holiday"
    DAY_OFF = "day_off"
    SWAP_WORKDAY = "swap_workday"
    PAUSE = "pause"
    PAUSE_AFTER_DUE = "pause_after_due"
    MOVED_TO_WORKING_DAY = "moved_to_working_day"
    DUE_TIME_ADJUSTED = "due_time_adjusted"


_UNITS = {u: u for u in Unit} | {u.value: u for u in Unit}
# Plain module constants: attribute access on an Enum class is slow on Python 3.11.
_WH, _WD, _CD = Unit.WORKING_HOURS, Unit.WORKING_DAYS, Unit.CALENDAR_DAYS
_R_DAY_OFF, _R_CUTOFF = ReasonCode.START_ON_DAY_OFF, ReasonCode.START_AFTER_CUTOFF
_R_OUTSIDE, _R_BEFORE = ReasonCode.START_OUTSIDE_OFFICE_HOURS, ReasonCode.START_BEFORE_OPENING
_ZERO = timedelta(0)


# --- input values ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Holiday:
    """A public holiday (Labour Code 2019, art. 112), e.g. ``Holiday(date(2026, 1, 1), "Tết Dương lịch")``."""

    day: date
    name: str


@dataclass(frozen=True, slots=True)
class DayOff:
    """An extra day off announced by the government (swap, bridge day), with its reason."""

    day: date
    reason: str


@dataclass(frozen=True, slots=True)
class SwapWorkday:
    """A normally-off day (usually a Saturday) worked in exchange. ``hours=None`` means the
    calendar's standard (Monday–Friday) office hours."""

    day: date
    reason: str
    hours: tuple[Interval, ...] | None = None


@dataclass(frozen=True, slots=True)
class Pause:
    """A stretch during which the clock stops (supplement requested, financial obligation)."""

    start: datetime
    end: datetime
    reason: str = ""


# --- output values --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Reason:
    """One explained shift: a machine ``code`` (:class:`ReasonCode`), a Vietnamese ``text`` and,
    where it concerns dates, the first and last day it covers."""

    code: ReasonCode
    text: str
    first_day: date | None = None
    last_day: date | None = None


@dataclass(slots=True)
class Deadline:
    """Result of :func:`deadline_compute` (a plain record: not frozen, because a frozen dataclass
    costs about a microsecond more to build, a tenth of a whole computation).

    ``due``: the due instant (naive or aware like ``start``); ``counted_from``: the instant the
    clock starts (after the start rule); ``paused``: office time inside the pauses that counted;
    ``reasons``: every shift explained, in order: start rule, days that differ from the weekly
    pattern (collapsed into ranges), end rules (moved to a working day, time adjusted), pauses.
    The reasons are rendered on first access (most computations never display them)."""

    due: datetime
    counted_from: datetime
    paused: timedelta
    _story: tuple = field(default=(), repr=False, compare=False)
    _reasons: tuple[Reason, ...] | None = field(default=None, repr=False, compare=False)

    @property
    def reasons(self) -> tuple[Reason, ...]:
        r = self._reasons
        if r is None:
            r = self._reasons = _explain(*self._story) if self._story else ()
        return r


def office_week(
    *,
    weekdays: Sequence[IntervalInput] = (("07:30", "11:30"), ("13:30", "17:00")),
    saturday: Sequence[IntervalInput] = (),
    sunday: Sequence[IntervalInput] = (),
) -> dict[int, Sequence[IntervalInput]]:
    """Weekly hours for :class:`WorkCalendar`: the same ``weekdays`` sessions Monday–Friday, plus
    optional Saturday/Sunday sessions, e.g. ``office_week(saturday=[("07:30", "11:30")])``."""
    week: dict[int, Sequence[IntervalInput]] = {wd: weekdays for wd in range(5)}
    week[5], week[6] = saturday, sunday
    return week


# --- the calendar ---------------------------------------------------------------------------------
class _NeedRange(Exception):
    """Internal: the precomputed tables do not cover the ordinals [lo, hi]."""

    def __init__(self, lo: int, hi: int):
        self.lo, self.hi = lo, hi


class _Tables:
    """Precomputed per-day data over the ordinals [lo, lo + n).

    ivs[i]      office sessions of day lo+i as ((start_us, end_us), ...) from midnight, () if off
    cum[i]      office µs before day lo+i (len n+1)  -> W of midnight of day i
    wbefore[i]  working days before day lo+i (len n+1)
    wdays       indices i of the working days (wdays[wbefore[i]] = first working day >= i)
    ymd[i]      (year, month, day) of day lo+i, to build result datetimes without date arithmetic
    """

    __slots__ = ("lo", "n", "ivs", "cum", "wbefore", "wdays", "ymd")

    def __init__(self, cal: WorkCalendar, lo: int, hi: int):
        weekly, get = cal._weekly_us, cal._overrides.get
        weekly_len = [sum(e - s for s, e in iv) for iv in weekly]
        ivs, cum, wbefore, wdays = [], [0], [0], []
        w = k = 0
        wd = (lo - 1) % 7
        for i in range(hi - lo):
            iv = get(lo + i)
            if iv is None:
                iv = weekly[wd]
                w += weekly_len[wd]
            else:
                for s, e in iv:
                    w += e - s
            ivs.append(iv)
            if iv:
                wdays.append(i)
                k += 1
            cum.append(w)
            wbefore.append(k)
            wd = 0 if wd == 6 else wd + 1
        self.lo, self.n = lo, hi - lo
        self.ivs, self.cum, self.wbefore, self.wdays = ivs, cum, wbefore, wdays
        self.ymd = [(d.year, d.month, d.day) for d in map(date.fromordinal, range(lo, hi))]


def _tod(value: time | str) -> int:
    """Time of day in µs from a naive ``time`` or an ``"HH:MM[:SS]"`` string."""
    if isinstance(value, str):
        value = time.fromisoformat(value.strip())
    if not isinstance(value, time) or value.tzinfo is not None:
        raise ValueError(f"expected a naive time of day, got {value!r}")
    return ((value.hour * 60 + value.minute) * 60 + value.second) * US + value.microsecond


def _as_time(tod: int) -> time:
    m, us = divmod(tod, MINUTE)
    return time(m // 60, m % 60, us // US, us % US)


def _intervals(raw: Iterable[IntervalInput], what: str) -> tuple[tuple[int, int], ...]:
    """Validated, sorted sessions in µs; touching sessions are merged."""
    out: list[list[int]] = []
    for pair in sorted((_tod(s), _tod(e)) for s, e in raw):
        s, e = pair
        if e <= s:
            raise ValueError(f"{what}: session end {_as_time(e)} is not after its start {_as_time(s)}")
        if out and s < out[-1][1]:
            raise ValueError(f"{what}: sessions overlap")
        if out and s == out[-1][1]:
            out[-1][1] = e
        else:
            out.append([s, e])
    return tuple((s, e) for s, e in out)


def _times(iv: tuple[tuple[int, int], ...]) -> tuple[Interval, ...]:
    return tuple((_as_time(s), _as_time(e)) for s, e in iv)


def _coerce(items: Iterable, cls: type) -> tuple:
    return tuple(x if isinstance(x, cls) else cls(*x) for x in items)


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """A working calendar: office hours per weekday plus the dates that differ from them.

    ``weekly_hours``: ``{weekday: [(start, end), ...]}`` with Monday = 0 (or a sequence of 7),
    times as ``time`` or ``"HH:MM"``; weekdays left out are closed (see :func:`office_week`).
    ``holidays`` / ``days_off``: :class:`Holiday` / :class:`DayOff` (or ``(date, text)`` pairs);
    ``swap_workdays``: :class:`SwapWorkday` (or ``(date, reason[, hours])``), which override the
    weekly pattern, even on a day that is normally open (e.g. a full Saturday instead of a morning).
    A date both off and a make-up working day is refused (ValueError).
    ``standard_hours``: the sessions of a normal working day, used by make-up days without hours
    of their own and as the length of a "day" for fractional days; default: the first of
    Monday–Friday that has sessions. ``tz``: the city's zone for aware datetimes.

    The value is immutable; per-day tables (sessions, prefix sums of office time, working-day
    indices) are built on first use around the dates asked for and extended on demand."""

    weekly_hours: Mapping[int, Sequence[IntervalInput]] | Sequence[Sequence[IntervalInput]]
    holidays: Iterable[Holiday | tuple[date, str]] = ()
    days_off: Iterable[DayOff | tuple[date, str]] = ()
    swap_workdays: Iterable[SwapWorkday | tuple] = ()
    standard_hours: Sequence[IntervalInput] | None = None
    tz: tzinfo | str = DEFAULT_TZ
    _weekly_us: tuple = field(init=False, repr=False, compare=False)
    _overrides: dict = field(init=False, repr=False, compare=False)
    _special_ords: list = field(init=False, repr=False, compare=False)
    _special: list = field(init=False, repr=False, compare=False)
    _labels: dict = field(init=False, repr=False, compare=False)
    _std_len: int = field(init=False, repr=False, compare=False)
    _t: _Tables | None = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        put = object.__setattr__
        raw = self.weekly_hours
        if isinstance(raw, Mapping):
            bad = [k for k in raw if k not in range(7)]
            if bad:
                raise ValueError(f"weekly_hours: weekdays are 0 (Monday) to 6 (Sunday), got {bad}")
            raw = [raw.get(wd, ()) for wd in range(7)]
        elif len(raw) != 7:
            raise ValueError("weekly_hours: give 7 weekdays (Monday first) or a {weekday: sessions} mapping")
        # Equal session tuples are shared (interned): the engine tests "same sessions" by identity.
        canon: dict[tuple, tuple] = {}
        intern = lambda iv: canon.setdefault(iv, iv)  # noqa: E731
        weekly = tuple(intern(_intervals(raw[wd], f"weekly_hours[{_WEEKDAYS_VI[wd]}]")) for wd in range(7))
        if not any(weekly):
            raise ValueError("weekly_hours: the office is never open")
        if self.standard_hours is not None:
            std = intern(_intervals(self.standard_hours, "standard_hours"))
            if not std:
                raise ValueError("standard_hours: no sessions")
        else:
            std = next((weekly[wd] for wd in range(5) if weekly[wd]), None) or next(iv for iv in weekly if iv)
        tz = ZoneInfo(self.tz) if isinstance(self.tz, str) else self.tz
        holidays = _coerce(self.holidays, Holiday)
        days_off = _coerce(self.days_off, DayOff)
        swaps = tuple(
            SwapWorkday(s.day, s.reason, None if s.hours is None else _times(_intervals(s.hours, str(s.day))))
            for s in _coerce(self.swap_workdays, SwapWorkday)
        )
        put(self, "weekly_hours", tuple(_times(iv) for iv in weekly))
        put(self, "standard_hours", _times(std))
        put(self, "holidays", holidays)
        put(self, "days_off", days_off)
        put(self, "swap_workdays", swaps)
        put(self, "tz", tz)

        # Dates that differ from the weekly pattern: {ordinal: sessions} and their explanations.
        overrides: dict[int, tuple] = {}
        labels: dict[int, tuple[ReasonCode, str]] = {}
        for code, items in ((ReasonCode.HOLIDAY, holidays), (ReasonCode.DAY_OFF, days_off)):
            for item in items:
                o = item.day.toordinal()
                text = (item.name if code is ReasonCode.HOLIDAY else item.reason).strip()
                overrides[o] = ()
                if o in labels:
                    old_code, old_text = labels[o]
                    if text and text not in old_text.split("; "):
                        labels[o] = (old_code, f"{old_text}; {text}")
                else:
                    labels[o] = (code, text)
        for swap in swaps:
            o = swap.day.toordinal()
            if o in labels and labels[o][0] is not ReasonCode.SWAP_WORKDAY:
                raise ValueError(f"{swap.day:%d/%m/%Y} is both a day off and a make-up working day")
            iv = std if swap.hours is None else intern(_intervals(swap.hours, str(swap.day)))
            if not iv:
                raise ValueError(f"make-up working day {swap.day:%d/%m/%Y} has no office hours")
            overrides[o] = iv
            labels[o] = (ReasonCode.SWAP_WORKDAY, swap.reason.strip())
        # Only dates whose sessions really differ from their weekday's need explaining.
        special = sorted(o for o, iv in overrides.items() if iv != weekly[(o - 1) % 7])
        put(self, "_weekly_us", weekly)
        put(self, "_overrides", overrides)
        put(self, "_special_ords", special)
        put(self, "_special", [labels[o] for o in special])
        put(self, "_labels", labels)
        put(self, "_std_len", sum(e - s for s, e in std))
        put(self, "_t", None)

    # -- tables ----------------------------------------------------------------------------------
    def _extend(self, lo: int, hi: int) -> None:
        """Replace the tables by ones that cover the ordinals [lo, hi] with room to spare.

        Near the current window the window grows (at least doubling, so this is rare); a request
        far from it (decades away) gets a fresh window around itself, so that one odd date does
        not make the tables span centuries. The special dates are always inside a first window
        when they are near the request (they cost nothing to include)."""
        t = self._t
        if t is not None and t.lo - _FAR <= lo and hi < t.lo + t.n + _FAR:
            old_lo, old_hi = t.lo, t.lo + t.n
            new_lo = min(old_lo, lo - max(400, t.n // 2)) if lo < old_lo else old_lo
            new_hi = max(old_hi, hi + max(800, t.n)) if hi >= old_hi else old_hi
        else:
            new_lo, new_hi = lo - 60, hi + 600
            sp = self._special_ords
            if sp and sp[0] - _FAR <= lo and hi <= sp[-1] + _FAR:
                new_lo, new_hi = min(new_lo, sp[0] - 7), max(new_hi, sp[-1] + 8)
        new_lo, new_hi = max(1, new_lo), min(_MAX_ORD + 1, new_hi)
        if lo < new_lo or hi >= new_hi:
            raise ValueError("deadline outside the supported dates (years 1 to 9999)")
        object.__setattr__(self, "_t", _Tables(self, new_lo, new_hi))

    def _tables_for(self, o: int) -> _Tables:
        """Tables covering the ordinal ``o``."""
        t = self._t
        while t is None or not 0 <= o - t.lo < t.n:
            self._extend(o, o)
            t = self._t
        return t

    # -- conversions -----------------------------------------------------------------------------
    def _abs(self, dt: datetime) -> int:
        return _us(dt, self.tz)

    # -- queries ---------------------------------------------------------------------------------
    def _sessions(self, o: int) -> tuple[tuple[int, int], ...]:
        iv = self._overrides.get(o)
        return self._weekly_us[(o - 1) % 7] if iv is None else iv

    def office_hours(self, day: date) -> tuple[Interval, ...]:
        """The office sessions of ``day`` (empty on a day off)."""
        return _times(self._sessions(day.toordinal()))

    def is_working_day(self, day: date) -> bool:
        """True when the office is open on ``day``."""
        return bool(self._sessions(day.toordinal()))

    @property
    def standard_day(self) -> timedelta:
        """Length of the standard office day (the unit of fractional working days)."""
        return timedelta(microseconds=self._std_len)


def _us(dt: datetime, tz: tzinfo) -> int:
    """µs since ordinal 0 of the local wall-clock time of ``dt`` (aware: converted to ``tz``)."""
    if dt.tzinfo is not None:
        dt = dt.astimezone(tz)
    return dt.toordinal() * DAY + ((dt.hour * 60 + dt.minute) * 60 + dt.second) * US + dt.microsecond


# --- core operations on the tables (i = day index, tod = µs from midnight) ---------------------------
def _pos(t: _Tables, i: int, tod: int) -> int:
    """W: office µs from the start of the tables to (day i, tod)."""
    w = t.cum[i]
    for s, e in t.ivs[i]:
        if tod <= s:
            break
        if tod < e:
            return w + tod - s
        w += e - s
    return w


def _abs_pos(t: _Tables, a: int) -> int:
    o, tod = divmod(a, DAY)
    i = o - t.lo
    if not 0 <= i < t.n:
        raise _NeedRange(o, o)
    return _pos(t, i, tod)


def _next_open(t: _Tables, i: int) -> int:
    """Index of the first working day after day i."""
    k = t.wbefore[i + 1]
    if k >= len(t.wdays):
        raise _NeedRange(t.lo + t.n, t.lo + t.n)
    return t.wdays[k]


def _at(t: _Tables, w: int, hint: int) -> tuple[int, int]:
    """The earliest (day, tod) whose W equals ``w``; requires w > cum[hint]."""
    cum = t.cum
    m = bisect_left(cum, w, hint + 1)
    if m > t.n:
        raise _NeedRange(t.lo + t.n, t.lo + t.n)
    j = m - 1
    r = w - cum[j]
    for s, e in t.ivs[j]:
        if r <= e - s:
            return j, s + r
        r -= e - s
    raise AssertionError("unreachable: W beyond the day's office time")  # pragma: no cover


def _snap(iv: tuple[tuple[int, int], ...], tod: int) -> int:
    """``tod`` moved into the closed sessions of a working day: before opening → the opening, in a
    gap → the end of the previous session, after closing → the closing."""
    prev = -1
    for s, e in iv:
        if tod < s:
            return s if prev < 0 else prev
        if tod <= e:
            return tod
        prev = e
    return prev


def _add_months(d: date, n: int) -> date:
    """``d`` + n months, the day of the month clamped to the month's last day."""
    y, m = divmod(d.month - 1 + n, 12)
    y += d.year
    if y > 9999:
        raise ValueError("deadline outside the supported dates (years 1 to 9999)")
    return date(y, m + 1, min(d.day, monthrange(y, m + 1)[1]))


# --- text helpers ----------------------------------------------------------------------------------
@lru_cache(maxsize=4096)
def _fd(o: int) -> str:
    d = date.fromordinal(o)
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def _ft(tod: int) -> str:
    m = tod // MINUTE
    return f"{m // 60:02d}:{m % 60:02d}"


def _fa(a: int) -> str:
    o, tod = divmod(a, DAY)
    return f"{_ft(tod)} {_fd(o)}"


def _fdur(us: int) -> str:
    m, rest = divmod(us, MINUTE)
    h, m = divmod(m, 60)
    text = f"{h} giờ {m:02d} phút"
    return text + f" {rest / US:g} giây" if rest else text


def _off_phrase(label: str) -> str:
    low = label.lower()
    return label if low.startswith(("nghỉ", "ngày nghỉ")) else f"nghỉ {label}"


# --- public functions ------------------------------------------------------------------------------
def deadline_compute(
    *,
    calendar: WorkCalendar,
    start: datetime,
    amount: int | float | Decimal | Fraction,
    unit: Unit | str,
    cutoff: time | str | None = None,
    pauses: Iterable[Pause | tuple[datetime, datetime] | tuple[datetime, datetime, str]] = (),
) -> Deadline:
    """The due instant of a time limit of ``amount`` ``unit`` for a dossier received at ``start``.

    Start rule: with a ``cutoff`` (e.g. ``time(15)``), a receipt strictly after it counts from the
    opening of the next working day; so does a receipt at or after the day's closing or on a day
    off. A receipt before opening counts from that day's opening; one in a gap between sessions
    (lunch) from the next session's start. ``counted_from`` is that instant.

    Units: ``working_days`` (int or fractional; the whole days give the same time of day on the
    N-th following working day, snapped into that day's sessions; the fraction is office time,
    f × ``calendar.standard_day``), ``working_hours`` (office time; the result is the earliest
    instant at which it has elapsed), ``calendar_days`` and ``months`` (whole numbers; the close
    of office hours on the last day, or on the next working day when that day is off; months keep
    the day of the month, clamped to the month's end).

    ``pauses``: ``Pause`` or ``(start, end[, reason])``, may overlap (they are merged). The office
    time of each pause after ``counted_from`` is added, provided the pause begins before the due
    time reached so far; later pauses are reported (``pause_after_due``) and ignored.
    Raises ValueError on a negative amount, an unknown unit, a fractional calendar-day or month
    amount, or a due date beyond year 9999.
    """
    u = _UNITS.get(unit)
    if u is None:
        raise ValueError(f"unknown unit {unit!r}; use one of {[x.value for x in Unit]}")
    if amount.__class__ is int and u is not _WH:
        if amount < 0:
            raise ValueError("amount must not be negative")
        whole, extra = amount, 0
    else:
        if amount < 0:
            raise ValueError("amount must not be negative")
        if u is _WH:
            whole, extra = 0, round(amount * HOUR)
        elif u is _WD:
            whole = math.floor(amount)
            extra = round((amount - whole) * calendar._std_len)
        else:
            whole, extra = int(amount), 0
            if whole != amount:
                raise ValueError(f"{u.value}: the amount must be a whole number")
    if cutoff is None:
        cut = None
    elif cutoff.__class__ is time and cutoff.tzinfo is None:
        cut = ((cutoff.hour * 60 + cutoff.minute) * 60 + cutoff.second) * US + cutoff.microsecond
    else:
        cut = _tod(cutoff)
    aware = start.tzinfo is not None
    if aware:
        start = start.astimezone(calendar.tz)
    a = (
        start.toordinal() * DAY
        + ((start.hour * 60 + start.minute) * 60 + start.second) * US
        + start.microsecond
    )
    pz = _pauses(calendar, pauses) if pauses else ()
    t = calendar._t
    if t is None or not 0 <= a // DAY - t.lo < t.n:
        t = calendar._tables_for(a // DAY)
    while True:
        try:
            return _compute(calendar, t, start, a, aware, u, whole, extra, cut, pz)
        except _NeedRange as need:  # the due time (or a pause) lies beyond the tables
            calendar._extend(min(need.lo, a // DAY), max(need.hi, a // DAY))
            t = calendar._t


def _pauses(cal: WorkCalendar, pauses) -> list[tuple[int, int, str]]:
    """Pauses as sorted, merged (start µs, end µs, reason); empty pauses dropped."""
    tz = cal.tz
    items = []
    for p in pauses:
        if p.__class__ is Pause:
            s, e, why = p.start, p.end, p.reason
        elif len(p) == 2:
            (s, e), why = p, ""
        else:
            s, e, why = p
        a, b = _us(s, tz), _us(e, tz)
        if b < a:
            raise ValueError("a pause ends before it starts")
        if b > a:
            items.append((a, b, why or ""))
    if len(items) < 2:
        return items
    items.sort()
    merged = [items[0]]
    for item in items[1:]:
        a, b, why = item
        la, lb, lwhy = merged[-1]
        if a <= lb:  # overlapping or touching: one pause
            if why and why not in lwhy.split("; "):
                lwhy = f"{lwhy}; {why}" if lwhy else why
            merged[-1] = (la, b if b > lb else lb, lwhy)
        else:
            merged.append(item)
    return merged


def _compute(cal, t, start, a, aware, u, whole, extra, cut, pauses) -> Deadline:
    """The engine proper, on one snapshot of the tables; raises _NeedRange to get bigger ones."""
    lo, ivs = t.lo, t.ivs
    o, tod = divmod(a, DAY)
    i = o - lo

    # 1. Start rule -> (i0, tod0), the instant the clock starts.
    iv = ivs[i]
    code = None
    i0, tod0 = i, tod
    if not iv:
        code = _R_DAY_OFF
    elif cut is not None and tod > cut:
        code = _R_CUTOFF
    elif tod >= iv[-1][1]:
        code = _R_OUTSIDE
    elif tod < iv[0][0]:
        tod0 = iv[0][0]
        code = _R_BEFORE
    elif len(iv) > 1:
        for s, e in iv:
            if tod < s:  # in a gap between two sessions: the next session's start
                tod0 = s
                code = _R_OUTSIDE
                break
            if tod < e:
                break
    if code is not None and tod0 == tod:  # not moved within the day: the next working day's opening
        k = t.wbefore[i + 1]
        if k >= len(t.wdays):
            raise _NeedRange(lo + t.n, lo + t.n)
        i0 = t.wdays[k]
        tod0 = ivs[i0][0][0]
    a0 = (lo + i0) * DAY + tod0

    # 2. The limit itself -> (j, tj).
    moved_from = moved_to = snap_to = -1
    if u is _WD or u is _WH:
        j, tj = i0, tod0
        if whole:
            k = t.wbefore[i0] + whole
            if k >= len(t.wdays):
                raise _NeedRange(lo + t.n, lo + t.n + 2 * whole)
            j = t.wdays[k]
            jv = ivs[j]
            if jv is not ivs[i0]:  # other sessions that day (same sessions: tod0 is inside them)
                tj = _snap(jv, tod0)
                if tj != tod0:
                    snap_to = (lo + j) * DAY + tj
        if extra:
            j, tj = _at(t, _pos(t, j, tj) + extra, j)
    else:
        if u is _CD:
            target = lo + i0 + whole
        else:
            target = _add_months(date.fromordinal(lo + i0), whole).toordinal()
        jt = target - lo
        if jt >= t.n:
            raise _NeedRange(target, target)
        j = jt if ivs[jt] else _next_open(t, jt)
        tj = ivs[j][-1][1]
        if j != jt:
            moved_from, moved_to = target, (lo + j) * DAY + tj
    due = (lo + j) * DAY + tj

    # 3. Pauses: each adds its office time after the start, if it begins before the due time.
    paused = 0
    events = ()
    if pauses:
        events = []
        wd = _pos(t, j, tj)
        for ps, pe, why in pauses:
            if pe <= a0:
                continue
            cs = ps if ps > a0 else a0
            if cs >= due:
                events.append((ps, pe, why, -1, due))
                continue
            p = _abs_pos(t, pe) - _abs_pos(t, cs)
            if p:
                paused += p
                wd += p
                j, tj = _at(t, wd, j)
                due = (lo + j) * DAY + tj
            events.append((ps, pe, why, p, due))

    story = (cal, u, whole, o, tod, code, cut, a0, due, moved_from, moved_to, snap_to, events)
    tz = cal.tz if aware else None
    y, mo, d = t.ymd[j]
    m, us = divmod(tj, MINUTE)
    h, m = divmod(m, 60)
    sec, us = divmod(us, US)
    due_dt = datetime(y, mo, d, h, m, sec, us, tz)
    if a0 == a:
        counted = start
    else:
        y, mo, d = t.ymd[i0]
        m, us = divmod(tod0, MINUTE)
        h, m = divmod(m, 60)
        sec, us = divmod(us, US)
        counted = datetime(y, mo, d, h, m, sec, us, tz)
    return Deadline(due_dt, counted, timedelta(microseconds=paused) if paused else _ZERO, story)


# --- explanations ----------------------------------------------------------------------------------
def _explain(cal, u, whole, o, tod, code, cut, a0, due, moved_from, moved_to, snap_to, events):
    """The reasons of one computation, rendered from what :func:`_compute` recorded."""
    reasons: list[Reason] = []
    if code is not None:
        reasons.append(_start_reason(cal, code, o, tod, cut, a0))
    if u is _WD or u is _WH or any(e[3] > 0 for e in events):
        ranges = ((o, due // DAY),)
    else:  # calendar days, months: the days skipped by the start rule and those that moved the end
        ranges = ((o, a0 // DAY),) if moved_from < 0 else ((o, a0 // DAY), (moved_from, moved_to // DAY))
    reasons += _special_reasons(cal, ranges)
    if moved_from >= 0:
        reasons.append(
            Reason(
                ReasonCode.MOVED_TO_WORKING_DAY,
                f"Hạn {whole} {'ngày' if u is _CD else 'tháng'} rơi vào"
                f" {_fd(moved_from)} ({_day_label(cal, moved_from)}):"
                f" chuyển sang {_fa(moved_to)} (hết giờ làm việc)",
                date.fromordinal(moved_from),
                date.fromordinal(moved_to // DAY),
            )
        )
    if snap_to >= 0:
        day, tod0 = snap_to // DAY, a0 % DAY
        first = cal._sessions(day)[0][0]
        where = "trước giờ làm việc" if tod0 < first else "ngoài giờ làm việc"
        reasons.append(
            Reason(
                ReasonCode.DUE_TIME_ADJUSTED,
                f"{_ft(tod0)} ngày {_fd(day)} ({_WEEKDAYS_VI[(day - 1) % 7]}) {where}"
                f" của ngày đó: hạn lấy {_ft(snap_to % DAY)}",
                date.fromordinal(day),
                date.fromordinal(day),
            )
        )
    for ps, pe, why, p, due_then in events:
        label = f"Tạm dừng {_fa(ps)} – {_fa(pe)}{f' ({why})' if why else ''}"
        span = (date.fromordinal(ps // DAY), date.fromordinal(pe // DAY))
        if p < 0:
            reasons.append(
                Reason(
                    ReasonCode.PAUSE_AFTER_DUE,
                    f"{label}: bắt đầu sau thời hạn {_fa(due_then)}, không tính",
                    *span,
                )
            )
        else:
            reasons.append(
                Reason(
                    ReasonCode.PAUSE,
                    f"{label}: không tính {_fdur(p)} làm việc, hạn chuyển đến {_fa(due_then)}",
                    *span,
                )
            )
    return tuple(reasons)


def _day_label(cal: WorkCalendar, o: int) -> str:
    """How a day off is named in a reason: its holiday/day-off text, else "Chủ nhật, ngày nghỉ"."""
    code, text = cal._labels.get(o, (None, ""))
    if text and code is not ReasonCode.SWAP_WORKDAY:
        return _off_phrase(text)
    return f"{_WEEKDAYS_VI[(o - 1) % 7]}, ngày nghỉ"


def _start_reason(cal, code, o, tod, cut, a0) -> Reason:
    when = f"{_ft(tod)} {_fd(o)}"
    if code is _R_CUTOFF:
        text = f"Nhận lúc {when}, sau giờ chốt {_ft(cut)}"
    elif code is _R_BEFORE:
        text = f"Nhận lúc {when}, trước giờ làm việc"
    elif code is _R_OUTSIDE:
        text = f"Nhận lúc {when}, ngoài giờ làm việc"
    else:
        text = f"Nhận lúc {when} ({_day_label(cal, o)})"
    return Reason(code, f"{text}: tính từ {_fa(a0)}", date.fromordinal(o), date.fromordinal(a0 // DAY))


def _special_reasons(cal: WorkCalendar, ranges) -> list[Reason]:
    """Reasons for the special dates in the (inclusive) ordinal ranges; consecutive days off with
    the same reason (only non-working days between them) collapse into one range."""
    sp, info = cal._special_ords, cal._special
    seen: set[int] = set()
    groups: list[list] = []  # [first, last, code, text]
    for o_from, o_to in ranges:
        for k in range(bisect_left(sp, o_from), bisect_right(sp, o_to)):
            o = sp[k]
            if o in seen:
                continue
            seen.add(o)
            code, text = info[k]
            g = groups[-1] if groups else None
            if (
                g is not None
                and code is not ReasonCode.SWAP_WORKDAY
                and g[2] is code
                and g[3] == text
                and not any(cal._sessions(x) for x in range(g[1] + 1, o))
            ):
                g[1] = o
            else:
                groups.append([o, o, code, text])
    out = []
    for first, last, code, text in groups:
        span = _fd(first) if first == last else f"{_fd(first)}–{_fd(last)}"
        if code is ReasonCode.SWAP_WORKDAY:
            msg = f"{span} ({_WEEKDAYS_VI[(first - 1) % 7]}): làm việc bù{f' – {text}' if text else ''}"
        else:
            msg = f"{span}: {_off_phrase(text) if text else 'ngày nghỉ'}"
        out.append(Reason(code, msg, date.fromordinal(first), date.fromordinal(last)))
    return out


def working_time_between(*, calendar: WorkCalendar, start: datetime, end: datetime) -> timedelta:
    """Office time from ``start`` to ``end`` (negative when ``end`` is before ``start``). Additive:
    a→b + b→c = a→c; zero across a stretch with no office hours."""
    a, b = calendar._abs(start), calendar._abs(end)
    t = calendar._t
    while True:
        try:
            if t is None:
                raise _NeedRange(a // DAY, b // DAY)
            return timedelta(microseconds=_abs_pos(t, b) - _abs_pos(t, a))
        except _NeedRange:
            calendar._extend(min(a, b) // DAY, max(a, b) // DAY)
            t = calendar._t


def timeliness(*, calendar: WorkCalendar, finished: datetime, due: datetime) -> Timeliness:
    """Verdict of a finish against its due time (after pauses and any re-appointment):
    ``early`` when finished on a date before the due date, ``on_time`` when finished on the due
    date at or before the due time, ``late`` when finished after the due time."""
    f, d = calendar._abs(finished), calendar._abs(due)
    if f > d:
        return Timeliness.LATE
    return Timeliness.EARLY if f // DAY < d // DAY else Timeliness.ON_TIME
