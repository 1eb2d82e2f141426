"""The dossier vocabulary, in one place: its states, actions and event kinds with their labels, the
national status codes (1–10) and their labels, every set of states or status codes a rule needs,
the level of the catalogue an agency kind applies, and what the citizen is told comes next.

Pure data (Django's lazy gettext only): the life cycle's transition table lives in
`tenant_apps/dossiers/lifecycle.py` and takes its states and labels from here; tracking, submissions,
reports, progress and the PDFs read their labels and sets from here too. Labels are lazy: `str()`
gives the reader's language (Vietnamese, or English from locale/en)."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


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


class Happening(StrEnum):
    """Events that are not an action on an existing dossier: a dossier's first event, a move between
    agencies, a file put on a component."""

    REGISTER = "register"
    HANDOVER_IN = "handover_in"
    RECEIVE_ON_BEHALF = "receive_on_behalf"
    TRANSFER_IN = "transfer_in"
    TRANSFER_OUT = "transfer_out"
    COMPONENT_ATTACHED = "component_attached"


# Every value DossierEvent.action (and the public index's IndexEvent.action) can hold.
EVENT_KINDS: tuple[str, ...] = (*Action, *HopAction, *Happening)

# --- states and national status codes -------------------------------------------------------------

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

# Every internal state maps to one national status code exchanged with the National Public Service
# Portal.
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

# What the public look-up and "my dossiers" say of a national status code.
NATIONAL_STATUS_LABELS = {
    1: _("Mới đăng ký, chờ cơ quan tiếp nhận"),
    2: _("Đã tiếp nhận"),
    3: _("Không tiếp nhận (từ chối)"),
    4: _("Đang giải quyết"),
    5: _("Cần bổ sung hồ sơ"),
    6: _("Chờ thực hiện nghĩa vụ tài chính"),
    7: _("Công dân đã rút hồ sơ"),
    8: _("Dừng giải quyết"),
    9: _("Đã có kết quả, chờ trả"),
    10: _("Đã trả kết quả"),
}

# --- sets of states (the agency's view) -----------------------------------------------------------

PAUSED = frozenset({State.SUPPLEMENT_REQUESTED, State.FINANCIAL_OBLIGATION})
PROCESSING = frozenset({State.RECEIVED, State.IN_APPRAISAL, State.AWAITING_APPROVAL, State.APPROVED})
OPEN = PROCESSING | PAUSED | {State.NEW, State.INTAKE_SUPPLEMENT, State.FINISHED}
# A dossier handed over waits for the other agency; one handed back is no longer this agency's work.
CLOSED = frozenset({State.REFUSED, State.WITHDRAWN, State.STOPPED, State.RETURNED, State.HANDED_BACK})
AWAY = frozenset({State.HANDED_OVER})
# The deadline runs and the SLA watch checks it: open, not paused, result not yet ready.
CLOCK_RUNNING = frozenset(OPEN - PAUSED - CLOSED - {State.FINISHED})
# The citizen may send the missing papers online (form 02 at intake, or a request during processing).
SUPPLEMENT_STATES = frozenset({State.INTAKE_SUPPLEMENT, State.SUPPLEMENT_REQUESTED})
# The closing reason (form 03, form 05) is shown to the citizen.
REASON_SHOWN_STATES = frozenset({State.REFUSED, State.STOPPED})

# --- sets of national status codes (the city's view: the public index, reports, progress) ---------

# "In progress": received and not settled — received, being processed (here or at another agency),
# waiting for a supplement or for a financial obligation. Reports call these dossiers "open".
IN_PROGRESS_STATUSES = (2, 4, 5, 6)

# --- actions and events ---------------------------------------------------------------------------

# The name of each action, as the desk's buttons, messages and the dossier's history say it.
ACTION_LABELS = {
    Action.ACCEPT: _("Tiếp nhận"),
    Action.REQUEST_INTAKE_SUPPLEMENT: _("Yêu cầu bổ sung, hoàn thiện"),
    Action.RESUBMIT: _("Nộp bổ sung"),
    Action.REFUSE: _("Từ chối tiếp nhận"),
    Action.ASSIGN: _("Phân công"),
    Action.APPRAISE: _("Thẩm định"),
    Action.SUBMIT_FOR_APPROVAL: _("Trình phê duyệt"),
    Action.APPROVE: _("Phê duyệt"),
    Action.SEND_BACK: _("Trả lại"),
    Action.REQUEST_SUPPLEMENT: _("Yêu cầu bổ sung"),
    Action.SUPPLEMENT_RECEIVED: _("Nhận hồ sơ bổ sung"),
    Action.REQUEST_FINANCIAL_OBLIGATION: _("Thông báo nghĩa vụ tài chính"),
    Action.OBLIGATION_FULFILLED: _("Đã thực hiện nghĩa vụ tài chính"),
    Action.WITHDRAW: _("Rút hồ sơ theo đề nghị"),
    Action.STOP: _("Dừng xử lý"),
    Action.APOLOGIZE: _("Xin lỗi và hẹn lại"),
    Action.RECORD_RESULT: _("Ghi nhận kết quả"),
    Action.RETURN_RESULT: _("Trả kết quả"),
    Action.HAND_OVER: _("Chuyển liên thông"),
    Action.HAND_BACK: _("Chuyển trả cơ quan gửi"),
    HopAction.TAKE_BACK: _("Nhận lại hồ sơ liên thông"),
    HopAction.RESULT_BACK: _("Nhận kết quả liên thông"),
}

# Every event kind in the dossier's history (the desk's page, the citizen's own dossier).
EVENT_LABELS = {
    **ACTION_LABELS,
    Happening.REGISTER: _("Đăng ký hồ sơ"),
    Happening.HANDOVER_IN: _("Nhận hồ sơ liên thông"),
    Happening.RECEIVE_ON_BEHALF: _("Tiếp nhận thay cơ quan giải quyết"),
    Happening.TRANSFER_IN: _("Nhận hồ sơ chuyển từ cơ quan khác (sáp nhập, điều chỉnh)"),
    Happening.TRANSFER_OUT: _("Chuyển hồ sơ sang cơ quan kế thừa"),
    Happening.COMPONENT_ATTACHED: _("Đính kèm tệp thành phần hồ sơ"),
}

# The public timeline (the look-up by code) words some steps for a visitor rather than for the
# agency; every other kind reads as in EVENT_LABELS.
PUBLIC_EVENT_LABELS = {
    **EVENT_LABELS,
    Action.ASSIGN: _("Chuyển xử lý"),
    Action.SUBMIT_FOR_APPROVAL: _("Trình lãnh đạo"),
    Action.SEND_BACK: _("Trả lại để thẩm định lại"),
    Action.SUPPLEMENT_RECEIVED: _("Đã nhận hồ sơ bổ sung"),
    Action.WITHDRAW: _("Rút hồ sơ"),
    Action.RECORD_RESULT: _("Có kết quả"),
    Happening.TRANSFER_IN: _("Chuyển cơ quan giải quyết (sáp nhập, điều chỉnh địa giới)"),
}

# The requests for missing papers (form 02 at intake, a request during processing): the latest one's
# note lists what the citizen must bring.
SUPPLEMENT_REQUESTS = (Action.REQUEST_INTAKE_SUPPLEMENT, Action.REQUEST_SUPPLEMENT)
# Events whose note is written for the citizen (the others are the agency's internal opinions).
PUBLIC_NOTES = frozenset(
    {
        Action.REQUEST_INTAKE_SUPPLEMENT,
        Action.REQUEST_SUPPLEMENT,
        Action.REFUSE,
        Action.STOP,
        Action.APOLOGIZE,
    }
)
# Events the citizen's own dossier page leaves out of its history (its components list shows them).
HIDDEN_FROM_CITIZEN = frozenset({Happening.COMPONENT_ATTACHED})


def event_label(kind) -> str:
    """The label of an event kind in the reader's language (a plain str); an unknown kind as is."""
    label = EVENT_LABELS.get(kind)
    return str(label) if label is not None else kind


def public_event_label(kind) -> str:
    """The label of an event kind on the public timeline, in the reader's language."""
    label = PUBLIC_EVENT_LABELS.get(kind)
    return str(label) if label is not None else kind


# The steps of the process-control slip (form 06) the platform names itself; a step the procedure's
# process names (an inter-agency step like "decide") is labelled as the process says.
STEP_LABELS = {
    "receive": _("Tiếp nhận"),
    "assign": _("Phân công"),
    "appraise": _("Thẩm định"),
    "approve": _("Phê duyệt"),
    "return": _("Trả kết quả"),
    "handover": _("Nhận liên thông"),
}


# --- what the citizen is told -----------------------------------------------------------------------

# On the citizen's own dossier: what happens next, by state.
WHAT_NEXT = {
    State.NEW: _(
        "Cơ quan đang kiểm tra hồ sơ. Khi hồ sơ đầy đủ, cơ quan tiếp nhận, cấp mã hồ sơ và giấy hẹn trả kết quả."
    ),
    State.INTAKE_SUPPLEMENT: _(
        "Hồ sơ chưa đầy đủ. Hãy bổ sung các giấy tờ theo hướng dẫn của cán bộ rồi bấm “Gửi bổ sung”."
    ),
    State.RECEIVED: _("Hồ sơ đã được tiếp nhận và đang được chuyển đến bộ phận giải quyết."),
    State.REFUSED: _("Cơ quan không tiếp nhận hồ sơ. Lý do được ghi dưới đây."),
    State.IN_APPRAISAL: _("Chuyên viên đang thẩm định hồ sơ."),
    State.AWAITING_APPROVAL: _("Hồ sơ đang chờ lãnh đạo phê duyệt."),
    State.APPROVED: _("Hồ sơ đã được phê duyệt, kết quả đang được chuẩn bị."),
    State.SUPPLEMENT_REQUESTED: _(
        "Cơ quan cần bổ sung hồ sơ; thời hạn giải quyết tạm dừng đến khi bạn bổ sung."
    ),
    State.FINANCIAL_OBLIGATION: _(
        "Bạn cần thực hiện nghĩa vụ tài chính (nộp phí, thuế) để hồ sơ được giải quyết tiếp."
    ),
    State.WITHDRAWN: _("Hồ sơ đã được rút theo đề nghị của bạn."),
    State.STOPPED: _("Cơ quan đã dừng giải quyết hồ sơ."),
    State.FINISHED: _("Đã có kết quả. Mời bạn nhận kết quả theo giấy hẹn."),
    State.RETURNED: _("Đã trả kết quả. Mời bạn đánh giá mức độ hài lòng."),
    State.HANDED_OVER: _(
        "Hồ sơ đang được cơ quan liên quan giải quyết phần việc của mình (liên thông); "
        "kết quả sẽ được chuyển về cơ quan đã tiếp nhận hồ sơ."
    ),
    State.HANDED_BACK: _(
        "Cơ quan đã giải quyết xong phần việc của mình và chuyển hồ sơ về cơ quan đã tiếp nhận; "
        "hãy theo dõi hồ sơ tại cơ quan đó."
    ),
}

# In "my dossiers" (from the public index): the next step, by national status code.
NEXT_STEP = {
    1: _("Chờ cơ quan kiểm tra và tiếp nhận"),
    2: _("Cơ quan đang phân công xử lý"),
    4: _("Cơ quan đang giải quyết"),
    5: _("Bạn cần bổ sung hồ sơ theo hướng dẫn"),
    6: _("Bạn cần thực hiện nghĩa vụ tài chính"),
    9: _("Đến nhận kết quả theo giấy hẹn"),
    10: _("Đánh giá mức độ hài lòng"),
}

# --- agency kinds and catalogue levels --------------------------------------------------------------

# The catalogue level (Level: commune, department, city) whose procedures an agency kind handles.
# A district (before 01/07/2025) has no level of its own: it adopts nothing when onboarded
# (level_for_kind → None), and the 766 indicators count it with the communes that succeeded it
# (level_for_kind(kind, default="commune")). Both as before the vocabulary was gathered here.
AGENCY_KIND_LEVEL = {
    "commune": "commune",
    "ward": "commune",
    "special_zone": "commune",
    "department": "department",
    "city": "city",
}
# The agency kinds of the commune level (reports group them as "xã, phường, đặc khu").
COMMUNE_LEVEL_KINDS = tuple(kind for kind, level in AGENCY_KIND_LEVEL.items() if level == "commune")


def level_for_kind(kind, default=None):
    """The catalogue level of an agency kind, or `default` when the kind has none (a district)."""
    return AGENCY_KIND_LEVEL.get(kind, default)
