"""The one way a dossier changes: `apply_action` checks the role, locks the row, asks the transition
table, lets the action mutate the dossier, records the hand-over, appends the event and updates the
public index, all in one transaction."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from shared_apps.calendar import deadlines
from shared_apps.calendar.selectors import work_calendar_for
from shared_apps.tracking.models import DossierIndex, IndexEvent
from shared_apps.tracking.proofs import id_digest, phone_digest

from ..lifecycle import NATIONAL_STATUS, PAUSED, Action, HopAction, State, next_state
from ..models import Dossier, DossierEvent
from ..notify import citizen_notify
from ..selectors import dossier_ensure_not_moved
from .permissions import dossier_action_authorize, ensure_in_agency

# The process step a dossier is in, by state (the catalogue's default template's codes).
STEP_OF_STATE = {
    State.RECEIVED: "assign",
    State.IN_APPRAISAL: "appraise",
    State.AWAITING_APPROVAL: "approve",
    State.APPROVED: "return",
    State.FINISHED: "return",
}
SNAPSHOT_FIELDS = (
    "state",
    "due_at",
    "current_step",
    "holder_id",
    "supplement_count",
    "apology_count",
    "result_number",
    "timeliness",
    "paused_since",
)


def snapshot(dossier):
    out = {}
    for name in SNAPSHOT_FIELDS:
        value = getattr(dossier, name)
        out[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


def display_name(user):
    if user is None:
        return ""
    return getattr(user, "display_name", None) or str(user)


def calendar_for(agency):
    return work_calendar_for(agency=agency)


def pauses_of(dossier, *, until=None):
    out = []
    for p in dossier.pauses.all():
        end = p.ended_at or until
        if end is not None and end > p.started_at:
            out.append(deadlines.Pause(timezone.localtime(p.started_at), timezone.localtime(end), p.reason))
    return out


def due_for(*, agency, start, limit, unit, cutoff, pauses=()):
    """(engine result, due time) of a time limit from `start` on the agency's calendar."""
    cal = calendar_for(agency)
    start = timezone.localtime(start)
    if limit == 0:  # "trong ngày": by the close of the day it counts from
        result = deadlines.deadline_compute(
            calendar=cal, start=start, amount=0, unit="working_hours", cutoff=cutoff, pauses=pauses
        )
        sessions = cal.office_hours(result.counted_from.date())
        close = sessions[-1][1] if sessions else None
        due = (
            result.due if close is None else result.counted_from.replace(hour=close.hour, minute=close.minute)
        )
        return result, max(due, result.due)
    number = int(limit) if limit == int(limit) else float(limit)
    if unit in ("calendar_days", "months") and number != int(number):
        number = int(number) + 1
    result = deadlines.deadline_compute(
        calendar=cal, start=start, amount=number, unit=unit, cutoff=cutoff, pauses=pauses
    )
    return result, result.due


def compute_due(*, agency, dossier, until=None):
    """Due time of the dossier's whole time limit from its receipt, with the pauses so far."""
    return due_for(
        agency=agency,
        start=dossier.received_at,
        limit=dossier.time_limit,
        unit=dossier.time_unit,
        cutoff=dossier.cutoff,
        pauses=pauses_of(dossier, until=until) if dossier.pk else (),
    )


def step_due_for(*, agency, steps, step_code, counted_from, original_due, pauses=()):
    """Sub-deadline of a step: the moment the steps up to it have used their share of the working
    time between the start and the appointment. `steps` = [(code, role, share)] in order."""
    codes = [code for code, _role, _share in steps]
    if step_code not in codes or counted_from is None or original_due is None:
        return None
    cumulative = sum(share for _code, _role, share in steps[: codes.index(step_code) + 1])
    cal = calendar_for(agency)
    start = timezone.localtime(counted_from)
    total = deadlines.working_time_between(calendar=cal, start=start, end=timezone.localtime(original_due))
    hours = total.total_seconds() / 3600 * float(cumulative) / 100
    return deadlines.deadline_compute(
        calendar=cal, start=start, amount=hours, unit="working_hours", pauses=pauses
    ).due


def step_due(*, agency, dossier, step_code):
    steps = [(s.code, s.role, s.share) for s in dossier.procedure_version.steps.all()]
    return step_due_for(
        agency=agency,
        steps=steps,
        step_code=step_code,
        counted_from=dossier.counted_from,
        original_due=dossier.original_due_at,
        pauses=pauses_of(dossier),
    )


def verdict(*, agency, finished, due):
    if due is None:
        return ""
    return str(
        deadlines.timeliness(
            calendar=calendar_for(agency), finished=timezone.localtime(finished), due=timezone.localtime(due)
        )
    )


def append_event(*, dossier, action, from_state, acting_user, at, note="", old=None, new=None, handover=None):
    seq = (dossier.events.aggregate(m=Max("seq"))["m"] or 0) + 1
    handover = handover or {}
    return DossierEvent.objects.create(
        dossier=dossier,
        seq=seq,
        action=action,
        from_state=from_state or "",
        to_state=dossier.state,
        actor=acting_user,
        actor_name=display_name(acting_user),
        at=at,
        note=note or "",
        old_values=old or {},
        new_values=new or {},
        **handover,
    )


def component_counts(dossier, components=None):
    """(components, digitised, reused) of a dossier: from `components` when given (rows about to be
    inserted with it), else one aggregate query on its components; none for an unsaved dossier."""
    if components is not None:
        components = list(components)
        return (
            len(components),
            sum(1 for c in components if c.digitised),
            sum(1 for c in components if c.reused),
        )
    if dossier.pk is None:
        return 0, 0, 0
    from django.db.models import Count, Q

    agg = dossier.components.order_by().aggregate(
        total=Count("id"),
        digitised=Count("id", filter=Q(digitised=True)),
        reused=Count("id", filter=Q(reused=True)),
    )
    return agg["total"], agg["digitised"], agg["reused"]


def index_values(dossier, *, procedure_name, components=None):
    """The public look-up row of a dossier (no personal data beyond the name and last digits).
    `components`: the dossier's components when they are not in the database yet (else counted there)."""
    total, digitised, reused = component_counts(dossier, components)
    return dict(
        code=dossier.code,
        procedure_id=dossier.procedure_id,
        procedure_name=procedure_name,
        state=dossier.state,
        channel=dossier.channel,
        # a copy handed over by another agency is "in progress" for the citizen, not newly "received"
        national_status=4
        if dossier.origin_agency_id and dossier.state == State.RECEIVED
        else NATIONAL_STATUS[State(dossier.state)],
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        finished_at=dossier.finished_at,
        returned_at=dossier.returned_at,
        timeliness=dossier.timeliness,
        is_paused=State(dossier.state) in PAUSED,
        apologised=dossier.apology_count > 0,
        supplement_count=dossier.supplement_count,
        applicant_name=dossier.applicant_name,
        applicant_phone_tail=(dossier.applicant_phone or "")[-4:],
        applicant_id_tail=(dossier.applicant_id_number or "")[-4:],
        applicant_phone_digest=phone_digest(dossier.applicant_phone),
        applicant_id_digest=id_digest(dossier.applicant_id_number),
        owner_user_id=dossier.owner_user_id,
        current_step=dossier.current_step,
        components_total=total,
        components_digitised=digitised,
        components_reused=reused,
        step_due_at=dossier.step_due_at,
    )


def sync_index(*, agency, dossier, event=None):
    """Upsert the public look-up row (same transaction as the change)."""
    values = index_values(dossier, procedure_name=dossier.procedure.name)
    entry, _created = DossierIndex.objects.update_or_create(
        agency_id=agency.pk, dossier_id=dossier.pk, defaults=values
    )
    if event is not None:
        IndexEvent.objects.create(
            entry=entry,
            at=event.at,
            action=event.action,
            national_status=values["national_status"],
            step=event.step,
            agency_name=agency.name,
        )
    return entry


def step_role_label(dossier):
    """Who receives a step nobody was named for: the role the process template gives it."""
    from shared_apps.catalogue.models import StepRole

    step = next((s for s in dossier.procedure_version.steps.all() if s.code == dossier.current_step), None)
    return str(StepRole(step.role).label) if step and step.role in StepRole.values else ""


def enter_step(*, agency, dossier, at, holder=None):
    step = STEP_OF_STATE.get(State(dossier.state), "")
    if step != dossier.current_step:
        # a new step: whoever was named takes it (nobody named: the unit's shared queue)
        dossier.current_step = step
        dossier.step_started_at = at
        dossier.step_due_at = step_due(agency=agency, dossier=dossier, step_code=step) if step else None
        dossier.holder = holder
    elif holder is not None:
        dossier.holder = holder


def apply_action(
    *, agency, dossier, action, acting_user, note="", mutate=None, holder=None, handover_to="", by_agency=None
):
    """Run one action of the transition table on a dossier. `mutate(dossier, now)` may change fields
    or raise a DomainError; `holder` is who gets the dossier next; `handover_to` names a receiver that
    is not a user (the citizen, a unit). `by_agency`: the sender's side of an inter-agency hand-back,
    done by a member of that other agency (checked there), in the same transaction."""
    ensure_in_agency(agency)
    action = HopAction(action) if by_agency is not None else Action(action)
    # officials by role, the citizen on their own dossier, the system for the other agency's hand-back
    dossier_action_authorize(
        agency=agency, action=action, acting_user=acting_user, dossier=dossier, by_agency=by_agency
    )
    with transaction.atomic():
        dossier = (
            Dossier.objects.select_for_update()
            .select_related("procedure", "procedure_version")
            .get(pk=dossier.pk)
        )
        # a dossier moved or carried to another agency is only history here, whatever the caller
        dossier_ensure_not_moved(agency=agency, dossier=dossier)
        from_state = dossier.state
        to_state = next_state(state=from_state, action=action, resume_state=dossier.resume_state)
        now = timezone.now()
        old = snapshot(dossier)
        ended_step, ended_step_due, giver = dossier.current_step, dossier.step_due_at, dossier.holder
        if mutate is not None:
            mutate(dossier, now)
        if ended_step and ended_step_due is None:  # the intake step: its clock starts on acceptance
            ended_step_due = step_due(agency=agency, dossier=dossier, step_code=ended_step)
        dossier.state = to_state
        if State(to_state) not in PAUSED and dossier.resume_state and from_state in PAUSED:
            dossier.resume_state = ""
        enter_step(agency=agency, dossier=dossier, at=now, holder=holder)
        handover = None
        if ended_step and (dossier.current_step != ended_step or to_state in (State.RETURNED,)):
            handover = dict(
                step=ended_step,
                giver_name=display_name(giver or acting_user),
                receiver_name=handover_to or display_name(dossier.holder) or step_role_label(dossier),
                step_due_at=ended_step_due,
                step_timeliness=verdict(agency=agency, finished=now, due=ended_step_due),
                agency_name=by_agency.name if by_agency is not None else "",
            )
        dossier.save()
        event = append_event(
            dossier=dossier,
            action=action,
            from_state=from_state,
            acting_user=acting_user,
            at=now,
            note=note,
            old=old,
            new=snapshot(dossier),
            handover=handover,
        )
        sync_index(agency=agency, dossier=dossier, event=event)
        citizen_notify(
            agency=agency,
            dossier=dossier,
            action=action,
            seq=event.seq,
            note=note,
            procedure_name=dossier.procedure.name,
        )
    return dossier


def working_time(agency, start, end):
    if start is None or end is None or end <= start:
        return timedelta(0)
    return deadlines.working_time_between(
        calendar=calendar_for(agency), start=timezone.localtime(start), end=timezone.localtime(end)
    )
