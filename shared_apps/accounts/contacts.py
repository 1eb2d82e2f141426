"""Phone numbers and e-mail addresses as the city stores them.

* Phone: Vietnamese mobile and landline numbers are stored in the national form ``0xxxxxxxxx``
  (10 digits, or 11 for a few old landlines). ``+84 912 345 678``, ``84912345678``, ``0912.345.678``
  and ``(+84) 912-345-678`` all become ``0912345678``.
* E-mail: stripped and lower-cased (the whole address: no mail system the city writes to treats the
  local part case-sensitively, and the database's uniqueness is case-insensitive anyway)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from core.errors import DomainError

_SEPARATORS = re.compile(r"[\s().\-]")


def phone_normalise(value):
    """The ``0xxxxxxxxx`` form of `value`, or None when it is not a Vietnamese phone number."""
    raw = _SEPARATORS.sub("", str(value or "").strip())
    if raw.startswith("+"):
        raw = raw[1:]
        if not raw.startswith("84"):
            return None
    if not raw.isdigit():
        return None
    if raw.startswith("84") and len(raw) in (11, 12):
        raw = "0" + raw[2:]
    if raw.startswith("0") and len(raw) in (10, 11) and raw[1] != "0":
        return raw
    return None


def email_normalise(value):
    """The lower-cased address, or None when it is not an e-mail address."""
    value = str(value or "").strip().lower()
    try:
        validate_email(value)
    except ValidationError:
        return None
    return value


def contact_parse(value, *, field="contact"):
    """("phone" | "email", normalised value) for what a citizen typed as "phone or e-mail"."""
    value = str(value or "").strip()
    if not value:
        raise DomainError(_("Hãy nhập số điện thoại hoặc địa chỉ thư điện tử."), field=field)
    if "@" in value:
        email = email_normalise(value)
        if email is None:
            raise DomainError(_("Địa chỉ thư điện tử không hợp lệ."), field=field)
        return "email", email
    phone = phone_normalise(value)
    if phone is None:
        raise DomainError(_("Số điện thoại không hợp lệ (ví dụ: 0912345678 hoặc +84912345678)."), field=field)
    return "phone", phone


def contact_mask(kind, value):
    """What a page may show of a contact: 091****678, n***@example.vn."""
    if kind == "phone":
        return value[:3] + "*" * max(0, len(value) - 6) + value[-3:]
    local, _at, domain = value.partition("@")
    return f"{local[:1]}***@{domain}"
