from .cache import cached, membership_key
from .models import Membership


def membership_get(*, user, agency):
    """The user's active membership of the agency, or None (read through the cache)."""
    if not user.is_authenticated:
        return None
    return cached(
        membership_key(user.pk, agency.pk),
        lambda: Membership.objects.filter(user_id=user.pk, agency_id=agency.pk, is_active=True).first(),
    )


def membership_list_for_user(*, user):
    return list(
        Membership.objects.filter(user=user, is_active=True).select_related("agency").order_by("agency__name")
    )


def profile_prefill(*, user):
    """What a citizen's own profile puts into a submission form: exactly the keys
    `kind, name, id_number, address, phone, email` (kind is always "person"); blanks are ""."""
    if user is None or not user.is_authenticated:
        return {"kind": "person", "name": "", "id_number": "", "address": "", "phone": "", "email": ""}
    return {
        "kind": "person",
        "name": user.full_name or user.get_full_name() or "",
        "id_number": getattr(user, "id_number", "") or "",
        "address": getattr(user, "address", "") or "",
        "phone": user.phone or "",
        "email": user.email or "",
    }


def profile_get(*, user):
    """The account's own profile as the API shows it."""
    return {
        "username": user.username,
        "full_name": user.full_name,
        "id_number": user.id_number,
        "date_of_birth": user.date_of_birth,
        "address": user.address,
        "phone": user.phone,
        "email": user.email,
        "phone_verified": bool(user.phone and user.phone_verified_at),
        "email_verified": bool(user.email and user.email_verified_at),
        "id_number_verified": bool(user.id_number and user.id_number_verified_at),
    }


def users_with_phone(phone):
    """Users holding this (normalised) phone: the query the partial unique index answers."""
    from .models import User

    return User.objects.filter(phone=phone).exclude(phone="")


def users_with_email(email):
    """Users holding this e-mail in any case: the query the partial unique index on lower(email) answers."""
    from django.db.models.functions import Lower

    from .models import User

    return (
        User.objects.alias(email_lower=Lower("email"))
        .filter(email_lower=str(email).lower())
        .exclude(email="")
    )
