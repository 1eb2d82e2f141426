"""Citizen accounts: sign-up verified by a one-time code, profile edits (a new phone or e-mail is
verified the same way), and the events that record every change.

Sign-up creates the account **inactive** (``is_active=False, pending_verification=True``) holding the
phone or e-mail, and sends a code; entering the code activates it and logs the citizen in. An
inactive account cannot log in with its password, so an address nobody proved cannot be used. A new
sign-up with the same phone/e-mail while the first one is still pending takes that pending account
over (new name, new password, new code): whoever receives the code owns the number. A verified
account with that phone/e-mail refuses the sign-up with a clear message."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError, PermissionRefused

from .contacts import contact_parse, email_normalise, phone_normalise
from .models import AccountEvent, OneTimeCode, User
from .otp import otp_consume, otp_issue
from .selectors import users_with_email, users_with_phone

Purpose = OneTimeCode.Purpose
PROFILE_FIELDS = ("full_name", "id_number", "date_of_birth", "address", "phone", "email")


def account_event_append(*, user, kind, old=None, new=None, actor=None):
    def plain(values):
        return {
            k: (v.isoformat() if isinstance(v, dt.date | dt.datetime) else v)
            for k, v in (values or {}).items()
        }

    return AccountEvent.objects.create(
        user=user,
        actor=actor if getattr(actor, "pk", None) else None,
        kind=kind,
        old=plain(old),
        new=plain(new),
    )


def _duplicate(kind):
    if kind == "phone":
        return DomainError(
            _("Số điện thoại này đã được dùng cho một tài khoản khác. Hãy đăng nhập bằng số này."),
            code="duplicate",
            field="contact",
        )
    return DomainError(
        _("Địa chỉ thư điện tử này đã được dùng cho một tài khoản khác. Hãy đăng nhập bằng địa chỉ này."),
        code="duplicate",
        field="contact",
    )


def _holder(kind, value):
    qs = users_with_phone(value) if kind == "phone" else users_with_email(value)
    return qs.select_for_update().first()


def _check_password(password, user):
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), code="weak_password", field="password") from None


def citizen_signup(*, full_name, contact, password, client_ip="", acting_user=None):
    """Create (or take over a pending) citizen account for `contact` (a phone or an e-mail) and send it
    a code. Returns the OneTimeCode row (its ``public_id`` identifies the verification)."""
    full_name = " ".join(str(full_name or "").split())
    if not full_name:
        raise DomainError(_("Hãy nhập họ và tên."), field="full_name")
    if len(full_name) > 255:
        raise DomainError(_("Họ và tên quá dài."), field="full_name")
    kind, value = contact_parse(contact)
    probe = User(full_name=full_name, **{kind: value})
    _check_password(password or "", probe)
    try:
        with transaction.atomic():
            user = _holder(kind, value)
            if user is not None and not user.pending_verification:
                raise _duplicate(kind)
            if user is None:
                user = User(
                    username=f"cd-{uuid.uuid4().hex[:16]}",
                    full_name=full_name,
                    is_active=False,
                    pending_verification=True,
                    **{kind: value},
                )
                user.set_password(password)
                user.save()
                account_event_append(
                    user=user, kind="signup", new={"full_name": full_name, kind: value}, actor=acting_user
                )
            else:
                old_name = user.full_name
                user.full_name = full_name
                user.set_password(password)
                user.save(update_fields=["full_name", "password"])
                account_event_append(
                    user=user,
                    kind="signup_restarted",
                    old={"full_name": old_name},
                    new={"full_name": full_name},
                    actor=acting_user,
                )
            channel = OneTimeCode.Channel.SMS if kind == "phone" else OneTimeCode.Channel.EMAIL
            return otp_issue(
                user=user, purpose=Purpose.SIGNUP, channel=channel, recipient=value, client_ip=client_ip
            )
    except IntegrityError:  # a concurrent sign-up of the same phone/e-mail won the race
        raise _duplicate(kind) from None


def _apply_verification(row):
    user = User.objects.select_for_update().get(pk=row.user_id)
    now = timezone.now()
    field = "phone" if row.channel == OneTimeCode.Channel.SMS else "email"
    old = {field: getattr(user, field), f"{field}_verified_at": getattr(user, f"{field}_verified_at")}
    setattr(user, field, row.recipient)
    setattr(user, f"{field}_verified_at", now)
    fields = [field, f"{field}_verified_at"]
    kind = "contact_verified"
    if row.purpose == Purpose.SIGNUP:
        old.update(is_active=user.is_active)
        user.is_active, user.pending_verification = True, False
        fields += ["is_active", "pending_verification"]
        kind = "signup_verified"
    try:
        with transaction.atomic():
            user.save(update_fields=fields)
    except IntegrityError:
        kind_ = "phone" if field == "phone" else "email"
        raise _duplicate(kind_) from None
    account_event_append(
        user=user,
        kind=kind,
        old=old,
        new={field: row.recipient, f"{field}_verified_at": now, "is_active": user.is_active},
        actor=user,
    )
    return user


def verification_confirm(*, public_id, code, acting_user=None):
    """Enter the code of verification `public_id`. Sign-up: the account becomes active. Change of phone or
    e-mail: the new one replaces the old (the change must be the acting user's own). Returns the user."""
    from .otp import otp_get

    row = otp_get(public_id=public_id)
    if row is not None and row.purpose != Purpose.SIGNUP:
        if acting_user is None or not acting_user.is_authenticated or acting_user.pk != row.user_id:
            raise PermissionRefused(_("Bạn cần đăng nhập bằng tài khoản đã yêu cầu thay đổi này."))
    return otp_consume(public_id=public_id, code=code, apply=_apply_verification)


# --- profile -------------------------------------------------------------------------------------
def _clean_id_number(value):
    value = "".join(str(value or "").split())
    if value and (len(value) != 12 or not value.isdigit()):
        raise DomainError(_("Số định danh cá nhân (CCCD) gồm đúng 12 chữ số."), field="id_number")
    return value


def _clean_date_of_birth(value):
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.strptime(value.strip(), "%d/%m/%Y").date()
        except ValueError:
            try:
                value = dt.date.fromisoformat(value.strip())
            except ValueError:
                raise DomainError(_("Ngày sinh không hợp lệ (dd/mm/yyyy)."), field="date_of_birth") from None
    if value > timezone.localdate() or value.year < 1900:
        raise DomainError(_("Ngày sinh không hợp lệ."), field="date_of_birth")
    return value


def profile_update(*, user, acting_user, client_ip="", **values):
    """Change the profile fields given in `values` (any of PROFILE_FIELDS). Name, ID number, date of birth
    and address change at once; a new phone or e-mail is only sent a code (the change happens when the
    code is entered, see ``verification_confirm``); removing one happens at once unless it is the last
    contact of the account. Returns the OneTimeCode rows issued."""
    if acting_user is None or acting_user.pk != user.pk:
        raise PermissionRefused(_("Bạn chỉ sửa được hồ sơ của chính mình."))
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise DomainError(_("Trường không sửa được: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    new = {}
    if "full_name" in values:
        new["full_name"] = " ".join(str(values["full_name"] or "").split())
        if not new["full_name"]:
            raise DomainError(_("Hãy nhập họ và tên."), field="full_name")
        if len(new["full_name"]) > 255:
            raise DomainError(_("Họ và tên quá dài."), field="full_name")
    if "id_number" in values:
        new["id_number"] = _clean_id_number(values["id_number"])
        if user.id_number_verified_at and new["id_number"] != user.id_number:
            raise DomainError(
                _("Số định danh đã được xác thực qua VNeID nên không sửa được."), field="id_number"
            )
    if "date_of_birth" in values:
        new["date_of_birth"] = _clean_date_of_birth(values["date_of_birth"])
    if "address" in values:
        new["address"] = " ".join(str(values["address"] or "").split())[:255]
    contacts = {}
    for field, normalise, message in (
        ("phone", phone_normalise, _("Số điện thoại không hợp lệ.")),
        ("email", email_normalise, _("Địa chỉ thư điện tử không hợp lệ.")),
    ):
        if field in values:
            raw = str(values[field] or "").strip()
            value = normalise(raw) if raw else ""
            if value is None:
                raise DomainError(message, field=field)
            if value != getattr(user, field):
                contacts[field] = value
    had_contact = bool(user.phone or user.email)
    after = {f: contacts.get(f, getattr(user, f)) for f in ("phone", "email")}
    if had_contact and not (after["phone"] or after["email"]):
        raise DomainError(_("Tài khoản cần giữ ít nhất một số điện thoại hoặc thư điện tử."), field="phone")
    issued = []
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if (
            new.get("id_number")
            and User.objects.filter(id_number=new["id_number"]).exclude(pk=user.pk).exists()
        ):
            raise DomainError(_("Số định danh này đã thuộc một tài khoản khác."), field="id_number")
        changed = {k: v for k, v in new.items() if getattr(locked, k) != v}
        for field, value in contacts.items():
            if not value:  # removing a phone/e-mail: at once
                changed[field] = ""
                changed[f"{field}_verified_at"] = None
        if changed:
            old = {k: getattr(locked, k) for k in changed}
            for k, v in changed.items():
                setattr(locked, k, v)
            try:
                with transaction.atomic():
                    locked.save(update_fields=list(changed))
            except IntegrityError:
                raise DomainError(
                    _("Số định danh này đã thuộc một tài khoản khác."), field="id_number"
                ) from None
            account_event_append(user=locked, kind="profile_updated", old=old, new=changed, actor=acting_user)
        for field, value in contacts.items():
            if not value:
                continue
            holder = users_with_phone(value) if field == "phone" else users_with_email(value)
            if holder.exclude(pk=user.pk).exists():
                error = _duplicate(field)
                error.field = field
                raise error
            purpose = Purpose.CHANGE_PHONE if field == "phone" else Purpose.CHANGE_EMAIL
            channel = OneTimeCode.Channel.SMS if field == "phone" else OneTimeCode.Channel.EMAIL
            issued.append(
                otp_issue(user=locked, purpose=purpose, channel=channel, recipient=value, client_ip=client_ip)
            )
    for k in PROFILE_FIELDS + ("phone_verified_at", "email_verified_at"):
        setattr(user, k, getattr(locked, k))
    return issued
