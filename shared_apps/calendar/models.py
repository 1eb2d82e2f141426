"""The city's working calendar as data the city edits every year: office hours, public holidays
(seeded from the `holidays` package), and the government's yearly swaps (extra days off, Saturdays
worked in exchange). The deadline engine (deadlines.py) computes on a snapshot of it."""

from datetime import time

from django.db import models
from django.utils.translation import gettext_lazy as _

CITY_CALENDAR = "city"  # the code of the city's calendar
# The city's office hours until the city sets its own: Monday–Friday 07:30–11:30 and 13:30–17:00.
DEFAULT_HOURS = ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Thứ Hai")
    TUESDAY = 1, _("Thứ Ba")
    WEDNESDAY = 2, _("Thứ Tư")
    THURSDAY = 3, _("Thứ Năm")
    FRIDAY = 4, _("Thứ Sáu")
    SATURDAY = 5, _("Thứ Bảy")
    SUNDAY = 6, _("Chủ nhật")


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Ngày lễ, Tết")
    DAY_OFF = "day_off", _("Ngày nghỉ bù / nghỉ thêm")
    WORKING_DAY = "working_day", _("Ngày làm bù")


class WorkCalendar(models.Model):
    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên lịch"), max_length=200)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("lịch làm việc")
        verbose_name_plural = _("lịch làm việc")

    def __str__(self):
        return self.name


class OfficeHours(models.Model):
    """One office-hours interval of a weekday, for the city calendar or one agency's own hours."""

    calendar = models.ForeignKey(
        WorkCalendar, on_delete=models.CASCADE, related_name="office_hours", null=True, blank=True
    )
    agency = models.ForeignKey(
        "tenants.Agency", on_delete=models.CASCADE, related_name="office_hours", null=True, blank=True
    )
    weekday = models.PositiveSmallIntegerField(_("thứ"), choices=Weekday.choices)
    start = models.TimeField(_("từ"))
    end = models.TimeField(_("đến"))

    class Meta:
        ordering = ["weekday", "start"]
        verbose_name = _("giờ làm việc")
        verbose_name_plural = _("giờ làm việc")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="office_hours_end_after_start"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(calendar__isnull=False, agency__isnull=True)
                    | models.Q(calendar__isnull=True, agency__isnull=False)
                ),
                name="office_hours_calendar_xor_agency",
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class CalendarDay(models.Model):
    """A date that differs from the weekly pattern: a holiday, an extra day off, or a working day
    made up (usually a Saturday)."""

    calendar = models.ForeignKey(WorkCalendar, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("ngày"))
    kind = models.CharField(_("loại"), max_length=12, choices=DayKind.choices)
    name = models.CharField(_("lý do"), max_length=200)
    source = models.CharField(
        _("nguồn"),
        max_length=200,
        blank=True,
        help_text=_("Ví dụ: thư viện holidays, Thông báo của Bộ Nội vụ ..."),
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("ngày đặc biệt")
        verbose_name_plural = _("ngày đặc biệt")
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="calendar_day_unique")]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.name}"


class CalendarEvent(models.Model):
    """Append-only history of calendar edits (who entered which swap, when)."""

    calendar = models.ForeignKey(WorkCalendar, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=40)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    old_values = models.JSONField(default=dict, blank=True)
    new_values = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.action} {self.at:%d/%m/%Y %H:%M}"
