"""The SLA watch: tell the people responsible when a dossier is about to be, or is, late.

Rules
* Watched: dossiers being processed — state not closed, not paused (supplement requested,
  financial obligation), not finished (no result yet: state ``finished`` or ``finished_at`` set),
  with an appointment (``due_at``).
* Overdue: ``due_at`` < now and not yet ``notified_overdue_at``.
* Due soon: ``due_at`` ≥ now, at most ``SLA_DUE_SOON_WORKING_HOURS`` (default 8) hours of the
  agency's *working* time left until it (``working_time_between`` on the agency's calendar: nights,
  weekends, holidays and lunch breaks do not count), and neither ``notified_due_soon_at`` nor
  ``notified_overdue_at`` set. 8 hours is a little more than one office day (7 h 30), so a dossier
  is flagged about a working day ahead: one due at 10:00 on Monday from 09:30 on Friday (2 h 30 on
  Monday morning + 5 h 30 on Friday), one due at 16:00 on Wednesday from 15:30 on Tuesday.
* Who is told: the dossier's holder and every active unit head (Membership with role
  ``unit_head``) of the agency; each once, in-app (internal) and by e-mail when the user has an
  address. A holder who is also a unit head gets one message per channel.
* Once: per batch of dossiers, ONE transaction locks the dossiers (FOR UPDATE SKIP LOCKED, so a
  concurrent run skips them), re-checks them, sets the flag timestamp and queues the messages in the
  outbox. Each message's dedupe key — ``sla:<schema>:<dossier id>:<kind>:<due_at epoch>:<channel>:<user id>``
  — is unique in the outbox, so a second run, a concurrent run or a retry never notifies twice;
  the appointment is part of the key, so if the appointment is moved and a flag is cleared, the
  new appointment is watched again.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from core.dossier import CLOCK_RUNNING
from shared_apps.accounts.models import Role, User
from shared_apps.calendar.deadlines import working_time_between
from shared_apps.calendar.selectors import work_calendar_for
from shared_apps.notifications.models import Channel
from shared_apps.notifications.services import outbox_enqueue
from tenants.models import Agency, AgencyStatus

from .models import Dossier

logger = logging.getLogger(__name__)

OVERDUE = "overdue"
DUE_SOON = "due_soon"
BATCH_SIZE = 200
# Only dossiers due within this much calendar time are checked for "due soon" (more than enough for
# 8 working hours across the longest run of days off, Tết).
DUE_SOON_HORIZON = timedelta(days=31)
FLAG = {OVERDUE: "notified_overdue_at", DUE_SOON: "notified_due_soon_at"}


def due_soon_working_time():
    return timedelta(hours=float(settings.SLA_DUE_SOON_WORKING_HOURS))


def _watched():
    from .selectors import moved_away

    # a dossier moved to another agency is watched there, not here
    return Dossier.objects.filter(
        ~moved_away(),
        state__in=sorted(CLOCK_RUNNING),
        finished_at__isnull=True,
        paused_since__isnull=True,
        due_at__isnull=False,
    )


def _working_time_left(calendar, now, due):
    return working_time_between(calendar=calendar, start=timezone.localtime(now), end=timezone.localtime(due))


def _is_due_soon(calendar, now, due):
    return due >= now and _working_time_left(calendar, now, due) <= due_soon_working_time()


def _unit_heads(agency):
    return list(
        User.objects.filter(
            is_active=True,
            memberships__agency_id=agency.pk,
            memberships__is_active=True,
            memberships__roles__contains=[Role.UNIT_HEAD],
        )
        .distinct()
        .order_by("pk")
    )


def _recipients(dossier, unit_heads):
    seen, out = set(), []
    holder = dossier.holder if dossier.holder_id else None
    for user in ([holder] if holder is not None and holder.is_active else []) + unit_heads:
        if user.pk not in seen:
            seen.add(user.pk)
            out.append(user)
    return out


def _text(*, kind, agency, dossier, now, calendar):
    due = timezone.localtime(dossier.due_at)
    ref = dossier.reference
    procedure = dossier.procedure.name
    if kind == OVERDUE:
        subject = f"Hồ sơ {ref} đã quá hạn xử lý"
        lead = f"Hồ sơ {ref} đã quá hạn xử lý (hẹn trả {due:%H:%M %d/%m/%Y})."
    else:
        left = _working_time_left(calendar, now, dossier.due_at)
        hours = left.total_seconds() / 3600
        subject = f"Hồ sơ {ref} sắp đến hạn trả kết quả"
        lead = (
            f"Hồ sơ {ref} sắp đến hạn trả kết quả: hẹn trả {due:%H:%M %d/%m/%Y}, "
            f"còn {hours:.1f} giờ làm việc."
        ).replace(".0 giờ", " giờ")
    body = "\n".join(
        [
            lead,
            f"Thủ tục: {procedure}",
            f"Người nộp: {dossier.applicant_name}",
            f"Cơ quan: {agency.name}",
            f"Xem hồ sơ: {settings.PUBLIC_BASE_URL.rstrip('/')}/{agency.slug}/",
        ]
    )
    return subject, body


def _notify_batch(*, agency, kind, ids, now, calendar, unit_heads):
    """One transaction: lock the batch, re-check each dossier, set its flag, queue its messages."""
    flag = FLAG[kind]
    counts = {"dossiers": 0, "messages": 0}
    with transaction.atomic():
        rows = (
            _watched()
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("holder", "procedure")
            .filter(pk__in=ids, **{f"{flag}__isnull": True})
            .order_by("due_at", "pk")
        )
        if kind == OVERDUE:
            rows = rows.filter(due_at__lt=now)
        else:
            rows = rows.filter(due_at__gte=now, notified_overdue_at__isnull=True)
        flagged = []
        for dossier in rows:
            if kind == DUE_SOON and not _is_due_soon(calendar, now, dossier.due_at):
                continue  # the appointment moved since the candidates were read
            flagged.append(dossier.pk)
            subject, body = _text(kind=kind, agency=agency, dossier=dossier, now=now, calendar=calendar)
            stamp = int(dossier.due_at.timestamp())
            for user in _recipients(dossier, unit_heads):
                channels = [(Channel.INTERNAL, str(user.pk))]
                if user.email:
                    channels.append((Channel.EMAIL, user.email))
                for channel, address in channels:
                    key = f"sla:{agency.schema_name}:{dossier.pk}:{kind}:{stamp}:{channel}:{user.pk}"
                    if (
                        outbox_enqueue(
                            channel=channel,
                            recipient=address,
                            subject=subject,
                            body=body,
                            dedupe_key=key,
                            agency=agency,
                            dossier_code=dossier.code or "",
                        )
                        is not None
                    ):
                        counts["messages"] += 1
        if flagged:
            Dossier.objects.filter(pk__in=flagged).update(**{flag: now})
        counts["dossiers"] = len(flagged)
    return counts


def sla_watch_agency(*, agency, now=None):
    """Notify overdue and due-soon dossiers of `agency` (the connection must be on its schema).
    Returns ``{"overdue": dossiers, "due_soon": dossiers, "messages": rows queued}``."""
    if connection.schema_name != agency.schema_name:
        raise RuntimeError(f"connection is on {connection.schema_name!r}, not on {agency.schema_name!r}")
    now = now or timezone.now()
    calendar = work_calendar_for(agency=agency)
    with transaction.atomic():  # one consistent read of the candidates
        overdue = list(
            _watched()
            .filter(due_at__lt=now, notified_overdue_at__isnull=True)
            .order_by("due_at", "pk")
            .values_list("pk", flat=True)
        )
        upcoming = list(
            _watched()
            .filter(
                Q(due_at__gte=now) & Q(due_at__lte=now + DUE_SOON_HORIZON),
                notified_due_soon_at__isnull=True,
                notified_overdue_at__isnull=True,
            )
            .order_by("due_at", "pk")
            .values_list("pk", "due_at")
        )
        unit_heads = _unit_heads(agency)
    due_soon = [pk for pk, due in upcoming if _is_due_soon(calendar, now, due)]
    result = {OVERDUE: 0, DUE_SOON: 0, "messages": 0}
    for kind, ids in ((OVERDUE, overdue), (DUE_SOON, due_soon)):
        for start in range(0, len(ids), BATCH_SIZE):
            counts = _notify_batch(
                agency=agency,
                kind=kind,
                ids=ids[start : start + BATCH_SIZE],
                now=now,
                calendar=calendar,
                unit_heads=unit_heads,
            )
            result[kind] += counts["dossiers"]
            result["messages"] += counts["messages"]
    return result


def sla_watch_all(*, now=None):
    """Run the watch in every active agency, one after the other; an agency that fails is logged
    and skipped. The connection is back on the public schema afterwards. Returns totals and the
    schemas that failed."""
    now = now or timezone.now()
    totals = {"agencies": 0, OVERDUE: 0, DUE_SOON: 0, "messages": 0, "failed": []}
    connection.set_schema_to_public()
    agencies = list(
        Agency.objects.filter(status=AgencyStatus.ACTIVE)
        .exclude(schema_name__in=[settings.PUBLIC_SCHEMA_NAME, settings.TENANT_TEMPLATE_SCHEMA])
        .order_by("pk")
    )
    try:
        for agency in agencies:
            try:
                connection.set_tenant(agency)
                counts = sla_watch_agency(agency=agency, now=now)
            except Exception:
                logger.exception(
                    "SLA watch failed in %s; continuing with the next agency", agency.schema_name
                )
                totals["failed"].append(agency.schema_name)
                continue
            finally:
                connection.set_schema_to_public()
            totals["agencies"] += 1
            for key in (OVERDUE, DUE_SOON, "messages"):
                totals[key] += counts[key]
    finally:
        connection.set_schema_to_public()
    return totals
