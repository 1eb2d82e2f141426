"""The periodic tasks of notifications and of the SLA watch, for ``CELERY_BEAT_SCHEDULE``.

Run beat with Celery's default scheduler (not tenant-schemas-celery's TenantAwareScheduler, which
would send every entry once per agency): these tasks are city-wide — the outbox is in the public
schema and the SLA watch walks every active agency itself. Each entry expires after its own
interval, so a worker that was down does not find a pile of identical runs waiting. The dispatch
run also takes back expired leases (see services), so the separate reap entry is a backstop."""

import os

# How often beat sweeps the outbox (messages whose after-commit kick was lost: broker down).
DISPATCH_SECONDS = float(os.environ.get("OUTBOX_DISPATCH_SECONDS", "30"))

BEAT_SCHEDULE = {
    "notifications.outbox_dispatch": {
        "task": "notifications.outbox_dispatch",
        "schedule": DISPATCH_SECONDS,
        "options": {"expires": DISPATCH_SECONDS},
    },
    "notifications.outbox_reap": {
        "task": "notifications.outbox_reap",
        "schedule": 300.0,
        "options": {"expires": 300},
    },
    "tenants.schema_pool_refill": {
        "task": "tenants.schema_pool_refill",
        "schedule": 300.0,
        "options": {"expires": 300},
    },
    "dossiers.sla_watch": {
        "task": "dossiers.sla_watch",
        "schedule": 600.0,
        "options": {"expires": 600},
    },
}
