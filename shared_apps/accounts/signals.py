from axes.signals import user_locked_out
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tenants.hooks import agency_data_changed

from .cache import forget, membership_key, user_key
from .hardening import lockout_notify
from .models import Membership, User


@receiver([post_save, post_delete], sender=User)
def user_changed(instance, **kwargs):
    forget(user_key(instance.pk))


@receiver([post_save, post_delete], sender=Membership)
def membership_changed(instance, **kwargs):
    forget(membership_key(instance.user_id, instance.agency_id))


@receiver(agency_data_changed, dispatch_uid="accounts.agency_data_changed")
def agency_memberships_replaced(agency, **kwargs):
    """A restore rewrites the agency's memberships by SQL: forget every one it had and has (sent
    before and after), so a membership the restore took away is refused on the next request."""
    for user_id in Membership.objects.filter(agency_id=agency.pk).values_list("user_id", flat=True):
        forget(membership_key(user_id, agency.pk))


user_locked_out.connect(lockout_notify, dispatch_uid="accounts.lockout_notify")
