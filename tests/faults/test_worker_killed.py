"""A Celery worker SIGKILLed in the middle of the outbox dispatch — right after the provider took
the SMS and before the row was marked sent, or after the claim and before the send — leaves its task
unacknowledged (acks_late). The broker hands the task to the next worker once the visibility
timeout has passed; that run takes back the dead worker's expired lease and finishes the job: every
message delivered exactly once."""

from __future__ import annotations

import json
import re

import pytest

from shared_apps.notifications.adapters import outbox_idempotency_key
from shared_apps.notifications.models import Status

from .checks import (
    counter_path,
    counter_payload,
    mail_deliveries,
    outbox_of,
    sms_deliveries,
    wait_until_all_sent,
)
from .harness import HttpClient, wait_for
from .plugins import arm, held

pytestmark = [pytest.mark.django_db, pytest.mark.faults, pytest.mark.worker]


@pytest.mark.parametrize("when", ["after", "before"])
def test_a_worker_killed_mid_send_delivers_each_message_exactly_once(world, stack, django_db_blocker, when):
    stack.extra = {
        "SMS_PROVIDER": "tests.faults.plugins.HoldingSmsProvider",
        "CELERY_VISIBILITY_TIMEOUT": 3,  # the dead worker's task is delivered again 3 s after it was taken
        # its lease (1.5 s) has expired by then, whichever row the dead worker renewed last (a lease as
        # long as the visibility timeout races the redelivery and can leave a row for beat's reaper)
        "NOTIFICATIONS_STUCK_MINUTES": 0.025,
    }
    web = stack.web(workers=1, threads=2)
    first = stack.worker("w1")
    phone = "0911" + ("000001" if when == "after" else "000002")
    arm(stack.workdir, phone=phone, when=when)
    with django_db_blocker.unblock():
        before = {r.pk for r in outbox_of(world.agency)}

    status, _type, body = HttpClient(web.port, world.officer_session).post(
        counter_path(world.agency),
        counter_payload(name=f"Bi ngat {when}", phone=phone, email=f"ngat-{when}@example.org"),
    )
    assert status == 201, body
    code = json.loads(body)["code"]

    wait_for(lambda: held(stack.workdir) is not None or not first.alive(), timeout=60, what="the armed send")
    stopped = held(stack.workdir)
    assert stopped is not None, stack.logs()
    assert stopped["pid"] == first.pid and stopped["when"] == when  # the worker itself is inside the send
    first.kill()  # SIGKILL: no acknowledgement, no "sent", no clean-up

    with django_db_blocker.unblock():
        rows = [r for r in outbox_of(world.agency) if r.pk not in before]
        assert {r.dossier_code for r in rows} == {code} and len(rows) == 2
        sms = next(r for r in rows if r.channel == "sms")
        assert sms.status == Status.SENDING and sms.attempts == 1
        assert outbox_idempotency_key(sms) == stopped["idempotency_key"]
        # "after": the provider has the SMS, the outbox does not know; "before": nothing went out yet
        assert sms_deliveries([sms]) == {sms.pk: 1 if when == "after" else 0}

    # Nothing is queued from here on: only the redelivered task can finish the job.
    second = stack.worker("w2")
    with django_db_blocker.unblock():
        wait_until_all_sent(world.agency, expected=len(before) + 2, timeout=90, stack=stack)
        rows = [r for r in outbox_of(world.agency) if r.pk not in before]
        sms = next(r for r in rows if r.channel == "sms")
        assert sms_deliveries(rows) == {sms.pk: 1}
        assert set(mail_deliveries(rows, stack.workdir / "mail").values()) == {1}
        assert sms.attempts == 2 and "reaped" not in sms.last_error
        if when == "after":  # the provider's first delivery is the one recorded
            assert sms.provider_message_id == stopped["provider_message_id"]
    # the very task the first worker took is the one the second ran to the end
    taken = re.findall(r"Task notifications\.outbox_dispatch\[([0-9a-f-]+)\] received", first.log())
    assert len(taken) == 1, first.log()
    assert f"Task notifications.outbox_dispatch[{taken[0]}] succeeded" in second.log(), second.log()
    assert first.proc.returncode == -9
