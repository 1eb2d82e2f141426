"""The city-wide look-up: a dossier by its code, from the public index only (never an agency schema)."""

from __future__ import annotations

from dataclasses import dataclass

from .models import DossierIndex

NATIONAL_STATUS_LABELS = {
    1: "Mới đăng ký, chờ cơ quan tiếp nhận",
    2: "Đã tiếp nhận",
    3: "Không tiếp nhận (từ chối)",
    4: "Đang giải quyết",
    5: "Cần bổ sung hồ sơ",
    6: "Chờ thực hiện nghĩa vụ tài chính",
    7: "Công dân đã rút hồ sơ",
    8: "Dừng giải quyết",
    9: "Đã có kết quả, chờ trả",
    10: "Đã trả kết quả",
}
ACTION_LABELS = {
    "register": "Đăng ký hồ sơ", "accept": "Tiếp nhận", "request_intake_supplement": "Yêu cầu bổ sung, hoàn thiện",
    "resubmit": "Nộp bổ sung", "refuse": "Từ chối tiếp nhận", "assign": "Chuyển xử lý",
    "appraise": "Thẩm định", "submit_for_approval": "Trình lãnh đạo", "approve": "Phê duyệt",
    "send_back": "Trả lại để thẩm định lại", "request_supplement": "Yêu cầu bổ sung",
    "supplement_received": "Đã nhận hồ sơ bổ sung", "request_financial_obligation": "Thông báo nghĩa vụ tài chính",
    "obligation_fulfilled": "Đã thực hiện nghĩa vụ tài chính", "withdraw": "Rút hồ sơ", "stop": "Dừng xử lý",
    "apologize": "Xin lỗi và hẹn lại", "record_result": "Có kết quả", "return_result": "Trả kết quả",
}


@dataclass(frozen=True)
class LookupResult:
    entry: DossierIndex
    events: list
    verified: bool

    @property
    def status_label(self):
        return NATIONAL_STATUS_LABELS.get(self.entry.national_status, "")


def _normalise(code):
    return (code or "").strip().upper().replace(" ", "")


def dossier_lookup(*, code, proof="", user=None):
    """The index row and public timeline of `code`, or None. `verified` says whether the visitor
    proved to be the applicant (last 4 digits of the phone or ID number, or the logged-in owner):
    only then may personal data be shown."""
    entry = DossierIndex.objects.select_related("agency").filter(code=_normalise(code)).first()
    if entry is None:
        return None
    events = [
        {"at": e.at, "label": ACTION_LABELS.get(e.action, e.action), "agency": e.agency_name,
         "status": NATIONAL_STATUS_LABELS.get(e.national_status, "")}
        for e in entry.events.order_by("at", "id")
    ]
    proof = "".join(ch for ch in (proof or "") if ch.isdigit())[-4:]
    verified = bool(
        (proof and len(proof) == 4 and proof in {entry.applicant_phone_tail, entry.applicant_id_tail})
        or (user is not None and user.is_authenticated and entry.owner_user_id == user.pk)
    )
    return LookupResult(entry=entry, events=events, verified=verified)


NEXT_STEP = {
    1: "Chờ cơ quan kiểm tra và tiếp nhận",
    2: "Cơ quan đang phân công xử lý",
    4: "Cơ quan đang giải quyết",
    5: "Bạn cần bổ sung hồ sơ theo hướng dẫn",
    6: "Bạn cần thực hiện nghĩa vụ tài chính",
    9: "Đến nhận kết quả theo giấy hẹn",
    10: "Đánh giá mức độ hài lòng",
}


def my_dossiers(*, user):
    """Every dossier of this citizen in every agency, newest first (one query, from the index)."""
    if not user.is_authenticated:
        return []
    rows = list(DossierIndex.objects.select_related("agency").filter(owner_user_id=user.pk)
                .order_by("-received_at", "-id"))
    for row in rows:
        row.status_label = NATIONAL_STATUS_LABELS.get(row.national_status, "")
        row.next_step = NEXT_STEP.get(row.national_status, "")
    return rows
