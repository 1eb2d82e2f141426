"""The Celery app. Tasks remember the agency (schema) that queued them and run in it."""

import os

from tenant_schemas_celery.app import CeleryApp as TenantAwareCeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = TenantAwareCeleryApp("egov")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
