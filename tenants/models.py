"""The tenant registry: one Agency per department, commune, ward, special zone, historic district and
the city itself. Each agency owns one PostgreSQL schema."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin


class AgencyKind(models.TextChoices):
    CITY = "city", _("Thành phố")
    DEPARTMENT = "department", _("Sở, ban, ngành")
    DISTRICT = "district", _("Quận/Huyện (trước 01/07/2025)")
    COMMUNE = "commune", _("Xã")
    WARD = "ward", _("Phường")
    SPECIAL_ZONE = "special_zone", _("Đặc khu")


class AgencyStatus(models.TextChoices):
    ACTIVE = "active", _("Đang hoạt động")
    SUSPENDED = "suspended", _("Tạm ngừng")
    MERGED = "merged", _("Đã sáp nhập")
    ARCHIVED = "archived", _("Lưu trữ")


def validate_slug_not_reserved(value):
    if value in settings.RESERVED_SLUGS:
        raise ValidationError(
            _("Đường dẫn “%(slug)s” được hệ thống dùng riêng, hãy chọn đường dẫn khác."),
            code="reserved_slug",
            params={"slug": value},
        )


class Agency(TenantMixin):
    # Schemas are created by tenants.services.agency_onboard (cloned from the template), never
    # implicitly on save; dropping a schema is never automatic.
    auto_create_schema = False
    auto_drop_schema = False

    name = models.CharField(_("tên cơ quan"), max_length=255)
    short_name = models.CharField(_("tên ngắn"), max_length=120, blank=True)
    slug = models.SlugField(
        _("đường dẫn"), max_length=80, unique=True, validators=[validate_slug_not_reserved]
    )
    kind = models.CharField(_("loại"), max_length=20, choices=AgencyKind.choices)
    national_code = models.CharField(
        _("mã cơ quan (DVCQG)"),
        max_length=32,
        unique=True,
        help_text=_("Theo mẫu 000.00.xx.Hnn; dùng trong mã hồ sơ."),
    )
    admin_unit_code = models.CharField(_("mã đơn vị hành chính"), max_length=10, blank=True, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("cơ quan cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    successor = models.ForeignKey(
        "self",
        verbose_name=_("cơ quan kế thừa"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=AgencyStatus.choices, default=AgencyStatus.ACTIVE
    )
    status_reason = models.CharField(_("lý do trạng thái"), max_length=255, blank=True)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="agency_valid_range",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_public(self):
        return self.schema_name == settings.PUBLIC_SCHEMA_NAME

    @property
    def is_open(self):
        return self.status == AgencyStatus.ACTIVE


class Domain(DomainMixin):
    """Optional custom domain of an agency (the platform itself serves every agency by path)."""

    class Meta:
        verbose_name = _("tên miền riêng")
        verbose_name_plural = _("tên miền riêng")


class AgencyEvent(models.Model):
    """Append-only history of every change to an agency (onboarding, status, rename, merge)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    old_values = models.JSONField(default=dict, blank=True)
    new_values = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["agency", "at"])]

    def __str__(self):
        return f"{self.agency_id} {self.action} {self.at:%d/%m/%Y %H:%M}"


class SpareSchema(models.Model):
    """A schema cloned from the template ahead of time, waiting to become an agency's schema.

    Onboarding renames one (`ALTER SCHEMA ... RENAME`, constant time) instead of cloning while the
    city admin waits; a Celery task refills the pool. `fingerprint` is the template's migration state
    at cloning time: spares of an older template are dropped, never used."""

    name = models.CharField(max_length=63, unique=True)
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name


class AgencySlugAlias(models.Model):
    """A path an agency was reached at before a rename: `/<old slug>/...` redirects to the new one."""

    slug = models.SlugField(max_length=80, unique=True)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="slug_aliases")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.slug} -> {self.agency_id}"


class DossierTransfer(models.Model):
    """Pointer left behind when a dossier is carried to another agency (merger or move): the old
    (agency, dossier id) and where the dossier lives now. The old row stays in the old schema."""

    class Kind(models.TextChoices):
        MERGER = "merger", _("Sáp nhập")
        MOVE = "move", _("Chuyển hồ sơ")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    source_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    source_dossier_id = models.BigIntegerField()
    target_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    target_dossier_id = models.BigIntegerField()
    code = models.CharField(max_length=40, blank=True, db_index=True)
    state = models.CharField(max_length=24)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_agency", "source_dossier_id"], name="transfer_source_unique"
            ),
        ]
        indexes = [models.Index(fields=["target_agency", "target_dossier_id"])]

    def __str__(self):
        return f"{self.source_agency_id}/{self.source_dossier_id} -> {self.target_agency_id}/{self.target_dossier_id}"
