"""One login for the whole city: officials and citizens share one user table in the public schema;
a Membership gives a user roles in one agency."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RECEIVING_OFFICER = "receiving_officer", _("Cán bộ một cửa")
    SPECIALIST = "specialist", _("Chuyên viên")
    UNIT_HEAD = "unit_head", _("Trưởng đơn vị")
    LEADER = "leader", _("Lãnh đạo")
    AGENCY_ADMIN = "agency_admin", _("Quản trị cơ quan")


class User(AbstractUser):
    full_name = models.CharField(_("họ và tên"), max_length=255, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    is_city_admin = models.BooleanField(
        _("quản trị thành phố"), default=False,
        help_text=_("Cán bộ Sở/Trung tâm CNTT thành phố: tiếp nhận cơ quan mới, xem thống kê toàn thành phố."),
    )

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self):
        return self.full_name or self.get_full_name() or self.username


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey("tenants.Agency", on_delete=models.CASCADE, related_name="memberships")
    roles = ArrayField(models.CharField(max_length=32, choices=Role.choices), default=list)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("thành viên cơ quan")
        verbose_name_plural = _("thành viên cơ quan")
        constraints = [models.UniqueConstraint(fields=["user", "agency"], name="membership_user_agency_unique")]

    def __str__(self):
        return f"{self.user} @ {self.agency_id}: {', '.join(self.roles)}"

    def has_role(self, *roles):
        return any(r in self.roles for r in roles)

    @property
    def role_labels(self):
        return [Role(r).label for r in self.roles if r in Role.values]
