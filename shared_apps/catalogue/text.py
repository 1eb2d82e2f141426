"""How a time limit reads, in the reader's language: "3 ngày làm việc" / "3 working days", "1 working
day", "Trong ngày" for 0. One plural-aware message per unit (Vietnamese has no plural; English has)."""

from decimal import Decimal

from django.utils.translation import gettext, ngettext

UNITS = {
    "working_hours": lambda n, c: ngettext("%(n)s giờ làm việc", "%(n)s giờ làm việc", c) % {"n": n},
    "working_days": lambda n, c: ngettext("%(n)s ngày làm việc", "%(n)s ngày làm việc", c) % {"n": n},
    "calendar_days": lambda n, c: ngettext("%(n)s ngày", "%(n)s ngày", c) % {"n": n},
    "months": lambda n, c: ngettext("%(n)s tháng", "%(n)s tháng", c) % {"n": n},
}


def time_limit_text(limit, unit) -> str:
    """`limit` (a number) in `unit` (catalogue.TimeUnit value); "" when there is no limit."""
    if limit in (None, ""):
        return ""
    limit = Decimal(str(limit))
    if limit == 0:
        return gettext("Trong ngày")
    number = format(limit.normalize(), "f")
    count = 1 if limit == 1 else 2  # a fraction reads plural in English ("0.5 working days")
    render = UNITS.get(unit)
    return render(number, count) if render else f"{number} {unit}"
