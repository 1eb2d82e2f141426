from django.db import connection, transaction
from django.utils.translation import gettext as _

from core.errors import DomainError
from shared_apps.accounts.models import Role
from shared_apps.accounts.services import ensure_member

from .models import AuditEvent, Notice

NOTICE_ROLES = [Role.AGENCY_ADMIN, Role.LEADER, Role.UNIT_HEAD]


def _ensure_in_agency(agency):
    if connection.schema_name != agency.schema_name:
        raise RuntimeError(f"connection is on {connection.schema_name!r}, not on {agency.schema_name!r}")


def notice_create(*, agency, title, body="", acting_user):
    _ensure_in_agency(agency)
    ensure_member(user=acting_user, agency=agency, roles=NOTICE_ROLES)
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Tiêu đề thông báo không được để trống."), field="title")
    if len(title) > 200:
        raise DomainError(_("Tiêu đề thông báo dài tối đa 200 ký tự."), field="title")
    with transaction.atomic():
        notice = Notice.objects.create(title=title, body=body or "", created_by=acting_user)
        AuditEvent.objects.create(
            action="notice_created",
            actor=acting_user,
            object_type="notice",
            object_id=str(notice.pk),
            new_values={"title": notice.title, "body": notice.body},
        )
    return notice
