"""Plug-ins the processes under test load by dotted path (settings from the environment): an e-mail
sink and an SMS provider that can be told to stop dead at a chosen point of one send, so that the
test kills the worker exactly there.

Both keep to the adapters' contracts: the e-mail sink is Django's file backend (one file per
connection, every message with its Message-ID header); the SMS provider is the local one."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend

from shared_apps.notifications.adapters import LocalSmsProvider

ARM_FILE = "sms-arm.json"
HELD_FILE = "sms-held.json"


def faults_dir() -> Path:
    return Path(os.environ["FAULTS_DIR"])


class FileSinkEmailBackend(EmailBackend):
    """Django's file backend writing into $FAULTS_MAIL_DIR."""

    def __init__(self, *args, file_path=None, **kwargs):
        super().__init__(*args, file_path=file_path or os.environ["FAULTS_MAIL_DIR"], **kwargs)


def arm(directory: Path, *, phone, when):
    """Make the next send to `phone` stop dead `when` = "before" or "after" the provider's delivery."""
    assert when in ("before", "after")
    tmp = directory / (ARM_FILE + ".tmp")
    tmp.write_text(json.dumps({"phone": phone, "when": when}))
    tmp.rename(directory / ARM_FILE)


def held(directory: Path):
    """What the stopped send recorded (None while nothing stopped)."""
    path = directory / HELD_FILE
    return json.loads(path.read_text()) if path.exists() else None


class HoldingSmsProvider(LocalSmsProvider):
    """The local provider; once armed for a phone number, the first send to it records where it is
    and hangs (the test then SIGKILLs the process). Firing consumes the arming (an atomic rename),
    so the worker that takes over sends normally."""

    def send(self, *, phone, body, idempotency_key):
        directory = faults_dir()
        armed = directory / ARM_FILE
        plan = None
        if armed.exists():
            try:
                plan = json.loads(armed.read_text())
            except (OSError, ValueError):
                plan = None
        if plan and plan["phone"] == phone:
            fired = directory / f"sms-fired-{os.getpid()}.json"
            try:
                armed.rename(fired)  # only one sender wins the arming
            except OSError:
                plan = None
        else:
            plan = None
        provider_id = None
        if plan is None or plan["when"] == "after":
            provider_id = super().send(phone=phone, body=body, idempotency_key=idempotency_key)
        if plan is not None:
            (directory / HELD_FILE).write_text(
                json.dumps(
                    {
                        "pid": os.getpid(),
                        "when": plan["when"],
                        "idempotency_key": idempotency_key,
                        "provider_message_id": provider_id,
                    }
                )
            )
            while True:  # until SIGKILL
                time.sleep(60)
        return provider_id
