"""The calendar as data the city edits, and the engine computing on it."""

from datetime import date, datetime

import pytest

from core.errors import DomainError, PermissionRefused
from shared_apps.calendar import deadlines
from shared_apps.calendar.models import CalendarDay, DayKind
from shared_apps.calendar.selectors import work_calendar_for
from shared_apps.calendar.services import (
    calendar_city_ensure,
    calendar_day_set,
    calendar_holidays_seed,
    office_hours_set,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def calendar(db):
    calendar = calendar_city_ensure()
    calendar_holidays_seed(calendar=calendar, years=[2025, 2026, 2027], acting_user=None)
    return calendar


def due(start, amount, unit="working_days", agency=None, cutoff=None):
    return deadlines.deadline_compute(
        calendar=work_calendar_for(agency=agency), start=start, amount=amount, unit=unit, cutoff=cutoff
    )


def test_holidays_are_seeded_with_lunar_tet(calendar):
    tet = CalendarDay.objects.filter(calendar=calendar, date__range=(date(2026, 2, 16), date(2026, 2, 20)))
    assert tet.count() == 5
    assert all(d.kind == DayKind.HOLIDAY for d in tet)


def test_the_tet_2026_case(calendar):
    """3 working days from Friday 13/02/2026 10:00, with 14–22/02 off, is Wednesday 25/02/2026 10:00."""
    result = due(datetime(2026, 2, 13, 10, 0), 3)
    assert result.due == datetime(2026, 2, 25, 10, 0)
    assert any("Tết" in r.text for r in result.reasons)


def test_a_swap_saturday_entered_by_the_city_counts_as_a_working_day(calendar, city):
    saturday = date(2026, 3, 7)
    before = due(datetime(2026, 3, 6, 9, 0), 1).due
    assert before == datetime(2026, 3, 9, 9, 0)  # Friday -> Monday
    calendar_day_set(
        calendar=calendar,
        date=saturday,
        kind=DayKind.WORKING_DAY,
        name="Làm bù cho 30/4",
        acting_user=city.city_admin,
    )
    assert due(datetime(2026, 3, 6, 9, 0), 1).due == datetime(2026, 3, 7, 9, 0)


def test_an_extra_day_off_entered_by_the_city_moves_deadlines(calendar, city):
    calendar_day_set(
        calendar=calendar,
        date=date(2026, 3, 9),
        kind=DayKind.DAY_OFF,
        name="Nghỉ bù",
        acting_user=city.city_admin,
    )
    result = due(datetime(2026, 3, 6, 9, 0), 1)
    assert result.due == datetime(2026, 3, 10, 9, 0)
    assert any("Nghỉ bù" in r.text for r in result.reasons)


def test_received_after_the_cutoff_starts_the_next_working_morning(calendar):
    result = due(datetime(2026, 1, 7, 15, 20), 1, cutoff="15:00")
    assert result.counted_from == datetime(2026, 1, 8, 7, 30)
    assert "15:20" in result.reasons[0].text


def test_an_agency_with_saturday_morning_hours(calendar, city):
    office_hours_set(
        agency=city.a,
        weekday=5,
        intervals=[(datetime(2026, 1, 1, 7, 30).time(), datetime(2026, 1, 1, 11, 30).time())],
        acting_user=None,
    )
    assert due(datetime(2026, 3, 6, 9, 0), 1, agency=city.a).due == datetime(2026, 3, 7, 9, 0)
    assert due(datetime(2026, 3, 6, 9, 0), 1, agency=city.b).due == datetime(2026, 3, 9, 9, 0)


def test_only_city_admins_edit_the_city_calendar(calendar, city):
    with pytest.raises(PermissionRefused):
        calendar_day_set(
            calendar=calendar,
            date=date(2026, 3, 9),
            kind=DayKind.DAY_OFF,
            name="x",
            acting_user=city.officer_a,
        )
    with pytest.raises(DomainError, match="vốn là ngày làm việc"):
        calendar_day_set(
            calendar=calendar,
            date=date(2026, 3, 9),
            kind=DayKind.WORKING_DAY,
            name="x",
            acting_user=city.city_admin,
        )


def test_calendar_api_lists_and_city_admin_adds_a_swap(client, calendar, city):
    data = client.get("/api/v1/calendar/", {"year": 2026}).json()
    assert data["office_hours"]["0"] == [["07:30", "11:30"], ["13:30", "17:00"]]
    assert {"date": "17/02/2026", "kind": "holiday"}.items() <= data["days"][2].items() or any(
        d["date"] == "17/02/2026" for d in data["days"]
    )
    payload = {"date": "07/03/2026", "kind": "working_day", "name": "Làm bù"}
    assert client.post("/api/v1/calendar/", payload, content_type="application/json").status_code == 403
    client.force_login(city.city_admin)
    assert client.post("/api/v1/calendar/", payload, content_type="application/json").status_code == 201
    result = client.get(
        "/api/v1/calendar/deadline/", {"start": "09:00 06/03/2026", "amount": "1", "unit": "working_days"}
    ).json()
    assert result["due_display"] == "09:00 07/03/2026"


def test_deadline_api_explains_the_tet_shift_and_rejects_bad_input(client, calendar):
    result = client.get(
        "/api/v1/calendar/deadline/", {"start": "10:00 13/02/2026", "amount": "3", "unit": "working_days"}
    ).json()
    assert result["due_display"] == "10:00 25/02/2026"
    assert any("Tết" in r["text"] for r in result["reasons"])
    bad = client.get(
        "/api/v1/calendar/deadline/", {"start": "hôm qua", "amount": "3", "unit": "working_days"}
    )
    assert bad.status_code == 400 and "start" in bad.json()
