"""Which catalogue procedures an agency handles, with the local settings the catalogue allows
(agency schema)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ProcedureAdoption(models.Model):
    procedure = models.OneToOneField("catalogue.Procedure", on_delete=models.PROTECT, related_name="+")
    # Stay on this published version until the city retires it; empty = always the current one.
    pinned_version = models.ForeignKey(
        "catalogue.ProcedureVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Shorter than the catalogue's limit, never longer (same unit as the catalogue).
    time_limit_override = models.DecimalField(
        _("thời hạn của cơ quan"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    online_intake_open = models.BooleanField(_("nhận hồ sơ trực tuyến"), default=True)
    # step code -> {"unit": "...", "people": [user ids]}
    step_assignments = models.JSONField(_("phân công theo bước"), default=dict, blank=True)
    is_active = models.BooleanField(_("đang thực hiện"), default=True)
    adopted_at = models.DateTimeField(auto_now_add=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("thủ tục của cơ quan")
        verbose_name_plural = _("thủ tục của cơ quan")

    def __str__(self):
        return f"adoption {self.procedure_id}"
