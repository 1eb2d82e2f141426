"""The dossier life cycle as one explicit transition table (pure Python, no ORM).

The states, actions, their labels and national status codes (1–10) are the vocabulary of
`core/dossier.py`, re-exported here for the dossier apps. An action is allowed only from the
states listed for it; anything else is refused with a clear message (a 409 in the API) and
writes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext

from core.dossier import (  # noqa: F401 — the vocabulary, re-exported for the dossier apps
    ACTION_LABELS,
    AWAY,
    CLOSED,
    NATIONAL_STATUS,
    OPEN,
    PAUSED,
    PROCESSING,
    STATE_LABELS,
    Action,
    HopAction,
    State,
    event_label,
)
from core.errors import DomainError

SAME = "same"  # the state does not change (an opinion, an apology)
RESUME = "resume"  # back to the state the dossier was in before the pause


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
L = ACTION_LABELS
TRANSITIONS: dict[Action, Transition] = {
    Action.ACCEPT: Transition(frozenset({S.NEW}), S.RECEIVED, ("receiving_officer",), L[Action.ACCEPT]),
    Action.REQUEST_INTAKE_SUPPLEMENT: Transition(
        frozenset({S.NEW}), S.INTAKE_SUPPLEMENT, ("receiving_officer",), L[Action.REQUEST_INTAKE_SUPPLEMENT]
    ),
    Action.RESUBMIT: Transition(
        frozenset({S.INTAKE_SUPPLEMENT}), S.NEW, ("receiving_officer",), L[Action.RESUBMIT], citizen=True
    ),
    Action.REFUSE: Transition(
        frozenset({S.NEW, S.INTAKE_SUPPLEMENT}), S.REFUSED, ("receiving_officer",), L[Action.REFUSE]
    ),
    Action.ASSIGN: Transition(frozenset({S.RECEIVED}), S.IN_APPRAISAL, ("unit_head",), L[Action.ASSIGN]),
    Action.APPRAISE: Transition(frozenset({S.IN_APPRAISAL}), SAME, ("specialist",), L[Action.APPRAISE]),
    Action.SUBMIT_FOR_APPROVAL: Transition(
        frozenset({S.IN_APPRAISAL}), S.AWAITING_APPROVAL, ("specialist",), L[Action.SUBMIT_FOR_APPROVAL]
    ),
    Action.APPROVE: Transition(frozenset({S.AWAITING_APPROVAL}), S.APPROVED, ("leader",), L[Action.APPROVE]),
    Action.SEND_BACK: Transition(
        frozenset({S.AWAITING_APPROVAL}), S.IN_APPRAISAL, ("leader",), L[Action.SEND_BACK]
    ),
    Action.REQUEST_SUPPLEMENT: Transition(
        frozenset({S.RECEIVED, S.IN_APPRAISAL, S.AWAITING_APPROVAL}),
        S.SUPPLEMENT_REQUESTED,
        ("specialist", "unit_head", "leader"),
        L[Action.REQUEST_SUPPLEMENT],
    ),
    Action.SUPPLEMENT_RECEIVED: Transition(
        frozenset({S.SUPPLEMENT_REQUESTED}),
        RESUME,
        ("receiving_officer",),
        L[Action.SUPPLEMENT_RECEIVED],
        citizen=True,
    ),
    Action.REQUEST_FINANCIAL_OBLIGATION: Transition(
        frozenset({S.RECEIVED, S.IN_APPRAISAL, S.AWAITING_APPROVAL, S.APPROVED}),
        S.FINANCIAL_OBLIGATION,
        ("specialist", "unit_head", "leader"),
        L[Action.REQUEST_FINANCIAL_OBLIGATION],
    ),
    Action.OBLIGATION_FULFILLED: Transition(
        frozenset({S.FINANCIAL_OBLIGATION}),
        RESUME,
        ("receiving_officer",),
        L[Action.OBLIGATION_FULFILLED],
    ),
    Action.WITHDRAW: Transition(
        frozenset(OPEN - {S.FINISHED}), S.WITHDRAWN, ("receiving_officer",), L[Action.WITHDRAW]
    ),
    Action.STOP: Transition(frozenset(PROCESSING | PAUSED), S.STOPPED, ("leader",), L[Action.STOP]),
    Action.APOLOGIZE: Transition(
        frozenset(PROCESSING | PAUSED | {S.FINISHED}), SAME, ("leader", "unit_head"), L[Action.APOLOGIZE]
    ),
    Action.RECORD_RESULT: Transition(
        frozenset({S.APPROVED}),
        S.FINISHED,
        ("leader", "specialist", "receiving_officer"),
        L[Action.RECORD_RESULT],
    ),
    Action.RETURN_RESULT: Transition(
        frozenset({S.FINISHED}), S.RETURNED, ("receiving_officer",), L[Action.RETURN_RESULT]
    ),
    Action.HAND_OVER: Transition(
        frozenset(PROCESSING),
        S.HANDED_OVER,
        ("receiving_officer", "unit_head", "leader"),
        L[Action.HAND_OVER],
    ),
    Action.HAND_BACK: Transition(
        frozenset(PROCESSING),
        S.HANDED_BACK,
        ("receiving_officer", "unit_head", "leader"),
        L[Action.HAND_BACK],
    ),
    # the sender's side of a hand-back (roles: none — only the receiving agency's hand-back does it)
    HopAction.TAKE_BACK: Transition(
        frozenset({S.HANDED_OVER}), RESUME, (), L[HopAction.TAKE_BACK], system=True
    ),
    HopAction.RESULT_BACK: Transition(
        frozenset({S.HANDED_OVER}), S.FINISHED, (), L[HopAction.RESULT_BACK], system=True
    ),
}


def action_label(action):
    """The label of an event's action in the reader's language (a plain str)."""
    return event_label(action)


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
