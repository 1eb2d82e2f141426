from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from shared_apps.accounts.models import User

from .errors import DomainError
from .models import Agency, AgencyEvent, AgencyKind, Domain
from .services import agency_onboard


class OnboardForm(forms.ModelForm):
    admin_user = forms.ModelChoiceField(queryset=User.objects.all(), required=False,
                                        label="Quản trị cơ quan (tuỳ chọn)")

    class Meta:
        model = Agency
        fields = ["name", "short_name", "slug", "kind", "national_code", "admin_unit_code", "parent",
                  "valid_from"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "national_code", "slug", "status", "schema_name"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "slug", "national_code", "admin_unit_code"]
    list_select_related = ["parent"]
    readonly_fields = ["schema_name", "created_at", "updated_at"]
    raw_id_fields = ["parent", "successor"]

    def has_delete_permission(self, request, obj=None):
        return False  # agencies are archived or merged, never deleted

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = OnboardForm
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        try:
            created = agency_onboard(
                name=data["name"], short_name=data.get("short_name") or "", slug=data["slug"],
                kind=data["kind"] or AgencyKind.COMMUNE, national_code=data["national_code"],
                admin_unit_code=data.get("admin_unit_code") or "", parent=data.get("parent"),
                valid_from=data.get("valid_from"), admin_user=data.get("admin_user"),
                acting_user=request.user,
            )
        except (DomainError, ValidationError) as exc:
            messages.error(request, getattr(exc, "message", None) or "; ".join(exc.messages))
            raise
        obj.pk = created.pk
        obj.schema_name = created.schema_name


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "tenant", "is_primary"]


@admin.register(AgencyEvent)
class AgencyEventAdmin(admin.ModelAdmin):
    list_display = ["agency", "action", "actor", "at"]
    list_select_related = ["agency", "actor"]
    readonly_fields = [f.name for f in AgencyEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
