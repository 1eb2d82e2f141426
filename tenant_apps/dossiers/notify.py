"""What the citizen is told, and when: SMS and e-mail through the outbox, queued in the same
transaction as the event (so a rolled-back change tells nobody, and a committed one is never lost),
deduplicated per event and channel."""

from __future__ import annotations

from django.utils import timezone

from shared_apps.notifications.services import outbox_enqueue

MESSAGES = {
    "accept": (
        "Hồ sơ {ref} đã được tiếp nhận",
        "{agency} đã tiếp nhận hồ sơ {ref} ({procedure}). Hẹn trả kết quả: {due}. Tra cứu: {url}",
    ),
    "request_intake_supplement": (
        "Hồ sơ {ref} cần bổ sung",
        "{agency} đề nghị bổ sung, hoàn thiện hồ sơ {ref}: {note}",
    ),
    "request_supplement": (
        "Hồ sơ {ref} cần bổ sung",
        "{agency} đề nghị bổ sung hồ sơ {ref}: {note}. Thời hạn tạm dừng đến khi bổ sung.",
    ),
    "refuse": ("Hồ sơ {ref} không được tiếp nhận", "{agency} từ chối tiếp nhận hồ sơ {ref}. Lý do: {note}"),
    "record_result": (
        "Hồ sơ {ref} đã có kết quả",
        "Hồ sơ {ref} ({procedure}) đã có kết quả. Mời ông/bà nhận kết quả tại {agency}. Tra cứu: {url}",
    ),
    "apologize": (
        "Xin lỗi vì hồ sơ {ref} bị chậm",
        "{agency} xin lỗi vì hồ sơ {ref} quá hạn{cause}. Hẹn trả mới: {due}. Lý do: {note}",
    ),
    # liên thông: the other agency decided; the result waits at the desk that received the dossier
    "result_back": (
        "Hồ sơ {ref} đã có kết quả",
        "Hồ sơ {ref} ({procedure}) đã có kết quả. Mời ông/bà nhận kết quả tại {agency}. Tra cứu: {url}",
    ),
}


def late_cause(*, agency, dossier):
    """The agency that caused the delay, when it is not `agency` itself (None otherwise)."""
    code = dossier.late_agency_code
    if not code or code == agency.national_code:
        return None
    from tenants.models import Agency

    return Agency.objects.filter(national_code=code).first()


def citizen_message(*, agency, dossier, action, note="", procedure_name="", code=None):
    """(subject, body, [(channel, recipient)]) of the message for this event, or None. `code` may be
    a placeholder that SQL replaces with the code it allocates (counter intake)."""
    template = MESSAGES.get(str(action))
    recipients = [
        (c, r) for c, r in (("sms", dossier.applicant_phone), ("email", dossier.applicant_email)) if r
    ]
    if template is None or not recipients:
        return None
    from django.conf import settings

    code = code or dossier.code
    ref = code or f"TN-{dossier.pk:06d}"
    due = timezone.localtime(dossier.due_at).strftime("%H:%M %d/%m/%Y") if dossier.due_at else "—"
    values = {
        "ref": ref,
        "agency": agency.name,
        "procedure": procedure_name,
        "due": due,
        "note": note or "",
        "url": f"{settings.PUBLIC_BASE_URL}/tra-cuu/{code}/" if code else settings.PUBLIC_BASE_URL,
        "cause": "",
    }
    if str(action) == "apologize":
        cause = late_cause(agency=agency, dossier=dossier)
        values["cause"] = f" do {cause.name} giải quyết chậm" if cause else ""
    subject, body = (part.format(**values) for part in template)
    return subject, body, recipients


def citizen_notify(*, agency, dossier, action, seq, note="", procedure_name=""):
    """Queue the SMS (phone) and e-mail (address) for this event, if it is one the citizen hears of."""
    message = citizen_message(
        agency=agency, dossier=dossier, action=action, note=note, procedure_name=procedure_name
    )
    if message is None:
        return []
    subject, body, recipients = message
    queued = []
    for channel, recipient in recipients:
        if recipient:
            row = outbox_enqueue(
                channel=channel,
                recipient=recipient,
                subject=subject,
                body=body,
                dedupe_key=f"citizen:{agency.schema_name}:{dossier.pk}:{seq}:{channel}",
                agency=agency,
                dossier_code=dossier.code or "",
            )
            if row is not None:
                queued.append(row)
    return queued
