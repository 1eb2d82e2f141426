"""Counter intake of a complete dossier — the desk's busiest operation — in as few statements as the
rules allow: everything is decided in Python first (intake plan from the per-process cache, due time
and the intake step's sub-deadline from the engine), then ONE statement (data-modifying CTEs, see
config/db.py) allocates the code from the day's counter and writes the dossier, its components, its
two events and the public index row with its events, atomically."""

from __future__ import annotations

import unicodedata

from django.utils import timezone
from django.utils.translation import gettext as _

from config.db import InsertChain
from core.errors import DomainError
from shared_apps.accounts.models import Role
from shared_apps.accounts.services import ensure_member
from shared_apps.catalogue.models import StepRole
from shared_apps.notifications.models import OutboxMessage
from shared_apps.notifications.services import outbox_kick
from shared_apps.tracking.models import DossierIndex, IndexEvent

from ..lifecycle import NATIONAL_STATUS, Action, State
from ..models import Channel, Dossier, DossierComponent, DossierEvent
from ..notify import citizen_message
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
from .intake import clean_applicant, clean_sets

CODE_MARK = "\u00a7CODE\u00a7"  # stands for the code until SQL allocates it


def _check_channel(plan, channel):
    if channel not in Channel.values:
        raise DomainError(_("Kênh nộp không hợp lệ: %(c)s.") % {"c": channel}, field="channel")
    if channel not in plan.channels:
        raise DomainError(_("Thủ tục này không nhận hồ sơ qua kênh đã chọn."), field="channel")


def _flags(plan, components):
    flags = {int(k): v for k, v in (components or {}).items()}
    unknown = set(flags) - {c.position for c in plan.components}
    if unknown:
        raise DomainError(
            _("Thành phần hồ sơ không có trong thủ tục: %(p)s.") % {"p": sorted(unknown)}, field="components"
        )
    missing = [
        c.name for c in plan.components if c.required and not flags.get(c.position, {}).get("provided")
    ]
    if missing:
        raise DomainError(
            _("Hồ sơ còn thiếu: %(m)s. Hãy yêu cầu bổ sung, hoàn thiện hồ sơ.") % {"m": "; ".join(missing)},
            code="incomplete",
            field="components",
        )
    return flags


def dossier_receive(
    *, agency, procedure, applicant, channel, components, acting_user, request_summary="", sets=1
):
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
    sets = clean_sets(sets)
    flags = _flags(plan, components)

    result, due = due_for(
        agency=agency, start=now, limit=plan.time_limit, unit=plan.time_unit, cutoff=plan.cutoff
    )
    receive_due = step_due_for(
        agency=agency,
        steps=plan.steps,
        step_code="receive",
        counted_from=result.counted_from,
        original_due=due,
    )
    next_role = next((role for code, role, _share in plan.steps if code == "assign"), "unit_head")
    dossier = Dossier(
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
        sets=sets,
        fees_total=plan.default_fee,
        current_step="receive",
        step_started_at=now,
        time_limit=plan.time_limit,
        time_unit=plan.time_unit,
        cutoff=plan.cutoff,
    )
    registered = snapshot(dossier)
    dossier.state = State.RECEIVED
    dossier.received_at = now
    dossier.received_by = acting_user
    dossier.counted_from = result.counted_from
    dossier.original_due_at = dossier.due_at = due
    dossier.current_step = "assign"
    dossier.step_started_at = now
    dossier.step_due_at = step_due_for(
        agency=agency,
        steps=plan.steps,
        step_code="assign",
        counted_from=result.counted_from,
        original_due=due,
    )
    officer = display_name(acting_user)
    day = timezone.localdate(now)
    components_rows = [
        DossierComponent(
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
    ]
    events = [
        DossierEvent(
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
            seq=2,
            action=Action.ACCEPT,
            from_state=State.NEW,
            to_state=State.RECEIVED,
            actor=acting_user,
            actor_name=officer,
            at=now,
            old_values=registered,
            new_values=snapshot(dossier),
            step="receive",
            giver_name=officer,
            receiver_name=str(StepRole(next_role).label) if next_role in StepRole.values else "",
            step_due_at=receive_due,
            step_timeliness=verdict(agency=agency, finished=now, due=receive_due),
        ),
    ]
    entry = DossierIndex(
        agency_id=agency.pk,
        **index_values(dossier, procedure_name=plan.procedure_name, components=components_rows),
    )
    index_events = [
        IndexEvent(
            at=now, action="register", national_status=NATIONAL_STATUS[State.NEW], agency_name=agency.name
        ),
        IndexEvent(
            at=now,
            action=Action.ACCEPT,
            national_status=NATIONAL_STATUS[State.RECEIVED],
            step="receive",
            agency_name=agency.name,
        ),
    ]
    # One statement, one implicit transaction: the day's counter row is locked for as long as this
    # single statement runs, and a failure anywhere leaves nothing (the number included).
    code_sql = (
        "%s || CASE WHEN counter.last < 10000 THEN lpad(counter.last::text, 4, '0') "
        "ELSE counter.last::text END"
    )
    chain = (
        InsertChain()
        .raw(
            "counter",
            "INSERT INTO dossiers_codecounter (day, last) VALUES (%s, 1) ON CONFLICT (day) "
            "DO UPDATE SET last = dossiers_codecounter.last + 1 RETURNING last",
            [day],
        )
        .insert(
            "d",
            [dossier],
            source="counter",
            derived={"code": (code_sql, [f"{agency.national_code}-{day:%y%m%d}-"])},
            returning="id, code",
        )
        .insert("comp", components_rows, source="d", derived={"dossier_id": ("d.id", [])})
        .insert("ev", events, source="d", derived={"dossier_id": ("d.id", [])})
        .insert(
            "idx",
            [entry],
            source="d",
            derived={"dossier_id": ("d.id", []), "code": ("d.code", [])},
            returning="id",
        )
        .insert("iev", index_events, source="idx", derived={"entry_id": ("idx.id", [])})
    )
    # The receipt message (code and appointment) to the citizen: outbox rows in the same statement,
    # their text completed with the code SQL allocates.
    message = citizen_message(
        agency=agency,
        dossier=dossier,
        action=Action.ACCEPT,
        procedure_name=plan.procedure_name,
        code=CODE_MARK,
    )
    if message is not None:
        subject, body, recipients = message
        chain.insert(
            "outbox",
            [
                OutboxMessage(
                    channel=channel,
                    recipient=recipient,
                    subject=subject,
                    body=body,
                    agency=agency,
                    created_at=now,
                    available_at=now,
                )
                for channel, recipient in recipients
            ],
            source="d",
            derived={
                "subject": (f"replace(CAST(v.\"subject\" AS text), '{CODE_MARK}', d.code)", []),
                "body": (f"replace(CAST(v.\"body\" AS text), '{CODE_MARK}', d.code)", []),
                "dossier_code": ("d.code", []),
                "dedupe_key": (
                    "'citizen:' || %s || ':' || d.id || ':2:' || v.\"channel\"",
                    [agency.schema_name],
                ),
            },
            keep_values=("subject", "body"),
        )
    dossier.pk, dossier.code = chain.run("SELECT id, code FROM d")
    dossier._state.adding = False
    if message is not None:
        outbox_kick()
    return dossier
