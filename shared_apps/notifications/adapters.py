"""Outbound adapters, one per channel, in a small registry; SMS providers in a second one.

An adapter is any object with ``send(message: OutboxMessage) -> str`` returning the provider's id
for the delivery. It raises on failure (the dispatcher retries with backoff) or raises
:class:`DeliveryRefused` when retrying cannot help (the row is marked failed at once).

Idempotency: a message may reach ``send`` more than once — after a worker died between the
provider's acceptance and the row being marked sent, the reaper puts the row back. Each adapter
therefore first asks its provider whether this message was already delivered, keyed by the outbox
row (``outbox_idempotency_key``), and if so returns that delivery's id without sending again.

* SMS, local provider: exact. The provider's inbox (``SmsMessage``) is unique on the key, so the
  check and the insert are one atomic step. A real provider is exactly-once only if its API takes an
  idempotency key (or lets us look a message up by our reference); register such a provider with
  ``sms_provider_register`` and implement ``send(*, phone, body, idempotency_key)`` that way.
* E-mail: SMTP has no idempotency and no way to ask a server what it received. Every e-mail carries
  a Message-ID derived from the outbox row (``email_message_id``), identical on every retry and
  recorded as the row's provider id, so a duplicate after a crash is recognisable (by people and by
  mail systems that collapse equal Message-IDs) — but it can be delivered twice. Only the locmem
  backend (tests) can be asked, and is. The window is small: between the server accepting the
  message and the row being marked sent.
* Internal (in-app): the outbox row *is* the message the officer sees; sending it only marks it.

Settings: ``SMS_PROVIDER`` (default ``"local"``: a registered name, or the dotted path of a provider
class, instantiated once); e-mail uses Django's ``EMAIL_BACKEND`` and
``DEFAULT_FROM_EMAIL``; ``NOTIFICATIONS_EMAIL_DOMAIN`` (default: the domain of DEFAULT_FROM_EMAIL)
is the right-hand side of the Message-IDs.
"""

from __future__ import annotations

import threading
import uuid
from contextlib import contextmanager

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

from .models import Channel, SmsMessage


class DeliveryRefused(Exception):
    """A permanent failure (no address, a number the provider rejects): do not retry."""


class AdapterMissing(LookupError):
    pass


_lock = threading.Lock()
_adapters: dict[str, object] = {}
_sms_providers: dict[str, object] = {}


# --- registries -----------------------------------------------------------------------------------
def adapter_register(*, channel, adapter):
    """Make `adapter` the sender for `channel`; returns the one it replaces (or None)."""
    with _lock:
        previous = _adapters.get(channel)
        _adapters[channel] = adapter
        return previous


def adapter_get(*, channel):
    try:
        return _adapters[channel]
    except KeyError:
        raise AdapterMissing(f"no outbound adapter for channel {channel!r}") from None


@contextmanager
def adapter_override(*, channel, adapter):
    """Use `adapter` for `channel` inside the block (tests, a maintenance script)."""
    previous = adapter_register(channel=channel, adapter=adapter)
    try:
        yield adapter
    finally:
        with _lock:
            if previous is None:
                _adapters.pop(channel, None)
            else:
                _adapters[channel] = previous


def sms_provider_register(*, name, provider):
    with _lock:
        _sms_providers[name] = provider


def sms_provider_get(*, name=None):
    """The provider named `name`, or the one the ``SMS_PROVIDER`` setting names (default "local")."""
    name = name or settings.SMS_PROVIDER
    try:
        return _sms_providers[name]
    except KeyError:
        pass
    if "." in name:  # the dotted path of a provider class: loaded once, then registered under it
        try:
            provider = import_string(name)()
        except ImportError as exc:
            raise AdapterMissing(f"no SMS provider class {name!r} (SMS_PROVIDER setting)") from exc
        sms_provider_register(name=name, provider=provider)
        return provider
    raise AdapterMissing(f"no SMS provider named {name!r} (SMS_PROVIDER setting)")


def outbox_idempotency_key(message):
    """The key a provider de-duplicates on, derived from the outbox row: its id, plus its creation
    time so that rows of a rebuilt database that reuse an id do not collide."""
    stamp = int(message.created_at.timestamp() * 1_000_000) if message.created_at else 0
    return f"outbox.{message.pk}.{stamp}"


# --- SMS ------------------------------------------------------------------------------------------
class LocalSmsProvider:
    """Writes the SMS into ``SmsMessage`` (public schema). Idempotent on `idempotency_key`: a second
    send of the same key returns the first delivery's id and writes nothing."""

    def send(self, *, phone, body, idempotency_key):
        row, _created = SmsMessage.objects.get_or_create(
            idempotency_key=idempotency_key,
            defaults={"phone": phone, "body": body, "provider_message_id": f"local-{uuid.uuid4().hex}"},
        )
        return row.provider_message_id


class SmsAdapter:
    def send(self, message):
        phone = (message.recipient or "").strip()
        if not phone:
            raise DeliveryRefused("no phone number")
        return sms_provider_get().send(
            phone=phone, body=message.body, idempotency_key=outbox_idempotency_key(message)
        )


# --- e-mail ---------------------------------------------------------------------------------------
def email_domain():
    configured = settings.NOTIFICATIONS_EMAIL_DOMAIN
    if configured:
        return configured
    sender = settings.DEFAULT_FROM_EMAIL or ""
    return sender.rsplit("@", 1)[-1].strip(" >") if "@" in sender else "localhost"


def email_message_id(message):
    """A Message-ID that is the same on every attempt for this outbox row."""
    return f"<{outbox_idempotency_key(message)}@{email_domain()}>"


class EmailAdapter:
    def send(self, message):
        address = (message.recipient or "").strip()
        if "@" not in address:
            raise DeliveryRefused(f"not an e-mail address: {address!r}")
        message_id = email_message_id(message)
        if self.already_delivered(message_id):
            return message_id
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
            headers={"Message-ID": message_id},
        )
        email.send(fail_silently=False)
        return message_id

    def already_delivered(self, message_id):
        """Only Django's in-memory backend can be asked what it already holds; SMTP cannot."""
        if settings.EMAIL_BACKEND != "django.core.mail.backends.locmem.EmailBackend":
            return False
        return any(m.extra_headers.get("Message-ID") == message_id for m in getattr(mail, "outbox", []))


# --- in-app ---------------------------------------------------------------------------------------
class InternalAdapter:
    """The row is the in-app message (recipient = the user's id); there is nothing to transmit."""

    def send(self, message):
        return f"internal-{message.pk}"


sms_provider_register(name="local", provider=LocalSmsProvider())
adapter_register(channel=Channel.EMAIL, adapter=EmailAdapter())
adapter_register(channel=Channel.SMS, adapter=SmsAdapter())
adapter_register(channel=Channel.INTERNAL, adapter=InternalAdapter())
