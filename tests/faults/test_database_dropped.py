"""PostgreSQL drops the connection of a request in the middle of its transaction: the client gets a
clean 503 (JSON, Retry-After, no traceback), nothing of the request is written, and sending the same
request again works.

Deterministic hook: the test holds a lock on the public dossier index, which every intake writes
last; the request's transaction blocks there (after its first writes), the test finds its backend
in pg_stat_activity — waiting on that lock — and terminates it from another connection."""

from __future__ import annotations

import json
import threading
import time
import uuid

import psycopg
import pytest

from shared_apps.notifications.models import OutboxMessage
from shared_apps.tracking.models import DossierIndex

from .checks import ONLINE, counter_path, counter_payload, dossiers_of, online_payload
from .harness import HttpClient

pytestmark = [pytest.mark.django_db, pytest.mark.faults]

WAITING = """
    SELECT l.pid FROM pg_locks l
    WHERE l.relation = 'public.tracking_dossierindex'::regclass AND NOT l.granted AND l.pid <> pg_backend_pid()
"""
ACTIVITY = """
    SELECT pid, state, wait_event_type, wait_event, left(query, 200) FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid()
"""
HOLDS_DOSSIER_LOCK = """
    SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE l.pid = %s AND l.granted AND n.nspname = %s AND c.relname = 'dossiers_dossier'
      AND l.mode = 'RowExclusiveLock'
"""


def send_in_background(client, path, body):
    result = {}

    def run():
        try:
            result["response"] = client.post(path, body)
        except Exception as exc:  # surfaced by the assertions
            result["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


@pytest.mark.parametrize("kind", ["online", "counter"])
def test_a_dropped_database_connection_mid_request_is_a_clean_503_and_writes_nothing(
    world, stack, kind, django_db_blocker
):
    web = stack.web(workers=1, threads=2)
    agency = world.agency
    name = f"Mat ket noi {kind} {uuid.uuid4().hex[:6]}"
    if kind == "online":
        client = HttpClient(web.port, world.citizen_session)
        path, body = ONLINE, online_payload(agency, name=name, key=f"mat-ket-noi-{uuid.uuid4().hex[:12]}")
    else:
        client = HttpClient(web.port, world.officer_session)
        path, body = (
            counter_path(agency),
            counter_payload(name=name, phone="0912000999", email="mkn@example.org"),
        )

    with django_db_blocker.unblock():
        indexed = DossierIndex.objects.filter(agency=agency).count()
        queued = OutboxMessage.objects.filter(agency=agency).count()
    with psycopg.connect(world.database_url) as blocker:  # a transaction: the lock lasts until rollback
        blocker.execute("LOCK TABLE public.tracking_dossierindex IN SHARE ROW EXCLUSIVE MODE")
        thread, result = send_in_background(client, path, body)
        victim = None
        deadline = time.monotonic() + 60
        while victim is None and time.monotonic() < deadline and thread.is_alive():
            blocker.execute("SELECT pg_stat_clear_snapshot()")  # activity is snapshotted per transaction
            row = blocker.execute(WAITING).fetchone()
            victim = row[0] if row else None
            time.sleep(0.05)
        assert victim is not None, (result, blocker.execute(ACTIVITY).fetchall(), stack.logs())
        # mid-transaction: the request's transaction already holds its write lock on the dossiers
        assert blocker.execute(HOLDS_DOSSIER_LOCK, [victim, agency.schema_name]).fetchone()[0] == 1
        assert blocker.execute("SELECT pg_terminate_backend(%s)", [victim]).fetchone()[0] is True
        blocker.rollback()
    thread.join(timeout=60)

    status, content_type, payload = result["response"]
    text = payload.decode()
    assert status == 503, text
    assert content_type.startswith("application/json") and "Traceback" not in text
    assert json.loads(text)["code"] == "service_unavailable"

    with django_db_blocker.unblock():
        assert [d for d in dossiers_of(agency) if d["applicant_name"] == name] == []
        assert DossierIndex.objects.filter(agency=agency).count() == indexed
        assert OutboxMessage.objects.filter(agency=agency).count() == queued

    # the client sends the same request again (online: the same idempotency key): it is accepted once
    status, _type, payload = client.post(path, body)
    assert status == 201, payload
    with django_db_blocker.unblock():
        made = [d for d in dossiers_of(agency) if d["applicant_name"] == name]
        assert [d["id"] for d in made] == [json.loads(payload)["id"]]
        assert DossierIndex.objects.filter(agency=agency, dossier_id=made[0]["id"]).count() == 1
