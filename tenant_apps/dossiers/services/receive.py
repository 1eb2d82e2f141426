"""Counter intake of a complete dossier — the desk's busiest operation — in as few statements as the
rules allow: everything is decided in Python first (intake plan from the per-process cache, due time
and the intake step's sub-deadline from the engine), then one short transaction writes the code
counter, the dossier, its components, its two events and the public index row with its events. The
code counter's row lock is held only for those inserts."""

from __future__ import annotations

import unicodedata

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shared_apps.accounts.models import Role
from shared_apps.accounts.services import ensure_member
from shared_apps.catalogue.models import StepRole
from shared_apps.tracking.models import DossierIndex, IndexEvent
from tenants.errors import DomainError

from ..lifecycle import NATIONAL_STATUS, Action, State
from ..models import Channel, Dossier, DossierComponent, DossierEvent
from ..plans import intake_plan
from .core import (
    display_name,
    due_for,
    ensure_in_agency,
    index_values,
    snapshot,
    step_due_for,
    verdict,
)
from .intake import clean_applicant, dossier_code_allocate


def _check_channel(plan, channel):
    if channel not in Channel.values:
        raise DomainError(_("Kênh nộp không hợp lệ: %(c)s.") % {"c": channel}, field="channel")
    if channel not in plan.channels:
        raise DomainError(_("Thủ tục này không nhận hồ sơ qua kênh đã chọn."), field="channel")


def _flags(plan, components):
    flags = {int(k): v for k, v in (components or {}).items()}
    unknown = set(flags) - {c.position for c in plan.components}
    if unknown:
        raise DomainError(_("Thành phần hồ sơ không có trong thủ tục: %(p)s.") % {"p": sorted(unknown)},
                          field="components")
    missing = [c.name for c in plan.components if c.required and not flags.get(c.position, {}).get("provided")]
    if missing:
        raise DomainError(_("Hồ sơ còn thiếu: %(m)s. Hãy yêu cầu bổ sung, hoàn thiện hồ sơ.")
                          % {"m": "; ".join(missing)}, code="incomplete", field="components")
    return flags


def dossier_receive(*, agency, procedure, applicant, channel, components, acting_user, request_summary="",
                    sets=1):
    """At the counter, a complete dossier: recorded, accepted with its code and appointment (form 01)."""
    ensure_in_agency(agency)
    ensure_member(user=acting_user, agency=agency, roles=[Role.RECEIVING_OFFICER])
    code_of = procedure if isinstance(procedure, str) else procedure.national_code
    now = timezone.now()
    plan = intake_plan(agency=agency, procedure_code=code_of, at=now)
    _check_channel(plan, channel)
    if channel == Channel.ONLINE:
        raise DomainError(_("Hồ sơ trực tuyến do công dân nộp, không tiếp nhận tại quầy."), field="channel")
    data = clean_applicant(applicant)
    flags = _flags(plan, components)

    result, due = due_for(agency=agency, start=now, limit=plan.time_limit, unit=plan.time_unit, cutoff=plan.cutoff)
    receive_due = step_due_for(agency=agency, steps=plan.steps, step_code="receive",
                               counted_from=result.counted_from, original_due=due)
    next_role = next((role for code, role, _share in plan.steps if code == "assign"), "unit_head")
    dossier = Dossier(
        procedure_id=plan.procedure_id, procedure_version_id=plan.version_id, state=State.NEW,
        channel=channel, applicant_kind=data["kind"], applicant_name=data["name"],
        applicant_id_number=data["id_number"], applicant_address=data["address"], applicant_phone=data["phone"],
        applicant_email=data["email"], request_summary=unicodedata.normalize("NFC", request_summary or ""),
        sets=max(1, int(sets or 1)), fees_total=plan.default_fee, current_step="receive", step_started_at=now,
        time_limit=plan.time_limit, time_unit=plan.time_unit, cutoff=plan.cutoff,
    )
    registered = snapshot(dossier)
    dossier.state = State.RECEIVED
    dossier.received_at = now
    dossier.received_by = acting_user
    dossier.counted_from = result.counted_from
    dossier.original_due_at = dossier.due_at = due
    dossier.current_step = "assign"
    dossier.step_started_at = now
    dossier.step_due_at = step_due_for(agency=agency, steps=plan.steps, step_code="assign",
                                       counted_from=result.counted_from, original_due=due)
    officer = display_name(acting_user)
    with transaction.atomic():
        dossier.code = dossier_code_allocate(agency=agency, day=timezone.localdate(now))
        dossier.save(force_insert=True)
        DossierComponent.objects.bulk_create(
            DossierComponent(
                dossier=dossier, position=c.position, name=c.name, form=c.form, quantity=c.quantity,
                required=c.required, provided=bool(flags.get(c.position, {}).get("provided")),
                digitised=bool(flags.get(c.position, {}).get("digitised")),
                reused=bool(flags.get(c.position, {}).get("reused")),
            )
            for c in plan.components
        )
        DossierEvent.objects.bulk_create([
            DossierEvent(dossier=dossier, seq=1, action="register", from_state="", to_state=State.NEW,
                         actor=acting_user, actor_name=officer, at=now, new_values=registered),
            DossierEvent(dossier=dossier, seq=2, action=Action.ACCEPT, from_state=State.NEW,
                         to_state=State.RECEIVED, actor=acting_user, actor_name=officer, at=now,
                         old_values=registered, new_values=snapshot(dossier), step="receive", giver_name=officer,
                         receiver_name=str(StepRole(next_role).label) if next_role in StepRole.values else "",
                         step_due_at=receive_due,
                         step_timeliness=verdict(agency=agency, finished=now, due=receive_due)),
        ])
        entry = DossierIndex.objects.create(agency_id=agency.pk, dossier_id=dossier.pk,
                                            **index_values(dossier, procedure_name=plan.procedure_name))
        IndexEvent.objects.bulk_create([
            IndexEvent(entry=entry, at=now, action="register", national_status=NATIONAL_STATUS[State.NEW],
                       agency_name=agency.name),
            IndexEvent(entry=entry, at=now, action=Action.ACCEPT, national_status=NATIONAL_STATUS[State.RECEIVED],
                       step="receive", agency_name=agency.name),
        ])
    return dossier
