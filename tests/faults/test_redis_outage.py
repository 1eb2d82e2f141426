"""Redis (cache and broker) dies during a stream of submissions and comes back empty: no dossier is
lost, every request ends accepted (a failure is a clean error that the client retries), and every
notification queued meanwhile goes out exactly once after Redis returns."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from .checks import (
    ONLINE,
    clean_error,
    counter_path,
    counter_payload,
    dossiers_of,
    mail_deliveries,
    online_payload,
    sms_deliveries,
    wait_until_all_sent,
)
from .harness import HttpClient

pytestmark = [pytest.mark.django_db, pytest.mark.faults, pytest.mark.worker]

CLIENTS = 4
RETRIES = 50


class Submissions:
    """N submissions from CLIENTS threads: even ones online (idempotency key), odd ones at the
    counter (each queues an SMS and an e-mail). A 5xx or a broken connection is retried — online
    with the same key — after a short pause."""

    def __init__(self, world, web, total, run):
        self.world, self.web, self.total, self.run = world, web, total, run
        self.done = 0
        self.lock = threading.Lock()
        self.accepted = {}  # i -> (kind, dossier id)
        self.errors = []  # (i, status, content type, body) of every failed attempt
        self.dirty = []  # failures that were not clean errors

    def one(self, i):
        agency = self.world.agency
        if i % 2 == 0:
            client = HttpClient(self.web.port, self.world.citizen_session)
            path, body = (
                ONLINE,
                online_payload(agency, name=f"Online {self.run} {i}", key=f"faults-{self.run}-{i:04d}"),
            )
        else:
            client = HttpClient(self.web.port, self.world.officer_session)
            path, body = (
                counter_path(agency),
                counter_payload(
                    name=f"Quay {self.run} {i}", phone=f"09{i:08d}", email=f"cong-dan-{i}@example.org"
                ),
            )
        for _attempt in range(RETRIES):
            try:
                status, content_type, payload = client.post(path, body)
            except OSError as exc:  # the server closed the connection: a client retries
                status, content_type, payload = 0, "", str(exc).encode()
            if status in (200, 201):
                with self.lock:
                    self.accepted[i] = ("online" if i % 2 == 0 else "counter", json.loads(payload)["id"])
                    self.done += 1
                return
            with self.lock:
                self.errors.append((i, status, content_type, payload[:300]))
                if status < 500 or not clean_error(status, content_type, payload):
                    self.dirty.append((i, status, content_type, payload[:300]))
            if 400 <= status < 500:
                return  # refused: retrying would not help (and the test fails on it)
            time.sleep(0.3)

    def start(self):
        self.pool = ThreadPoolExecutor(max_workers=CLIENTS)
        self.futures = [self.pool.submit(self.one, i) for i in range(self.total)]

    def wait_done(self, count, timeout=600):
        deadline = time.monotonic() + timeout
        while self.done < count and time.monotonic() < deadline:
            if all(f.done() for f in self.futures):
                break
            time.sleep(0.05)

    def finish(self):
        for f in self.futures:
            f.result(timeout=600)
        self.pool.shutdown()


def check_nothing_lost(world, subs, stack, django_db_blocker):
    total = subs.total
    assert subs.dirty == [], subs.dirty[:5]
    assert len(subs.accepted) == total, (
        f"{total - len(subs.accepted)} submissions never accepted: {subs.errors[:5]}"
    )
    counter = sorted(pk for kind, pk in subs.accepted.values() if kind == "counter")
    with django_db_blocker.unblock():
        from shared_apps.tracking.models import DossierIndex

        dossiers = [d for d in dossiers_of(world.agency) if d["applicant_name"].split()[1] == subs.run]
        online = [d for d in dossiers if d["channel"] == "online"]
        at_counter = [d for d in dossiers if d["channel"] != "online"]
        # every accepted request has its dossier, and no retry made a second one
        assert sorted(d["idempotency_key"] for d in online) == sorted(
            f"faults-{subs.run}-{i:04d}" for i in range(0, total, 2)
        )
        assert sorted(d["id"] for d in at_counter) == counter
        assert DossierIndex.objects.filter(
            agency=world.agency, dossier_id__in=[d["id"] for d in dossiers]
        ).count() == len(dossiers)
        # every counter intake queued an SMS and an e-mail; each went out exactly once
        codes = {d["code"] for d in at_counter}
        rows = [
            r
            for r in wait_until_all_sent(
                world.agency, expected=2 * len(counter) + subs.previous_rows, timeout=180, stack=stack
            )
            if r.dossier_code in codes
        ]
        assert len(rows) == 2 * len(counter)
        sms, mail = sms_deliveries(rows), mail_deliveries(rows, stack.workdir / "mail")
        assert len(sms) == len(mail) == len(counter)
        assert set(sms.values()) == {1} and set(mail.values()) == {1}


def run_outage(world, stack, django_db_blocker, *, total, down_at, up_at, run):
    from .checks import outbox_of

    with django_db_blocker.unblock():
        previous_rows = len(outbox_of(world.agency))
    stack.extra = {"OUTBOX_DISPATCH_SECONDS": 2}  # beat's sweep for messages whose kick was lost
    web = stack.web()
    stack.worker("w1", beat=True)
    subs = Submissions(world, web, total, run)
    subs.previous_rows = previous_rows
    subs.start()
    subs.wait_done(down_at)
    stack.redis.kill()
    down_for = subs.done
    subs.wait_done(up_at)
    accepted_while_down = subs.done - down_for
    if up_at >= total:
        subs.finish()
    stack.redis.start()
    subs.finish()
    assert accepted_while_down > 0  # the outage really overlapped submissions
    check_nothing_lost(world, subs, stack, django_db_blocker)
    return subs


def test_redis_down_at_the_end_of_submissions_loses_nothing_and_beat_sends_afterwards(
    world, stack, django_db_blocker
):
    """The last submissions are made with Redis down (their after-commit kicks fail); nothing kicks
    the dispatcher after Redis returns — beat's sweep sends what they queued."""
    run_outage(world, stack, django_db_blocker, total=40, down_at=20, up_at=40, run="cuoi")


@pytest.mark.slow
def test_redis_stopped_during_500_submissions_and_restarted_loses_nothing(world, stack, django_db_blocker):
    run_outage(world, stack, django_db_blocker, total=500, down_at=150, up_at=350, run="giua")
