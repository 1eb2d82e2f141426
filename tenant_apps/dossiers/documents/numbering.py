"""Book and entry numbers of the logbook (Sổ theo dõi hồ sơ, form 07), printed on the receipt (form 01).

One book per agency and calendar year ("01/2025"); its entries are numbered 1, 2, 3... in the order the
agency issued its codes that year. Nothing new is stored: a code is <agency code>-<yymmdd>-<n>, the
n-th code of its day, from the gap-free day counter (dossiers_codecounter) whose past days never change.
So a dossier's entry = the codes issued on the earlier days of its year + n — gap-free, never reused,
the same on every print. A dossier holding another agency's code (received on its behalf, or carried in
by a merger) is in that agency's book, not in this one's: no number here."""

from __future__ import annotations

from bisect import bisect_left
from datetime import date

from django.db import connection

BOOK = "01/{year}"


def code_day_and_seq(code, *, national_code):
    """(day, n) of a code this agency issued, else None."""
    prefix = f"{national_code}-"
    if not code or not code.startswith(prefix):
        return None
    try:
        day, seq = code[len(prefix) :].split("-")
        return date(2000 + int(day[:2]), int(day[2:4]), int(day[4:6])), int(seq)
    except ValueError:
        return None


def logbook_numbers(*, agency, codes) -> dict:
    """code -> (book, entry) for the codes of `agency` among `codes` (run on the agency's schema).
    One query whatever the number of codes; none when no code is the agency's."""
    parsed = {c: p for c in codes if (p := code_day_and_seq(c, national_code=agency.national_code))}
    if not parsed:
        return {}
    days = [d for d, _n in parsed.values()]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT day, last FROM dossiers_codecounter WHERE day >= %s AND day < %s ORDER BY day",
            [date(min(days).year, 1, 1), max(days)],
        )
        counters = cur.fetchall()
    # codes issued since the 1st of January up to and including each counter day
    starts, through, running, year = [], [], 0, None
    for day, last in counters:
        if day.year != year:
            running, year = 0, day.year
        running += last
        starts.append(day)
        through.append(running)
    out = {}
    for code, (day, seq) in parsed.items():
        i = bisect_left(starts, day)  # starts[:i]: the counter days before `day`
        before = through[i - 1] if i and starts[i - 1].year == day.year else 0
        out[code] = (BOOK.format(year=day.year), before + seq)
    return out
