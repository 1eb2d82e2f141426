"""Writes to the working calendar. The city edits it every year (swaps announced by the
government); holidays are seeded from the `holidays` package and never overwrite a manual entry."""

from __future__ import annotations

import re
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import DomainError
from shared_apps.accounts.services import ensure_city_admin as _ensure_city_admin

from .models import (
    CITY_CALENDAR,
    DEFAULT_HOURS,
    CalendarDay,
    CalendarEvent,
    DayKind,
    OfficeHours,
    WorkCalendar,
)


def ensure_city_admin(acting_user):
    _ensure_city_admin(acting_user, message=_("Chỉ quản trị thành phố mới được sửa lịch làm việc."))


SWAP_RE = re.compile(r"thay cho ngày (\d{2}/\d{2}/\d{4})")


def _changed():
    from .selectors import calendar_version

    calendar_version.invalidate_local()
    transaction.on_commit(calendar_version.bump)


def calendar_city_ensure():
    """The city calendar, created with Monday–Friday 07:30–11:30 and 13:30–17:00 on first use (by a
    write or a seeding; reads work on the default hours until then, see selectors.city_calendar)."""
    calendar, created = WorkCalendar.objects.get_or_create(
        code=CITY_CALENDAR, defaults={"name": "Lịch làm việc của thành phố"}
    )
    if created:
        OfficeHours.objects.bulk_create(
            OfficeHours(calendar=calendar, weekday=wd, start=s, end=e)
            for wd in range(5)
            for s, e in DEFAULT_HOURS
        )
        _changed()
    return calendar


def calendar_holidays_seed(*, calendar, years, acting_user):
    """Add Vietnam's public holidays for `years` from the holidays package (lunar Tết, Hùng Kings
    and the observed days included), plus the make-up working days it names. Dates already in the
    calendar (entered or corrected by the city) are left as they are. Returns how many were added."""
    import holidays

    ensure_city_admin(acting_user)
    lib = holidays.country_holidays("VN", years=list(years), language="vi")
    existing = set(CalendarDay.objects.filter(calendar=calendar).values_list("date", flat=True))
    new = []
    for day, name in sorted(lib.items()):
        if day not in existing:
            kind = (
                DayKind.DAY_OFF
                if "nghỉ bù" in name.lower() or name.startswith("Ngày nghỉ")
                else DayKind.HOLIDAY
            )
            new.append(
                CalendarDay(
                    calendar=calendar,
                    date=day,
                    kind=kind,
                    name=name,
                    source=f"holidays {holidays.__version__}",
                )
            )
            existing.add(day)
        match = SWAP_RE.search(name)
        if match:
            swapped = datetime.strptime(match.group(1), "%d/%m/%Y").date()
            if swapped not in existing and swapped.weekday() >= 5:
                new.append(
                    CalendarDay(
                        calendar=calendar,
                        date=swapped,
                        kind=DayKind.WORKING_DAY,
                        name=f"Làm bù cho ngày nghỉ {day:%d/%m/%Y}",
                        source=f"holidays {holidays.__version__}",
                    )
                )
                existing.add(swapped)
    with transaction.atomic():
        CalendarDay.objects.bulk_create(new)
        if new:
            CalendarEvent.objects.create(
                calendar=calendar,
                action="holidays_seeded",
                actor=acting_user,
                new_values={"years": list(years), "added": len(new)},
            )
            _changed()
    return len(new)


def calendar_day_set(*, calendar, date, kind, name, acting_user, source=""):
    """Enter (or correct) a holiday, an extra day off or a make-up working day."""
    ensure_city_admin(acting_user)
    if kind not in DayKind.values:
        raise DomainError(_("Loại ngày không hợp lệ: %(k)s.") % {"k": kind}, field="kind")
    if not (name or "").strip():
        raise DomainError(_("Hãy ghi lý do (ví dụ: Nghỉ Tết Nguyên đán)."), field="name")
    if kind == DayKind.WORKING_DAY and date.weekday() < 5:
        from .selectors import weekday_is_normally_working

        if weekday_is_normally_working(calendar=calendar, weekday=date.weekday()):
            raise DomainError(
                _("%(d)s vốn là ngày làm việc, không cần làm bù.") % {"d": f"{date:%d/%m/%Y}"}, field="date"
            )
    with transaction.atomic():
        day = CalendarDay.objects.select_for_update().filter(calendar=calendar, date=date).first()
        old = {"kind": day.kind, "name": day.name} if day else {}
        if day is None:
            day = CalendarDay(calendar=calendar, date=date)
        day.kind, day.name, day.source = kind, name.strip(), source or "Thành phố nhập"
        day.save()
        CalendarEvent.objects.create(
            calendar=calendar,
            action="day_set",
            actor=acting_user,
            old_values=old,
            new_values={"date": f"{date:%d/%m/%Y}", "kind": kind, "name": day.name},
        )
        _changed()
    return day


def calendar_day_remove(*, calendar, date, acting_user):
    ensure_city_admin(acting_user)
    with transaction.atomic():
        day = CalendarDay.objects.select_for_update().filter(calendar=calendar, date=date).first()
        if day is None:
            raise DomainError(_("Ngày %(d)s không có trong lịch.") % {"d": f"{date:%d/%m/%Y}"})
        CalendarEvent.objects.create(
            calendar=calendar,
            action="day_removed",
            actor=acting_user,
            old_values={"date": f"{date:%d/%m/%Y}", "kind": day.kind, "name": day.name},
        )
        day.delete()
        _changed()


def office_hours_set(*, weekday, intervals, acting_user, calendar=None, agency=None):
    """Replace the office hours of one weekday, for the city calendar or for one agency."""
    if (calendar is None) == (agency is None):
        raise ValueError("give exactly one of calendar, agency")
    if (
        agency is not None
        and acting_user is not None
        and not (acting_user.is_superuser or acting_user.is_city_admin)
    ):
        from shared_apps.accounts.models import Role
        from shared_apps.accounts.services import ensure_member

        ensure_member(user=acting_user, agency=agency, roles=[Role.AGENCY_ADMIN])
    elif calendar is not None:
        ensure_city_admin(acting_user)
    intervals = sorted(intervals)
    for i, (s1, e1) in enumerate(intervals):  # no interval at all: the office is closed that day
        nxt = intervals[i + 1] if i + 1 < len(intervals) else None
        if e1 <= s1:
            raise DomainError(_("Giờ kết thúc phải sau giờ bắt đầu."), field="intervals")
        if nxt is not None and nxt[0] < e1:
            raise DomainError(_("Các khoảng giờ làm việc không được chồng lên nhau."), field="intervals")
    owner = {"calendar": calendar} if calendar is not None else {"agency": agency}
    with transaction.atomic():
        old = [
            (f"{o.start:%H:%M}", f"{o.end:%H:%M}")
            for o in OfficeHours.objects.filter(weekday=weekday, **owner)
        ]
        OfficeHours.objects.filter(weekday=weekday, **owner).delete()
        OfficeHours.objects.bulk_create(
            OfficeHours(weekday=weekday, start=s, end=e, **owner) for s, e in intervals
        )
        cal = calendar or calendar_city_ensure()
        CalendarEvent.objects.create(
            calendar=cal,
            action="office_hours_set",
            actor=acting_user,
            old_values={"weekday": weekday, "intervals": old},
            new_values={
                "weekday": weekday,
                "intervals": [(f"{s:%H:%M}", f"{e:%H:%M}") for s, e in intervals],
                "agency": agency.slug if agency is not None else None,
            },
        )
        _changed()
