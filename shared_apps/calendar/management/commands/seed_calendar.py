from django.core.management.base import BaseCommand
from django.utils import timezone

from shared_apps.calendar.services import calendar_city_ensure, calendar_holidays_seed


class Command(BaseCommand):
    help = "Create the city calendar (office hours) and add Vietnam's public holidays for some years."

    def add_arguments(self, parser):
        year = timezone.localdate().year
        parser.add_argument("--from-year", type=int, default=year - 1)
        parser.add_argument("--to-year", type=int, default=year + 3)

    def handle(self, *args, from_year, to_year, **options):
        calendar = calendar_city_ensure()
        added = calendar_holidays_seed(
            calendar=calendar, years=range(from_year, to_year + 1), acting_user=None
        )
        self.stdout.write(f"Calendar: {added} day(s) added for {from_year}–{to_year}.")
