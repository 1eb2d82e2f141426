"""Reading the calendar never writes: before the city calendar exists, reads answer with its default
office hours (Monday–Friday 07:30–11:30, 13:30–17:00) and no special day, and create no row."""

from datetime import datetime, time

import pytest

from shared_apps.calendar import deadlines
from shared_apps.calendar.models import OfficeHours, WorkCalendar
from shared_apps.calendar.selectors import calendar_version, work_calendar_for
from shared_apps.calendar.services import calendar_city_ensure

pytestmark = pytest.mark.django_db

DEFAULT = [["07:30", "11:30"], ["13:30", "17:00"]]


@pytest.fixture(autouse=True)
def _no_calendar_yet():
    """Start from a city with no calendar row, whatever earlier tests of the session committed (the
    deletion is rolled back with the test's transaction)."""
    OfficeHours.objects.all().delete()
    WorkCalendar.objects.all().delete()
    calendar_version.invalidate_local()
    yield
    calendar_version.invalidate_local()


def test_the_calendar_api_read_before_the_city_calendar_exists_creates_nothing(client):
    data = client.get("/api/v1/calendar/", {"year": 2026}).json()
    assert [data["office_hours"][str(wd)] for wd in range(7)] == [DEFAULT] * 5 + [[], []]
    assert data["days"] == []
    assert not WorkCalendar.objects.exists()
    assert not OfficeHours.objects.exists()


def test_the_engine_calendar_built_before_the_city_calendar_exists_creates_nothing_and_matches_it():
    calendar_version.invalidate_local()
    before = work_calendar_for(agency=None)
    assert before.weekly_hours[0] == ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))
    assert not WorkCalendar.objects.exists()
    assert not OfficeHours.objects.exists()

    calendar_city_ensure()
    calendar_version.invalidate_local()
    after = work_calendar_for(agency=None)
    start = datetime(2026, 3, 6, 9, 0)  # a Friday: the deadline crosses a weekend
    assert deadlines.deadline_compute(calendar=before, start=start, amount=3, unit="working_days") == (
        deadlines.deadline_compute(calendar=after, start=start, amount=3, unit="working_days")
    )
