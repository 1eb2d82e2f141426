"""Which local account an identity from a provider (VNeID) logs into.

1. The provider's subject was seen before (``UserIdentity(provider, subject)``): that account.
2. Otherwise, by the ID number (CCCD) the provider vouches for:
   a. an account whose ID number was itself verified by a provider: link it;
   b. an account whose ID number was only typed by its owner in the profile: link it only when the
      identity's phone number equals that account's *verified* phone (the same person, proven twice).
      If not, the typed claim cannot be trusted (anyone can type someone else's CCCD): it is removed
      from that account (an event records it) and the person gets an account of their own — never
      someone else's.
3. Otherwise a new, active citizen account is created from the identity (name, ID number marked
   verified, date of birth, and the phone marked verified unless another account holds it), with no
   usable password (the citizen can set one later through the password reset of the city's login).
Every link and every creation is an event; an inactive (locked) account refuses the login."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import PermissionRefused

from ..citizens import account_event_append
from ..contacts import email_normalise, phone_normalise
from ..models import User, UserIdentity
from ..selectors import users_with_email, users_with_phone


def _dob(value):
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _new_user(identity, now):
    phone = phone_normalise(identity.phone) or ""
    if phone and users_with_phone(phone).exists():
        phone = ""
    email = email_normalise(identity.email) or ""
    if email and users_with_email(email).exists():
        email = ""
    user = User(
        username=f"cd-{uuid.uuid4().hex[:16]}",
        full_name=identity.full_name or identity.id_number,
        id_number=identity.id_number,
        id_number_verified_at=now if identity.id_number else None,
        date_of_birth=_dob(identity.date_of_birth),
        address=identity.address[:255],
        phone=phone,
        phone_verified_at=now if phone else None,
        email=email,
        email_verified_at=now if email else None,
    )
    user.set_unusable_password()
    user.save()
    account_event_append(
        user=user,
        kind="created_from_identity",
        new={
            "provider": identity.provider,
            "full_name": user.full_name,
            "id_number": user.id_number,
            "phone": phone,
            "email": email,
        },
    )
    return user


def identity_login(*, identity):
    """The account `identity` logs into (created or linked as described above)."""
    now = timezone.now()
    id_number = identity.id_number if len(identity.id_number) == 12 and identity.id_number.isdigit() else ""
    identity = dataclasses.replace(identity, id_number=id_number)
    with transaction.atomic():
        link = (
            UserIdentity.objects.select_for_update()
            .select_related("user")
            .filter(provider=identity.provider, subject=identity.subject)
            .first()
        )
        if link is not None:
            user = link.user
        else:
            user = None
            holder = (
                User.objects.select_for_update().filter(id_number=id_number).first() if id_number else None
            )
            if holder is not None:
                same_phone = bool(
                    holder.phone
                    and holder.phone_verified_at
                    and phone_normalise(identity.phone) == holder.phone
                )
                if holder.id_number_verified_at or same_phone:
                    user = holder
                    if not holder.id_number_verified_at:
                        holder.id_number_verified_at = now
                        holder.save(update_fields=["id_number_verified_at"])
                else:
                    holder.id_number = ""
                    holder.save(update_fields=["id_number"])
                    account_event_append(
                        user=holder,
                        kind="id_number_released",
                        old={"id_number": id_number},
                        new={"id_number": "", "reason": f"claimed by {identity.provider} identity"},
                    )
            if user is None:
                user = _new_user(identity, now)
            link = UserIdentity.objects.create(
                user=user, provider=identity.provider, subject=identity.subject, created_at=now
            )
            account_event_append(
                user=user,
                kind="identity_linked",
                new={"provider": identity.provider, "subject": identity.subject},
            )
        if not user.is_active:
            raise PermissionRefused(_("Tài khoản này đang bị khoá. Vui lòng liên hệ bộ phận một cửa."))
        link.last_login_at = now
        link.save(update_fields=["last_login_at"])
    return user
