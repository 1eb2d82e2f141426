"""Properties of the deadline engine over random calendars, starts and durations (Hypothesis).

Calendars: random Monday–Friday sessions (one of a few real patterns, or 1–3 random sessions on a
5-minute grid), optionally a Saturday morning, random holidays / extra days off around 2026 and
random make-up Saturdays/Sundays, some with hours of their own. Starts: any microsecond in
2025-12-01 … 2027-01-31 (so year ends and the dense holiday zone are crossed)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from fractions import Fraction

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from shared_apps.calendar.deadlines import (
    DayOff,
    Holiday,
    SwapWorkday,
    Unit,
    WorkCalendar,
    deadline_compute,
    working_time_between,
)

# No example database: nothing is written into the work tree; a failure prints its example.
PROPS = settings(max_examples=200, deadline=None, database=None)
FEW = settings(max_examples=100, deadline=None, database=None)

REAL_PATTERNS = [
    [("07:30", "11:30"), ("13:30", "17:00")],  # Hải Phòng's split day
    [("08:00", "12:00"), ("13:00", "17:00")],
    [("07:00", "11:30"), ("13:00", "16:30")],
    [("08:00", "16:00")],
]
DAYS = (date(2025, 11, 1), date(2027, 3, 31))
STARTS = st.datetimes(min_value=datetime(2025, 12, 1), max_value=datetime(2027, 1, 31, 23, 59))
CUTOFFS = st.none() | st.sampled_from([time(15), time(11, 0), time(16, 30)])


def _t(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


@st.composite
def random_sessions(draw, max_sessions=3):
    """1–3 non-overlapping sessions on a 5-minute grid between 06:00 and 20:00."""
    n = draw(st.integers(1, max_sessions))
    cuts = sorted(draw(st.sets(st.integers(72, 240), min_size=2 * n, max_size=2 * n)))
    return [(_t(cuts[2 * k] * 5), _t(cuts[2 * k + 1] * 5)) for k in range(n)]


NAMES = ["Tết Dương lịch", "Tết Nguyên đán", "Quốc khánh"]
SPAN = (DAYS[1] - DAYS[0]).days


@st.composite
def calendars(draw, uniform=False):
    """A random WorkCalendar. ``uniform``: every working day has the same sessions (no Saturday
    morning, make-up days use the standard hours). Dates are drawn as day offsets (cheap draws):
    up to 25 days off (holidays or extra days off, names by offset) and up to 6 make-up days."""
    weekday = draw(st.sampled_from(REAL_PATTERNS) | random_sessions())
    week = {wd: weekday for wd in range(5)}
    if not uniform and draw(st.booleans()):
        week[5] = draw(st.sampled_from([[("07:30", "11:30")], [("08:00", "11:00")]]) | random_sessions(1))
    off = draw(st.sets(st.integers(0, SPAN), max_size=25))
    holidays = [Holiday(DAYS[0] + timedelta(days=k), NAMES[k % 3]) for k in sorted(off) if k % 4]
    days_off = [DayOff(DAYS[0] + timedelta(days=k), "nghỉ bù") for k in sorted(off) if not k % 4]
    swaps = []
    for k in sorted(draw(st.sets(st.integers(0, SPAN), max_size=6)) - off):
        d = DAYS[0] + timedelta(days=k)
        if d.weekday() < 5:
            continue
        hours = None if uniform else draw(st.none() | random_sessions(2))
        swaps.append(SwapWorkday(d, "làm bù", hours))
    return WorkCalendar(weekly_hours=week, holidays=holidays, days_off=days_off, swap_workdays=swaps)


def within(cal, dt, *, closed=True):
    """True when ``dt`` lies in a session [s, e] (closed) or [s, e) of its day."""
    t = dt.time()
    return any(s <= t <= e if closed else s <= t < e for s, e in cal.office_hours(dt.date()))


def compute(cal, start, amount, unit, **kw):
    return deadline_compute(calendar=cal, start=start, amount=amount, unit=unit, **kw)


def hours(amount) -> timedelta:
    return timedelta(microseconds=int(amount * 3600 * 10**6))


def wtb(cal, a, b):
    return working_time_between(calendar=cal, start=a, end=b)


def inside_start(cal, start):
    """A start already inside office hours: the counted-from instant of a random receipt."""
    return compute(cal, start, 0, Unit.WORKING_HOURS).counted_from


hours_amounts = st.integers(0, 60 * 120).map(lambda m: Fraction(m, 60))  # 0 … 120 h, whole minutes
day_amounts = st.integers(0, 45)
any_limit = st.one_of(
    st.tuples(day_amounts, st.just(Unit.WORKING_DAYS)),
    st.tuples(st.integers(0, 90).map(lambda h: Fraction(h, 4)), st.just(Unit.WORKING_DAYS)),  # quarter days
    st.tuples(hours_amounts, st.just(Unit.WORKING_HOURS)),
    st.tuples(st.integers(0, 60), st.just(Unit.CALENDAR_DAYS)),
    st.tuples(st.integers(0, 14), st.just(Unit.MONTHS)),
)


# --- where results fall ----------------------------------------------------------------------------
@PROPS
@given(cal=calendars(), start=STARTS, limit=any_limit, cutoff=CUTOFFS)
def test_due_is_inside_office_hours(cal, start, limit, cutoff):
    """The clock starts inside a session [s, e); the due time is inside a session [s, e] (its end
    included: "due at 11:30" rather than "13:30"); office-time results that consumed time are never
    at a session's start."""
    amount, unit = limit
    r = compute(cal, start, amount, unit, cutoff=cutoff)
    assert within(cal, r.counted_from, closed=False)
    assert r.counted_from >= start
    assert within(cal, r.due)
    assert r.due >= r.counted_from
    if unit is Unit.WORKING_HOURS and amount > 0:
        assert any(s < r.due.time() <= e for s, e in cal.office_hours(r.due.date()))
    assert all(reason.text and reason.code for reason in r.reasons)  # every explanation renders


@PROPS
@given(cal=calendars(), start=STARTS, amount=hours_amounts)
def test_hours_consume_exactly_the_amount(cal, start, amount):
    r = compute(cal, start, amount, Unit.WORKING_HOURS)
    assert wtb(cal, r.counted_from, r.due) == hours(amount)
    # ... and the due time is the earliest such instant: a moment earlier, less has elapsed.
    if amount:
        assert wtb(cal, r.counted_from, r.due - timedelta(microseconds=1)) < hours(amount)


@PROPS
@given(cal=calendars(uniform=True), start=STARTS, n=day_amounts)
def test_days_on_a_uniform_calendar_are_whole_office_days(cal, start, n):
    """Same sessions every working day: N working days = N standard office days, same time of day."""
    r = compute(cal, start, n, Unit.WORKING_DAYS)
    assert r.due.time() == r.counted_from.time()
    assert wtb(cal, r.counted_from, r.due) == n * cal.standard_day
    assert (
        sum(
            cal.is_working_day(r.counted_from.date() + timedelta(days=k))
            for k in range(1, (r.due.date() - r.counted_from.date()).days + 1)
        )
        == n
    )


# --- additivity ------------------------------------------------------------------------------------
@PROPS
@given(cal=calendars(), start=STARTS, h1=hours_amounts, h2=hours_amounts)
def test_hours_are_additive(cal, start, h1, h2):
    """From a start inside office hours and with no cut-off: +h1 then +h2 == +(h1+h2) for h2 > 0.
    With h2 == 0 the chained result is the restart's counted-from instant: an intermediate due at a
    session's end restarts at the next opening, which is the same office time (W) but not the
    same instant, so only the working time between them (zero) is asserted then."""
    s = inside_start(cal, start)
    mid = compute(cal, s, h1, Unit.WORKING_HOURS).due
    chained = compute(cal, mid, h2, Unit.WORKING_HOURS).due
    direct = compute(cal, s, h1 + h2, Unit.WORKING_HOURS).due
    assert wtb(cal, direct, chained) == timedelta(0)
    if h2:
        assert chained == direct


@PROPS
@given(cal=calendars(uniform=True), start=STARTS, d1=day_amounts, d2=day_amounts)
def test_days_are_additive_on_a_uniform_calendar(cal, start, d1, d2):
    s = inside_start(cal, start)
    mid = compute(cal, s, d1, Unit.WORKING_DAYS).due
    assert compute(cal, mid, d2, Unit.WORKING_DAYS).due == compute(cal, s, d1 + d2, Unit.WORKING_DAYS).due


@PROPS
@given(cal=calendars(), start=STARTS, d1=day_amounts, d2=day_amounts)
def test_days_are_additive_when_the_intermediate_keeps_the_time(cal, start, d1, d2):
    """With mixed sessions (Saturday mornings, make-up days with own hours) the intermediate due
    may be snapped into a shorter day; when it is not, chaining equals the sum."""
    s = inside_start(cal, start)
    mid = compute(cal, s, d1, Unit.WORKING_DAYS).due
    assume(mid.time() == s.time())
    assert compute(cal, mid, d2, Unit.WORKING_DAYS).due == compute(cal, s, d1 + d2, Unit.WORKING_DAYS).due


# --- pauses ----------------------------------------------------------------------------------------
@PROPS
@given(
    cal=calendars(),
    start=STARTS,
    limit=any_limit,
    cutoff=CUTOFFS,
    offset=st.floats(0, 1, exclude_max=True),
    length=st.integers(1, 30 * 24 * 60),
)
def test_a_pause_shifts_the_due_time_by_its_office_time(cal, start, limit, cutoff, offset, length):
    """A pause that begins in [counted_from, due) moves the due time by exactly the office time
    inside it: working_time_between(old due, new due) == working_time_between(pause)."""
    amount, unit = limit
    base = compute(cal, start, amount, unit, cutoff=cutoff)
    assume(base.due > base.counted_from)
    span = (base.due - base.counted_from).total_seconds()
    p_start = base.counted_from + timedelta(seconds=int(span * offset))
    assume(p_start < base.due)
    p_end = p_start + timedelta(minutes=length)
    r = compute(cal, start, amount, unit, cutoff=cutoff, pauses=[(p_start, p_end)])
    inside = wtb(cal, p_start, p_end)
    assert r.paused == inside
    assert wtb(cal, base.due, r.due) == inside
    assert r.due >= base.due
    assert [x.code for x in r.reasons if x.code in ("pause", "pause_after_due")] == ["pause"]


@FEW
@given(cal=calendars(), start=STARTS, amount=hours_amounts, later=st.integers(0, 60 * 24 * 20))
def test_a_pause_after_the_due_time_changes_nothing(cal, start, amount, later):
    base = compute(cal, start, amount, Unit.WORKING_HOURS)
    p_start = base.due + timedelta(minutes=later)
    r = compute(cal, start, amount, Unit.WORKING_HOURS, pauses=[(p_start, p_start + timedelta(days=3))])
    assert r.due == base.due and r.paused == timedelta(0)


# --- working time ----------------------------------------------------------------------------------
@PROPS
@given(cal=calendars(), a=STARTS, b=STARTS, c=STARTS)
def test_working_time_is_additive(cal, a, b, c):
    assert wtb(cal, a, b) + wtb(cal, b, c) == wtb(cal, a, c)
    assert wtb(cal, a, b) == -wtb(cal, b, a)
    assert wtb(cal, a, a) == timedelta(0)


@PROPS
@given(cal=calendars(), start=STARTS, frac=st.floats(0, 1))
def test_working_time_is_zero_outside_office_hours(cal, start, frac):
    """Between a receipt outside office hours and the next opening, no office time passes."""
    nxt = compute(cal, start, 0, Unit.WORKING_HOURS).counted_from
    assume(nxt != start)
    mid = start + (nxt - start) * frac
    assert wtb(cal, start, nxt) == timedelta(0)
    assert wtb(cal, start, mid) == timedelta(0) == wtb(cal, mid, nxt)


# --- monotonicity ----------------------------------------------------------------------------------
@PROPS
@given(cal=calendars(), s1=STARTS, s2=STARTS, limit=any_limit, cutoff=CUTOFFS)
def test_a_later_start_never_gives_an_earlier_due(cal, s1, s2, limit, cutoff):
    amount, unit = limit
    s1, s2 = min(s1, s2), max(s1, s2)
    r1, r2 = compute(cal, s1, amount, unit, cutoff=cutoff), compute(cal, s2, amount, unit, cutoff=cutoff)
    assert r1.counted_from <= r2.counted_from
    assert r1.due <= r2.due


@FEW
@given(cal=calendars(), start=STARTS, a1=hours_amounts, a2=hours_amounts)
def test_a_longer_limit_never_gives_an_earlier_due(cal, start, a1, a2):
    a1, a2 = min(a1, a2), max(a1, a2)
    assert compute(cal, start, a1, Unit.WORKING_HOURS).due <= compute(cal, start, a2, Unit.WORKING_HOURS).due


# --- against a slow, obvious implementation --------------------------------------------------------
def _reference_days(cal, start, n):
    """Walk day by day from the counted-from instant; snap the time into the due day's sessions."""
    s = compute(cal, start, 0, Unit.WORKING_DAYS).counted_from
    day, left = s.date(), n
    while left:
        day += timedelta(days=1)
        left -= cal.is_working_day(day)
    sessions = cal.office_hours(day)
    t = s.time()
    if t < sessions[0][0]:
        t = sessions[0][0]
    else:
        t = max((min(t, e) for s_, e in sessions if s_ <= t), default=sessions[0][0])
    return datetime.combine(day, t)


def _reference_hours(cal, start, minutes):
    s = compute(cal, start, 0, Unit.WORKING_HOURS).counted_from
    left = timedelta(minutes=minutes)
    day, clock = s.date(), s
    while True:
        for a, b in cal.office_hours(day):
            a, b = max(datetime.combine(day, a), clock), datetime.combine(day, b)
            if b <= a:
                continue
            if left <= b - a:
                return a + left
            left -= b - a
        day += timedelta(days=1)
        clock = datetime.combine(day, time(0))


@PROPS
@given(cal=calendars(), start=STARTS, n=day_amounts)
def test_working_days_match_a_day_by_day_walk(cal, start, n):
    assert compute(cal, start, n, Unit.WORKING_DAYS).due == _reference_days(cal, start, n)


@PROPS
@given(cal=calendars(), start=STARTS, minutes=st.integers(0, 60 * 120))
def test_working_hours_match_a_session_walk(cal, start, minutes):
    expected = _reference_hours(cal, start, minutes)
    assert compute(cal, start, Fraction(minutes, 60), Unit.WORKING_HOURS).due == expected
