from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import AccountEvent, Membership, OneTimeCode, User, UserIdentity


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["agency"]


class IdentityInline(admin.TabularInline):
    model = UserIdentity
    extra = 0
    readonly_fields = ["provider", "subject", "created_at", "last_login_at"]
    can_delete = True  # unlinking a VNeID login


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            "Thành phố",
            {
                "fields": (
                    "full_name",
                    "phone",
                    "phone_verified_at",
                    "email_verified_at",
                    "is_city_admin",
                    "pending_verification",
                )
            },
        ),
        ("Hồ sơ công dân", {"fields": ("id_number", "id_number_verified_at", "date_of_birth", "address")}),
    )
    readonly_fields = ["phone_verified_at", "email_verified_at", "id_number_verified_at"]
    list_display = ["username", "full_name", "phone", "email", "is_active", "is_city_admin", "is_staff"]
    search_fields = ["username", "full_name", "phone", "email", "id_number"]
    inlines = [MembershipInline, IdentityInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "roles", "is_active"]
    list_select_related = ["user", "agency"]
    raw_id_fields = ["user", "agency"]


@admin.register(OneTimeCode)
class OneTimeCodeAdmin(admin.ModelAdmin):
    """Read-only: who was sent a code, when, how many tries (the code itself is never stored)."""

    list_display = [
        "user",
        "purpose",
        "channel",
        "recipient",
        "attempts",
        "sends",
        "sent_at",
        "expires_at",
        "used_at",
    ]
    list_select_related = ["user"]
    search_fields = ["recipient"]
    exclude = ["code_hash", "salt"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AccountEvent)
class AccountEventAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "kind", "actor"]
    list_select_related = ["user", "actor"]
    list_filter = ["kind"]
    raw_id_fields = ["user", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
