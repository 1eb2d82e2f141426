"""What the desk needs to take in a dossier of one procedure, read once and kept per process.

An intake plan gathers the adoption, the version in force, its components, default fee, time limit
and process steps — published catalogue data that does not change under a running desk. Plans are
cached per (agency schema, procedure code, day) and dropped everywhere when the catalogue or an
adoption changes (a shared version key, as for the agency directory and the calendar)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import time
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from config.versioned import SharedVersion
from core.errors import DomainError
from shared_apps.catalogue.models import Procedure
from tenant_apps.adoption.models import ProcedureAdoption
from tenant_apps.adoption.selectors import adoption_effective_time_limit, adoption_version_in_force

plans_version = SharedVersion("intake-plans:version", check_seconds=1.0)
_lock = threading.Lock()
_plans: dict = {}


@dataclass(frozen=True)
class ComponentPlan:
    position: int
    name: str
    form: str
    quantity: int
    required: bool


@dataclass(frozen=True)
class IntakePlan:
    procedure_id: int
    procedure_name: str
    national_code: str
    version_id: int
    channels: tuple[str, ...]
    online_open: bool
    components: tuple[ComponentPlan, ...]
    default_fee: int
    time_limit: Decimal
    time_unit: str
    cutoff: time | None
    steps: tuple[tuple[str, str, Decimal], ...]  # (code, role, share)


def _build(procedure_code, at):
    procedure = Procedure.objects.filter(national_code=procedure_code).first()
    if procedure is None:
        raise DomainError(_("Không có thủ tục này trong danh mục."), field="procedure")
    adoption = (
        ProcedureAdoption.objects.filter(procedure=procedure, is_active=True)
        .select_related("procedure")
        .first()
    )
    if adoption is None:
        raise DomainError(
            _("Cơ quan chưa áp dụng thủ tục %(c)s.") % {"c": procedure.national_code}, field="procedure"
        )
    version = adoption_version_in_force(adoption=adoption, at=at)
    if version is None:
        raise DomainError(_("Thủ tục không còn hiệu lực."), field="procedure")
    limit, unit = adoption_effective_time_limit(adoption=adoption, version=version)
    return IntakePlan(
        procedure_id=procedure.pk,
        procedure_name=procedure.name,
        national_code=procedure.national_code,
        version_id=version.pk,
        channels=tuple(version.channels),
        online_open=bool(version.online_mode and adoption.online_intake_open),
        components=tuple(
            ComponentPlan(c.position, c.name, c.form, c.quantity, c.required)
            for c in version.components.all()
        ),
        default_fee=next((f.amount for f in version.fees.all()), 0),
        time_limit=limit,
        time_unit=unit,
        cutoff=version.cutoff,
        steps=tuple((s.code, s.role, s.share) for s in version.steps.all()),
    )


def intake_plan(*, agency, procedure_code, at=None):
    at = at or timezone.now()
    key = (agency.schema_name, procedure_code, timezone.localdate(at))
    with _lock:
        if plans_version.changed():
            _plans.clear()
            plans_version.loaded()
        plan = _plans.get(key)
    if plan is None:
        plan = _build(procedure_code, at)
        with _lock:
            _plans[key] = plan
    return plan


def plans_changed():
    """Call after commit of any catalogue or adoption change."""
    plans_version.bump()


def plans_invalidate_local():
    plans_version.invalidate_local()
