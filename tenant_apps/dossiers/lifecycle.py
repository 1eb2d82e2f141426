"""The dossier life cycle as one explicit transition table (pure Python, no ORM).

Every internal state maps to one national status code (1–10) exchanged with the National Public
Service Portal. An action is allowed only from the states listed for it; anything else is refused
with a clear message (a 409 in the API) and writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tenants.errors import DomainError


class State(StrEnum):
    NEW = "new"                                      # submitted online, not yet accepted
    INTAKE_SUPPLEMENT = "intake_supplement"          # incomplete at intake: form 02 given (once)
    RECEIVED = "received"                            # accepted, code issued, waiting for assignment
    REFUSED = "refused"                              # not received: form 03
    IN_APPRAISAL = "in_appraisal"                    # assigned to a specialist
    AWAITING_APPROVAL = "awaiting_approval"          # sent to the leader
    APPROVED = "approved"                            # signed; result to be recorded
    SUPPLEMENT_REQUESTED = "supplement_requested"    # during processing; clock paused
    FINANCIAL_OBLIGATION = "financial_obligation"    # fees/taxes due; clock paused
    WITHDRAWN = "withdrawn"                          # the citizen withdrew it
    STOPPED = "stopped"                              # processing stopped: form 05
    FINISHED = "finished"                            # result at the desk
    RETURNED = "returned"                            # result handed over


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
}

STATE_LABELS = {
    State.NEW: "Mới đăng ký",
    State.INTAKE_SUPPLEMENT: "Chờ bổ sung để tiếp nhận",
    State.RECEIVED: "Đã tiếp nhận",
    State.REFUSED: "Từ chối tiếp nhận",
    State.IN_APPRAISAL: "Đang thẩm định",
    State.AWAITING_APPROVAL: "Chờ phê duyệt",
    State.APPROVED: "Đã phê duyệt",
    State.SUPPLEMENT_REQUESTED: "Yêu cầu bổ sung",
    State.FINANCIAL_OBLIGATION: "Chờ thực hiện nghĩa vụ tài chính",
    State.WITHDRAWN: "Đã rút hồ sơ",
    State.STOPPED: "Dừng xử lý",
    State.FINISHED: "Đã có kết quả",
    State.RETURNED: "Đã trả kết quả",
}

PAUSED = frozenset({State.SUPPLEMENT_REQUESTED, State.FINANCIAL_OBLIGATION})
PROCESSING = frozenset({State.RECEIVED, State.IN_APPRAISAL, State.AWAITING_APPROVAL, State.APPROVED})
OPEN = PROCESSING | PAUSED | {State.NEW, State.INTAKE_SUPPLEMENT, State.FINISHED}
CLOSED = frozenset({State.REFUSED, State.WITHDRAWN, State.STOPPED, State.RETURNED})

SAME = "same"      # the state does not change (an opinion, an apology)
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


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str  # a State, SAME or RESUME
    roles: tuple[str, ...]
    label: str


S = State
TRANSITIONS: dict[Action, Transition] = {
    Action.ACCEPT: Transition(frozenset({S.NEW}), S.RECEIVED, ("receiving_officer",), "Tiếp nhận"),
    Action.REQUEST_INTAKE_SUPPLEMENT: Transition(frozenset({S.NEW}), S.INTAKE_SUPPLEMENT,
                                                 ("receiving_officer",), "Yêu cầu bổ sung, hoàn thiện"),
    Action.RESUBMIT: Transition(frozenset({S.INTAKE_SUPPLEMENT}), S.NEW, ("receiving_officer",),
                                "Nộp bổ sung"),
    Action.REFUSE: Transition(frozenset({S.NEW, S.INTAKE_SUPPLEMENT}), S.REFUSED, ("receiving_officer",),
                              "Từ chối tiếp nhận"),
    Action.ASSIGN: Transition(frozenset({S.RECEIVED}), S.IN_APPRAISAL, ("unit_head",), "Phân công"),
    Action.APPRAISE: Transition(frozenset({S.IN_APPRAISAL}), SAME, ("specialist",), "Thẩm định"),
    Action.SUBMIT_FOR_APPROVAL: Transition(frozenset({S.IN_APPRAISAL}), S.AWAITING_APPROVAL, ("specialist",),
                                           "Trình phê duyệt"),
    Action.APPROVE: Transition(frozenset({S.AWAITING_APPROVAL}), S.APPROVED, ("leader",), "Phê duyệt"),
    Action.SEND_BACK: Transition(frozenset({S.AWAITING_APPROVAL}), S.IN_APPRAISAL, ("leader",), "Trả lại"),
    Action.REQUEST_SUPPLEMENT: Transition(frozenset({S.RECEIVED, S.IN_APPRAISAL, S.AWAITING_APPROVAL}),
                                          S.SUPPLEMENT_REQUESTED, ("specialist", "unit_head", "leader"),
                                          "Yêu cầu bổ sung"),
    Action.SUPPLEMENT_RECEIVED: Transition(frozenset({S.SUPPLEMENT_REQUESTED}), RESUME, ("receiving_officer",),
                                           "Nhận hồ sơ bổ sung"),
    Action.REQUEST_FINANCIAL_OBLIGATION: Transition(
        frozenset({S.RECEIVED, S.IN_APPRAISAL, S.AWAITING_APPROVAL, S.APPROVED}), S.FINANCIAL_OBLIGATION,
        ("specialist", "unit_head", "leader"), "Thông báo nghĩa vụ tài chính"),
    Action.OBLIGATION_FULFILLED: Transition(frozenset({S.FINANCIAL_OBLIGATION}), RESUME, ("receiving_officer",),
                                            "Đã thực hiện nghĩa vụ tài chính"),
    Action.WITHDRAW: Transition(frozenset(OPEN - {S.FINISHED}), S.WITHDRAWN, ("receiving_officer",),
                                "Rút hồ sơ theo đề nghị"),
    Action.STOP: Transition(frozenset(PROCESSING | PAUSED), S.STOPPED, ("leader",), "Dừng xử lý"),
    Action.APOLOGIZE: Transition(frozenset(PROCESSING | PAUSED | {S.FINISHED}), SAME, ("leader", "unit_head"),
                                 "Xin lỗi và hẹn lại"),
    Action.RECORD_RESULT: Transition(frozenset({S.APPROVED}), S.FINISHED,
                                     ("leader", "specialist", "receiving_officer"), "Ghi nhận kết quả"),
    Action.RETURN_RESULT: Transition(frozenset({S.FINISHED}), S.RETURNED, ("receiving_officer",), "Trả kết quả"),
}


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
        super().__init__(f"Không thể “{label}” khi hồ sơ đang ở trạng thái “{state_label}”.")


def next_state(*, state, action, resume_state=None):
    """The state after `action`, or IllegalTransition."""
    try:
        action = Action(action)
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
    return [a for a, t in TRANSITIONS.items() if state in t.sources and any(r in roles for r in t.roles)]
