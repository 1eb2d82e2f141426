"""The city's shared catalogue of administrative procedures (public schema).

A Procedure is the stable identity (national code); its content lives in numbered
ProcedureVersions: draft -> published -> retired. A published version is frozen: changing it means a
new version. A dossier binds to the version in force at its receipt."""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    COMMUNE = "commune", _("Cấp xã")
    DEPARTMENT = "department", _("Cấp sở, ngành")
    CITY = "city", _("Cấp thành phố")


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("Trực tiếp")
    ONLINE = "online", _("Trực tuyến")
    POST = "post", _("Bưu chính")


class OnlineMode(models.TextChoices):
    NONE = "", _("Không trực tuyến")
    PARTIAL = "partial", _("Một phần")
    FULL = "full", _("Toàn trình")


class TimeUnit(models.TextChoices):
    WORKING_HOURS = "working_hours", _("giờ làm việc")
    WORKING_DAYS = "working_days", _("ngày làm việc")
    CALENDAR_DAYS = "calendar_days", _("ngày")
    MONTHS = "months", _("tháng")


class ComponentForm(models.TextChoices):
    ORIGINAL = "original", _("Bản chính")
    CERTIFIED_COPY = "certified_copy", _("Bản sao chứng thực")
    COPY = "copy", _("Bản sao")
    ELECTRONIC = "electronic", _("Bản điện tử")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    PUBLISHED = "published", _("Đã công bố")
    RETIRED = "retired", _("Đã bãi bỏ")


class StepRole(models.TextChoices):
    RECEIVING_OFFICER = "receiving_officer", _("Cán bộ một cửa")
    UNIT_HEAD = "unit_head", _("Trưởng đơn vị")
    SPECIALIST = "specialist", _("Chuyên viên")
    LEADER = "leader", _("Lãnh đạo")


class FrozenVersionError(ValidationError):
    pass


class Sector(models.Model):
    code = models.SlugField(_("mã lĩnh vực"), max_length=60, unique=True)
    name = models.CharField(_("lĩnh vực"), max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")

    def __str__(self):
        return self.name


class Procedure(models.Model):
    national_code = models.CharField(_("mã thủ tục"), max_length=32, unique=True)
    name = models.CharField(_("tên thủ tục"), max_length=500)
    sector = models.ForeignKey(
        Sector, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="procedures"
    )
    # Lower-case, without diacritics: what citizens' searches are matched against.
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["national_code"]
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")

    def __str__(self):
        return f"{self.national_code} {self.name}"


class ProcedureVersion(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("phiên bản"))
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)
    levels = ArrayField(
        models.CharField(max_length=12, choices=Level.choices), verbose_name=_("cấp thực hiện")
    )
    channels = ArrayField(
        models.CharField(max_length=12, choices=Channel.choices), verbose_name=_("cách thức nộp")
    )
    online_mode = models.CharField(
        _("mức độ trực tuyến"), max_length=8, choices=OnlineMode.choices, blank=True, default=""
    )
    time_limit = models.DecimalField(_("thời hạn giải quyết"), max_digits=7, decimal_places=2)
    time_unit = models.CharField(_("đơn vị thời hạn"), max_length=16, choices=TimeUnit.choices)
    cutoff = models.TimeField(
        _("giờ chốt buổi chiều"),
        null=True,
        blank=True,
        help_text=_("Nhận sau giờ này thì tính từ ngày làm việc tiếp theo."),
    )
    source = models.TextField(_("nguồn công bố"), blank=True)
    notes = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["procedure", "-number"]
        verbose_name = _("phiên bản thủ tục")
        verbose_name_plural = _("phiên bản thủ tục")
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="procedure_version_number_unique"),
            models.UniqueConstraint(
                fields=["procedure"], condition=models.Q(status="draft"), name="procedure_one_draft"
            ),
            models.CheckConstraint(condition=models.Q(time_limit__gte=0), name="procedure_time_limit_gte_0"),
        ]
        indexes = [models.Index(fields=["procedure", "status"])]

    def __str__(self):
        return f"{self.procedure.national_code} v{self.number} ({self.get_status_display()})"

    def save(self, *args, **kwargs):
        if self.pk and not kwargs.pop("_lifecycle", False):
            stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored and stored != VersionStatus.DRAFT:
                raise FrozenVersionError(_("Phiên bản đã công bố không được sửa; hãy tạo phiên bản mới."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_frozen:
            raise FrozenVersionError(_("Phiên bản đã công bố không được xoá."))
        return super().delete(*args, **kwargs)

    @property
    def channel_labels(self):
        return [Channel(c).label for c in self.channels if c in Channel.values]

    @property
    def is_frozen(self):
        return self.status != VersionStatus.DRAFT


class _VersionPart(models.Model):
    """Rows that belong to a version: writable only while the version is a draft."""

    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def save(self, *args, **kwargs):
        self._check_draft()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_draft()
        return super().delete(*args, **kwargs)

    def _check_draft(self):
        status = ProcedureVersion.objects.filter(pk=self.version_id).values_list("status", flat=True).first()
        if status and status != VersionStatus.DRAFT:
            raise FrozenVersionError(_("Phiên bản đã công bố không được sửa; hãy tạo phiên bản mới."))


class Component(_VersionPart):
    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="components")
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    form = models.CharField(_("hình thức"), max_length=16, choices=ComponentForm.choices)
    quantity = models.PositiveSmallIntegerField(_("số lượng"), default=1)
    required = models.BooleanField(_("bắt buộc"), default=True)
    template_url = models.CharField(_("mẫu đơn, tờ khai"), max_length=500, blank=True)

    class Meta(_VersionPart.Meta):
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")

    def __str__(self):
        return self.name


class Fee(_VersionPart):
    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="fees")
    name = models.CharField(_("tên phí, lệ phí"), max_length=300)
    amount = models.BigIntegerField(_("số tiền (đồng)"))
    collector = models.CharField(_("đơn vị thu"), max_length=300, blank=True)

    class Meta(_VersionPart.Meta):
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gte=0), name="fee_amount_gte_0")]

    def __str__(self):
        return self.name


class ProcessStep(_VersionPart):
    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="steps")
    code = models.SlugField(_("mã bước"), max_length=40)
    name = models.CharField(_("tên bước"), max_length=200)
    role = models.CharField(_("vai trò thực hiện"), max_length=24, choices=StepRole.choices)
    share = models.DecimalField(_("tỷ lệ thời hạn (%)"), max_digits=5, decimal_places=2, default=Decimal("0"))
    # Inter-agency processing (liên thông): blank = the lead agency (the one that receives the dossier);
    # an agency kind ("department") = an agency of that kind; otherwise a named agency's national code
    # ("000.00.xx.Hnn", e.g. the tax office).
    agency = models.CharField(
        _("cơ quan thực hiện"),
        max_length=32,
        blank=True,
        default="",
        help_text=_(
            "Để trống: cơ quan tiếp nhận. Loại cơ quan (department) "
            "hoặc mã cơ quan (000.00.xx.Hnn) nếu bước do cơ quan khác thực hiện."
        ),
    )

    class Meta(_VersionPart.Meta):
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("bước xử lý")

    def __str__(self):
        return f"{self.position}. {self.name}"

    @property
    def is_interagency(self):
        return bool(self.agency)

    def performed_by(self, agency):
        """Whether `agency` (an Agency) performs this step: by its kind or by its national code."""
        return bool(self.agency) and self.agency in (agency.kind, agency.national_code)


class CatalogueEvent(models.Model):
    """Append-only history of the catalogue: who created, changed, published or retired what."""

    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="events")
    version = models.ForeignKey(
        ProcedureVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    old_values = models.JSONField(default=dict, blank=True)
    new_values = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.action} {self.procedure_id}"
