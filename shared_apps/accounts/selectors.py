from .models import Membership


def membership_get(*, user, agency):
    """The user's active membership of the agency, or None."""
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, agency_id=agency.pk, is_active=True).first()


def membership_list_for_user(*, user):
    return list(
        Membership.objects.filter(user=user, is_active=True)
        .select_related("agency")
        .order_by("agency__name")
    )
