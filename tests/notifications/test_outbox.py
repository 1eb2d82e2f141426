"""The outbox: queued in the caller's transaction, never twice, sent once with retries and backoff."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from shared_apps.notifications.adapters import (
    adapter_get,
    adapter_override,
    email_message_id,
    outbox_idempotency_key,
)
from shared_apps.notifications.models import OutboxMessage, SmsMessage, Status
from shared_apps.notifications.selectors import internal_messages_for
from shared_apps.notifications.services import (
    _kick_dispatcher,
    backoff_for,
    max_attempts,
    outbox_dispatch_batch,
    outbox_enqueue,
    outbox_reap_stuck,
)
from shared_apps.notifications.tasks import outbox_dispatch

pytestmark = pytest.mark.django_db


def enqueue(key, channel="sms", recipient="0912345678", **extra):
    values = dict(
        channel=channel, recipient=recipient, subject="Thông báo", body=f"Nội dung {key}", dedupe_key=key
    )
    values.update(extra)
    return outbox_enqueue(**values)


class Refusing:
    """A provider that is down: every send raises."""

    def __init__(self):
        self.calls = 0

    def send(self, message):
        self.calls += 1
        raise ConnectionError("nhà cung cấp không phản hồi")


class WorkerKilled(BaseException):
    """Stands for the worker process dying: not an Exception, so nothing in the dispatcher catches it."""


class DiesAfterSending:
    """Delivers through the real adapter, then the worker dies before the row is marked sent."""

    def __init__(self, real):
        self.real = real

    def send(self, message):
        self.real.send(message)
        raise WorkerKilled()


# --- enqueue --------------------------------------------------------------------------------------
def test_a_message_queued_in_a_transaction_that_rolls_back_leaves_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                assert enqueue("rollback:1") is not None
                raise RuntimeError("the caller's change failed")
    assert not OutboxMessage.objects.filter(dedupe_key="rollback:1").exists()
    assert callbacks == []  # no dispatcher kick either
    assert outbox_dispatch_batch()["claimed"] == 0
    assert mail.outbox == [] and not SmsMessage.objects.exists()


def test_the_same_dedupe_key_is_queued_once():
    first = enqueue("once:1")
    assert first is not None and first.pk and first.status == Status.PENDING
    assert enqueue("once:1", body="một nội dung khác") is None
    with transaction.atomic():
        assert enqueue("once:1", channel="email", recipient="a@example.org") is None
    assert OutboxMessage.objects.filter(dedupe_key="once:1").count() == 1
    assert OutboxMessage.objects.get(dedupe_key="once:1").body == "Nội dung once:1"


def test_one_dispatcher_kick_per_transaction_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        with transaction.atomic():
            for i in range(5):
                enqueue(f"kick:{i}")
            enqueue("kick:0")  # a duplicate queues nothing and kicks nothing
    assert [c for c in callbacks if c is _kick_dispatcher] == [_kick_dispatcher]


def test_a_message_queued_from_an_agency_schema_lands_in_the_public_outbox(city, in_agency):
    with in_agency(city.a):
        row = enqueue("from-agency:1", agency=city.a, dossier_code="000.90.01.H31-261126-0001")
        assert connection.schema_name == city.a.schema_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT agency_id, dossier_code FROM public.notifications_outboxmessage WHERE id = %s", [row.pk]
        )
        assert cursor.fetchone() == (city.a.pk, "000.90.01.H31-261126-0001")


def test_enqueue_refuses_an_unknown_channel_and_a_missing_key():
    with pytest.raises(ValueError, match="channel"):
        enqueue("bad:1", channel="fax")
    with pytest.raises(ValueError, match="dedupe_key"):
        enqueue("")
    assert not OutboxMessage.objects.exists()


# --- dispatch -------------------------------------------------------------------------------------
def test_dispatch_sends_email_sms_and_in_app_messages_and_marks_them_sent(city):
    email = enqueue("send:email", channel="email", recipient="can-bo@example.org", subject="Hồ sơ quá hạn")
    sms = enqueue("send:sms", channel="sms", recipient="0912345678")
    internal = enqueue("send:internal", channel="internal", recipient=str(city.officer_a.pk))

    assert outbox_dispatch_batch() == {"claimed": 3, "sent": 3, "retried": 0, "failed": 0}

    assert len(mail.outbox) == 1
    sent_mail = mail.outbox[0]
    assert sent_mail.to == ["can-bo@example.org"] and sent_mail.subject == "Hồ sơ quá hạn"
    assert sent_mail.extra_headers["Message-ID"] == email_message_id(email)
    text = SmsMessage.objects.get()
    assert text.phone == "0912345678" and text.body == "Nội dung send:sms"
    assert text.idempotency_key == outbox_idempotency_key(sms)

    rows = {m.dedupe_key: m for m in OutboxMessage.objects.all()}
    assert {m.status for m in rows.values()} == {Status.SENT}
    assert all(m.sent_at and m.attempts == 1 for m in rows.values())
    assert rows["send:email"].provider_message_id == email_message_id(email)
    assert rows["send:sms"].provider_message_id == text.provider_message_id
    assert rows["send:internal"].provider_message_id == f"internal-{internal.pk}"
    assert [m.pk for m in internal_messages_for(user=city.officer_a)] == [internal.pk]
    assert outbox_dispatch_batch()["claimed"] == 0  # nothing is sent twice


def test_dispatch_leaves_messages_whose_time_has_not_come():
    later = timezone.now() + timedelta(minutes=5)
    enqueue("later:1", available_at=later)
    assert outbox_dispatch_batch()["claimed"] == 0
    assert outbox_dispatch_batch(now=later)["sent"] == 1


def test_dispatch_claims_at_most_the_limit_oldest_first():
    start = timezone.now() - timedelta(minutes=10)
    for i in range(5):
        enqueue(f"limit:{i}", available_at=start + timedelta(seconds=i))
    assert outbox_dispatch_batch(limit=2)["sent"] == 2
    sent = set(OutboxMessage.objects.filter(status=Status.SENT).values_list("dedupe_key", flat=True))
    assert sent == {"limit:0", "limit:1"}


def test_a_failing_provider_is_retried_with_backoff_then_given_up():
    row = enqueue("fail:1")
    failing = Refusing()
    now = timezone.now()
    with adapter_override(channel="sms", adapter=failing):
        for attempt in range(1, max_attempts() + 1):
            counts = outbox_dispatch_batch(now=now)
            row.refresh_from_db()
            assert row.attempts == attempt and failing.calls == attempt
            assert "ConnectionError: nhà cung cấp không phản hồi" in row.last_error
            if attempt < max_attempts():
                assert counts["retried"] == 1 and row.status == Status.PENDING
                assert row.available_at == now + backoff_for(attempt)
                # not before its time
                assert outbox_dispatch_batch(now=row.available_at - timedelta(seconds=1))["claimed"] == 0
                now = row.available_at
            else:
                assert counts["failed"] == 1 and row.status == Status.FAILED
    assert [backoff_for(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff_for(20) == timedelta(hours=1)
    assert outbox_dispatch_batch(now=now + timedelta(days=1))["claimed"] == 0  # failed stays failed
    assert not SmsMessage.objects.exists()


def test_a_message_the_provider_refuses_fails_at_once():
    enqueue("refused:1", channel="email", recipient="không-phải-địa-chỉ")
    assert outbox_dispatch_batch()["failed"] == 1
    row = OutboxMessage.objects.get(dedupe_key="refused:1")
    assert row.status == Status.FAILED and row.attempts == 1 and row.last_error.startswith("refused:")
    assert mail.outbox == []


def test_the_provider_recovers_and_the_message_goes_out():
    enqueue("recover:1")
    now = timezone.now()
    with adapter_override(channel="sms", adapter=Refusing()):
        outbox_dispatch_batch(now=now)
    row = OutboxMessage.objects.get(dedupe_key="recover:1")
    assert outbox_dispatch_batch(now=row.available_at)["sent"] == 1
    row.refresh_from_db()
    assert row.status == Status.SENT and row.attempts == 2 and row.last_error == ""
    assert SmsMessage.objects.count() == 1


# --- the reaper and exactly-once ------------------------------------------------------------------
@pytest.mark.parametrize("channel, recipient", [("sms", "0987654321"), ("email", "truong-phong@example.org")])
def test_a_message_stuck_in_sending_is_reaped_and_not_delivered_twice(channel, recipient):
    row = enqueue(f"stuck:{channel}", channel=channel, recipient=recipient)
    now = timezone.now()
    with adapter_override(channel=channel, adapter=DiesAfterSending(adapter_get(channel=channel))):
        with pytest.raises(WorkerKilled):
            outbox_dispatch_batch(now=now)
    row.refresh_from_db()
    assert row.status == Status.SENDING and row.claimed_at == now and row.attempts == 1
    delivered = SmsMessage.objects.count() + len(mail.outbox)
    assert delivered == 1  # the provider has it; the outbox does not know

    # not yet: a slow worker may still be on it
    assert outbox_reap_stuck(now=now + timedelta(minutes=1)) == {"requeued": 0, "failed": 0}
    assert outbox_reap_stuck(now=now + timedelta(minutes=11)) == {"requeued": 1, "failed": 0}
    row.refresh_from_db()
    assert row.status == Status.PENDING and "reaped" in row.last_error

    assert outbox_dispatch_batch(now=now + timedelta(minutes=11))["sent"] == 1
    row.refresh_from_db()
    assert row.status == Status.SENT and row.attempts == 2
    assert SmsMessage.objects.count() + len(mail.outbox) == 1  # still one delivery
    if channel == "sms":
        assert row.provider_message_id == SmsMessage.objects.get().provider_message_id
    else:
        assert row.provider_message_id == mail.outbox[0].extra_headers["Message-ID"]


def test_a_stuck_message_that_used_all_its_attempts_is_given_up():
    row = enqueue("stuck:last")
    long_ago = timezone.now() - timedelta(hours=1)
    OutboxMessage.objects.filter(pk=row.pk).update(
        status=Status.SENDING, claimed_at=long_ago, attempts=max_attempts()
    )
    assert outbox_reap_stuck() == {"requeued": 0, "failed": 1}
    row.refresh_from_db()
    assert row.status == Status.FAILED


def test_a_late_result_from_a_reaped_claim_does_not_overwrite_the_new_one():
    """A slow worker that finishes after its claim was reaped and re-claimed changes nothing."""
    row = enqueue("late-claim:1", channel="internal", recipient="1")
    old_claim = timezone.now() - timedelta(hours=1)
    OutboxMessage.objects.filter(pk=row.pk).update(status=Status.SENDING, claimed_at=old_claim, attempts=1)
    outbox_reap_stuck()
    with adapter_override(channel="internal", adapter=Refusing()):
        outbox_dispatch_batch()
    row.refresh_from_db()
    assert row.status == Status.PENDING and row.attempts == 2
    # the first worker's "sent" arrives now, for its old claim
    assert (
        OutboxMessage.objects.filter(pk=row.pk, status=Status.SENDING, claimed_at=old_claim).update(
            status=Status.SENT
        )
        == 0
    )


# --- the tasks ------------------------------------------------------------------------------------
def test_the_dispatch_task_works_in_the_public_schema_from_an_agency_and_restores_it(city, in_agency):
    enqueue("task:1", channel="internal", recipient=str(city.officer_a.pk))
    with in_agency(city.a):
        result = outbox_dispatch.apply()
        assert connection.schema_name == city.a.schema_name
    assert result.get()["sent"] == 1
    assert OutboxMessage.objects.get(dedupe_key="task:1").status == Status.SENT
