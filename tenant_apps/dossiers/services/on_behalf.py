"""Receipt regardless of administrative boundary (phi địa giới): a desk receives a dossier that another
agency decides, in one transaction across both agencies' schemas (see docs/interagency.md)."""

from __future__ import annotations

import unicodedata

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from shared_apps.tracking.models import DossierIndex, IndexEvent

from ..lifecycle import NATIONAL_STATUS, Action, State
from ..models import Channel, Dossier, DossierComponent, DossierEvent
from ..notify import citizen_notify
from ..plans import intake_plan
from .core import display_name, due_for, index_values, snapshot, step_due_for, verdict
from .handover import agency_resolve, hop_row_create, schema_of
from .intake import clean_applicant, clean_sets, dossier_code_allocate
from .permissions import dossier_intake_authorize, ensure_may_decide_on_behalf
from .receive import _check_channel, _flags


def dossier_receive_on_behalf(
    *,
    agency,
    deciding_agency,
    procedure,
    applicant,
    channel,
    components,
    acting_user,
    request_summary="",
    sets=1,
):
    """Receipt regardless of administrative boundary (phi địa giới): this agency's desk takes in a
    complete dossier of a procedure that `deciding_agency` adopted and decides. One transaction across
    both schemas: the code comes from the DECIDING agency's series (it is the agency that decides and
    answers for the appointment; its logbook stays gap-free), the dossier is registered and accepted in
    its queue with the appointment on its calendar, and this agency keeps a row (same code) that prints
    the receipt, waits in `handed_over` and gets the result back to return it at this desk."""
    dossier_intake_authorize(agency=agency, acting_user=acting_user)
    deciding = agency_resolve(deciding_agency)
    ensure_may_decide_on_behalf(agency=agency, deciding=deciding)
    if channel == Channel.ONLINE:
        raise DomainError(_("Hồ sơ trực tuyến do công dân nộp, không tiếp nhận tại quầy."), field="channel")
    data = clean_applicant(applicant)
    code_of = procedure if isinstance(procedure, str) else procedure.national_code
    now = timezone.now()
    officer = display_name(acting_user)
    with transaction.atomic():
        with schema_of(deciding):
            try:
                plan = intake_plan(agency=deciding, procedure_code=code_of, at=now)
            except DomainError as exc:
                raise DomainError(
                    _("%(a)s: %(m)s") % {"a": deciding.name, "m": exc.message}, field="procedure"
                ) from None
            _check_channel(plan, channel)
            flags = _flags(plan, components)
            result, due = due_for(
                agency=deciding, start=now, limit=plan.time_limit, unit=plan.time_unit, cutoff=plan.cutoff
            )
            code = dossier_code_allocate(agency=deciding, day=timezone.localdate(now))
        receive_due = step_due_for(
            agency=deciding,
            steps=plan.steps,
            step_code="receive",
            counted_from=result.counted_from,
            original_due=due,
        )
        origin = Dossier.objects.create(
            code=code,
            procedure_id=plan.procedure_id,
            procedure_version_id=plan.version_id,
            state=State.NEW,
            channel=channel,
            applicant_kind=data["kind"],
            applicant_name=data["name"],
            applicant_id_number=data["id_number"],
            applicant_address=data["address"],
            applicant_phone=data["phone"],
            applicant_email=data["email"],
            request_summary=unicodedata.normalize("NFC", request_summary or ""),
            sets=clean_sets(sets),
            fees_total=plan.default_fee,
            time_limit=plan.time_limit,
            time_unit=plan.time_unit,
            cutoff=plan.cutoff,
            current_step="receive",
            step_started_at=now,
            received_on_behalf=True,
        )
        DossierComponent.objects.bulk_create(
            DossierComponent(
                dossier=origin,
                position=c.position,
                name=c.name,
                form=c.form,
                quantity=c.quantity,
                required=c.required,
                provided=bool(flags.get(c.position, {}).get("provided")),
                digitised=bool(flags.get(c.position, {}).get("digitised")),
                reused=bool(flags.get(c.position, {}).get("reused")),
            )
            for c in plan.components
        )
        registered = snapshot(origin)
        origin.state = State.RECEIVED
        origin.received_at, origin.received_by = now, acting_user
        origin.counted_from, origin.original_due_at, origin.due_at = result.counted_from, due, due
        accepted = snapshot(origin)
        origin.state, origin.resume_state = State.HANDED_OVER, State.RECEIVED
        origin.handed_to_agency, origin.hop_step, origin.hop_due_at = deciding, "decide", due
        origin.current_step, origin.step_due_at = "decide", due
        origin.save()
        events = DossierEvent.objects.bulk_create(
            [
                DossierEvent(
                    dossier=origin,
                    seq=1,
                    action="register",
                    from_state="",
                    to_state=State.NEW,
                    actor=acting_user,
                    actor_name=officer,
                    at=now,
                    new_values=registered,
                ),
                DossierEvent(
                    dossier=origin,
                    seq=2,
                    action=Action.ACCEPT,
                    from_state=State.NEW,
                    to_state=State.RECEIVED,
                    actor=acting_user,
                    actor_name=officer,
                    at=now,
                    old_values=registered,
                    new_values=accepted,
                ),
                DossierEvent(
                    dossier=origin,
                    seq=3,
                    action=Action.HAND_OVER,
                    from_state=State.RECEIVED,
                    to_state=State.HANDED_OVER,
                    actor=acting_user,
                    actor_name=officer,
                    at=now,
                    note=f"Tiếp nhận thay {deciding.name}",
                    old_values=accepted,
                    new_values=snapshot(origin),
                    step="receive",
                    giver_name=officer,
                    receiver_name=deciding.name,
                    step_due_at=receive_due,
                    step_timeliness=verdict(agency=deciding, finished=now, due=receive_due),
                ),
            ]
        )
        # The public row starts at this desk (its part of the timeline), then follows the holder.
        entry = DossierIndex.objects.create(
            agency_id=agency.pk,
            dossier_id=origin.pk,
            origin_agency_id=agency.pk,
            **index_values(origin, procedure_name=plan.procedure_name),
        )
        IndexEvent.objects.bulk_create(
            IndexEvent(
                entry=entry,
                at=now,
                action=e.action,
                national_status=NATIONAL_STATUS[State(e.to_state)],
                step=e.step,
                agency_name=agency.name,
            )
            for e in events
        )
        components = list(origin.components.all())  # read here, before the switch
        with schema_of(deciding):
            row = hop_row_create(
                origin=origin,
                origin_agency=agency,
                to_agency=deciding,
                step_code="decide",
                limit=plan.time_limit,
                unit=plan.time_unit,
                cutoff=plan.cutoff,
                now=now,
                acting_user=acting_user,
                note=f"Tiếp nhận tại {agency.name}",
                components=components,
                action="receive_on_behalf",
            )
        origin.handed_to_dossier_id = row.pk
        origin.save(update_fields=["handed_to_dossier_id"])
        citizen_notify(
            agency=agency, dossier=origin, action=Action.ACCEPT, seq=2, procedure_name=plan.procedure_name
        )
    return origin
