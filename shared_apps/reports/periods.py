"""Report periods: whole months, quarters or years (what report II.06a uses), in city local time.

``Period.parse("2026")`` (a year), ``"2026-Q2"`` / ``"Q2/2026"`` (a quarter), ``"03/2026"`` /
``"2026-03"`` (a month). A period is [start, end): ``start`` the first day of its first month, ``end``
the first day of the month after its last one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.utils import timezone


def _add_months(day: date, n: int) -> date:
    m = day.year * 12 + day.month - 1 + n
    return date(m // 12, m % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    kind: str  # "year" | "quarter" | "month"

    @classmethod
    def year(cls, year):
        return cls(date(year, 1, 1), date(year + 1, 1, 1), "year")

    @classmethod
    def quarter(cls, year, q):
        start = date(year, 3 * (q - 1) + 1, 1)
        return cls(start, _add_months(start, 3), "quarter")

    @classmethod
    def month(cls, year, month):
        start = date(year, month, 1)
        return cls(start, _add_months(start, 1), "month")

    @classmethod
    def current_year(cls, *, now=None):
        return cls.year(timezone.localdate(now or timezone.now()).year)

    @classmethod
    def parse(cls, text) -> Period | None:
        text = (text or "").strip().upper()
        try:
            if m := re.fullmatch(r"(\d{4})", text):
                return cls.year(int(m.group(1)))
            if m := re.fullmatch(r"(\d{4})-Q([1-4])", text) or re.fullmatch(r"Q([1-4])/(\d{4})", text):
                a, b = m.groups()
                return cls.quarter(int(a), int(b)) if len(a) == 4 else cls.quarter(int(b), int(a))
            if m := re.fullmatch(r"(\d{1,2})/(\d{4})", text):
                return cls.month(int(m.group(2)), int(m.group(1)))
            if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
                return cls.month(int(m.group(1)), int(m.group(2)))
        except ValueError:
            return None
        return None

    @property
    def code(self) -> str:
        if self.kind == "year":
            return str(self.start.year)
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.month:02d}/{self.start.year}"

    @property
    def label(self) -> str:
        if self.kind == "year":
            return f"Năm {self.start.year}"
        if self.kind == "quarter":
            return f"Quý {(self.start.month - 1) // 3 + 1}/{self.start.year}"
        return f"Tháng {self.start.month:02d}/{self.start.year}"

    def months(self) -> list[date]:
        out, m = [], self.start
        while m < self.end:
            out.append(m)
            m = _add_months(m, 1)
        return out
