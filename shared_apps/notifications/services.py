"""Writes to the outbox: enqueue (in the caller's transaction), dispatch, reap.

Rules
* ``outbox_enqueue`` inserts in the caller's transaction with INSERT ... ON CONFLICT (dedupe_key)
  DO NOTHING: a rolled-back caller leaves no row, and a key seen before (committed, or being
  inserted by a concurrent transaction that then commits) is never queued twice. After the
  caller's commit, the dispatcher task is kicked once per transaction; if the broker is down that
  is logged and nothing else happens — the row is in PostgreSQL and the periodic dispatch (beat,
  every 30 s) sends it. A committed request never fails because of the kick.
* ``outbox_dispatch_batch`` claims up to `limit` pending rows whose ``available_at`` has come with
  SELECT ... FOR UPDATE SKIP LOCKED (concurrent dispatchers never take the same row), marks them
  sending (attempts + 1, claimed_at = now) and commits that claim *before* calling any provider
  (run it outside a transaction, as the task does; inside one the "commit" is only a savepoint).
  Just before each send the dispatcher renews that row's lease (claimed_at = now, only while the
  row is still in its claim; otherwise it skips the row). The row is then sent through its
  channel's adapter outside any transaction and marked sent (provider id recorded) — again only
  while the row is still in this claim; on an error it goes back to pending with ``available_at``
  pushed out by ``NOTIFICATIONS_BACKOFF_SECONDS`` (30) × 2^(attempts−1), at most
  ``NOTIFICATIONS_BACKOFF_MAX_SECONDS`` (3600), and after ``NOTIFICATIONS_MAX_ATTEMPTS`` (8) attempts —
  or at once on ``DeliveryRefused`` — to failed.
* Sensitive messages (one-time codes) carry their masked text in ``redacted``; it replaces the
  subject and body in the same UPDATE that marks the row sent (or failed), so the outbox holds the
  secret only while the message may still be sent. A retry after a crash still has the full text.
* ``outbox_reap_stuck`` puts rows whose lease is older than ``NOTIFICATIONS_STUCK_MINUTES`` (10) (a
  worker killed between its send and its "sent") back to pending — or to failed when they have used
  all their attempts. Every dispatch run reaps first, so recovery needs no separate schedule.

The guarantee, precisely
* No message is lost: the row commits with the business change; only a "sent" or "failed" row is
  never picked up again. Broker, cache or worker outages delay a message, never drop it.
* A message is handed to a provider only under a live lease, and a lease is taken back only once
  it is older than NOTIFICATIONS_STUCK_MINUTES. Two sends of one message therefore need a worker to
  die (or stall longer than the lease) after starting a send and before recording its result;
  the next send then carries the same idempotency key (``adapters.outbox_idempotency_key``):
  - local SMS provider and in-app messages: exactly once (the provider is unique on the key);
  - a real SMS provider: exactly once if its API de-duplicates on the key we pass, otherwise at
    least once;
  - e-mail over SMTP: at least once — SMTP cannot be asked what it received; the duplicate has the
    same Message-ID (see ``adapters``).
* NOTIFICATIONS_STUCK_MINUTES must exceed the longest single provider call (EMAIL_TIMEOUT, the SMS
  provider's timeout); it need not cover a whole batch.
* The Celery task itself is acks_late: a worker killed mid-task leaves the task unacknowledged, and
  the broker delivers it again after the visibility timeout (CELERY_BROKER_TRANSPORT_OPTIONS); the
  rerun reaps the dead worker's expired leases and sends what is left, through the same dedupe.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.db.models.fields.json import KT
from django.utils import timezone

from .adapters import DeliveryRefused, adapter_get
from .models import Channel, OutboxMessage, Status

logger = logging.getLogger(__name__)


def max_attempts():
    return int(settings.NOTIFICATIONS_MAX_ATTEMPTS)


def backoff_for(attempts):
    """Delay before the next attempt after `attempts` failed ones: 30 s, 1 min, 2 min, ... ≤ 1 h."""
    base = float(settings.NOTIFICATIONS_BACKOFF_SECONDS)
    cap = float(settings.NOTIFICATIONS_BACKOFF_MAX_SECONDS)
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


# --- enqueue --------------------------------------------------------------------------------------
def _kick_dispatcher():
    """After commit: ask a worker to dispatch now. A broker outage is logged, never raised: the
    periodic dispatch picks the rows up."""
    from .tasks import outbox_dispatch

    app = outbox_dispatch.app
    interval = settings.OUTBOX_KICK_MIN_INTERVAL
    if interval and not app.conf.task_always_eager:
        # Busy desks commit many messages a second: one kick per interval is enough, the dispatcher
        # keeps claiming batches while rows keep coming (and beat sweeps every 30 s anyway).
        from django.core.cache import caches

        cache = caches["shared"]
        try:
            if (
                not cache.add("outbox:kick", 1, max(1, int(interval)))
                and not getattr(cache, "last_call_failed", bool)()
            ):
                return
        except Exception:
            pass
    try:
        if app.conf.task_always_eager:  # no broker (dev without Redis): dispatch here and now
            outbox_dispatch.apply_async()
            return
        with app.producer_or_acquire() as producer:
            # Fail fast (one retry, ~0.2 s) instead of kombu's default reconnect loop (seconds), so a
            # request that committed is not held up by a broker outage.
            producer.connection.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0.2, interval_max=0.2, timeout=2
            )
            outbox_dispatch.apply_async(producer=producer, retry=False)
    except Exception:  # the broker is down or refuses: the rows wait for beat
        logger.warning(
            "outbox: could not queue the dispatcher; the periodic dispatch will send the messages",
            exc_info=True,
        )


def _kick_after_commit():
    # One kick per transaction, however many messages it queues. Outside a transaction
    # (autocommit) on_commit runs the kick at once.
    if connection.in_atomic_block and any(item[1] is _kick_dispatcher for item in connection.run_on_commit):
        return
    transaction.on_commit(_kick_dispatcher)


def outbox_kick():
    """For rows inserted by other means (one-statement intake): kick the dispatcher after commit."""
    _kick_after_commit()


def outbox_enqueue(
    *,
    channel,
    recipient,
    subject,
    body,
    dedupe_key,
    agency=None,
    dossier_code="",
    available_at=None,
    redacted_subject=None,
    redacted_body=None,
):
    """Queue one message in the caller's transaction. Returns the new row, or None when a row with
    this `dedupe_key` already exists (the message is then not queued again).

    A sensitive message (a one-time code) passes `redacted_subject`/`redacted_body`, its text with the
    secret masked: they replace `subject`/`body` in the row once it is sent or given up."""
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    if not (dedupe_key or "").strip():
        raise ValueError("a dedupe_key is required")
    if not (recipient or "").strip():
        raise ValueError("a recipient is required")
    now = timezone.now()
    row = OutboxMessage(
        channel=channel,
        recipient=str(recipient).strip(),
        subject=subject or "",
        body=body or "",
        dedupe_key=dedupe_key,
        agency=agency,
        dossier_code=dossier_code or "",
        created_at=now,
        available_at=available_at or now,
    )
    if redacted_subject is not None or redacted_body is not None:
        row.redacted = {
            "subject": (subject or "") if redacted_subject is None else redacted_subject,
            "body": (body or "") if redacted_body is None else redacted_body,
        }
    row.full_clean(exclude=["agency", "dedupe_key"])  # lengths and choices; uniqueness is the INSERT's job
    meta = OutboxMessage._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    qn = connection.ops.quote_name
    table = f"{qn(settings.PUBLIC_SCHEMA_NAME)}.{qn(meta.db_table)}"
    sql = (
        f"INSERT INTO {table} ({', '.join(qn(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({qn(meta.get_field('dedupe_key').column)}) DO NOTHING RETURNING {qn(meta.pk.column)}"
    )
    params = [f.get_db_prep_save(f.pre_save(row, add=True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        inserted = cursor.fetchone()
    if inserted is None:
        return None
    row.pk = inserted[0]
    row._state.adding = False
    row._state.db = "default"
    _kick_after_commit()
    return row


# --- dispatch -------------------------------------------------------------------------------------
def _redaction(message):
    """The values that take a sensitive message's secret out of its row (nothing for other rows)."""
    if not message.redacted:
        return {}
    return {
        "subject": message.redacted.get("subject", ""),
        "body": message.redacted.get("body", ""),
        "redacted": None,
    }


def _claim(*, limit, now):
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(status=Status.PENDING, available_at__lte=now)
            .order_by("available_at", "id")
            .values_list("id", flat=True)[:limit]
        )
        if not ids:
            return []
        OutboxMessage.objects.filter(id__in=ids).update(
            status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
        return list(OutboxMessage.objects.filter(id__in=ids).order_by("available_at", "id"))


def _renew_claim(message, *, now):
    """Take the lease on one claimed row again, just before its send: the lease (``claimed_at``)
    then covers only this send, however long the rows before it in the batch took. False when the
    row is no longer in this dispatcher's claim (the reaper took it back)."""
    renewed = OutboxMessage.objects.filter(
        pk=message.pk, status=Status.SENDING, claimed_at=message.claimed_at
    ).update(claimed_at=now)
    if renewed:
        message.claimed_at = now
    return bool(renewed)


def _record_failure(*, message, error, permanent, now):
    attempts = message.attempts
    give_up = permanent or attempts >= max_attempts()
    values = {"last_error": error[:4000]}
    if give_up:
        values["status"] = Status.FAILED
        values.update(_redaction(message))
    else:
        values["status"] = Status.PENDING
        values["available_at"] = now + backoff_for(attempts)
    OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING, claimed_at=message.claimed_at).update(
        **values
    )
    level = logging.ERROR if give_up else logging.WARNING
    logger.log(
        level,
        "outbox: %s message %s to %s failed (attempt %s%s): %s",
        message.channel,
        message.pk,
        message.recipient,
        attempts,
        ", giving up" if give_up else "",
        error,
    )
    return "failed" if give_up else "retried"


def outbox_dispatch_batch(*, limit=100, now=None):
    """Claim up to `limit` due messages and send them; returns counts
    ``{"claimed", "sent", "retried", "failed"}``. Safe to run in many workers at once."""

    def clock():  # `now` pins the time (tests); otherwise the time of each result
        return now or timezone.now()

    counts = {"claimed": 0, "sent": 0, "retried": 0, "failed": 0}
    claimed = _claim(limit=limit, now=clock())
    counts["claimed"] = len(claimed)
    for message in claimed:
        if not _renew_claim(message, now=clock()):
            # Reaped while it waited behind slow sends in this batch: whoever took it over sends it.
            logger.warning(
                "outbox: message %s was taken back before its turn; not sending it here", message.pk
            )
            continue
        try:
            provider_id = adapter_get(channel=message.channel).send(message)
        except DeliveryRefused as exc:
            counts[
                _record_failure(message=message, error=f"refused: {exc}", permanent=True, now=clock())
            ] += 1
        except Exception as exc:  # any provider error: retry later
            counts[
                _record_failure(
                    message=message, error=f"{type(exc).__name__}: {exc}", permanent=False, now=clock()
                )
            ] += 1
        else:
            OutboxMessage.objects.filter(
                pk=message.pk, status=Status.SENDING, claimed_at=message.claimed_at
            ).update(
                status=Status.SENT,
                sent_at=clock(),
                provider_message_id=str(provider_id or "")[:255],
                last_error="",
                **_redaction(message),
            )
            counts["sent"] += 1
    return counts


# --- reap -----------------------------------------------------------------------------------------
def stuck_after():
    return timedelta(minutes=float(settings.NOTIFICATIONS_STUCK_MINUTES))


def outbox_reap_stuck(*, older_than=None, now=None):
    """Put messages claimed more than `older_than` ago and still `sending` back to pending (or to
    failed once their attempts are used up). Returns ``{"requeued", "failed"}``."""
    now = now or timezone.now()
    cutoff = now - (older_than if older_than is not None else stuck_after())
    stuck = OutboxMessage.objects.filter(status=Status.SENDING, claimed_at__lt=cutoff)
    note = "the worker stopped after claiming the message (reaped)"
    with transaction.atomic():
        given_up = stuck.filter(attempts__gte=max_attempts())
        given_up.filter(redacted__isnull=False).update(
            subject=KT("redacted__subject"), body=KT("redacted__body"), redacted=None
        )
        failed = given_up.update(status=Status.FAILED, last_error=note)
        requeued = stuck.filter(attempts__lt=max_attempts()).update(
            status=Status.PENDING, available_at=now, last_error=note
        )
    if requeued or failed:
        logger.warning("outbox: reaped %s stuck message(s), %s given up", requeued + failed, failed)
    return {"requeued": requeued, "failed": failed}
