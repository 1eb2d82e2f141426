from axes.signals import user_locked_out
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .cache import forget, membership_key, user_key
from .hardening import lockout_notify
from .models import Membership, User


@receiver([post_save, post_delete], sender=User)
def user_changed(instance, **kwargs):
    forget(user_key(instance.pk))


@receiver([post_save, post_delete], sender=Membership)
def membership_changed(instance, **kwargs):
    forget(membership_key(instance.user_id, instance.agency_id))


user_locked_out.connect(lockout_notify, dispatch_uid="accounts.lockout_notify")
