"""A citizen's online submission before it is sent (public schema): the chosen procedure and
receiving agency, the applicant's data, the request and one uploaded file per component. Submitting
turns it into a dossier in that agency's schema; the draft keeps the link."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .storage import get_private_storage


class DraftStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    SUBMITTED = "submitted", _("Đã nộp")


class SubmissionDraft(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey("catalogue.Procedure", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("tenants.Agency", on_delete=models.PROTECT, related_name="+")
    applicant = models.JSONField(_("người nộp"), default=dict, blank=True)
    request_summary = models.TextField(_("nội dung yêu cầu"), blank=True)
    status = models.CharField(max_length=12, choices=DraftStatus.choices, default=DraftStatus.DRAFT)
    dossier_id = models.BigIntegerField(null=True, blank=True)
    dossier_reference = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("hồ sơ nháp")
        verbose_name_plural = _("hồ sơ nháp")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["owner", "status"])]

    def __str__(self):
        return f"nháp #{self.pk}"

    @property
    def idempotency_key(self):
        """One key per draft: however often it is submitted, it makes one dossier. A server-made key:
        its ':' is outside what a client may send, and keys are unique per citizen anyway."""
        return f"nhap:{self.pk}"


def draft_upload_to(instance, filename):
    """Random names under the draft's folder (the citizen's file name is kept only as a label)."""
    from pathlib import Path

    return f"drafts/{instance.draft_id}/{uuid.uuid4().hex}{Path(filename).suffix}"


class DraftFile(models.Model):
    draft = models.ForeignKey(SubmissionDraft, on_delete=models.CASCADE, related_name="files")
    position = models.PositiveSmallIntegerField()
    file = models.FileField(upload_to=draft_upload_to, storage=get_private_storage)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    original_name = models.CharField(max_length=255, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["draft", "position"], name="draft_file_position_unique")
        ]

    def __str__(self):
        return f"{self.draft_id}/{self.position}"
