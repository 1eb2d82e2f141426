"""Inter-agency processing (liên thông): hand a dossier's active work to the agency that performs the
next step of its process, and hand it back.

Every agency's schema lives in the same PostgreSQL database, so one hand-over is ONE transaction
that writes to both schemas and to the public index: `connection.set_tenant()` inside
`transaction.atomic()` only changes the search_path the next statement runs with (django-tenants
sends `SET search_path` lazily, within the same transaction). A failure anywhere rolls back both
halves; the connection is always put back on the caller's schema.

* The sender's dossier takes the `hand_over` transition (event with old and new values, control-slip
  row giver → receiving agency) and waits in `handed_over`, saying where it is and the step's
  sub-deadline there.
* The receiver gets its own row: same code, the procedure and version, the applicant, the components
  (files referenced, not copied: they stay under the sender's folder and are served to members of
  whoever holds a row pointing at them), a reference to the origin agency and dossier (the origin's
  events are the history), and its OWN deadline: the step's share of the dossier's statutory working
  time, counted from the hand-over on the receiver's calendar by the deadline engine.
* The public index row follows the holder (its agency and dossier id are switched), so look-up by
  code keeps working and the public timeline lists every hop with its agency.
* `dossier_hand_back` closes the receiver's part (`handed_back`; on time or late against its own
  sub-deadline) and, in the same transaction, lets the sender continue (`take_back`) or, when the
  receiver decided (a result number), puts the result at the sender's desk (`result_back`). When a
  hop overran its sub-deadline, that agency is recorded as the cause of the delay (it owes the apology).
"""

from __future__ import annotations

from contextlib import contextmanager
from decimal import ROUND_CEILING, Decimal

from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from core.errors import DomainError
from shared_apps.accounts.models import User
from shared_apps.catalogue.models import StepRole
from shared_apps.tracking.models import DossierIndex
from tenants.models import Agency, AgencyStatus

from ..lifecycle import Action, HopAction, State, next_state
from ..models import Dossier, DossierComponent
from .core import (
    append_event,
    apply_action,
    display_name,
    due_for,
    ensure_in_agency,
    snapshot,
    step_due,
    sync_index,
    verdict,
    working_time,
)
from .permissions import dossier_action_authorize

DESK = "Bộ phận một cửa"  # stored data: Vietnamese


@contextmanager
def schema_of(agency):
    """Run the block on `agency`'s schema, inside the caller's transaction; always switch back."""
    previous = connection.tenant
    connection.set_tenant(agency)
    try:
        yield agency
    finally:
        connection.set_tenant(previous)


def agency_resolve(value):
    """An active agency from an Agency, its id, slug or national code; a clear error otherwise."""
    if isinstance(value, Agency):
        agency = value
    else:
        text = str(value or "").strip()
        agency = (
            Agency.objects.filter(slug=text).first()
            or Agency.objects.filter(national_code=text).first()
            or (Agency.objects.filter(pk=int(text)).first() if text.isdigit() else None)
        )
    if agency is None or agency.is_public:
        raise DomainError(_("Không tìm thấy cơ quan nhận hồ sơ liên thông."), field="to_agency")
    if agency.status != AgencyStatus.ACTIVE:
        raise DomainError(
            _("%(a)s không còn hoạt động; không thể chuyển hồ sơ đến.") % {"a": agency.name},
            field="to_agency",
        )
    return agency


def interagency_step(*, version, to_agency):
    """The step of the version's process that `to_agency` performs (by its kind or its code)."""
    return next((s for s in version.steps.all() if s.performed_by(to_agency)), None)


def hop_hours(*, agency, dossier, share):
    """The step's share of the dossier's statutory working time (counted from the receipt to the
    original appointment on the lead agency's calendar), in working hours, rounded up to 0.01 h."""
    total = working_time(agency, dossier.counted_from, dossier.original_due_at)
    hours = Decimal(total.total_seconds()) / 3600 * Decimal(share) / 100
    return hours.quantize(Decimal("0.01"), rounding=ROUND_CEILING)


def _check_can_hand_over(*, agency, dossier, acting_user):
    ensure_in_agency(agency)
    dossier_action_authorize(agency=agency, action=Action.HAND_OVER, acting_user=acting_user)
    next_state(state=dossier.state, action=Action.HAND_OVER)  # an illegal transition first, before input


def copy_components(*, source, target):
    """The receiver's components: the same rows, the scans referenced (same stored file)."""
    DossierComponent.objects.bulk_create(
        DossierComponent(
            dossier=target,
            position=c.position,
            name=c.name,
            form=c.form,
            quantity=c.quantity,
            required=c.required,
            provided=c.provided,
            digitised=c.digitised,
            reused=c.reused,
            file=c.file.name if c.file else "",
            file_type=c.file_type,
            missing_reason=c.missing_reason,
        )
        for c in source
    )


def hop_row_create(
    *,
    origin,
    origin_agency,
    to_agency,
    step_code,
    limit,
    unit,
    now,
    acting_user,
    note,
    components,
    cutoff=None,
    action="handover_in",
    receiver_step="assign",
):
    """In the receiver's schema (the connection is there): its row, components, first event and the
    public index row re-pointed at it."""
    if Dossier.objects.filter(code=origin.code).exists():
        raise DomainError(
            _("%(a)s đã có hồ sơ %(c)s; không chuyển liên thông vòng lại.")
            % {"a": to_agency.name, "c": origin.code},
            code="already_there",
            field="to_agency",
        )
    result, due = due_for(agency=to_agency, start=now, limit=limit, unit=unit, cutoff=cutoff)
    row = Dossier.objects.create(
        code=origin.code,
        procedure_id=origin.procedure_id,
        procedure_version_id=origin.procedure_version_id,
        state=State.RECEIVED,
        channel=origin.channel,
        applicant_kind=origin.applicant_kind,
        applicant_name=origin.applicant_name,
        applicant_id_number=origin.applicant_id_number,
        applicant_address=origin.applicant_address,
        applicant_phone=origin.applicant_phone,
        applicant_email=origin.applicant_email,
        owner_user_id=origin.owner_user_id,
        request_summary=origin.request_summary,
        sets=origin.sets,
        fees_total=origin.fees_total,
        received_at=now,
        counted_from=result.counted_from,
        time_limit=limit,
        time_unit=unit,
        cutoff=cutoff,
        original_due_at=due,
        due_at=due,
        current_step=receiver_step,
        step_started_at=now,
        origin_agency=origin_agency,
        origin_dossier_id=origin.pk,
        hop_step=step_code,
        received_on_behalf=origin.received_on_behalf,
    )
    row.step_due_at = step_due(agency=to_agency, dossier=row, step_code=receiver_step)
    row.save(update_fields=["step_due_at"])
    copy_components(source=components, target=row)
    event = append_event(
        dossier=row,
        action=action,
        from_state="",
        acting_user=acting_user,
        at=now,
        note=note,
        new=snapshot(row),
        handover=dict(
            step="handover",
            giver_name=display_name(acting_user),
            receiver_name=str(StepRole.UNIT_HEAD.label),
            agency_name=origin_agency.name,
        ),
    )
    # The public row follows the holder; the lead agency (where the result is returned) stays on it.
    DossierIndex.objects.filter(agency_id=origin_agency.pk, dossier_id=origin.pk).update(
        agency_id=to_agency.pk,
        dossier_id=row.pk,
        origin_agency_id=Coalesce(F("origin_agency_id"), Value(origin_agency.pk)),
    )
    sync_index(agency=to_agency, dossier=row, event=event)
    return row


def dossier_hand_over(*, agency, dossier, to_agency, acting_user, note=""):
    """Hand the dossier's active work to `to_agency` (an Agency, slug or national code), which must
    perform a step of the procedure's process. One transaction across both schemas."""
    _check_can_hand_over(agency=agency, dossier=dossier, acting_user=acting_user)
    to_agency = agency_resolve(to_agency)
    if to_agency.pk == agency.pk:
        raise DomainError(_("Không thể chuyển liên thông cho chính cơ quan mình."), field="to_agency")
    step = interagency_step(version=dossier.procedure_version, to_agency=to_agency)
    if step is None:
        raise DomainError(
            _("Quy trình của thủ tục không có bước nào do %(a)s thực hiện.") % {"a": to_agency.name},
            code="not_in_process",
            field="to_agency",
        )
    with transaction.atomic():
        plan = {}

        def mutate(d, now):
            plan["hours"] = hop_hours(agency=agency, dossier=d, share=step.share)
            plan["due"] = due_for(
                agency=to_agency, start=now, limit=plan["hours"], unit="working_hours", cutoff=None
            )[1]
            plan["now"] = now
            d.resume_state = d.state
            d.handed_to_agency = to_agency
            d.hop_step = step.code
            d.hop_due_at = plan["due"]

        sender = apply_action(
            agency=agency,
            dossier=dossier,
            action=Action.HAND_OVER,
            acting_user=acting_user,
            note=note,
            mutate=mutate,
            handover_to=to_agency.name,
        )
        # While away, the sender's current step is the other agency's, with its sub-deadline.
        sender.current_step, sender.step_started_at, sender.step_due_at = step.code, plan["now"], plan["due"]
        components = list(sender.components.all())
        with schema_of(to_agency):
            row = hop_row_create(
                origin=sender,
                origin_agency=agency,
                to_agency=to_agency,
                step_code=step.code,
                limit=plan["hours"],
                unit="working_hours",
                now=plan["now"],
                acting_user=acting_user,
                note=note,
                components=components,
            )
        sender.handed_to_dossier_id = row.pk
        sender.save(update_fields=["current_step", "step_started_at", "step_due_at", "handed_to_dossier_id"])
    return sender


def _origin_of(dossier):
    """The agency a copy goes back to and its dossier id there. If that agency has since been merged,
    its successor carried the dossier on (same code, new id): follow the successors, find it by code."""
    agency = Agency.objects.get(pk=dossier.origin_agency_id)
    dossier_id = dossier.origin_dossier_id
    seen = {agency.pk}
    while agency.status == AgencyStatus.MERGED and agency.successor_id and agency.successor_id not in seen:
        agency = Agency.objects.get(pk=agency.successor_id)
        seen.add(agency.pk)
        dossier_id = None
    return agency, dossier_id


def _previous_holder(dossier):
    event = dossier.events.filter(action=Action.HAND_OVER).order_by("-seq").first()
    holder_id = event.old_values.get("holder_id") if event else None
    return User.objects.filter(pk=holder_id).first() if holder_id else None


def dossier_hand_back(*, agency, dossier, acting_user, note="", result_number="", result_summary=""):
    """The receiving agency's part is done: back to the agency that handed it over, which continues
    (or, with `result_number`, returns the result the receiving agency decided). One transaction."""
    ensure_in_agency(agency)
    dossier_action_authorize(agency=agency, action=Action.HAND_BACK, acting_user=acting_user)
    next_state(state=dossier.state, action=Action.HAND_BACK)
    if not dossier.origin_agency_id:
        raise DomainError(
            _("Hồ sơ không do cơ quan khác chuyển đến; không có nơi để chuyển trả."), code="not_a_hop"
        )
    origin_agency, origin_id = _origin_of(dossier)
    result_number = (result_number or "").strip()
    with transaction.atomic():

        def mutate(d, now):
            d.finished_at = now
            if result_number:
                d.result_number = result_number
                d.result_summary = (result_summary or "").strip() or d.result_summary
            d.timeliness = verdict(agency=agency, finished=now, due=d.due_at)
            if d.timeliness == "late" and not d.late_agency_code:
                d.late_agency_code = agency.national_code  # this agency overran its own sub-deadline

        row = apply_action(
            agency=agency,
            dossier=dossier,
            action=Action.HAND_BACK,
            acting_user=acting_user,
            note=note,
            mutate=mutate,
            handover_to=origin_agency.name,
        )
        with schema_of(origin_agency):
            origin = (
                Dossier.objects.get(pk=origin_id)
                if origin_id is not None
                else Dossier.objects.get(code=row.code)
            )
            DossierIndex.objects.filter(agency_id=agency.pk, dossier_id=row.pk).update(
                agency_id=origin_agency.pk, dossier_id=origin.pk
            )

            def mutate_origin(d, now):
                d.handed_to_agency = None
                d.handed_to_dossier_id = None
                d.resume_state = ""
                if row.late_agency_code and not d.late_agency_code:
                    d.late_agency_code = row.late_agency_code
                if result_number:
                    d.result_number = result_number
                    d.result_summary = row.result_summary
                    d.finished_at = now
                    d.timeliness = (
                        "late"
                        if d.supplement_count > 1
                        else verdict(agency=origin_agency, finished=now, due=d.due_at)
                    )
                    if d.timeliness == "late" and not d.late_agency_code:
                        d.late_agency_code = origin_agency.national_code

            apply_action(
                agency=origin_agency,
                dossier=origin,
                action=HopAction.RESULT_BACK if result_number else HopAction.TAKE_BACK,
                acting_user=acting_user,
                note=note,
                mutate=mutate_origin,
                holder=None if result_number else _previous_holder(origin),
                handover_to=DESK if result_number else "",
                by_agency=agency,
            )
    return row
