from django.apps import AppConfig


class CalendarConfig(AppConfig):
    name = "shared_apps.calendar"
    label = "work_calendar"
    verbose_name = "Lịch làm việc"

    def ready(self):
        from . import signals  # noqa: F401
