"""Fixtures for the outbox tests: rows committed for other processes and threads to see (and removed
afterwards), and a real Celery worker on the real Redis, against the test database."""

import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from tests.conftest import database_url_for_subprocess


def outbox_cleanup(prefix):
    """Delete committed outbox rows whose dedupe key starts with `prefix`, and their SMS."""
    from shared_apps.notifications.adapters import outbox_idempotency_key
    from shared_apps.notifications.models import OutboxMessage, SmsMessage

    connection.set_schema_to_public()
    rows = list(OutboxMessage.objects.filter(dedupe_key__startswith=prefix))
    SmsMessage.objects.filter(idempotency_key__in=[outbox_idempotency_key(m) for m in rows]).delete()
    OutboxMessage.objects.filter(pk__in=[m.pk for m in rows]).delete()


@pytest.fixture
def committed_prefix(city, django_db_blocker):
    """A dedupe-key prefix for rows a test commits (inside `django_db_blocker.unblock()`); every row
    with it, and its SMS, is deleted after the test."""
    prefix = f"test-{uuid.uuid4().hex[:10]}:"
    yield prefix
    with django_db_blocker.unblock():
        outbox_cleanup(prefix)


@pytest.fixture(scope="session")
def notifications_worker(city, django_db_blocker, tmp_path_factory):
    """A real Celery worker (solo pool) consuming the test queue, started the way
    tests/workspace/test_celery_tenant.py starts its own (same settings, so either worker may take
    any task of the session). Its e-mail backend would be SMTP: the worker test sends SMS and in-app
    messages."""
    with django_db_blocker.unblock():
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url_for_subprocess(),
        }
    # Tasks that earlier tests of the session left in the queue (the load tests queue one per
    # dossier, and their rows are gone) would keep a solo worker busy for minutes: drop them.
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge(settings.CELERY_TASK_DEFAULT_QUEUE)
    log_path = tmp_path_factory.mktemp("celery-notifications") / "worker.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-Q",
            settings.CELERY_TASK_DEFAULT_QUEUE,
            "-l",
            "info",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=settings.BASE_DIR,
    )
    proc.log_path = log_path
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()
