"""Committed messages, other processes: a real Celery worker sends them, concurrent dispatchers never
send one twice, and a broker outage loses nothing."""

import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from django.conf import settings
from django.db import connection, transaction

from shared_apps.notifications.adapters import adapter_get, adapter_override, outbox_idempotency_key
from shared_apps.notifications.models import OutboxMessage, SmsMessage, Status
from shared_apps.notifications.services import outbox_dispatch_batch, outbox_enqueue
from tests.conftest import database_url_for_subprocess


def wait_until_sent(prefix, count, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = list(OutboxMessage.objects.filter(dedupe_key__startswith=prefix))
        if len(rows) == count and all(r.status == Status.SENT for r in rows):
            return rows
        time.sleep(0.2)
    raise AssertionError(
        f"not sent within {timeout}s: {[(r.dedupe_key, r.status, r.last_error) for r in rows]}"
    )


@pytest.mark.worker
def test_a_committed_message_is_sent_by_a_real_worker(
    city, notifications_worker, committed_prefix, django_db_blocker
):
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        with transaction.atomic():  # the caller's transaction; the worker is kicked after its commit
            sms = outbox_enqueue(
                channel="sms",
                recipient="0912000111",
                subject="",
                body="Hồ sơ đã có kết quả",
                dedupe_key=f"{committed_prefix}sms",
                agency=city.a,
            )
            note = outbox_enqueue(
                channel="internal",
                recipient=str(city.officer_a.pk),
                subject="Hồ sơ quá hạn",
                body="Hồ sơ 000.90.01.H31-261126-0001 đã quá hạn",
                dedupe_key=f"{committed_prefix}internal",
                agency=city.a,
            )
        rows = {r.channel: r for r in wait_until_sent(committed_prefix, 2)}
        text = SmsMessage.objects.get(provider_message_id=rows["sms"].provider_message_id)
        assert text.phone == "0912000111" and text.body == "Hồ sơ đã có kết quả"
        assert text.idempotency_key == outbox_idempotency_key(sms)
        assert rows["internal"].provider_message_id == f"internal-{note.pk}"
        assert rows["sms"].attempts == rows["internal"].attempts == 1
    assert notifications_worker.poll() is None, notifications_worker.log_path.read_text()


class Counting:
    """Records every send (which thread, which row) and takes a little time, like a real provider."""

    def __init__(self, real):
        self.real, self.calls, self.lock = real, [], threading.Lock()

    def send(self, message):
        with self.lock:
            self.calls.append((threading.current_thread().name, message.pk))
        time.sleep(0.03)
        return self.real.send(message)


def test_concurrent_dispatchers_never_send_the_same_message_twice(city, committed_prefix, django_db_blocker):
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        # Plain rows, not outbox_enqueue: its after-commit kick would wake the real worker, if one runs.
        rows = OutboxMessage.objects.bulk_create(
            OutboxMessage(
                channel="internal",
                recipient=str(city.officer_a.pk),
                body=f"#{i}",
                dedupe_key=f"{committed_prefix}{i}",
            )
            for i in range(24)
        )
        ids = [r.pk for r in rows]
        counting = Counting(adapter_get(channel="internal"))
        start = threading.Barrier(3)
        errors = []

        def dispatcher():
            try:
                start.wait()
                while outbox_dispatch_batch(limit=2)["claimed"]:
                    pass
            except Exception as exc:  # surfaced below
                errors.append(exc)
            finally:
                connection.close()

        with adapter_override(channel="internal", adapter=counting):
            threads = [threading.Thread(target=dispatcher, name=f"dispatcher-{n}") for n in range(3)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=60)
        assert errors == []
        sent = [pk for _name, pk in counting.calls if pk in ids]
        assert sorted(sent) == sorted(ids)  # each message exactly once
        assert len({name for name, _pk in counting.calls}) > 1  # they really ran side by side
        assert set(OutboxMessage.objects.filter(pk__in=ids).values_list("status", "attempts")) == {
            (Status.SENT, 1)
        }


SCRIPT = textwrap.dedent("""
    import django
    django.setup()
    from django.db import transaction
    from shared_apps.notifications.services import outbox_enqueue

    with transaction.atomic():
        row = outbox_enqueue(channel="sms", recipient="0933000222", subject="", body="Mời nhận kết quả",
                             dedupe_key={key!r})
    print("committed", row.pk)
""")


def test_a_broker_outage_at_commit_loses_nothing(city, committed_prefix, django_db_blocker):
    """The caller commits while the broker is unreachable: the commit succeeds at once, the failed
    kick is logged, and the next periodic dispatch sends the message."""
    key = f"{committed_prefix}outage"
    with django_db_blocker.unblock():
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url_for_subprocess(),
            "TEST_REDIS_URL": "redis://127.0.0.1:1/15",
        }  # nothing listens on port 1
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(key=key)],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "committed" in done.stdout
    assert "could not queue the dispatcher" in done.stderr
    assert time.monotonic() - started < 30
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        row = OutboxMessage.objects.get(dedupe_key=key)
        assert row.status == Status.PENDING
        outbox_dispatch_batch()  # what beat's next run does
        row.refresh_from_db()
        assert row.status == Status.SENT
        assert SmsMessage.objects.filter(
            provider_message_id=row.provider_message_id, phone="0933000222"
        ).exists()
