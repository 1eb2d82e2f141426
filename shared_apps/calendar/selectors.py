"""Reads of the working calendar, and the bridge to the pure deadline engine: a process-local
engine calendar per agency, rebuilt when the calendar's shared version moves. Reads never write:
before the city calendar exists (services.calendar_city_ensure creates it on the first write or
seeding), they answer with its default office hours and no special days."""

from __future__ import annotations

import threading
from collections import defaultdict

from config.versioned import SharedVersion

from . import deadlines
from .models import CITY_CALENDAR, DEFAULT_HOURS, CalendarDay, DayKind, OfficeHours, WorkCalendar

calendar_version = SharedVersion("calendar:version", check_seconds=1.0)
_lock = threading.Lock()
_snapshots: dict = {}


def city_calendar() -> WorkCalendar | None:
    """The city's calendar, or None before anyone wrote or seeded it."""
    return WorkCalendar.objects.filter(code=CITY_CALENDAR).first()


def weekday_is_normally_working(*, calendar, weekday):
    return OfficeHours.objects.filter(calendar=calendar, weekday=weekday).exists()


def calendar_days(*, calendar, year=None):
    if calendar is None:  # the city calendar not created yet: no special day
        return []
    qs = CalendarDay.objects.filter(calendar=calendar)
    if year:
        qs = qs.filter(date__year=year)
    return list(qs.order_by("date"))


def office_hours_by_weekday(*, calendar=None, agency=None):
    """{weekday: [(start, end), ...]} of a calendar or of an agency's own hours; with neither (the city
    calendar not created yet), the city's default hours."""
    if calendar is None and agency is None:
        return {wd: list(DEFAULT_HOURS) for wd in range(5)}
    owner = {"calendar": calendar} if calendar is not None else {"agency": agency}
    week = defaultdict(list)
    for row in OfficeHours.objects.filter(**owner).order_by("weekday", "start"):
        week[row.weekday].append((row.start, row.end))
    return dict(week)


def _build(agency_id):
    calendar = city_calendar()
    week = office_hours_by_weekday(calendar=calendar)
    if agency_id is not None:
        own = defaultdict(list)
        for row in OfficeHours.objects.filter(agency_id=agency_id).order_by("weekday", "start"):
            own[row.weekday].append((row.start, row.end))
        week.update(own)  # an agency's own hours replace the city's for the weekdays it sets
    holidays, days_off, swaps = [], [], []
    for day in calendar_days(calendar=calendar):
        if day.kind == DayKind.HOLIDAY:
            holidays.append(deadlines.Holiday(day.date, day.name))
        elif day.kind == DayKind.DAY_OFF:
            days_off.append(deadlines.DayOff(day.date, day.name))
        else:
            swaps.append(deadlines.SwapWorkday(day.date, day.name))
    standard = next((week[wd] for wd in range(5) if week.get(wd)), None)
    return deadlines.WorkCalendar(
        weekly_hours={wd: week.get(wd, ()) for wd in range(7)},
        holidays=holidays,
        days_off=days_off,
        swap_workdays=swaps,
        standard_hours=standard,
    )


def work_calendar_for(*, agency=None) -> deadlines.WorkCalendar:
    """The engine calendar that applies to `agency` (the city's, with the agency's own office hours)."""
    with _lock:
        if calendar_version.changed():
            _snapshots.clear()
            calendar_version.loaded()
        key = agency.pk if agency is not None else None
        snapshot = _snapshots.get(key)
        if snapshot is None:
            snapshot = _snapshots[key] = _build(key)
        return snapshot
