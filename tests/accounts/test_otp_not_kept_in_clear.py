"""A one-time code leaves the platform once and is not kept readable in the outbox afterwards: the sent
(or given-up) row holds the masked text. The local SMS provider (the phone's stand-in) keeps the text."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from shared_apps.accounts.models import OneTimeCode, User
from shared_apps.accounts.otp import otp_issue, otp_resend
from shared_apps.notifications.adapters import adapter_override
from shared_apps.notifications.models import OutboxMessage, SmsMessage, Status
from shared_apps.notifications.services import max_attempts, outbox_dispatch_batch, outbox_reap_stuck
from tests.accounts.conftest import PASSWORD, mail_code

pytestmark = pytest.mark.django_db


def outbox_text(**filters):
    return [f"{m.subject}\n{m.body}" for m in OutboxMessage.objects.filter(**filters)]


class Refusing:
    def send(self, message):
        raise ConnectionError("nhà cung cấp không phản hồi")


def test_after_the_sms_is_sent_no_outbox_row_holds_the_code_and_it_was_sent_once(client, signup_phone):
    phone, code = signup_phone()

    row = OutboxMessage.objects.get(recipient=phone)
    assert row.status == Status.SENT and row.redacted is None
    assert code not in row.body and code not in row.subject
    assert (
        row.body.startswith("Mã xác thực (")
        and "Một cửa điện tử Hải Phòng: ******. Hiệu lực 10 phút." in row.body
    )
    assert not [t for t in outbox_text() if code in t]
    # the phone (the local provider) got it exactly once, with the code
    texts = list(SmsMessage.objects.filter(phone=phone).values_list("body", flat=True))
    assert len(texts) == 1 and code in texts[0]
    assert outbox_dispatch_batch()["claimed"] == 0
    assert SmsMessage.objects.filter(phone=phone).count() == 1
    # and the code still works
    assert client.post("/tai-khoan/xac-thuc/", {"code": code, "action": "confirm"}).status_code == 302
    assert User.objects.get(phone=phone).is_active


def test_before_the_send_the_row_has_the_code_and_after_it_only_the_mask(city):
    user = User.objects.create_user(
        username="otp-email", password=PASSWORD, full_name="Lê Văn Cường", email="cuong@example.vn"
    )
    row = otp_issue(
        user=user,
        purpose=OneTimeCode._meta.get_field("purpose").choices[0][0],
        channel="email",
        recipient="cuong@example.vn",
        client_ip="",
    )
    queued = OutboxMessage.objects.get(recipient="cuong@example.vn")
    assert queued.status == Status.PENDING and queued.redacted["subject"] == "Mã xác thực: ******"

    code = mail_code("cuong@example.vn")

    assert len(mail.outbox) == 1 and mail.outbox[0].subject == f"Mã xác thực: {code}"
    sent = OutboxMessage.objects.get(pk=queued.pk)
    assert sent.status == Status.SENT and sent.subject == "Mã xác thực: ******" and code not in sent.body
    assert sent.redacted is None
    assert (
        OneTimeCode.objects.get(pk=row.pk).code_hash
        and code not in OneTimeCode.objects.get(pk=row.pk).code_hash
    )


def test_a_resent_code_is_masked_too(city):
    user = User.objects.create_user(
        username="otp-resend", password=PASSWORD, full_name="Phạm Thị Dung", email="dung@example.vn"
    )
    purpose = OneTimeCode._meta.get_field("purpose").choices[0][0]
    row = otp_issue(user=user, purpose=purpose, channel="email", recipient="dung@example.vn", client_ip="")
    first = mail_code("dung@example.vn")
    from django.core.cache import caches

    caches["shared"].delete("throttle:otp:cool:dung@example.vn")  # past the cool-down
    otp_resend(public_id=row.public_id, client_ip="")
    second = mail_code("dung@example.vn")

    assert len(mail.outbox) == 2
    assert OutboxMessage.objects.filter(recipient="dung@example.vn", status=Status.SENT).count() == 2
    assert not [t for t in outbox_text(recipient="dung@example.vn") if first in t or second in t]


def test_a_code_the_provider_never_took_is_masked_when_the_message_is_given_up(city):
    user = User.objects.create_user(
        username="otp-fail", password=PASSWORD, full_name="Võ Văn Em", phone="0977000111"
    )
    purpose = OneTimeCode._meta.get_field("purpose").choices[0][0]
    otp_issue(user=user, purpose=purpose, channel="sms", recipient="0977000111", client_ip="")
    queued = OutboxMessage.objects.get(recipient="0977000111")
    original = queued.body
    now = timezone.now()
    with adapter_override(channel="sms", adapter=Refusing()):
        outbox_dispatch_batch(now=now)
        queued.refresh_from_db()
        assert queued.status == Status.PENDING and queued.body == original  # still to be sent: text kept
        OutboxMessage.objects.filter(pk=queued.pk).update(
            attempts=max_attempts() - 1, available_at=now - timedelta(seconds=1)
        )
        assert outbox_dispatch_batch(now=now)["failed"] == 1
    queued.refresh_from_db()
    assert queued.status == Status.FAILED and "******" in queued.body and queued.body != original
    assert not SmsMessage.objects.filter(phone="0977000111").exists()


def test_a_stuck_code_message_given_up_by_the_reaper_is_masked(city):
    user = User.objects.create_user(
        username="otp-stuck", password=PASSWORD, full_name="Đỗ Thị Giang", phone="0977000222"
    )
    purpose = OneTimeCode._meta.get_field("purpose").choices[0][0]
    otp_issue(user=user, purpose=purpose, channel="sms", recipient="0977000222", client_ip="")
    queued = OutboxMessage.objects.get(recipient="0977000222")
    OutboxMessage.objects.filter(pk=queued.pk).update(
        status=Status.SENDING, attempts=max_attempts(), claimed_at=timezone.now() - timedelta(hours=1)
    )
    assert outbox_reap_stuck() == {"requeued": 0, "failed": 1}
    queued.refresh_from_db()
    assert queued.status == Status.FAILED and queued.redacted is None
    assert queued.subject == "Mã xác thực: ******" and "Hải Phòng: ******." in queued.body
