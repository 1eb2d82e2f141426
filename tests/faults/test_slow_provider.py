"""A slow provider: a dispatcher's batch takes longer than the lease, so the reaper (in a second
dispatcher) takes back rows that are still waiting their turn. Each row's lease is renewed just
before its own send, so a row being sent is never taken back, and a row taken back is skipped by
the first dispatcher: every message is handed to the provider exactly once.

The clock is the only thing simulated (each send "takes" six minutes, the lease is ten); the
outbox, its locks and the provider's inbox are the real ones."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shared_apps.notifications import services
from shared_apps.notifications.adapters import adapter_get, adapter_override
from shared_apps.notifications.models import OutboxMessage, Status
from shared_apps.notifications.services import outbox_dispatch_batch, outbox_enqueue, outbox_reap_stuck

pytestmark = [pytest.mark.django_db, pytest.mark.faults]

SEND_TAKES = timedelta(minutes=6)


class Clock:
    def __init__(self):
        self.now = timezone.now()

    def __call__(self):
        return self.now


class SlowProvider:
    """Each send advances the clock; during the second send, a second dispatcher runs (its reap
    first, as the dispatch task does)."""

    def __init__(self, real, clock):
        self.real, self.clock, self.sent, self.second = real, clock, [], None

    def send(self, message):
        self.sent.append(message.pk)
        self.clock.now += SEND_TAKES
        if len(self.sent) == 2 and self.second is None:
            self.clock.now -= timedelta(minutes=1)  # 11 minutes after the first claim
            self.second = (outbox_reap_stuck(), outbox_dispatch_batch())
            self.clock.now += timedelta(minutes=1)
        return self.real.send(message)


def test_rows_waiting_behind_a_slow_send_are_taken_over_once_and_never_sent_twice(monkeypatch, city):
    clock = Clock()
    monkeypatch.setattr(services.timezone, "now", clock)
    rows = [
        outbox_enqueue(
            channel="internal",
            recipient=str(city.officer_a.pk),
            subject="",
            body=f"#{i}",
            dedupe_key=f"slow-provider:{i}",
        )
        for i in range(3)
    ]
    slow = SlowProvider(adapter_get(channel="internal"), clock)
    with adapter_override(channel="internal", adapter=slow):
        first = outbox_dispatch_batch()
    reaped, second = slow.second
    # at minute 11: the third row (claimed at 0, never started) was taken back; the second, being
    # sent since minute 6 under a renewed lease, was not
    assert reaped == {"requeued": 1, "failed": 0}
    assert second["sent"] == 1
    assert first == {"claimed": 3, "sent": 2, "retried": 0, "failed": 0}
    assert sorted(slow.sent) == sorted(r.pk for r in rows)  # each handed to the provider once
    assert set(
        OutboxMessage.objects.filter(pk__in=[r.pk for r in rows]).values_list("status", flat=True)
    ) == {Status.SENT}
    third = OutboxMessage.objects.get(pk=rows[2].pk)
    assert third.attempts == 2
