"""One login for the whole city: officials and citizens share one user table in the public schema;
a Membership gives a user roles in one agency."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
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
        _("quản trị thành phố"),
        default=False,
        help_text=_(
            "Cán bộ Sở/Trung tâm CNTT thành phố: tiếp nhận cơ quan mới, xem thống kê toàn thành phố."
        ),
    )
    # Citizens' profile (pre-fills the forms they submit).
    id_number = models.CharField(_("số định danh cá nhân (CCCD)"), max_length=12, blank=True)
    id_number_verified_at = models.DateTimeField(
        _("số định danh xác thực lúc"),
        null=True,
        blank=True,
        help_text=_("Khi số định danh đến từ nhà cung cấp định danh (VNeID), không do người dùng tự khai."),
    )
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone_verified_at = models.DateTimeField(_("số điện thoại xác thực lúc"), null=True, blank=True)
    email_verified_at = models.DateTimeField(_("thư điện tử xác thực lúc"), null=True, blank=True)
    # A citizen who signed up and has not yet entered the code: inactive, and a new sign-up with the
    # same phone/e-mail takes the account over (the code proves who owns the number).
    pending_verification = models.BooleanField(_("chờ xác thực đăng ký"), default=False)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        constraints = [
            # Officials created before citizen accounts have blank phones/e-mails: only filled ones
            # must be unique (partial unique indexes).
            models.UniqueConstraint(
                fields=["phone"], condition=~models.Q(phone=""), name="user_phone_unique"
            ),
            models.UniqueConstraint(
                Lower("email"), condition=~models.Q(email=""), name="user_email_ci_unique"
            ),
            models.UniqueConstraint(
                fields=["id_number"], condition=~models.Q(id_number=""), name="user_id_number_unique"
            ),
        ]

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
        constraints = [
            models.UniqueConstraint(fields=["user", "agency"], name="membership_user_agency_unique")
        ]

    def __str__(self):
        return f"{self.user} @ {self.agency_id}: {', '.join(self.roles)}"

    def has_role(self, *roles):
        return any(r in self.roles for r in roles)

    @property
    def role_labels(self):
        return [Role(r).label for r in self.roles if r in Role.values]


class OneTimeCode(models.Model):
    """A 6-digit code sent to a phone or an e-mail address to prove it belongs to the user.

    Only an HMAC of the code is stored. A code expires after ``ACCOUNTS_OTP_TTL_SECONDS`` (600), allows
    ``ACCOUNTS_OTP_MAX_ATTEMPTS`` (5) wrong guesses, and is used once. A resend replaces the code (new
    hash, new expiry, attempts back to 0) after a cool-down."""

    class Purpose(models.TextChoices):
        SIGNUP = "signup", _("Đăng ký tài khoản")
        CHANGE_PHONE = "change_phone", _("Đổi số điện thoại")
        CHANGE_EMAIL = "change_email", _("Đổi thư điện tử")

    class Channel(models.TextChoices):
        SMS = "sms", _("Tin nhắn SMS")
        EMAIL = "email", _("Thư điện tử")

    public_id = models.UUIDField(unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="one_time_codes"
    )
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    recipient = models.CharField(_("gửi đến"), max_length=254)
    code_hash = models.CharField(max_length=128)
    salt = models.CharField(max_length=32)
    attempts = models.PositiveSmallIntegerField(default=0)
    sends = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã xác thực")
        verbose_name_plural = _("mã xác thực")
        indexes = [models.Index(fields=["user", "purpose"], name="otp_user_purpose_idx")]

    def __str__(self):
        return f"{self.get_purpose_display()} → {self.recipient}"


class UserIdentity(models.Model):
    """A login through an identity provider (VNeID, ...): the provider's subject, linked to one user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identities")
    provider = models.CharField(_("nhà cung cấp định danh"), max_length=32)
    subject = models.CharField(_("mã định danh tại nhà cung cấp"), max_length=255)
    created_at = models.DateTimeField(default=timezone.now)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("liên kết định danh")
        verbose_name_plural = _("liên kết định danh")
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="identity_provider_subject_unique")
        ]

    def __str__(self):
        return f"{self.provider}:{self.subject} → {self.user_id}"


class AccountEvent(models.Model):
    """Every change to an account's identity data, with the old and the new values."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=32)
    old = models.JSONField(default=dict, blank=True)
    new = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("sự kiện tài khoản")
        verbose_name_plural = _("sự kiện tài khoản")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "at"], name="account_event_user_idx")]

    def __str__(self):
        return f"{self.user_id} {self.kind} {self.at:%d/%m/%Y %H:%M}"
