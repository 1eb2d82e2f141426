"""Agencies adopt catalogue procedures. Adoption points at the procedure, not a version: a new
published version reaches every adopting agency at once, unless the agency chose to stay on the
current one (pinned), which it may until the city retires that version."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.utils.translation import gettext as _

from core.errors import DomainError
from shared_apps.accounts.models import Role
from shared_apps.accounts.services import ensure_member
from shared_apps.catalogue.selectors import (
    level_for_agency,
    procedure_current_version,
    procedures_for_level,
)
from shared_apps.catalogue.text import time_limit_text
from tenant_apps.workspace.models import AuditEvent

from .models import ProcedureAdoption


def adoption_on_onboard(*, agency, acting_user, **kwargs):
    """Receiver of tenants.services.agency_onboarded: inside the onboarding transaction, adopt every
    procedure of the agency's level."""
    level = level_for_agency(agency)
    if level is None:
        return
    ids = procedures_for_level(level=level)
    if not ids:
        return
    previous = connection.tenant
    connection.set_tenant(agency)
    try:
        ProcedureAdoption.objects.bulk_create(
            [ProcedureAdoption(procedure_id=pk, adopted_by=acting_user) for pk in ids]
        )
    finally:
        connection.set_tenant(previous)


def _snapshot(adoption):
    return {
        "pinned_version": adoption.pinned_version_id,
        "time_limit_override": str(adoption.time_limit_override)
        if adoption.time_limit_override is not None
        else None,
        "online_intake_open": adoption.online_intake_open,
        "step_assignments": adoption.step_assignments,
        "is_active": adoption.is_active,
    }


def adoption_create(*, agency, procedure, acting_user):
    ensure_member(user=acting_user, agency=agency, roles=[Role.AGENCY_ADMIN])
    if procedure_current_version(procedure=procedure) is None:
        raise DomainError(_("Thủ tục chưa được công bố nên chưa thể áp dụng."))
    with transaction.atomic():
        adoption, created = ProcedureAdoption.objects.get_or_create(
            procedure=procedure, defaults={"adopted_by": acting_user}
        )
        if not created and adoption.is_active:
            raise DomainError(_("Cơ quan đã áp dụng thủ tục này."), code="already_adopted")
        old = _snapshot(adoption) if not created else {}
        adoption.is_active = True
        adoption.save()
        AuditEvent.objects.create(
            action="procedure_adopted",
            actor=acting_user,
            object_type="adoption",
            object_id=str(adoption.pk),
            old_values=old,
            new_values=_snapshot(adoption),
        )
    return adoption


def adoption_update(
    *,
    agency,
    adoption,
    acting_user,
    time_limit_override=None,
    online_intake_open=None,
    step_assignments=None,
    pin_current=None,
):
    """Change an agency's local settings for one procedure. The time limit may only be shortened."""
    ensure_member(user=acting_user, agency=agency, roles=[Role.AGENCY_ADMIN])
    current = procedure_current_version(procedure=adoption.procedure)
    if current is None:
        raise DomainError(_("Thủ tục không còn phiên bản đang công bố."))
    with transaction.atomic():
        adoption = ProcedureAdoption.objects.select_for_update().get(pk=adoption.pk)
        old = _snapshot(adoption)
        if time_limit_override is not None:
            if time_limit_override == "":
                adoption.time_limit_override = None
            else:
                try:
                    value = Decimal(str(time_limit_override))
                except InvalidOperation as exc:
                    raise DomainError(_("Thời hạn phải là một số."), field="time_limit_override") from exc
                if value <= 0 or value > current.time_limit:
                    raise DomainError(
                        _("Thời hạn của cơ quan phải lớn hơn 0 và không dài hơn thời hạn chung (%(limit)s).")
                        % {"limit": time_limit_text(current.time_limit, current.time_unit)},
                        field="time_limit_override",
                    )
                adoption.time_limit_override = value
        if online_intake_open is not None:
            if online_intake_open and not current.online_mode:
                raise DomainError(
                    _("Thủ tục này không có dịch vụ công trực tuyến."), field="online_intake_open"
                )
            adoption.online_intake_open = bool(online_intake_open)
        if step_assignments is not None:
            known = {s.code for s in current.steps.all()}
            unknown = set(step_assignments) - known
            if unknown:
                raise DomainError(
                    _("Bước không có trong quy trình: %(s)s.") % {"s": ", ".join(sorted(unknown))},
                    field="step_assignments",
                )
            adoption.step_assignments = step_assignments
        if pin_current is not None:
            adoption.pinned_version = current if pin_current else None
        adoption.save()
        AuditEvent.objects.create(
            action="adoption_updated",
            actor=acting_user,
            object_type="adoption",
            object_id=str(adoption.pk),
            old_values=old,
            new_values=_snapshot(adoption),
        )
    return adoption
