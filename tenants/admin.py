from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse

from core.errors import DomainError
from shared_apps.accounts.models import User

from .merge import agencies_merge
from .models import Agency, AgencyEvent, AgencyKind, AgencyStatus, Domain
from .services import agency_onboard


class OnboardForm(forms.ModelForm):
    admin_user = forms.ModelChoiceField(
        queryset=User.objects.all(), required=False, label="Quản trị cơ quan (tuỳ chọn)"
    )

    class Meta:
        model = Agency
        fields = [
            "name",
            "short_name",
            "slug",
            "kind",
            "national_code",
            "admin_unit_code",
            "parent",
            "valid_from",
        ]


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(
        queryset=Agency.objects.filter(status=AgencyStatus.ACTIVE),
        required=False,
        label="Cơ quan kế thừa có sẵn",
    )
    new_name = forms.CharField(required=False, label="hoặc tên cơ quan kế thừa mới")
    new_slug = forms.SlugField(required=False, label="Đường dẫn của cơ quan mới")
    new_kind = forms.ChoiceField(choices=AgencyKind.choices, initial=AgencyKind.COMMUNE, label="Loại")
    new_national_code = forms.CharField(required=False, label="Mã cơ quan (000.00.xx.Hnn)")

    def clean(self):
        data = super().clean()
        if bool(data.get("into")) == bool(data.get("new_name")):
            raise forms.ValidationError("Hãy chọn cơ quan kế thừa có sẵn hoặc nhập cơ quan mới (chỉ một).")
        return data

    def merge_args(self):
        data = self.cleaned_data
        if data.get("into"):
            return {"target": data["into"], "new_agency": None}
        return {
            "target": None,
            "new_agency": {
                "name": data["new_name"],
                "slug": data.get("new_slug") or None,
                "kind": data["new_kind"],
                "national_code": data.get("new_national_code") or "",
            },
        }


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    actions = ["merge_selected"]
    list_display = ["name", "kind", "national_code", "slug", "status", "schema_name"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "slug", "national_code", "admin_unit_code"]
    list_select_related = ["parent"]
    readonly_fields = ["schema_name", "created_at", "updated_at"]
    raw_id_fields = ["parent", "successor"]

    def has_delete_permission(self, request, obj=None):
        return False  # agencies are archived or merged, never deleted

    @admin.action(description="Sáp nhập các cơ quan đã chọn…")
    def merge_selected(self, request, queryset):
        """Step 1 shows the form and, once a successor is chosen, the dry-run report; step 2
        (confirm) runs the merger."""
        sources = list(queryset.order_by("name"))
        form = MergeForm(request.POST if "apply" in request.POST or "confirm" in request.POST else None)
        report, error = None, None
        if form.is_bound and form.is_valid():
            try:
                report = agencies_merge(
                    sources=sources,
                    acting_user=request.user,
                    dry_run="confirm" not in request.POST,
                    **form.merge_args(),
                )
            except (DomainError, ValidationError) as exc:
                error = getattr(exc, "message", None) or "; ".join(exc.messages)
            if report is not None and not report.dry_run:
                self.message_user(
                    request,
                    f"Đã sáp nhập {len(sources)} cơ quan vào {report.target}: "
                    f"chuyển {report.carried} hồ sơ đang giải quyết.",
                    messages.SUCCESS,
                )
                return None
        return TemplateResponse(
            request,
            "tenants/merge_confirm.html",
            {
                **self.admin_site.each_context(request),
                "title": "Sáp nhập cơ quan",
                "sources": sources,
                "form": form,
                "report": report,
                "error": error,
                "opts": self.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

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
                name=data["name"],
                short_name=data.get("short_name") or "",
                slug=data["slug"],
                kind=data["kind"] or AgencyKind.COMMUNE,
                national_code=data["national_code"],
                admin_unit_code=data.get("admin_unit_code") or "",
                parent=data.get("parent"),
                valid_from=data.get("valid_from"),
                admin_user=data.get("admin_user"),
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
