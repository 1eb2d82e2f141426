"""The dossier life cycle as one explicit transition table (pure Python, no ORM).

Every internal state maps to one national status code (1–10) exchanged with the National Public
Service Portal. An action is allowed only from the states listed for it; anything else is refused
with a clear message (a 409 in the API) and writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class State(StrEnum):
    NEW = "new"  # submitted online, not yet accepted
    INTAKE_SUPPLEMENT = "intake_supplement"  # incomplete at intake: form 02 given (once)
    RECEIVED = "received"  # accepted, code issued, waiting for assignment
    REFUSED = "refused"  # not received: form 03
    IN_APPRAISAL = "in_appraisal"  # assigned to a specialist
    AWAITING_APPROVAL = "awaiting_approval"  # sent to the leader
    APPROVED = "approved"  # signed; result to be recorded
    SUPPLEMENT_REQUESTED = "supplement_requested"  # during processing; clock paused
    FINANCIAL_OBLIGATION = "financial_obligation"  # fees/taxes due; clock paused
    WITHDRAWN = "withdrawn"  # the citizen withdrew it
    STOPPED = "stopped"  # processing stopped: form 05
    FINISHED = "finished"  # result at the desk
    RETURNED = "returned"  # result handed over
    HANDED_OVER = "handed_over"  # at another agency (liên thông): waits for it
    HANDED_BACK = "handed_back"  # this agency's part is done, back with the sender


NATIONAL_STATUS = {
    State.NEW: 1,
    State.INTAKE_SUPPLEMENT: 5,
    State.RECEIVED: 2,
    State.REFUSED: 3,
    State.IN_APPRAISAL: 4,
    State.AWAITING_APPROVAL: 4,
    State.APPROVED: 4,
    State.SUPPLEMENT_REQUESTED: 5,
    State.FINANCIAL_OBLIGATION: 6,
    State.WITHDRAWN: 7,
    State.STOPPED: 8,
    State.FINISHED: 9,
    State.RETURNED: 10,
    State.HANDED_OVER: 4,  # still in progress for the citizen: another agency works on it
    State.HANDED_BACK: 4,  # this agency's part is done; the dossier goes on at the sender
}

STATE_LABELS = {
    State.NEW: _("Mới đăng ký"),
    State.INTAKE_SUPPLEMENT: _("Chờ bổ sung để tiếp nhận"),
    State.RECEIVED: _("Đã tiếp nhận"),
    State.REFUSED: _("Từ chối tiếp nhận"),
    State.IN_APPRAISAL: _("Đang thẩm định"),
    State.AWAITING_APPROVAL: _("Chờ phê duyệt"),
    State.APPROVED: _("Đã phê duyệt"),
    State.SUPPLEMENT_REQUESTED: _("Yêu cầu bổ sung"),
    State.FINANCIAL_OBLIGATION: _("Chờ thực hiện nghĩa vụ tài chính"),
    State.WITHDRAWN: _("Đã rút hồ sơ"),
    State.STOPPED: _("Dừng xử lý"),
    State.FINISHED: _("Đã có kết quả"),
    State.RETURNED: _("Đã trả kết quả"),
    State.HANDED_OVER: _("Đang xử lý liên thông tại cơ quan khác"),
    State.HANDED_BACK: _("Đã chuyển trả cơ quan gửi"),
}

PAUSED = frozenset({State.SUPPLEMENT_REQUESTED, State.FINANCIAL_OBLIGATION})
PROCESSING = frozenset({State.RECEIVED, State.IN_APPRAISAL, State.AWAITING_APPROVAL, State.APPROVED})
OPEN = PROCESSING | PAUSED | {State.NEW, State.INTAKE_SUPPLEMENT, State.FINISHED}
# A dossier handed over waits for the other agency; one handed back is no longer this agency's work.
CLOSED = frozenset({State.REFUSED, State.WITHDRAWN, State.STOPPED, State.RETURNED, State.HANDED_BACK})
AWAY = frozenset({State.HANDED_OVER})

SAME = "same"  # the state does not change (an opinion, an apology)
RESUME = "resume"  # back to the state the dossier was in before the pause


class Action(StrEnum):
    ACCEPT = "accept"
    REQUEST_INTAKE_SUPPLEMENT = "request_intake_supplement"
    RESUBMIT = "resubmit"
    REFUSE = "refuse"
    ASSIGN = "assign"
    APPRAISE = "appraise"
    SUBMIT_FOR_APPROVAL = "submit_for_approval"
    APPROVE = "approve"
    SEND_BACK = "send_back"
    REQUEST_SUPPLEMENT = "request_supplement"
    SUPPLEMENT_RECEIVED = "supplement_received"
    REQUEST_FINANCIAL_OBLIGATION = "request_financial_obligation"
    OBLIGATION_FULFILLED = "obligation_fulfilled"
    WITHDRAW = "withdraw"
    STOP = "stop"
    APOLOGIZE = "apologize"
    RECORD_RESULT = "record_result"
    RETURN_RESULT = "return_result"
    HAND_OVER = "hand_over"  # liên thông: to the agency that performs the next step
    HAND_BACK = "hand_back"  # liên thông: back to the agency that handed it over


class HopAction(StrEnum):
    """What a hand-back does at the sender, written by the receiving agency's hand-back in the same
    transaction (nobody at the sender asks for it: no endpoint, no role)."""

    TAKE_BACK = "take_back"  # the sender continues from where it was
    RESULT_BACK = "result_back"  # the other agency decided: the result is at the sender's desk


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str  # a State, SAME or RESUME
    roles: tuple[str, ...]  # the officials who may take it, by their role in the agency
    label: str  # lazily translated: str(label) in the reader's language
    # the dossier's owner may take it too, on their own dossier only (online, from the city address)
    citizen: bool = False
    # taken by the system on another agency's behalf (no role here, nobody here asks for it)
    system: bool = False


S = State
TRANSITIONS: dict[Action, Transition] = {
    Action.ACCEPT: Transition(frozenset({S.NEW}), S.RECEIVED, ("receiving_officer",), _("Tiếp nhận")),
    Action.REQUEST_INTAKE_SUPPLEMENT: Transition(
        frozenset({S.NEW}), S.INTAKE_SUPPLEMENT, ("receiving_officer",), _("Yêu cầu bổ sung, hoàn thiện")
    ),
    Action.RESUBMIT: Transition(
        frozenset({S.INTAKE_SUPPLEMENT}), S.NEW, ("receiving_officer",), _("Nộp bổ sung"), citizen=True
    ),
    Action.REFUSE: Transition(
        frozenset({S.NEW, S.INTAKE_SUPPLEMENT}), S.REFUSED, ("receiving_officer",), _("Từ chối tiếp nhận")
    ),
    Action.ASSIGN: Transition(frozenset({S.RECEIVED}), S.IN_APPRAISAL, ("unit_head",), _("Phân công")),
    Action.APPRAISE: Transition(frozenset({S.IN_APPRAISAL}), SAME, ("specialist",), _("Thẩm định")),
    Action.SUBMIT_FOR_APPROVAL: Transition(
        frozenset({S.IN_APPRAISAL}), S.AWAITING_APPROVAL, ("specialist",), _("Trình phê duyệt")
    ),
    Action.APPROVE: Transition(frozenset({S.AWAITING_APPROVAL}), S.APPROVED, ("leader",), _("Phê duyệt")),
    Action.SEND_BACK: Transition(frozenset({S.AWAITING_APPROVAL}), S.IN_APPRAISAL, ("leader",), _("Trả lại")),
    Action.REQUEST_SUPPLEMENT: Transition(
        frozenset({S.RECEIVED, S.IN_APPRAISAL, S.AWAITING_APPROVAL}),
        S.SUPPLEMENT_REQUESTED,
        ("specialist", "unit_head", "leader"),
        _("Yêu cầu bổ sung"),
    ),
    Action.SUPPLEMENT_RECEIVED: Transition(
        frozenset({S.SUPPLEMENT_REQUESTED}),
        RESUME,
        ("receiving_officer",),
        _("Nhận hồ sơ bổ sung"),
        citizen=True,
    ),
    Action.REQUEST_FINANCIAL_OBLIGATION: Transition(
        frozenset({S.RECEIVED, S.IN_APPRAISAL, S.AWAITING_APPROVAL, S.APPROVED}),
        S.FINANCIAL_OBLIGATION,
        ("specialist", "unit_head", "leader"),
        _("Thông báo nghĩa vụ tài chính"),
    ),
    Action.OBLIGATION_FULFILLED: Transition(
        frozenset({S.FINANCIAL_OBLIGATION}),
        RESUME,
        ("receiving_officer",),
        _("Đã thực hiện nghĩa vụ tài chính"),
    ),
    Action.WITHDRAW: Transition(
        frozenset(OPEN - {S.FINISHED}), S.WITHDRAWN, ("receiving_officer",), _("Rút hồ sơ theo đề nghị")
    ),
    Action.STOP: Transition(frozenset(PROCESSING | PAUSED), S.STOPPED, ("leader",), _("Dừng xử lý")),
    Action.APOLOGIZE: Transition(
        frozenset(PROCESSING | PAUSED | {S.FINISHED}), SAME, ("leader", "unit_head"), _("Xin lỗi và hẹn lại")
    ),
    Action.RECORD_RESULT: Transition(
        frozenset({S.APPROVED}),
        S.FINISHED,
        ("leader", "specialist", "receiving_officer"),
        _("Ghi nhận kết quả"),
    ),
    Action.RETURN_RESULT: Transition(
        frozenset({S.FINISHED}), S.RETURNED, ("receiving_officer",), _("Trả kết quả")
    ),
    Action.HAND_OVER: Transition(
        frozenset(PROCESSING),
        S.HANDED_OVER,
        ("receiving_officer", "unit_head", "leader"),
        _("Chuyển liên thông"),
    ),
    Action.HAND_BACK: Transition(
        frozenset(PROCESSING),
        S.HANDED_BACK,
        ("receiving_officer", "unit_head", "leader"),
        _("Chuyển trả cơ quan gửi"),
    ),
    # the sender's side of a hand-back (roles: none — only the receiving agency's hand-back does it)
    HopAction.TAKE_BACK: Transition(
        frozenset({S.HANDED_OVER}), RESUME, (), _("Nhận lại hồ sơ liên thông"), system=True
    ),
    HopAction.RESULT_BACK: Transition(
        frozenset({S.HANDED_OVER}), S.FINISHED, (), _("Nhận kết quả liên thông"), system=True
    ),
}

# Events that are not transitions of an existing dossier (the first event of a dossier).
EVENT_LABELS = {
    "register": _("Đăng ký hồ sơ"),
    "handover_in": _("Nhận hồ sơ liên thông"),
    "receive_on_behalf": _("Tiếp nhận thay cơ quan giải quyết"),
    "transfer_in": _("Nhận hồ sơ chuyển từ cơ quan khác (sáp nhập, điều chỉnh)"),
    "transfer_out": _("Chuyển hồ sơ sang cơ quan kế thừa"),
}


def action_label(action):
    """The label of an event's action in the reader's language (a plain str)."""
    if action in EVENT_LABELS:
        return str(EVENT_LABELS[action])
    for enum in (Action, HopAction):
        try:
            return str(TRANSITIONS[enum(action)].label)
        except ValueError:
            continue
    return action


class IllegalTransition(DomainError):
    code = "illegal_transition"
    status = 409

    def __init__(self, action, state):
        self.action, self.state = action, state
        label = TRANSITIONS[action].label if action in TRANSITIONS else action
        try:
            state_label = STATE_LABELS[State(state)]
        except ValueError:
            state_label = state
        super().__init__(
            gettext("Không thể “%(action)s” khi hồ sơ đang ở trạng thái “%(state)s”.")
            % {"action": label, "state": state_label}
        )


def next_state(*, state, action, resume_state=None):
    """The state after `action`, or IllegalTransition."""
    try:
        action = HopAction(action) if action in HopAction.__members__.values() else Action(action)
        state = State(state)
    except ValueError:
        raise IllegalTransition(action, state) from None
    transition = TRANSITIONS[action]
    if state not in transition.sources:
        raise IllegalTransition(action, state)
    if transition.target == SAME:
        return state
    if transition.target == RESUME:
        if not resume_state:
            raise IllegalTransition(action, state)
        return State(resume_state)
    return State(transition.target)


def allowed_actions(*, state, roles):
    state = State(state)
    return [
        a
        for a, t in TRANSITIONS.items()
        if isinstance(a, Action) and state in t.sources and any(r in roles for r in t.roles)
    ]
