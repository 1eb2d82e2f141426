"""Due-time computations per second of the deadline engine, on one core, against a naive baseline.

    cd /work/main && .venv/bin/python -m bench.deadlines [--n 100000] [--runs 5] [--naive-n 10000]
                                                         [--seed 1] [--cpu N | --no-pin]
    cd /work/main && .venv/bin/python -m bench.deadlines --quick   # 2,000 jobs, 1 run (tests/bench)

Calendar: Monday–Friday 07:30–11:30 and 13:30–17:00; Vietnam's public holidays 2025–2030 from the
`holidays` package (Vietnamese names; lunar Tết and Hùng Kings included, observed days as extra days
off and the Saturdays they name as make-up working days), plus the city's Tết 2026 announcement
(14–22/02/2026 off). Without the package a short hard-coded list (2025–2026) is used; the source is
printed.

Workload (generated before timing, same seed every run): receipts over 2025–2030, 70 % during office
hours and 30 % at any minute (online submissions); limits 60 % working days (1–30, a tenth of them
with a half day), 25 % working hours (1–80 h), 10 % calendar days (5–60), 5 % months (1–6); 50 %
with the 15:00 cut-off; 20 % with one or two pauses (supplement, financial obligation).

Measured in one process pinned to one CPU: --runs rounds of --n computations; the median rate per
CPU-second of the thread (robust on a shared machine) and per wall-second are reported, for
  engine            deadline_compute(...) (reasons not rendered: they are rendered on access)
  engine+reasons    the same plus .reasons (Vietnamese explanations rendered)
  naive             a straightforward day-by-day implementation of the same rules with datetime
                    arithmetic (below), on the first --naive-n jobs
and the same engine/naive pair on --n/5 (naive: --naive-n/10) jobs with long limits (months rather
than days), where the naive cost grows with the length of the limit and the engine's does not.
The naive results must equal the engine's on every job it runs (a cross-check of the rules).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import re
import statistics
import sys
import time as clock
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402
from shared_apps.calendar.deadlines import (  # noqa: E402
    DayOff,
    Holiday,
    SwapWorkday,
    Unit,
    WorkCalendar,
    deadline_compute,
    office_week,
)

YEARS = range(2025, 2031)
SESSIONS = [(time(7, 30), time(11, 30)), (time(13, 30), time(17, 0))]
SWAP_RE = re.compile(r"thay cho ngày (\d{2}/\d{2}/\d{4})")
FALLBACK_HOLIDAYS = [  # used only without the holidays package
    (date(2025, 1, 1), "Tết Dương lịch"),
    *[(date(2025, 1, d), "Tết Nguyên đán") for d in range(27, 32)],
    (date(2025, 4, 7), "Giỗ Tổ Hùng Vương"),
    (date(2025, 4, 30), "Ngày Chiến thắng"),
    (date(2025, 5, 1), "Ngày Quốc tế Lao động"),
    (date(2025, 9, 1), "Quốc khánh"),
    (date(2025, 9, 2), "Quốc khánh"),
    (date(2026, 1, 1), "Tết Dương lịch"),
    *[(date(2026, 2, d), "Tết Nguyên đán") for d in range(16, 21)],
    (date(2026, 4, 27), "Giỗ Tổ Hùng Vương"),
    (date(2026, 4, 30), "Ngày Chiến thắng"),
    (date(2026, 5, 1), "Ngày Quốc tế Lao động"),
    (date(2026, 9, 1), "Quốc khánh"),
    (date(2026, 9, 2), "Quốc khánh"),
]


# --- calendar ------------------------------------------------------------------------------------
def city_calendar():
    """(WorkCalendar, description of where the holidays came from)."""
    holidays, days_off, swaps = [], [], []
    try:
        import holidays as lib
    except ImportError:
        lib = None
    if lib is not None:
        entries = sorted(lib.country_holidays("VN", years=list(YEARS), language="vi").items())
        source = f"holidays {lib.__version__}: {len(entries)} dates"
        for day, name in entries:
            if "nghỉ bù" in name.lower() or name.startswith("Ngày nghỉ"):
                days_off.append(DayOff(day, name))
            else:
                holidays.append(Holiday(day, name))
            m = SWAP_RE.search(name)
            if m:
                worked = datetime.strptime(m.group(1), "%d/%m/%Y").date()
                if worked.weekday() >= 5:
                    swaps.append(SwapWorkday(worked, f"Làm bù cho ngày nghỉ {day:%d/%m/%Y}"))
        tet = [n for d, n in entries if "Nguyên Đán" in n or "Nguyên đán" in n]
        hung = [n for d, n in entries if "Hùng Vương" in n]
        source += f" (lunar Tết days: {len(tet)}, Hùng Kings days: {len(hung)})"
    else:
        holidays = [Holiday(d, n) for d, n in FALLBACK_HOLIDAYS]
        source = f"hard-coded fallback: {len(holidays)} dates (2025–2026)"
    taken = {h.day for h in holidays} | {d.day for d in days_off}
    days_off += [
        DayOff(date(2026, 2, d), "Tết Nguyên đán (thông báo của Chính phủ)")
        for d in range(14, 23)
        if date(2026, 2, d) not in taken
    ]
    cal = WorkCalendar(
        weekly_hours=office_week(weekdays=SESSIONS), holidays=holidays, days_off=days_off, swap_workdays=swaps
    )
    return cal, f"{source}; {len(swaps)} make-up Saturdays; Tết 2026 14–22/02 off"


# --- workload ------------------------------------------------------------------------------------
def workload(n, seed, long=False):
    """The jobs: (start, amount, unit, cutoff, pauses). ``long``: limits of months rather than days
    (working days 60–250, hours 100–1000, calendar days 90–365, months 6–24)."""
    rnd = random.Random(seed)
    first, days = date(2025, 1, 1), (date(2030, 12, 31) - date(2025, 1, 1)).days
    jobs = []
    for _ in range(n):
        day = first + timedelta(days=rnd.randrange(days))
        if rnd.random() < 0.7:
            s, e = rnd.choice(SESSIONS)
            minute = rnd.randrange(s.hour * 60 + s.minute, e.hour * 60 + e.minute)
        else:
            minute = rnd.randrange(24 * 60)
        start = datetime(day.year, day.month, day.day, minute // 60, minute % 60, rnd.randrange(60))
        r = rnd.random()
        if r < 0.60:
            amount = rnd.randint(60, 250) if long else rnd.randint(1, 30)
            amount, unit = amount + (0.5 if rnd.random() < 0.1 else 0), Unit.WORKING_DAYS
        elif r < 0.85:
            amount, unit = rnd.randint(100, 1000) if long else rnd.randint(1, 80), Unit.WORKING_HOURS
        elif r < 0.95:
            amount, unit = rnd.randint(90, 365) if long else rnd.randint(5, 60), Unit.CALENDAR_DAYS
        else:
            amount, unit = rnd.randint(6, 24) if long else rnd.randint(1, 6), Unit.MONTHS
        cutoff = time(15) if rnd.random() < 0.5 else None
        pauses = ()
        if rnd.random() < 0.2:
            pauses = []
            at = start
            for _ in range(rnd.randint(1, 2)):
                at += timedelta(minutes=rnd.randrange(60, 60 * 24 * 10))
                length = timedelta(minutes=rnd.randrange(30, 60 * 24 * 7))
                pauses.append((at, at + length))
                at += length
        jobs.append((start, amount, unit, cutoff, pauses))
    return jobs


# --- naive baseline: the same rules, day by day, with datetime arithmetic --------------------------
class Naive:
    """What one writes first: sessions looked up per day, loops over days and sessions."""

    def __init__(self, cal: WorkCalendar):
        self.weekly = {wd: list(cal.weekly_hours[wd]) for wd in range(7)}
        self.off = {h.day for h in cal.holidays} | {d.day for d in cal.days_off}
        self.swaps = {s.day: list(s.hours or cal.standard_hours) for s in cal.swap_workdays}
        self.std = timedelta()
        for s, e in cal.standard_hours:
            self.std += datetime.combine(date.min, e) - datetime.combine(date.min, s)

    def sessions(self, d):
        if d in self.swaps:
            return self.swaps[d]
        if d in self.off:
            return []
        return self.weekly[d.weekday()]

    def next_opening(self, d):
        d += timedelta(days=1)
        while not self.sessions(d):
            d += timedelta(days=1)
        return datetime.combine(d, self.sessions(d)[0][0])

    def start(self, dt, cutoff):
        ss = self.sessions(dt.date())
        if ss and not (cutoff is not None and dt.time() > cutoff):
            for s, e in ss:
                if dt.time() < s:
                    return datetime.combine(dt.date(), s)
                if dt.time() < e:
                    return dt
        return self.next_opening(dt.date())

    def add_office(self, dt, td):
        """The earliest instant at which td of office time has passed since dt."""
        if not td:
            return dt
        d = dt.date()
        while True:
            for s, e in self.sessions(d):
                a, b = max(datetime.combine(d, s), dt), datetime.combine(d, e)
                if b <= a:
                    continue
                if td <= b - a:
                    return a + td
                td -= b - a
            d += timedelta(days=1)
            dt = datetime.combine(d, time(0))

    def office_between(self, a, b):
        total, d = timedelta(), a.date()
        while d <= b.date():
            for s, e in self.sessions(d):
                lo, hi = max(datetime.combine(d, s), a), min(datetime.combine(d, e), b)
                if hi > lo:
                    total += hi - lo
            d += timedelta(days=1)
        return total

    def due(self, start, amount, unit, cutoff, pauses):
        t0 = self.start(start, cutoff)
        if unit is Unit.WORKING_HOURS:
            due = self.add_office(t0, timedelta(microseconds=round(amount * 3_600_000_000)))
        elif unit is Unit.WORKING_DAYS:
            whole = int(amount)
            d, left = t0.date(), whole
            while left:
                d += timedelta(days=1)
                if self.sessions(d):
                    left -= 1
            t = t0.time()
            ss = self.sessions(d)
            if t < ss[0][0]:
                t = ss[0][0]
            else:
                t = max(min(t, e) for s, e in ss if s <= t)
            due = datetime.combine(d, t)
            if amount != whole:
                due = self.add_office(
                    due,
                    timedelta(microseconds=round((amount - whole) * self.std / timedelta(microseconds=1))),
                )
        else:
            if unit is Unit.CALENDAR_DAYS:
                d = t0.date() + timedelta(days=amount)
            else:
                m = t0.month - 1 + amount
                y, m = t0.year + m // 12, m % 12 + 1
                last = (date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)).day
                d = date(y, m, min(t0.day, last))
            while not self.sessions(d):
                d += timedelta(days=1)
            due = datetime.combine(d, self.sessions(d)[-1][1])
        merged = []
        for a, b in sorted(p for p in pauses if p[1] > p[0]):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        for a, b in merged:
            if b <= t0:
                continue
            a = max(a, t0)
            if a >= due:
                continue
            due = self.add_office(due, self.office_between(a, b))
        return due


# --- timing --------------------------------------------------------------------------------------
def _timed(fn):
    """(wall seconds, CPU seconds of this thread) of fn(). CPU time is what one core spent on it: it
    does not count the time the process waited while other processes had the core."""
    gc.collect()
    wall, cpu = clock.perf_counter(), clock.thread_time()
    fn()
    return clock.perf_counter() - wall, clock.thread_time() - cpu


def time_engine(cal, jobs, reasons=False):
    compute = deadline_compute

    def plain():
        for start, amount, unit, cutoff, pauses in jobs:
            compute(calendar=cal, start=start, amount=amount, unit=unit, cutoff=cutoff, pauses=pauses)

    def explained():
        for start, amount, unit, cutoff, pauses in jobs:
            _ = compute(
                calendar=cal, start=start, amount=amount, unit=unit, cutoff=cutoff, pauses=pauses
            ).reasons

    return _timed(explained if reasons else plain)


def time_naive(naive, jobs):
    def run():
        for job in jobs:
            naive.due(*job)

    return _timed(run)


def pin(cpu):
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity)"
    allowed = sorted(os.sched_getaffinity(0))
    cpu = allowed[-1] if cpu is None else cpu
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=100_000, help="computations per run")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--naive-n", type=int, default=10_000, help="jobs for the naive baseline per run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cpu", type=int, default=None, help="CPU to pin to (default: the last allowed)")
    parser.add_argument("--no-pin", action="store_true")
    common.add_quick_argument(parser)  # no database here: only the scale
    args = parser.parse_args()
    if args.quick:
        args.n, args.runs, args.naive_n = 2000, 1, 200

    pinned = "not pinned" if args.no_pin else pin(args.cpu)
    cal, source = city_calendar()
    jobs = workload(args.n, args.seed)
    naive = Naive(cal)
    naive_jobs = jobs[: args.naive_n]
    long_jobs = workload(args.n // 5, args.seed + 1, long=True)
    long_naive_jobs = long_jobs[: max(1, args.naive_n // 10)]

    # Cross-check (not timed): the naive implementation must agree with the engine on every job.
    mismatches = []
    for job in naive_jobs + long_naive_jobs:
        got = deadline_compute(
            calendar=cal, start=job[0], amount=job[1], unit=job[2], cutoff=job[3], pauses=job[4]
        ).due
        want = naive.due(*job)
        if got != want:
            mismatches.append((job, got, want))
    time_engine(cal, jobs[:2000])  # warm-up: the tables are built on first use

    wall = {
        "engine": [],
        "engine+reasons": [],
        "naive": [],
        "engine, long limits": [],
        "naive, long limits": [],
    }
    cpu = {k: [] for k in wall}
    for _ in range(args.runs):
        for name, (w, c), count in (
            ("engine", time_engine(cal, jobs), len(jobs)),
            ("engine+reasons", time_engine(cal, jobs, reasons=True), len(jobs)),
            ("naive", time_naive(naive, naive_jobs), len(naive_jobs)),
            ("engine, long limits", time_engine(cal, long_jobs), len(long_jobs)),
            ("naive, long limits", time_naive(naive, long_naive_jobs), len(long_naive_jobs)),
        ):
            wall[name].append(count / w)
            cpu[name].append(count / c)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print("# Deadline engine: due-time computations per second (one process, one core)\n")
    print(
        f"machine: nproc={os.cpu_count()}, CPU={common._cpu_model()}, Python {platform.python_version()}, "
        f"{pinned}, loadavg(1m)={load:.2f}"
    )
    print(f"calendar: {source}")
    mix = Counter(j[2].value for j in jobs)
    print(
        f"workload: {len(jobs)} jobs, seed {args.seed}: "
        + ", ".join(f"{k} {v}" for k, v in sorted(mix.items()))
        + f"; with pauses {sum(bool(j[4]) for j in jobs)}; with cut-off {sum(j[3] is not None for j in jobs)}"
    )
    checked = len(naive_jobs) + len(long_naive_jobs)
    print(
        f"long limits: {len(long_jobs)} jobs, seed {args.seed + 1} (working days 60–250, hours 100–1000,"
        " calendar days 90–365, months 6–24)"
    )
    print(f"cross-check: naive == engine on {checked - len(mismatches)}/{checked} jobs\n")
    rows = []
    for name in wall:
        base = statistics.median(cpu["naive, long limits" if "long" in name else "naive"])
        med = statistics.median(cpu[name])
        rows.append(
            [
                name,
                f"{med:,.0f}",
                f"{min(cpu[name]):,.0f}–{max(cpu[name]):,.0f}",
                f"{1e6 / med:.1f}",
                f"{statistics.median(wall[name]):,.0f}",
                f"{med / base:.1f}x",
            ]
        )
    print(
        common.md_table(
            [
                "implementation",
                "per CPU-second (median)",
                "min–max",
                "µs CPU each",
                "per wall-second (median)",
                "vs naive",
            ],
            rows,
        )
    )
    target = 50_000
    got = statistics.median(cpu["engine"])
    print(
        f"\nengine: {got:,.0f} computations per CPU-second, median of {args.runs} runs of {len(jobs):,}: "
        f"{'meets' if got >= target else 'MISSES'} the target of {target:,}/s on one core."
    )
    print("\n## Target")
    print(
        common.md_table(
            ["target", "measured", "verdict"],
            [
                [
                    f"≥ {target:,} computations per CPU-second on one core",
                    f"{got:,.0f}/s",
                    "met" if got >= target else "MISSED",
                ],
                [
                    "naive == engine on every cross-checked job",
                    f"{checked - len(mismatches)}/{checked}",
                    "met" if not mismatches else "MISSED",
                ],
            ],
        )
    )
    print("(Per wall-second figures also count the time other processes held the core; see loadavg.)")
    if mismatches:
        print(f"\n{len(mismatches)} MISMATCHES, first ones:")
        for job, got, want in mismatches[:5]:
            print(f"  {job}: engine {got}, naive {want}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
