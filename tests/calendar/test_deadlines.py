"""The deadline engine on worked examples (pure Python: no database)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from shared_apps.calendar.deadlines import (
    DayOff,
    Holiday,
    Pause,
    ReasonCode,
    SwapWorkday,
    Timeliness,
    Unit,
    WorkCalendar,
    deadline_compute,
    office_week,
    timeliness,
    working_time_between,
)

TET_2026 = [DayOff(date(2026, 2, d), "Tết Nguyên đán") for d in range(14, 23)]  # 14–22/02/2026 inclusive
CITY = WorkCalendar(
    weekly_hours=office_week(),  # Mon–Fri 07:30–11:30, 13:30–17:00 (7 h 30 of office time)
    holidays=[
        Holiday(date(2026, 1, 1), "Tết Dương lịch"),
        Holiday(date(2026, 4, 30), "Ngày Chiến thắng"),
        Holiday(date(2026, 5, 1), "Ngày Quốc tế Lao động"),
        Holiday(date(2027, 1, 1), "Tết Dương lịch"),
    ],
    days_off=TET_2026,
    swap_workdays=[SwapWorkday(date(2026, 1, 10), "làm bù cho ngày 02/01/2026")],
)


def due(start, amount, unit=Unit.WORKING_DAYS, cal=CITY, **kw):
    return deadline_compute(calendar=cal, start=start, amount=amount, unit=unit, **kw)


def codes(result):
    return [r.code for r in result.reasons]


# --- acceptance ------------------------------------------------------------------------------------
def test_three_working_days_over_tet_2026():
    r = due(datetime(2026, 2, 13, 10, 0), 3)  # Friday, the last working day before Tết
    assert r.due == datetime(2026, 2, 25, 10, 0)  # Wednesday
    assert r.counted_from == datetime(2026, 2, 13, 10, 0)
    assert [x.text for x in r.reasons] == ["16/02/2026–20/02/2026: nghỉ Tết Nguyên đán"]
    assert r.reasons[0].code == ReasonCode.DAY_OFF
    assert (r.reasons[0].first_day, r.reasons[0].last_day) == (date(2026, 2, 16), date(2026, 2, 20))


def test_module_does_not_import_django():
    code = (
        "import sys; import shared_apps.calendar.deadlines as d; "
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])


# --- working days ----------------------------------------------------------------------------------
def test_working_days_keep_the_time_of_day_not_eight_hour_days():
    r = due(datetime(2026, 3, 2, 9, 15), 2)  # Monday
    assert r.due == datetime(2026, 3, 4, 9, 15)
    assert r.reasons == ()
    # Two 7.5-hour office days are 15 working hours, not 16.
    assert working_time_between(calendar=CITY, start=r.counted_from, end=r.due) == timedelta(hours=15)
    assert due(datetime(2026, 3, 2, 9, 15), 16, Unit.WORKING_HOURS).due == datetime(2026, 3, 4, 10, 15)


def test_zero_days_is_the_counted_from_instant():
    r = due(datetime(2026, 3, 2, 18, 0), 0)
    assert r.due == r.counted_from == datetime(2026, 3, 3, 7, 30)


def test_swap_saturday_counts_as_a_working_day():
    r = due(datetime(2026, 1, 9, 10, 0), 1)  # Friday; Saturday 10/01/2026 is a make-up day
    assert r.due == datetime(2026, 1, 10, 10, 0)
    assert r.reasons[0].code == ReasonCode.SWAP_WORKDAY
    assert r.reasons[0].text == "10/01/2026 (Thứ Bảy): làm việc bù – làm bù cho ngày 02/01/2026"
    assert CITY.is_working_day(date(2026, 1, 10)) and not CITY.is_working_day(date(2026, 1, 17))
    assert CITY.office_hours(date(2026, 1, 10)) == CITY.office_hours(date(2026, 1, 9))
    # Without the swap entry the same dossier is due on Monday.
    plain = WorkCalendar(weekly_hours=office_week())
    assert due(datetime(2026, 1, 9, 10, 0), 1, cal=plain).due == datetime(2026, 1, 12, 10, 0)


def test_swap_saturday_with_its_own_morning_hours_snaps_an_afternoon_due():
    cal = WorkCalendar(
        weekly_hours=office_week(),
        swap_workdays=[SwapWorkday(date(2026, 1, 10), "làm bù", hours=(("07:30", "11:30"),))],
    )
    r = due(datetime(2026, 1, 9, 14, 0), 1, cal=cal)
    assert r.due == datetime(2026, 1, 10, 11, 30)  # the end of that day's office hours
    assert r.reasons[-1].code == ReasonCode.DUE_TIME_ADJUSTED
    assert (
        r.reasons[-1].text == "14:00 ngày 10/01/2026 (Thứ Bảy) ngoài giờ làm việc của ngày đó: hạn lấy 11:30"
    )


def test_saturday_morning_office_snaps_and_is_counted():
    cal = WorkCalendar(weekly_hours=office_week(saturday=[("07:30", "11:30")]))
    assert due(datetime(2026, 3, 6, 9, 0), 1, cal=cal).due == datetime(2026, 3, 7, 9, 0)  # Fri → Sat
    assert due(datetime(2026, 3, 6, 15, 0), 1, cal=cal).due == datetime(2026, 3, 7, 11, 30)
    assert due(datetime(2026, 3, 6, 15, 0), 2, cal=cal).due == datetime(2026, 3, 9, 15, 0)  # Mon
    # A receipt on Saturday afternoon is after that day's office hours.
    r = due(datetime(2026, 3, 7, 14, 0), 1, cal=cal)
    assert r.counted_from == datetime(2026, 3, 9, 7, 30)


def test_due_in_a_lunch_gap_of_another_pattern_takes_the_end_of_the_session():
    week = {wd: [("07:00", "12:30")] for wd in range(4)} | {4: [("07:30", "11:30"), ("13:30", "17:00")]}
    cal = WorkCalendar(weekly_hours=week)
    r = due(datetime(2026, 3, 5, 12, 0), 1, cal=cal)  # Thursday 12:00 → Friday 12:00 is lunch
    assert r.due == datetime(2026, 3, 6, 11, 30)
    r = due(datetime(2026, 3, 5, 7, 10), 1, cal=cal)  # → Friday 07:10, before opening
    assert r.due == datetime(2026, 3, 6, 7, 30)
    assert "trước giờ làm việc" in r.reasons[-1].text


def test_fractional_days_count_office_time_of_the_standard_day():
    assert CITY.standard_day == timedelta(hours=7, minutes=30)
    assert due(datetime(2026, 3, 2, 7, 30), 0.5).due == datetime(2026, 3, 2, 11, 15)  # 3 h 45
    assert due(datetime(2026, 3, 2, 9, 0), Decimal("0.5")).due == datetime(2026, 3, 2, 14, 45)
    assert due(datetime(2026, 3, 2, 9, 0), 2.5).due == datetime(2026, 3, 4, 14, 45)


# --- working hours ---------------------------------------------------------------------------------
def test_hours_count_office_time_and_end_at_the_end_of_a_session():
    assert due(datetime(2026, 3, 2, 7, 30), 4, Unit.WORKING_HOURS).due == datetime(2026, 3, 2, 11, 30)
    assert due(datetime(2026, 3, 2, 7, 30), 4.5, Unit.WORKING_HOURS).due == datetime(2026, 3, 2, 14, 0)
    assert due(datetime(2026, 3, 2, 16, 0), 2, Unit.WORKING_HOURS).due == datetime(2026, 3, 3, 8, 30)
    assert due(datetime(2026, 3, 6, 16, 0), 2, Unit.WORKING_HOURS).due == datetime(2026, 3, 9, 8, 30)


# --- start rule ------------------------------------------------------------------------------------
def test_after_cutoff_counts_from_next_working_morning():
    r = due(datetime(2026, 1, 7, 15, 20), 1, cutoff=time(15, 0))  # Wednesday
    assert r.counted_from == datetime(2026, 1, 8, 7, 30)
    assert r.due == datetime(2026, 1, 9, 7, 30)
    assert r.reasons[0].code == ReasonCode.START_AFTER_CUTOFF
    assert r.reasons[0].text == "Nhận lúc 15:20 07/01/2026, sau giờ chốt 15:00: tính từ 07:30 08/01/2026"


def test_after_cutoff_on_friday_counts_from_monday():
    r = due(datetime(2026, 1, 16, 15, 20), 1, cutoff="15:00")  # Friday
    assert r.counted_from == datetime(2026, 1, 19, 7, 30)  # Monday
    assert r.due == datetime(2026, 1, 20, 7, 30)


def test_cutoff_is_strictly_after_and_optional():
    assert due(datetime(2026, 1, 7, 15, 0), 1, cutoff=time(15)).counted_from == datetime(2026, 1, 7, 15, 0)
    assert due(datetime(2026, 1, 7, 15, 20), 1).counted_from == datetime(2026, 1, 7, 15, 20)


@pytest.mark.parametrize(
    ("received", "counted_from", "code"),
    [
        (datetime(2026, 3, 2, 6, 45), datetime(2026, 3, 2, 7, 30), ReasonCode.START_BEFORE_OPENING),
        (datetime(2026, 3, 2, 12, 0), datetime(2026, 3, 2, 13, 30), ReasonCode.START_OUTSIDE_OFFICE_HOURS),
        (datetime(2026, 3, 2, 11, 30), datetime(2026, 3, 2, 13, 30), ReasonCode.START_OUTSIDE_OFFICE_HOURS),
        (datetime(2026, 3, 2, 17, 0), datetime(2026, 3, 3, 7, 30), ReasonCode.START_OUTSIDE_OFFICE_HOURS),
        (datetime(2026, 3, 1, 9, 0), datetime(2026, 3, 2, 7, 30), ReasonCode.START_ON_DAY_OFF),
        (datetime(2026, 2, 16, 9, 0), datetime(2026, 2, 23, 7, 30), ReasonCode.START_ON_DAY_OFF),
    ],
)
def test_start_rule(received, counted_from, code):
    r = due(received, 0)
    assert r.counted_from == counted_from
    assert r.reasons[0].code == code


def test_start_on_tet_names_the_holiday():
    r = due(datetime(2026, 2, 16, 9, 0), 1)
    assert r.reasons[0].text == "Nhận lúc 09:00 16/02/2026 (nghỉ Tết Nguyên đán): tính từ 07:30 23/02/2026"
    assert r.reasons[1].text == "16/02/2026–20/02/2026: nghỉ Tết Nguyên đán"
    assert r.due == datetime(2026, 2, 24, 7, 30)


# --- year end, holidays ----------------------------------------------------------------------------
def test_year_end_skips_new_year():
    assert due(datetime(2025, 12, 31, 9, 0), 1).due == datetime(2026, 1, 2, 9, 0)
    assert due(datetime(2025, 12, 31, 9, 0), 2).due == datetime(2026, 1, 5, 9, 0)
    r = due(datetime(2025, 12, 31, 16, 0), 2, Unit.WORKING_HOURS)
    assert r.due == datetime(2026, 1, 2, 8, 30)
    assert [x.text for x in r.reasons] == ["01/01/2026: nghỉ Tết Dương lịch"]
    assert due(datetime(2026, 12, 31, 15, 30), 1, cutoff=time(15)).due == datetime(2027, 1, 5, 7, 30)


def test_received_on_new_years_day():
    r = due(datetime(2026, 1, 1, 10, 0), 1)
    assert r.counted_from == datetime(2026, 1, 2, 7, 30)
    assert r.due == datetime(2026, 1, 5, 7, 30)


def test_adjacent_holidays_with_different_names_are_listed_separately():
    r = due(datetime(2026, 4, 29, 10, 0), 1)
    assert r.due == datetime(2026, 5, 4, 10, 0)
    assert [x.text for x in r.reasons] == [
        "30/04/2026: nghỉ Ngày Chiến thắng",
        "01/05/2026: nghỉ Ngày Quốc tế Lao động",
    ]


def test_same_reason_collapses_across_a_weekend():
    cal = WorkCalendar(
        weekly_hours=office_week(),
        days_off=[
            DayOff(date(2026, 2, 13), "Tết"),
            DayOff(date(2026, 2, 16), "Tết"),
            DayOff(date(2026, 2, 17), "Tết"),
        ],
    )
    r = due(datetime(2026, 2, 12, 9, 0), 1, cal=cal)
    assert r.due == datetime(2026, 2, 18, 9, 0)
    assert [x.text for x in r.reasons] == ["13/02/2026–17/02/2026: nghỉ Tết"]


# --- calendar days and months ----------------------------------------------------------------------
def test_calendar_days_end_at_close_and_move_off_a_sunday():
    r = due(datetime(2026, 3, 5, 9, 0), 10, Unit.CALENDAR_DAYS)  # → Sunday 15/03
    assert r.due == datetime(2026, 3, 16, 17, 0)
    assert r.reasons[-1].code == ReasonCode.MOVED_TO_WORKING_DAY
    assert r.reasons[-1].text == (
        "Hạn 10 ngày rơi vào 15/03/2026 (Chủ nhật, ngày nghỉ):"
        " chuyển sang 17:00 16/03/2026 (hết giờ làm việc)"
    )
    assert due(datetime(2026, 3, 5, 9, 0), 12, Unit.CALENDAR_DAYS).due == datetime(2026, 3, 17, 17, 0)


def test_calendar_days_ending_in_tet_move_past_it():
    r = due(datetime(2026, 2, 2, 9, 0), 15, Unit.CALENDAR_DAYS)  # → 17/02/2026
    assert r.due == datetime(2026, 2, 23, 17, 0)
    assert codes(r) == [ReasonCode.DAY_OFF, ReasonCode.MOVED_TO_WORKING_DAY]
    assert r.reasons[0].text == "17/02/2026–20/02/2026: nghỉ Tết Nguyên đán"


def test_calendar_days_across_the_year_end():
    assert due(datetime(2025, 12, 29, 9, 0), 3, Unit.CALENDAR_DAYS).due == datetime(2026, 1, 2, 17, 0)


def test_months_clamp_to_month_end_and_move_to_working_day():
    assert due(datetime(2026, 3, 16, 9, 0), 1, Unit.MONTHS).due == datetime(2026, 4, 16, 17, 0)
    assert due(datetime(2028, 1, 31, 9, 0), 1, Unit.MONTHS).due == datetime(2028, 2, 29, 17, 0)  # leap year
    r = due(datetime(2026, 1, 30, 9, 0), 1, Unit.MONTHS)  # 28/02/2026 is a Saturday
    assert r.due == datetime(2026, 3, 2, 17, 0)
    assert "Hạn 1 tháng rơi vào 28/02/2026" in r.reasons[-1].text
    assert due(datetime(2026, 11, 30, 9, 0), 2, Unit.MONTHS).due == datetime(
        2027, 2, 1, 17, 0
    )  # 30/01 is a Saturday
    assert due(datetime(2026, 12, 1, 9, 0), 1, Unit.MONTHS).due == datetime(
        2027, 1, 4, 17, 0
    )  # 1/1 holiday, weekend


def test_fractional_calendar_units_are_refused():
    with pytest.raises(ValueError):
        due(datetime(2026, 3, 2, 9, 0), 1.5, Unit.MONTHS)
    with pytest.raises(ValueError):
        due(datetime(2026, 3, 2, 9, 0), 2.5, Unit.CALENDAR_DAYS)


# --- pauses ----------------------------------------------------------------------------------------
def test_pause_shifts_by_its_office_time():
    start = datetime(2026, 3, 2, 9, 0)  # Monday
    base = due(start, 5)
    assert base.due == datetime(2026, 3, 9, 9, 0)
    pause = Pause(datetime(2026, 3, 3, 10, 0), datetime(2026, 3, 4, 14, 0), "yêu cầu bổ sung")
    r = due(start, 5, pauses=[pause])
    inside = working_time_between(calendar=CITY, start=pause.start, end=pause.end)
    assert inside == timedelta(hours=9, minutes=30)  # 10:00–11:30, 13:30–17:00, 07:30–11:30, 13:30–14:00
    assert r.paused == inside
    assert working_time_between(calendar=CITY, start=base.due, end=r.due) == inside
    assert r.due == datetime(2026, 3, 10, 11, 0)
    assert r.reasons[-1].code == ReasonCode.PAUSE
    assert r.reasons[-1].text == (
        "Tạm dừng 10:00 03/03/2026 – 14:00 04/03/2026 (yêu cầu bổ sung):"
        " không tính 9 giờ 30 phút làm việc, hạn chuyển đến 11:00 10/03/2026"
    )


def test_pauses_merge_clip_and_stop_at_the_due_time():
    start = datetime(2026, 3, 2, 9, 0)
    pauses = [
        (datetime(2026, 2, 20, 9, 0), datetime(2026, 2, 27, 9, 0)),  # wholly before the receipt
        (datetime(2026, 3, 1, 9, 0), datetime(2026, 3, 2, 10, 0)),  # clipped to 09:00–10:00 on 02/03
        (datetime(2026, 3, 3, 8, 0), datetime(2026, 3, 3, 9, 0), "bổ sung"),
        (
            datetime(2026, 3, 3, 8, 30),
            datetime(2026, 3, 3, 10, 0),
            "nghĩa vụ tài chính",
        ),  # overlaps the previous
        (datetime(2026, 3, 20, 9, 0), datetime(2026, 3, 21, 9, 0)),  # after the due time
    ]
    r = due(start, 2, pauses=pauses)
    assert r.paused == timedelta(hours=3)
    assert r.due == datetime(2026, 3, 4, 14, 0)  # 09:00 + 3 h of office time
    assert codes(r) == [ReasonCode.PAUSE, ReasonCode.PAUSE, ReasonCode.PAUSE_AFTER_DUE]
    assert "(bổ sung; nghĩa vụ tài chính)" in r.reasons[1].text


def test_pause_starting_exactly_at_the_due_time_does_not_count():
    start = datetime(2026, 3, 2, 9, 0)
    r = due(start, 1, pauses=[(datetime(2026, 3, 3, 9, 0), datetime(2026, 3, 4, 9, 0))])
    assert r.due == datetime(2026, 3, 3, 9, 0)
    assert r.paused == timedelta(0)


def test_pause_with_no_office_time_inside():
    r = due(datetime(2026, 3, 6, 9, 0), 1, pauses=[(datetime(2026, 3, 6, 17, 0), datetime(2026, 3, 9, 7, 0))])
    assert r.due == datetime(2026, 3, 9, 9, 0)
    assert r.paused == timedelta(0)
    assert "không tính 0 giờ 00 phút" in r.reasons[-1].text


# --- working time, timeliness ----------------------------------------------------------------------
def test_working_time_between():
    wtb = lambda a, b: working_time_between(calendar=CITY, start=a, end=b)  # noqa: E731
    assert wtb(datetime(2026, 3, 2, 7, 0), datetime(2026, 3, 2, 18, 0)) == timedelta(hours=7, minutes=30)
    assert wtb(datetime(2026, 3, 2, 11, 0), datetime(2026, 3, 2, 14, 0)) == timedelta(hours=1)
    assert wtb(datetime(2026, 3, 6, 17, 0), datetime(2026, 3, 9, 7, 30)) == timedelta(0)
    assert wtb(datetime(2026, 2, 13, 10, 0), datetime(2026, 2, 25, 10, 0)) == timedelta(hours=22, minutes=30)
    assert wtb(datetime(2026, 3, 2, 14, 0), datetime(2026, 3, 2, 11, 0)) == -timedelta(hours=1)
    assert wtb(datetime(2090, 3, 1), datetime(2090, 3, 8)) == timedelta(hours=37, minutes=30)


def test_timeliness():
    d = datetime(2026, 3, 4, 10, 0)
    verdict = lambda f: timeliness(calendar=CITY, finished=f, due=d)  # noqa: E731
    assert verdict(datetime(2026, 3, 3, 16, 59)) == Timeliness.EARLY
    assert verdict(datetime(2026, 3, 4, 7, 30)) == Timeliness.ON_TIME
    assert verdict(d) == "on_time"
    assert verdict(d + timedelta(microseconds=1)) == Timeliness.LATE


# --- time zones, ranges, validation ----------------------------------------------------------------
def test_aware_datetimes_are_converted_to_the_city_zone():
    start = datetime(2026, 2, 13, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội / Hải Phòng
    r = due(start, 3)
    assert r.due == datetime(2026, 2, 25, 3, 0, tzinfo=UTC)
    assert r.due.utcoffset() == timedelta(hours=7)
    assert r.due.replace(tzinfo=None) == datetime(2026, 2, 25, 10, 0)
    assert working_time_between(calendar=CITY, start=start, end=datetime(2026, 2, 13, 10, 30)) == timedelta(
        minutes=30
    )


def test_far_dates_and_long_limits_extend_the_tables():
    assert due(datetime(1995, 3, 1, 9, 0), 1).due == datetime(1995, 3, 2, 9, 0)
    assert due(datetime(2095, 3, 1, 9, 0), 1).due == datetime(2095, 3, 2, 9, 0)
    r = due(datetime(2026, 3, 2, 9, 0), 2600)  # ten years of working days
    assert r.due.year == 2036
    assert working_time_between(calendar=CITY, start=r.counted_from, end=r.due) == 2600 * CITY.standard_day
    with pytest.raises(ValueError):
        due(datetime(9999, 12, 30, 9, 0), 10)


def test_validation():
    with pytest.raises(ValueError):
        WorkCalendar(weekly_hours={0: [("08:00", "12:00"), ("11:00", "13:00")]})
    with pytest.raises(ValueError):
        WorkCalendar(weekly_hours={0: [("12:00", "08:00")]})
    with pytest.raises(ValueError):
        WorkCalendar(weekly_hours={})
    with pytest.raises(ValueError):
        WorkCalendar(
            weekly_hours=office_week(),
            holidays=[(date(2026, 1, 10), "x")],
            swap_workdays=[(date(2026, 1, 10), "y")],
        )
    with pytest.raises(ValueError):
        due(datetime(2026, 3, 2, 9, 0), -1)
    with pytest.raises(ValueError):
        due(datetime(2026, 3, 2, 9, 0), 1, unit="fortnights")
    with pytest.raises(ValueError):
        due(datetime(2026, 3, 2, 9, 0), 1, pauses=[(datetime(2026, 3, 3), datetime(2026, 3, 2))])


def test_calendar_is_a_value():
    a = WorkCalendar(weekly_hours=office_week(), holidays=[(date(2026, 1, 1), "Tết Dương lịch")])
    b = WorkCalendar(
        weekly_hours=office_week(weekdays=[(time(7, 30), time(11, 30)), (time(13, 30), time(17))]),
        holidays=[Holiday(date(2026, 1, 1), "Tết Dương lịch")],
        tz="Asia/Ho_Chi_Minh",
    )
    assert a == b and hash(a) == hash(b)
    assert a.weekly_hours[5] == ()
    assert a.standard_hours == ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))
