"""Processing inside the agency: assign, appraise, approve or send back, pauses (supplement,
financial obligation), the one allowed apology, stopping, results and their return."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from shared_apps.accounts.models import Membership, Role, User
from shared_apps.calendar import deadlines

from ..lifecycle import Action
from ..models import DossierPause
from .core import apply_action, calendar_for, compute_due, verdict, working_time
from .permissions import dossier_action_authorize


def _member_with_role(agency, user, role):
    if user is None:
        return None
    ok = Membership.objects.filter(
        user=user, agency_id=agency.pk, is_active=True, roles__contains=[role]
    ).exists()
    if not ok:
        # the account's username, which the caller typed or chose, never its owner's name
        raise DomainError(
            _("%(u)s không có vai trò %(r)s trong cơ quan.") % {"u": user.username, "r": Role(role).label},
            field="to",
        )
    return user


def dossier_assign(*, agency, dossier, specialist, acting_user, note=""):
    dossier_action_authorize(
        agency=agency, action=Action.ASSIGN, acting_user=acting_user
    )  # before the look-up
    _member_with_role(agency, specialist, Role.SPECIALIST)
    return apply_action(
        agency=agency,
        dossier=dossier,
        action=Action.ASSIGN,
        acting_user=acting_user,
        note=note,
        holder=specialist,
    )


def dossier_appraise(*, agency, dossier, opinion, acting_user, draft_result=""):
    if not (opinion or "").strip():
        raise DomainError(_("Hãy ghi ý kiến thẩm định."), field="opinion")

    def mutate(d, now):
        d.opinion = opinion.strip()
        if draft_result:
            d.result_summary = draft_result.strip()

    return apply_action(
        agency=agency,
        dossier=dossier,
        action=Action.APPRAISE,
        acting_user=acting_user,
        note=opinion.strip(),
        mutate=mutate,
    )


def dossier_submit_for_approval(*, agency, dossier, acting_user, leader=None, note=""):
    dossier_action_authorize(
        agency=agency, action=Action.SUBMIT_FOR_APPROVAL, acting_user=acting_user
    )  # before the look-up
    _member_with_role(agency, leader, Role.LEADER)

    def mutate(d, now):
        if not d.opinion:
            raise DomainError(_("Hãy ghi ý kiến thẩm định trước khi trình."), field="opinion")

    return apply_action(
        agency=agency,
        dossier=dossier,
        action=Action.SUBMIT_FOR_APPROVAL,
        acting_user=acting_user,
        note=note,
        mutate=mutate,
        holder=leader,
    )


def dossier_approve(*, agency, dossier, acting_user, note="", returner=None):
    dossier_action_authorize(
        agency=agency, action=Action.APPROVE, acting_user=acting_user
    )  # before the look-up
    _member_with_role(agency, returner, Role.RECEIVING_OFFICER)
    return apply_action(
        agency=agency,
        dossier=dossier,
        action=Action.APPROVE,
        acting_user=acting_user,
        note=note,
        holder=returner,
        handover_to="Bộ phận một cửa",
    )  # stored data: Vietnamese


def dossier_send_back(*, agency, dossier, reason, acting_user):
    """Back to the specialist who appraised it (the holder set by the last assignment)."""
    if not (reason or "").strip():
        raise DomainError(_("Hãy ghi lý do trả lại."), field="reason")
    last_assign = dossier.events.filter(action=Action.ASSIGN).order_by("-seq").first()
    specialist_id = last_assign.new_values.get("holder_id") if last_assign else None
    specialist = User.objects.filter(pk=specialist_id).first() if specialist_id else None
    return apply_action(
        agency=agency,
        dossier=dossier,
        action=Action.SEND_BACK,
        acting_user=acting_user,
        note=reason.strip(),
        holder=specialist,
    )


def _pause(*, agency, dossier, action, kind, reason, acting_user):
    if not (reason or "").strip():
        raise DomainError(_("Hãy ghi rõ nội dung yêu cầu."), field="reason")

    def mutate(d, now):
        d.resume_state = d.state
        d.paused_since = now
        DossierPause.objects.create(dossier=d, kind=kind, started_at=now, reason=reason.strip())
        if kind == "supplement":
            d.supplement_count += 1

    return apply_action(
        agency=agency,
        dossier=dossier,
        action=action,
        acting_user=acting_user,
        note=reason.strip(),
        mutate=mutate,
        handover_to=dossier.applicant_name,
    )


def resume_clock(agency):
    """The pause ends (`mutate` for `apply_action`): the open pause is closed and the appointment
    moves by the paused time — the same whoever ends it (the desk, or the citizen online)."""

    def mutate(d, now):
        pause = d.pauses.filter(ended_at__isnull=True).order_by("-started_at").first()
        if pause is not None:
            pause.ended_at = now
            pause.save(update_fields=["ended_at"])
        d.paused_since = None
        if d.apology_count and pause is not None:
            # After a re-appointment the new date stands; the pause moves it by its working time.
            hours = working_time(agency, pause.started_at, now).total_seconds() / 3600
            d.due_at = deadlines.deadline_compute(
                calendar=calendar_for(agency),
                start=timezone.localtime(d.due_at),
                amount=hours,
                unit="working_hours",
            ).due
        else:
            _result, d.due_at = compute_due(agency=agency, dossier=d)
        d.notified_due_soon_at = d.notified_overdue_at = None  # the moved appointment is watched again

    return mutate


def _resume(*, agency, dossier, action, acting_user, note=""):
    return apply_action(
        agency=agency,
        dossier=dossier,
        action=action,
        acting_user=acting_user,
        note=note,
        mutate=resume_clock(agency),
    )


def dossier_request_supplement(*, agency, dossier, reason, acting_user):
    """During processing: back to the citizen through the desk; the clock pauses."""
    return _pause(
        agency=agency,
        dossier=dossier,
        action=Action.REQUEST_SUPPLEMENT,
        kind="supplement",
        reason=reason,
        acting_user=acting_user,
    )


def dossier_supplement_received(*, agency, dossier, acting_user, note=""):
    return _resume(
        agency=agency, dossier=dossier, action=Action.SUPPLEMENT_RECEIVED, acting_user=acting_user, note=note
    )


def dossier_request_financial_obligation(*, agency, dossier, reason, acting_user):
    return _pause(
        agency=agency,
        dossier=dossier,
        action=Action.REQUEST_FINANCIAL_OBLIGATION,
        kind="financial_obligation",
        reason=reason,
        acting_user=acting_user,
    )


def dossier_obligation_fulfilled(*, agency, dossier, acting_user, note=""):
    return _resume(
        agency=agency, dossier=dossier, action=Action.OBLIGATION_FULFILLED, acting_user=acting_user, note=note
    )


def dossier_withdraw(*, agency, dossier, reason, acting_user):
    """At the citizen's written request."""
    if not (reason or "").strip():
        raise DomainError(_("Hãy ghi lại đề nghị rút hồ sơ của công dân."), field="reason")

    def mutate(d, now):
        d.closing_reason = reason.strip()
        _close_pause(d, now)

    return apply_action(
        agency=agency,
        dossier=dossier,
        action=Action.WITHDRAW,
        acting_user=acting_user,
        note=reason.strip(),
        mutate=mutate,
        handover_to=dossier.applicant_name,
    )


def dossier_stop(*, agency, dossier, reason, acting_user):
    """Form 05: notice of stopping, with the reason."""
    if not (reason or "").strip():
        raise DomainError(_("Hãy ghi rõ lý do dừng xử lý."), field="reason")

    def mutate(d, now):
        d.closing_reason = reason.strip()
        _close_pause(d, now)

    return apply_action(
        agency=agency,
        dossier=dossier,
        action=Action.STOP,
        acting_user=acting_user,
        note=reason.strip(),
        mutate=mutate,
        handover_to=dossier.applicant_name,
    )


def _close_pause(d, now):
    d.pauses.filter(ended_at__isnull=True).update(ended_at=now)
    d.paused_since = None
    d.resume_state = ""


def dossier_apologize(*, agency, dossier, new_due_at, reason, acting_user):
    """Form 04: the late agency apologises and gives a new appointment — once."""
    if not (reason or "").strip():
        raise DomainError(_("Hãy ghi lý do quá hạn."), field="reason")

    def mutate(d, now):
        if d.apology_count >= 1:
            raise DomainError(
                _("Hồ sơ đã được hẹn lại một lần; không được hẹn lại lần nữa."), code="apology_once"
            )
        if d.due_at is None or now <= d.due_at:
            raise DomainError(_("Hồ sơ chưa quá hạn."), code="not_overdue")
        if new_due_at <= now:
            raise DomainError(_("Ngày hẹn mới phải sau thời điểm hiện tại."), field="new_due_at")
        d.apology_count += 1
        d.late_agency_code = d.late_agency_code or agency.national_code  # a hop that overran stays the cause
        d.due_at = new_due_at
        d.notified_due_soon_at = d.notified_overdue_at = None  # the new appointment is watched again

    return apply_action(
        agency=agency,
        dossier=dossier,
        action=Action.APOLOGIZE,
        acting_user=acting_user,
        note=reason.strip(),
        mutate=mutate,
    )


def dossier_record_result(*, agency, dossier, result_number, acting_user, summary=""):
    if not (result_number or "").strip():
        raise DomainError(_("Hãy nhập số, ký hiệu của kết quả."), field="result_number")

    def mutate(d, now):
        d.result_number = result_number.strip()
        if summary:
            d.result_summary = summary.strip()
        d.finished_at = now
        d.timeliness = (
            "late" if d.supplement_count > 1 else verdict(agency=agency, finished=now, due=d.due_at)
        )
        if d.timeliness == "late" and not d.late_agency_code:
            d.late_agency_code = agency.national_code

    return apply_action(
        agency=agency, dossier=dossier, action=Action.RECORD_RESULT, acting_user=acting_user, mutate=mutate
    )


def dossier_return_result(*, agency, dossier, method, collected_by, acting_user):
    """Hand the result over: at the counter, by post or online (who collected it)."""
    if method not in ("counter", "post", "online"):
        raise DomainError(_("Hình thức trả kết quả không hợp lệ."), field="method")
    if method == "counter" and not (collected_by or "").strip():
        raise DomainError(_("Hãy ghi tên người nhận kết quả."), field="collected_by")

    def mutate(d, now):
        d.returned_at = now
        d.return_method = method
        d.collected_by = (collected_by or "").strip()

    return apply_action(
        agency=agency,
        dossier=dossier,
        action=Action.RETURN_RESULT,
        acting_user=acting_user,
        mutate=mutate,
        handover_to=collected_by or dossier.applicant_name,
        holder=None,
    )
