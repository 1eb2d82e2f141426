"""Writes to the tenant registry. Each function is keyword-only, says who acts, and runs in one
transaction together with the event it appends."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.dispatch import Signal
from django.utils.text import slugify
from django.utils.translation import gettext as _
from unidecode import unidecode

from core.errors import AgencyAlreadyExists, DomainError
from shared_apps.accounts.models import Membership, Role
from shared_apps.accounts.services import ensure_city_admin

from .models import Agency, AgencyEvent, AgencyKind, AgencySlugAlias, AgencyStatus
from .pool import schema_pool_take
from .schema import schema_clone_from_template

# Sent inside the onboarding transaction, after the schema exists, with the connection still on the
# public schema: other contexts (catalogue adoption, ...) add their part atomically.
agency_onboarded = Signal()

NATIONAL_CODE_RE = re.compile(r"^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9A-Z]{2}$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slug_for_name(name):
    return slugify(unidecode(name))[:80].strip("-")


def schema_name_for_slug(slug):
    return ("ag_" + slug.replace("-", "_"))[:63]


def _ensure_city_admin(acting_user):
    ensure_city_admin(acting_user, message=_("Chỉ quản trị thành phố mới được tiếp nhận cơ quan mới."))


def _agency_snapshot(agency):
    return {
        "name": agency.name,
        "slug": agency.slug,
        "kind": agency.kind,
        "status": agency.status,
        "national_code": agency.national_code,
        "admin_unit_code": agency.admin_unit_code,
        "parent": agency.parent_id,
        "successor": agency.successor_id,
        "schema_name": agency.schema_name,
    }


def agency_onboard(
    *,
    name,
    kind,
    national_code,
    acting_user,
    slug=None,
    short_name="",
    admin_unit_code="",
    parent=None,
    admin_user=None,
    valid_from=None,
):
    """Create an agency and its schema (cloned from the template) in one transaction.

    The same agency twice (same slug, national code or administrative-unit code) is refused with a
    clear message; any failure leaves nothing behind."""
    _ensure_city_admin(acting_user)
    name = (name or "").strip()
    slug = (slug or slug_for_name(name)).strip()
    national_code = (national_code or "").strip().upper()
    errors = {}
    if not name:
        errors["name"] = _("Tên cơ quan không được để trống.")
    if kind not in AgencyKind.values:
        errors["kind"] = _("Loại cơ quan không hợp lệ: %(kind)s.") % {"kind": kind}
    if not SLUG_RE.match(slug or ""):
        errors["slug"] = _("Đường dẫn chỉ gồm chữ thường không dấu, số và dấu gạch ngang.")
    elif slug in settings.RESERVED_SLUGS:
        errors["slug"] = _("Đường dẫn “%(slug)s” được hệ thống dùng riêng.") % {"slug": slug}
    if not NATIONAL_CODE_RE.match(national_code):
        errors["national_code"] = _("Mã cơ quan phải theo mẫu 000.00.xx.Hnn.")
    if errors:
        raise ValidationError(errors)

    existing = (
        Agency.objects.filter(slug=slug).first() or Agency.objects.filter(national_code=national_code).first()
    )
    if existing is None and admin_unit_code:
        existing = Agency.objects.filter(admin_unit_code=admin_unit_code).first()
    if existing is None:  # the old path of a renamed agency keeps redirecting there
        alias = AgencySlugAlias.objects.select_related("agency").filter(slug=slug).first()
        existing = alias.agency if alias is not None else None
    if existing is not None:
        raise AgencyAlreadyExists(
            _("Cơ quan “%(name)s” (%(code)s, /%(slug)s/) đã được tiếp nhận trước đó; không tạo lại.")
            % {"name": existing.name, "code": existing.national_code, "slug": existing.slug}
        )

    connection.set_schema_to_public()
    try:
        with transaction.atomic():
            agency = Agency(
                name=name,
                short_name=short_name,
                slug=slug,
                kind=kind,
                national_code=national_code,
                admin_unit_code=admin_unit_code,
                parent=parent,
                schema_name=schema_name_for_slug(slug),
                status=AgencyStatus.ACTIVE,
                valid_from=valid_from,
            )
            agency.full_clean(validate_unique=False)
            agency.save()
            if schema_pool_take(schema_name=agency.schema_name):
                transaction.on_commit(_pool_refill_soon)  # a spare was used: top the pool up
            else:
                schema_clone_from_template(agency.schema_name)
            if admin_user is not None:
                Membership.objects.create(user=admin_user, agency=agency, roles=[Role.AGENCY_ADMIN])
            AgencyEvent.objects.create(
                agency=agency,
                action="onboarded",
                actor=acting_user,
                new_values=_agency_snapshot(agency),
            )
            agency_onboarded.send(sender=Agency, agency=agency, acting_user=acting_user)
    except IntegrityError as exc:  # a concurrent onboarding of the same agency won the race
        raise AgencyAlreadyExists(
            _("Cơ quan có đường dẫn “%(slug)s” hoặc mã %(code)s đã tồn tại.")
            % {"slug": slug, "code": national_code}
        ) from exc
    return agency


def _pool_refill_soon():
    """After an onboarding used (or could have used) a spare schema, top the pool up in the
    background. Without a broker the beat run (or `manage.py fill_schema_pool`) does it later."""
    if not settings.SCHEMA_POOL_SIZE or settings.CELERY_TASK_ALWAYS_EAGER:
        return
    from django.core.cache import caches

    from .tasks import schema_pool_refill

    try:
        if caches["shared"].add("schema-pool:refill-queued", 1, 60):  # one queued refill is enough
            schema_pool_refill.apply_async(retry=False)
    except Exception:  # the broker is down: the periodic refill catches up
        import logging

        logging.getLogger(__name__).warning("could not queue the schema pool refill", exc_info=True)


def agency_set_status(*, agency, status, reason="", acting_user):
    """Suspend, reopen or archive an agency; its workspace shows the status at once."""
    _ensure_city_admin(acting_user)
    if status not in AgencyStatus.values:
        raise DomainError(_("Trạng thái không hợp lệ: %(s)s.") % {"s": status}, field="status")
    if status == AgencyStatus.MERGED:
        raise DomainError(_("Dùng chức năng sáp nhập để đánh dấu cơ quan đã sáp nhập."), field="status")
    with transaction.atomic():
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        old = {"status": agency.status, "status_reason": agency.status_reason}
        if old["status"] == status:
            return agency
        agency.status, agency.status_reason = status, reason
        agency.save(update_fields=["status", "status_reason", "updated_at"])
        AgencyEvent.objects.create(
            agency=agency,
            action="status_changed",
            actor=acting_user,
            old_values=old,
            new_values={"status": status, "status_reason": reason},
        )
    return agency
