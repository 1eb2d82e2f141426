from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["agency"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (("Thành phố", {"fields": ("full_name", "phone", "is_city_admin")}),)
    list_display = ["username", "full_name", "email", "is_city_admin", "is_staff"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "roles", "is_active"]
    list_select_related = ["user", "agency"]
    raw_id_fields = ["user", "agency"]
