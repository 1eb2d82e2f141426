"""What the fault tests send and what they count afterwards, straight from PostgreSQL and the sinks."""

from __future__ import annotations

import json
import re
import time
from email import message_from_string

from django.db import connection

PROCEDURE = "1.001193"
COMPONENTS = [{"position": 1, "provided": True}, {"position": 2, "provided": True}]
ONLINE = "/api/v1/submissions/"


def counter_path(agency):
    return f"/{agency.slug}/api/v1/dossiers/"


def counter_payload(*, name, phone, email=""):
    return {
        "procedure": PROCEDURE,
        "channel": "in_person",
        "components": COMPONENTS,
        "applicant": {"name": name, "phone": phone, "email": email},
    }


def online_payload(agency, *, name, key):
    return {
        "agency": agency.slug,
        "procedure": PROCEDURE,
        "components": [],  # online, a component is provided only with its file (the API takes no files)
        "idempotency_key": key,
        "applicant": {"name": name, "phone": "0900000000"},
    }


def clean_error(status, content_type, body):
    """An error a client can act on: 5xx with a JSON code, never a page with a traceback."""
    text = body.decode("utf-8", "replace")
    if "Traceback" in text or not content_type.startswith("application/json"):
        return False
    try:
        return bool(json.loads(text).get("code"))
    except ValueError:
        return False


def in_agency(agency, query):
    """Run `query()` in the agency's schema (the test's own connection)."""
    connection.set_tenant(agency)
    try:
        return query()
    finally:
        connection.set_schema_to_public()


def dossiers_of(agency):
    from tenant_apps.dossiers.models import Dossier

    return in_agency(
        agency,
        lambda: list(Dossier.objects.values("id", "code", "channel", "idempotency_key", "applicant_name")),
    )


def outbox_of(agency):
    from shared_apps.notifications.models import OutboxMessage

    connection.set_schema_to_public()
    return list(OutboxMessage.objects.filter(agency=agency).order_by("id"))


def wait_until_all_sent(agency, *, expected, timeout, stack=None):
    from shared_apps.notifications.models import Status

    deadline = time.monotonic() + timeout
    rows = []
    while time.monotonic() < deadline:
        rows = outbox_of(agency)
        if len(rows) == expected and all(r.status == Status.SENT for r in rows):
            return rows
        time.sleep(0.5)
    states = sorted({(r.status, r.last_error[:80]) for r in rows})
    raise AssertionError(
        f"{len(rows)} outbox rows (expected {expected}) not all sent within {timeout}s: {states}"
        + (f"\n{stack.logs()}" if stack else "")
    )


def sms_deliveries(rows):
    """{outbox row id: number of deliveries in the local SMS provider's inbox}."""
    from shared_apps.notifications.adapters import outbox_idempotency_key
    from shared_apps.notifications.models import SmsMessage

    keys = {outbox_idempotency_key(r): r.pk for r in rows if r.channel == "sms"}
    counts = dict.fromkeys(keys.values(), 0)
    for key in SmsMessage.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True):
        counts[keys[key]] += 1
    return counts


def mail_deliveries(rows, mail_dir):
    """{outbox row id: number of e-mails with its Message-ID in the file sink}."""
    from shared_apps.notifications.adapters import email_message_id

    ids = {email_message_id(r): r.pk for r in rows if r.channel == "email"}
    counts = dict.fromkeys(ids.values(), 0)
    separator = re.compile(r"^-{79}$", re.M)  # Django's file backend writes 79 dashes after each message
    for path in mail_dir.iterdir():
        for chunk in separator.split(path.read_text()):
            if chunk.strip():
                message_id = message_from_string(chunk.strip()).get("Message-ID")
                if message_id in ids:
                    counts[ids[message_id]] += 1
    return counts
