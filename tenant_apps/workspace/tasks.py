"""Celery tasks stay thin: they run in the schema of the agency that queued them (the tenant-aware
Celery app carries the schema in the message headers) and call services or selectors."""

from celery import shared_task
from django.db import connection

from .models import AuditEvent


@shared_task(bind=True, name="workspace.record_heartbeat")
def record_heartbeat(self, marker):
    """Write an audit row in the current agency's schema and report which schema that was.
    Used by the operations page and by the tests that prove tasks keep their tenant."""
    event = AuditEvent.objects.create(
        action="worker_heartbeat",
        object_type="worker",
        object_id=str(marker)[:64],
        new_values={"task_id": self.request.id},
    )
    return {"schema": connection.schema_name, "event_id": event.pk}
