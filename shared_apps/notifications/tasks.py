"""Celery tasks stay thin. The outbox lives in the public schema: both tasks run there whatever
schema queued them (tenant-schemas-celery switches to the caller's schema first)."""

import time

from celery import shared_task
from django.conf import settings
from django_tenants.utils import schema_context

from .services import outbox_dispatch_batch, outbox_reap_stuck

# One run keeps claiming batches while they come back full, for at most this long.
DISPATCH_TIME_BUDGET_SECONDS = 25


@shared_task(name="notifications.outbox_dispatch", ignore_result=True)
def outbox_dispatch(limit=100):
    """Send what is due in the outbox (kicked after each commit that queues messages, and by beat).
    Expired leases of dead workers are taken back first, so that a run delivered again after its
    worker was killed (acks_late) finishes that worker's sends."""
    totals = {"claimed": 0, "sent": 0, "retried": 0, "failed": 0}
    started = time.monotonic()
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        outbox_reap_stuck()
        while True:
            counts = outbox_dispatch_batch(limit=limit)
            for key, value in counts.items():
                totals[key] += value
            if counts["claimed"] < limit or time.monotonic() - started > DISPATCH_TIME_BUDGET_SECONDS:
                return totals


@shared_task(name="notifications.outbox_reap", ignore_result=True)
def outbox_reap():
    """Put messages a dead worker left in `sending` back in the queue."""
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        return outbox_reap_stuck()
