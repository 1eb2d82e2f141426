"""Citizens' ratings of the service, in the public schema: one per dossier (the unique one-to-one to
the city-wide index enforces it), given after the result was returned. The agency and procedure are
copied from the index so the city's roll-ups group without joining it. Append-only."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

COMMENT_MAX_LENGTH = 1000


class Value(models.TextChoices):
    SATISFIED = "satisfied", _("Hài lòng")
    ACCEPTABLE = "acceptable", _("Chấp nhận được")
    NOT_SATISFIED = "not_satisfied", _("Không hài lòng")


class Channel(models.TextChoices):
    WEB = "web", _("Trang web")
    QR = "qr", _("Mã QR")
    API = "api", _("API")


class AppendOnlyError(Exception):
    pass


class Rating(models.Model):
    entry = models.OneToOneField("tracking.DossierIndex", on_delete=models.PROTECT, related_name="rating")
    agency = models.ForeignKey("tenants.Agency", on_delete=models.PROTECT, related_name="+")
    procedure = models.ForeignKey("catalogue.Procedure", on_delete=models.PROTECT, related_name="+")
    value = models.CharField(_("mức độ hài lòng"), max_length=16, choices=Value.choices)
    comment = models.CharField(_("ý kiến"), max_length=COMMENT_MAX_LENGTH, blank=True)
    channel = models.CharField(_("kênh đánh giá"), max_length=8, choices=Channel.choices)
    # The logged-in citizen who rated, if any (a visitor who proved with the last digits has none).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("đánh giá")
        verbose_name_plural = _("đánh giá")
        constraints = [
            models.CheckConstraint(condition=models.Q(value__in=Value.values), name="rating_value_valid"),
            models.CheckConstraint(
                condition=models.Q(channel__in=Channel.values), name="rating_channel_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "created_at"]),
            models.Index(fields=["procedure", "created_at"]),
        ]

    def __str__(self):
        return f"{self.entry_id} {self.value}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("A rating is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("A rating is never deleted.")
