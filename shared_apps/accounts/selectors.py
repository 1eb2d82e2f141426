from .cache import cached, membership_key
from .models import Membership


def membership_get(*, user, agency):
    """The user's active membership of the agency, or None (read through the cache)."""
    if not user.is_authenticated:
        return None
    return cached(membership_key(user.pk, agency.pk),
                  lambda: Membership.objects.filter(user_id=user.pk, agency_id=agency.pk, is_active=True).first())


def membership_list_for_user(*, user):
    return list(
        Membership.objects.filter(user=user, is_active=True)
        .select_related("agency")
        .order_by("agency__name")
    )
