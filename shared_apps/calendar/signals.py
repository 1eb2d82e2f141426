from django.db import transaction
from django.dispatch import receiver

from tenants.hooks import agency_data_changed

from .selectors import calendar_version


@receiver(agency_data_changed, dispatch_uid="calendar.agency_data_changed")
def agency_office_hours_replaced(**kwargs):
    """A restore rewrites the agency's own office hours by SQL: rebuild the engine calendars."""
    calendar_version.invalidate_local()
    transaction.on_commit(calendar_version.bump)
