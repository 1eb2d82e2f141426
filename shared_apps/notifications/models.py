"""The outbox (public schema): every message that leaves the database — e-mail, SMS, in-app — is a row
written in the same transaction as the change that causes it, then sent by Celery with retries.

`OutboxMessage.dedupe_key` is unique: the same notification can never be queued twice, whatever
retries, concurrent runs or double clicks do. A sensitive row (`redacted` set: a one-time code) holds
its secret only until it is sent or given up; then the masked text replaces it. `SmsMessage` is the local SMS provider's "inbox" (dev
and tests see there what was "sent")."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Thư điện tử")
    SMS = "sms", _("Tin nhắn SMS")
    INTERNAL = "internal", _("Thông báo trong hệ thống")


class Status(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENDING = "sending", _("Đang gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi không thành công")


class OutboxMessage(models.Model):
    """One message to one recipient on one channel.

    Life: pending -> sending (claimed by one dispatcher, `claimed_at` set) -> sent; or, when the
    adapter fails, back to pending with `available_at` pushed out (exponential backoff) until the
    attempt cap, then failed. A row left in `sending` by a dead worker is put back to pending by the
    reaper. `attempts` counts the sending attempts started (incremented at each claim)."""

    channel = models.CharField(_("kênh"), max_length=16, choices=Channel.choices)
    # An e-mail address, a phone number, or (internal) the user's id, as text.
    recipient = models.CharField(_("người nhận"), max_length=254)
    subject = models.CharField(_("tiêu đề"), max_length=255, blank=True)
    body = models.TextField(_("nội dung"))
    agency = models.ForeignKey(
        "tenants.Agency",
        verbose_name=_("cơ quan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outbox_messages",
    )
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=40, blank=True)
    dedupe_key = models.CharField(max_length=255, unique=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    created_at = models.DateTimeField(_("thời điểm tạo"), default=timezone.now)
    available_at = models.DateTimeField(_("gửi từ"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("thời điểm gửi"), null=True, blank=True)
    provider_message_id = models.CharField(_("mã của nhà cung cấp"), max_length=255, blank=True)
    # A sensitive message (a one-time code): {"subject", "body"} with the secret masked, written over
    # the text once the message is sent (or given up), so the outbox never keeps the secret.
    redacted = models.JSONField(_("nội dung đã che"), null=True, blank=True, default=None)

    class Meta:
        verbose_name = _("thông báo gửi đi")
        verbose_name_plural = _("thông báo gửi đi")
        ordering = ["-created_at", "-id"]
        indexes = [
            # the dispatcher's claim: pending rows by available_at
            models.Index(
                fields=["available_at", "id"], name="outbox_pending_idx", condition=models.Q(status="pending")
            ),
            # the reaper: rows left in `sending`
            models.Index(
                fields=["claimed_at"], name="outbox_sending_idx", condition=models.Q(status="sending")
            ),
            # an officer's in-app messages, a dossier's messages
            models.Index(fields=["channel", "recipient", "created_at"], name="outbox_recipient_idx"),
            models.Index(fields=["agency", "dossier_code"], name="outbox_dossier_idx"),
        ]

    def __str__(self):
        return f"{self.channel} → {self.recipient}: {self.subject or self.body[:40]} ({self.status})"


class SmsMessage(models.Model):
    """What the local SMS provider "sent": one row per delivery. `idempotency_key` is the outbox's key
    for the message (one delivery per outbox row, however often it is retried)."""

    phone = models.CharField(_("số điện thoại"), max_length=20)
    body = models.TextField(_("nội dung"))
    created_at = models.DateTimeField(_("thời điểm gửi"), default=timezone.now)
    provider_message_id = models.CharField(max_length=64, unique=True)
    idempotency_key = models.CharField(max_length=255, unique=True)

    class Meta:
        verbose_name = _("tin nhắn SMS (nhà cung cấp nội bộ)")
        verbose_name_plural = _("tin nhắn SMS (nhà cung cấp nội bộ)")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.phone}: {self.body[:40]}"
