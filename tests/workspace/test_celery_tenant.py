"""A task runs in the schema of the agency that queued it: a real worker, the real Redis."""

import os
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings

from tenant_apps.workspace.models import AuditEvent
from tenant_apps.workspace.tasks import record_heartbeat
from tests.conftest import database_url_for_subprocess

pytestmark = [pytest.mark.django_db, pytest.mark.worker]

HEARTBEAT_QUEUE = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-heartbeat"


def queue_heartbeat(marker):
    return record_heartbeat.apply_async(args=[marker], queue=HEARTBEAT_QUEUE)


@pytest.fixture(scope="session")
def celery_worker_process(city, django_db_blocker, tmp_path_factory):
    """A real worker on a queue of its own: the session's default queue may hold a backlog left by
    earlier tests (the 2,000-receipt load test queues a notification per dossier), and a solo worker
    would work through all of it before reaching these tasks."""
    with django_db_blocker.unblock():
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url_for_subprocess(),
        }
    log = (tmp_path_factory.mktemp("celery") / "worker.log").open("w")
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
            HEARTBEAT_QUEUE,
            "-l",
            "info",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=settings.BASE_DIR,
    )
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def test_a_task_runs_in_the_schema_of_the_agency_that_queued_it(city, in_agency, celery_worker_process):
    marker_a, marker_b = f"a-{uuid.uuid4().hex[:8]}", f"b-{uuid.uuid4().hex[:8]}"
    with in_agency(city.a):
        result_a = queue_heartbeat(marker_a)
    with in_agency(city.b):
        result_b = queue_heartbeat(marker_b)
    assert result_a.get(timeout=60)["schema"] == city.a.schema_name
    assert result_b.get(timeout=60)["schema"] == city.b.schema_name
    with in_agency(city.a):
        assert AuditEvent.objects.filter(object_id=marker_a).count() == 1
        assert not AuditEvent.objects.filter(object_id=marker_b).exists()
    with in_agency(city.b):
        assert AuditEvent.objects.filter(object_id=marker_b).count() == 1
        assert not AuditEvent.objects.filter(object_id=marker_a).exists()


def test_a_task_queued_from_the_city_runs_in_the_public_schema(city, celery_worker_process):
    started = time.monotonic()
    # record_heartbeat writes to an agency table: from the public schema it must fail, not write
    # into some agency's schema by accident.
    result = queue_heartbeat(f"p-{uuid.uuid4().hex[:8]}")
    with pytest.raises(Exception, match="workspace_auditevent"):
        result.get(timeout=60)
    assert time.monotonic() - started < 60
