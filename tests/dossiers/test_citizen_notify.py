"""The citizen hears of the events that matter, by SMS and e-mail, through the outbox."""

import pytest

from shared_apps.notifications.models import OutboxMessage
from tenant_apps.dossiers import services as s

from .conftest import APPLICANT, receive

pytestmark = pytest.mark.django_db


def test_the_receipt_message_carries_the_code_and_the_appointment(desk):
    dossier = receive(desk, applicant={**APPLICANT, "email": "an@example.vn"})
    rows = {m.channel: m for m in OutboxMessage.objects.filter(dossier_code=dossier.code)}
    assert set(rows) == {"sms", "email"}
    sms = rows["sms"]
    assert sms.recipient == "0912345678" and dossier.code in sms.body and dossier.code in sms.subject
    assert f"/tra-cuu/{dossier.code}/" in sms.body and "§" not in sms.body
    assert sms.dedupe_key == f"citizen:{desk.agency.schema_name}:{dossier.pk}:2:sms"
    assert sms.status == "pending" and sms.agency_id == desk.agency.pk


def test_supplement_result_and_apology_are_told_once_each(desk):
    from datetime import timedelta

    from django.utils import timezone

    from tenant_apps.dossiers.models import Dossier

    d = receive(desk)
    d = s.dossier_assign(
        agency=desk.agency, dossier=d, specialist=desk.specialist, acting_user=desk.unit_head
    )
    d = s.dossier_request_supplement(
        agency=desk.agency, dossier=d, reason="Thiếu bản chính giấy chứng sinh", acting_user=desk.specialist
    )
    d = s.dossier_supplement_received(agency=desk.agency, dossier=d, acting_user=desk.receiving_officer)
    Dossier.objects.filter(pk=d.pk).update(due_at=timezone.now() - timedelta(hours=1))
    d = s.dossier_apologize(
        agency=desk.agency,
        dossier=d,
        new_due_at=timezone.now() + timedelta(days=2),
        reason="Chờ xác minh",
        acting_user=desk.leader,
    )
    subjects = list(
        OutboxMessage.objects.filter(dossier_code=d.code).order_by("id").values_list("subject", flat=True)
    )
    assert subjects == [
        f"Hồ sơ {d.code} đã được tiếp nhận",
        f"Hồ sơ {d.code} cần bổ sung",
        f"Xin lỗi vì hồ sơ {d.code} bị chậm",
    ]
    assert (
        "Thiếu bản chính giấy chứng sinh" in OutboxMessage.objects.get(subject__endswith="cần bổ sung").body
    )


def test_a_rolled_back_change_tells_nobody(desk):
    from django.db import transaction

    d = receive(desk)
    d = s.dossier_assign(
        agency=desk.agency, dossier=d, specialist=desk.specialist, acting_user=desk.unit_head
    )
    before = OutboxMessage.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        s.dossier_request_supplement(
            agency=desk.agency, dossier=d, reason="Bổ sung", acting_user=desk.specialist
        )
        assert OutboxMessage.objects.count() == before + 1  # queued with the change...
        raise RuntimeError("the change fails after the message was queued")
    assert OutboxMessage.objects.count() == before  # ...and gone with it
