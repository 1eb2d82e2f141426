"""Celery tasks stay thin: they call the SLA watch, which walks every active agency itself."""

from celery import shared_task
from django.conf import settings
from django_tenants.utils import schema_context

from .sla import sla_watch_all


@shared_task(name="dossiers.sla_watch", ignore_result=True)
def sla_watch():
    """Notify holders and unit heads of overdue and due-soon dossiers in every active agency."""
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        return sla_watch_all()
