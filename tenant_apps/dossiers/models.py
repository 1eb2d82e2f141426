"""Dossiers in the agency's own schema: the dossier, its components, its pauses and its append-only
event history (from which the process-control slip is derived)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .lifecycle import NATIONAL_STATUS, STATE_LABELS, State


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("Trực tiếp")
    ONLINE = "online", _("Trực tuyến")
    POST = "post", _("Bưu chính")


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("Cá nhân")
    ORGANISATION = "organisation", _("Tổ chức")


class Dossier(models.Model):
    code = models.CharField(_("mã hồ sơ"), max_length=40, unique=True, null=True, blank=True)
    procedure = models.ForeignKey("catalogue.Procedure", on_delete=models.PROTECT, related_name="+")
    procedure_version = models.ForeignKey(
        "catalogue.ProcedureVersion", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("trạng thái"), max_length=24, choices=[(s.value, STATE_LABELS[s]) for s in State], default=State.NEW
    )
    resume_state = models.CharField(max_length=24, blank=True)
    channel = models.CharField(_("kênh nộp"), max_length=12, choices=Channel.choices)

    applicant_kind = models.CharField(
        max_length=12, choices=ApplicantKind.choices, default=ApplicantKind.PERSON
    )
    applicant_name = models.CharField(_("người nộp"), max_length=255)
    applicant_id_number = models.CharField(_("số giấy tờ tùy thân / mã số"), max_length=20, blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    applicant_phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    request_summary = models.TextField(_("nội dung yêu cầu"), blank=True)
    # Online submissions carry an idempotency key, unique per citizen: a retried submit finds this
    # dossier, and nobody else's key can collide with it.
    # NULL, not "": dossiers without a key must not collide in the (owner, key) unique constraint.
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    sets = models.PositiveSmallIntegerField(_("số bộ hồ sơ"), default=1)

    registered_at = models.DateTimeField(auto_now_add=True)
    received_at = models.DateTimeField(_("ngày tiếp nhận"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    counted_from = models.DateTimeField(null=True, blank=True)
    time_limit = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    time_unit = models.CharField(max_length=16, blank=True)
    cutoff = models.TimeField(null=True, blank=True)
    original_due_at = models.DateTimeField(_("hẹn trả ban đầu"), null=True, blank=True)
    due_at = models.DateTimeField(_("hẹn trả"), null=True, blank=True)
    paused_since = models.DateTimeField(null=True, blank=True)

    current_step = models.CharField(max_length=40, blank=True)
    step_started_at = models.DateTimeField(null=True, blank=True)
    step_due_at = models.DateTimeField(null=True, blank=True)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    intake_supplement_count = models.PositiveSmallIntegerField(default=0)
    supplement_count = models.PositiveSmallIntegerField(default=0)
    apology_count = models.PositiveSmallIntegerField(default=0)
    late_agency_code = models.CharField(max_length=32, blank=True)
    opinion = models.TextField(_("ý kiến thẩm định"), blank=True)
    result_number = models.CharField(_("số kết quả"), max_length=100, blank=True)
    result_summary = models.TextField(_("kết quả"), blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    return_method = models.CharField(max_length=12, blank=True)
    collected_by = models.CharField(max_length=255, blank=True)
    timeliness = models.CharField(max_length=10, blank=True)
    closing_reason = models.TextField(blank=True)
    fees_total = models.BigIntegerField(default=0)
    # Inter-agency processing (liên thông). On the receiving agency's copy: where it came from (the
    # origin's own row is the history reference). On the sender's row while it is away: where it is,
    # the step the other agency performs and that step's sub-deadline.
    origin_agency = models.ForeignKey(
        "tenants.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cơ quan chuyển đến"),
    )
    origin_dossier_id = models.BigIntegerField(null=True, blank=True)
    handed_to_agency = models.ForeignKey(
        "tenants.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cơ quan đang xử lý"),
    )
    handed_to_dossier_id = models.BigIntegerField(null=True, blank=True)
    hop_step = models.CharField(max_length=40, blank=True)
    hop_due_at = models.DateTimeField(_("hạn của cơ quan xử lý liên thông"), null=True, blank=True)
    # Received at another agency's desk on this agency's behalf (phi địa giới): the result is
    # returned there.
    received_on_behalf = models.BooleanField(default=False)
    notified_due_soon_at = models.DateTimeField(null=True, blank=True)
    notified_overdue_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-registered_at", "-id"]
        indexes = [
            models.Index(fields=["state", "due_at"]),
            models.Index(fields=["holder", "state"]),
            models.Index(fields=["received_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_user", "idempotency_key"], name="dossier_idempotency_key_per_owner"
            )
        ]

    def __str__(self):
        return self.code or f"#{self.pk}"

    @property
    def national_status(self):
        return NATIONAL_STATUS[State(self.state)]

    @property
    def state_label(self):
        return str(STATE_LABELS[State(self.state)])  # in the reader's language

    @property
    def reference(self):
        return self.code or f"TN-{self.pk:06d}"

    @property
    def is_hop(self):
        """A copy handed over by another agency (its part of an inter-agency process)."""
        return self.origin_agency_id is not None


def component_upload_to(instance, filename):
    """Files live under the agency's own folder; names are random (the original name is not kept)."""
    import uuid
    from pathlib import Path

    from django.db import connection

    return (
        f"{connection.schema_name}/dossiers/{instance.dossier_id}/{uuid.uuid4().hex}{Path(filename).suffix}"
    )


class DossierComponent(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="components")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=500)
    form = models.CharField(max_length=16)
    quantity = models.PositiveSmallIntegerField(default=1)
    required = models.BooleanField(default=True)
    provided = models.BooleanField(default=False)
    digitised = models.BooleanField(default=False)
    reused = models.BooleanField(default=False)
    file = models.FileField(upload_to=component_upload_to, blank=True)
    file_type = models.TextField(blank=True)  # a media type: office ones are long (DOCX: 71 characters)
    missing_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.name

    @property
    def form_label(self):
        from shared_apps.catalogue.models import ComponentForm

        return ComponentForm(self.form).label if self.form in ComponentForm.values else self.form


class DossierPause(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField(max_length=24)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self):
        return f"{self.kind} {self.started_at:%d/%m/%Y}"


class DossierEvent(models.Model):
    """Append-only: one row per state change or hand-over, with old and new values."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=40)
    from_state = models.CharField(max_length=24, blank=True)
    to_state = models.CharField(max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=255, blank=True)
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    old_values = models.JSONField(default=dict, blank=True)
    new_values = models.JSONField(default=dict, blank=True)
    # hand-over: the step that ended, who gave and who received, and how that step did
    step = models.CharField(max_length=40, blank=True)
    giver_name = models.CharField(max_length=255, blank=True)
    receiver_name = models.CharField(max_length=255, blank=True)
    step_due_at = models.DateTimeField(null=True, blank=True)
    step_timeliness = models.CharField(max_length=10, blank=True)
    # the agency that performed the step (inter-agency hand-overs); blank = this agency
    agency_name = models.CharField(max_length=255, blank=True)
    # hash chain (chain.py): set by the database on insert, never by hand
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    hash = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["dossier", "seq"]
        constraints = [models.UniqueConstraint(fields=["dossier", "seq"], name="dossier_event_seq_unique")]

    def __str__(self):
        return f"{self.dossier_id}#{self.seq} {self.action}"

    @property
    def action_label(self):
        from .lifecycle import action_label

        return action_label(self.action)


class CodeCounter(models.Model):
    """Last sequence number used per day: codes are gap-free and never reused."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField()

    def __str__(self):
        return f"{self.day:%d/%m/%Y}: {self.last}"
