from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .directory import directory
from .hooks import agency_data_changed
from .models import Agency, AgencySlugAlias, Domain


@receiver([post_save, post_delete], sender=Agency)
@receiver([post_save, post_delete], sender=Domain)
@receiver([post_save, post_delete], sender=AgencySlugAlias)
def agency_changed(**kwargs):
    directory.invalidate_local()
    transaction.on_commit(directory.bump)


@receiver(agency_data_changed, dispatch_uid="tenants.agency_data_changed")
def agency_rows_replaced(**kwargs):
    """A restore rewrites the agency's domains and old slugs by SQL: no model signal above fires."""
    agency_changed()
