"""One-time codes that prove a phone number or an e-mail address belongs to the user.

* A code is 6 random digits. Only ``HMAC(SECRET_KEY, salt:code)`` is stored; the code itself exists
  only in the message queued in the outbox (in the caller's transaction, sent by the Celery worker
  after commit, like every other SMS/e-mail of the platform), and only until it is sent: the row is
  flagged sensitive and its text is replaced by the masked one ("******") when it is sent or given up.
* It expires after ``ACCOUNTS_OTP_TTL_SECONDS`` (600 s), allows ``ACCOUNTS_OTP_MAX_ATTEMPTS`` (5) wrong
  guesses and is used once. Attempts are counted under a row lock, so concurrent guesses cannot
  exceed the cap, and a wrong guess is counted even though the request fails.
* Sending is rate-limited in Redis: one send per recipient per
  ``ACCOUNTS_OTP_RESEND_COOLDOWN_SECONDS`` (60 s), ``ACCOUNTS_OTP_SENDS_PER_RECIPIENT_PER_HOUR`` (5) per
  recipient and ``ACCOUNTS_OTP_SENDS_PER_IP_PER_HOUR`` (20) per client address. With Redis down the
  limits are not enforced (citizens are not locked out; the per-code attempt cap still holds).
"""

from __future__ import annotations

import logging
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from core.errors import DomainError
from shared_apps.notifications.services import outbox_enqueue

from .models import OneTimeCode

logger = logging.getLogger(__name__)


class Throttled(DomainError):
    code = "throttled"
    status = 429


def ttl():
    return timedelta(seconds=int(settings.ACCOUNTS_OTP_TTL_SECONDS))


def max_attempts():
    return int(settings.ACCOUNTS_OTP_MAX_ATTEMPTS)


def _hash(salt, code):
    return salted_hmac("accounts.one-time-code", f"{salt}:{code}", algorithm="sha256").hexdigest()


def _new_code():
    return f"{secrets.randbelow(1_000_000):06d}"


# --- rate limits (Redis) -------------------------------------------------------------------------
def _throttle_send(*, recipient, client_ip):
    """Count one send to `recipient` from `client_ip`; raise Throttled when a limit is reached."""
    cache = caches["shared"]
    cooldown = int(settings.ACCOUNTS_OTP_RESEND_COOLDOWN_SECONDS)
    try:
        if cooldown and not cache.add(f"throttle:otp:cool:{recipient}", 1, cooldown):
            raise Throttled(
                _("Mã vừa được gửi. Vui lòng chờ %(s)d giây rồi yêu cầu gửi lại.") % {"s": cooldown}
            )
        limits = [(f"throttle:otp:to:{recipient}", int(settings.ACCOUNTS_OTP_SENDS_PER_RECIPIENT_PER_HOUR))]
        if client_ip:  # a web or API request (services called by commands have no address)
            limits.append((f"throttle:otp:ip:{client_ip}", int(settings.ACCOUNTS_OTP_SENDS_PER_IP_PER_HOUR)))
        for key, limit in limits:
            if not cache.add(key, 1, 3600) and cache.incr(key) > limit:
                raise Throttled(_("Đã gửi quá nhiều mã xác thực. Vui lòng thử lại sau một giờ."))
    except Throttled:
        raise
    except Exception:  # Redis unreachable: do not lock citizens out
        logger.warning("one-time codes: rate limit not checked (cache unavailable)", exc_info=True)


# --- messages ------------------------------------------------------------------------------------
MASK = "******"


def _enqueue(row, code):
    """Queue the code; the outbox row keeps it only until it is sent (then the masked text)."""
    minutes = int(ttl().total_seconds() // 60)
    purpose = row.get_purpose_display()

    def texts(shown):
        body = _(
            "Mã xác thực (%(purpose)s) Một cửa điện tử Hải Phòng: %(code)s. Hiệu lực %(m)d phút. "
            "Không cung cấp mã này cho bất kỳ ai."
        ) % {"purpose": purpose, "code": shown, "m": minutes}
        return _("Mã xác thực: %(code)s") % {"code": shown}, body

    subject, body = texts(code)
    redacted_subject, redacted_body = texts(MASK)
    outbox_enqueue(
        channel=row.channel,
        recipient=row.recipient,
        subject=subject,
        body=body,
        redacted_subject=redacted_subject,
        redacted_body=redacted_body,
        dedupe_key=f"otp:{row.public_id}:{row.sends}",
    )


# --- writes --------------------------------------------------------------------------------------
def otp_issue(*, user, purpose, channel, recipient, client_ip):
    """Create a code for `user` and queue it to `recipient` in the caller's transaction. Earlier
    unused codes of the same user and purpose stop working."""
    _throttle_send(recipient=recipient, client_ip=client_ip)
    now = timezone.now()
    code = _new_code()
    salt = secrets.token_hex(8)
    with transaction.atomic():
        OneTimeCode.objects.filter(user=user, purpose=purpose, used_at__isnull=True).update(expires_at=now)
        row = OneTimeCode.objects.create(
            public_id=uuid.uuid4(),
            user=user,
            purpose=purpose,
            channel=channel,
            recipient=recipient,
            code_hash=_hash(salt, code),
            salt=salt,
            created_at=now,
            sent_at=now,
            expires_at=now + ttl(),
        )
        _enqueue(row, code)
    return row


def otp_resend(*, public_id, client_ip):
    """A new code for the same verification (after the cool-down): new expiry, attempts back to 0."""
    with transaction.atomic():
        row = (
            OneTimeCode.objects.select_for_update()
            .filter(public_id=_uuid(public_id), used_at__isnull=True)
            .first()
        )
        if row is None:
            raise DomainError(_("Không tìm thấy yêu cầu xác thực, hoặc mã đã được dùng."), code="not_found")
        _throttle_send(recipient=row.recipient, client_ip=client_ip)
        code = _new_code()
        now = timezone.now()
        row.salt = secrets.token_hex(8)
        row.code_hash = _hash(row.salt, code)
        row.attempts, row.sends, row.sent_at, row.expires_at = 0, row.sends + 1, now, now + ttl()
        row.save(update_fields=["salt", "code_hash", "attempts", "sends", "sent_at", "expires_at"])
        _enqueue(row, code)
    return row


def otp_consume(*, public_id, code, apply):
    """Check `code` against the verification `public_id`; when right, mark it used and call
    ``apply(row)`` in the same transaction (returning what it returns). A wrong code is counted (and
    stays counted) before the error is raised."""
    code = "".join(ch for ch in str(code or "") if ch.isdigit())
    error = None
    result = None
    with transaction.atomic():
        row = OneTimeCode.objects.select_for_update().filter(public_id=_uuid(public_id)).first()
        if row is None:
            raise DomainError(_("Không tìm thấy yêu cầu xác thực."), code="not_found")
        if row.used_at is not None:
            raise DomainError(_("Mã này đã được dùng."), code="used", field="code")
        if row.attempts >= max_attempts():
            raise DomainError(
                _("Bạn đã nhập sai quá %(n)d lần. Hãy yêu cầu gửi mã mới.") % {"n": max_attempts()},
                code="too_many_attempts",
                field="code",
            )
        if timezone.now() >= row.expires_at:
            raise DomainError(_("Mã đã hết hạn. Hãy yêu cầu gửi mã mới."), code="expired", field="code")
        if len(code) != 6 or not constant_time_compare(_hash(row.salt, code), row.code_hash):
            row.attempts += 1
            row.save(update_fields=["attempts"])
            left = max_attempts() - row.attempts
            if left > 0:
                error = DomainError(
                    _("Mã xác thực không đúng. Bạn còn %(n)d lần thử.") % {"n": left},
                    code="wrong_code",
                    field="code",
                )
            else:
                error = DomainError(
                    _("Mã xác thực không đúng. Bạn đã hết lượt thử; hãy yêu cầu gửi mã mới."),
                    code="too_many_attempts",
                    field="code",
                )
        else:
            row.used_at = timezone.now()
            row.save(update_fields=["used_at"])
            result = apply(row)
    if error is not None:
        raise error
    return result


# --- reads ---------------------------------------------------------------------------------------
def _uuid(public_id):
    try:
        return uuid.UUID(str(public_id))
    except (ValueError, TypeError):
        return None


def otp_get(*, public_id):
    """The verification `public_id` (a UUID, possibly malformed when it comes from a request), or None."""
    key = _uuid(public_id)
    return OneTimeCode.objects.select_related("user").filter(public_id=key).first() if key else None
