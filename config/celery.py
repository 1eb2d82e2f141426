"""The Celery app. Tasks remember the agency (schema) that queued them and run in it."""

import os

from tenant_schemas_celery.app import CeleryApp as TenantAwareCeleryApp

# Workers and beat start in production unless told otherwise (see config/wsgi.py); the launcher, the
# tests and the benches set their settings module explicitly.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = TenantAwareCeleryApp("egov")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
