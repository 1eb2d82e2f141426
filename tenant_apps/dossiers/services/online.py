"""Online submission by a citizen at the city address: the dossier lands in the chosen agency's queue
as "newly registered" (national status 1). Submitting is idempotent: the client sends a key, and a
retry or a double click with the same key returns the dossier the first request made — also when
both arrive at the same moment (the key is unique in the agency's table)."""

from __future__ import annotations

import re

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from tenants.errors import DomainError, PermissionRefused

from ..models import Channel, Dossier
from .intake import dossier_register

KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def dossier_submit_online(*, agency, procedure, applicant, components, acting_user, idempotency_key,
                          request_summary=""):
    """Returns (dossier, created). Runs in the agency's schema (the connection is switched here and
    put back afterwards)."""
    if acting_user is None or not acting_user.is_authenticated:
        raise PermissionRefused(_("Hãy đăng nhập để nộp hồ sơ trực tuyến."))
    if not KEY_RE.match(idempotency_key or ""):
        raise DomainError(_("Khóa chống gửi trùng phải gồm 8–64 chữ cái, chữ số, '-' hoặc '_'."),
                          field="idempotency_key")
    previous = connection.tenant
    connection.set_tenant(agency)
    try:
        existing = Dossier.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return _replay(existing, acting_user), False
        try:
            with transaction.atomic():
                dossier = dossier_register(
                    agency=agency, procedure=procedure, applicant=applicant, channel=Channel.ONLINE,
                    components=components, acting_user=acting_user, owner_user=acting_user,
                    request_summary=request_summary, idempotency_key=idempotency_key)
        except IntegrityError:
            # The same key won a race a moment ago: answer with that dossier.
            existing = Dossier.objects.filter(idempotency_key=idempotency_key).first()
            if existing is None:
                raise
            return _replay(existing, acting_user), False
        return dossier, True
    finally:
        connection.set_tenant(previous)


def _replay(dossier, user):
    if dossier.owner_user_id != user.pk:
        raise DomainError(_("Khóa chống gửi trùng này đã được dùng cho một hồ sơ khác."), code="key_reused",
                          field="idempotency_key")
    return dossier
