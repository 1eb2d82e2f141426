from django.contrib import admin

from .models import CatalogueEvent, Component, Fee, Procedure, ProcedureVersion, ProcessStep, Sector


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


class VersionInline(admin.TabularInline):
    model = ProcedureVersion
    fields = ["number", "status", "valid_from", "valid_to", "time_limit", "time_unit", "online_mode"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ["national_code", "name", "sector"]
    list_filter = ["sector"]
    search_fields = ["national_code", "name", "search_text"]
    list_select_related = ["sector"]
    inlines = [VersionInline]


class _PartInline(admin.TabularInline):
    extra = 0

    def _editable(self, obj):
        return obj is None or obj.status == "draft"

    def has_add_permission(self, request, obj=None):
        return self._editable(obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj)


class ComponentInline(_PartInline):
    model = Component


class FeeInline(_PartInline):
    model = Fee


class StepInline(_PartInline):
    model = ProcessStep


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    list_display = ["procedure", "number", "status", "valid_from", "valid_to"]
    list_filter = ["status"]
    list_select_related = ["procedure"]
    search_fields = ["procedure__national_code", "procedure__name"]
    inlines = [ComponentInline, FeeInline, StepInline]
    readonly_fields = ["status", "published_at", "published_by", "retired_at"]

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.status == "draft"

    def has_delete_permission(self, request, obj=None):
        return obj is not None and obj.status == "draft"


@admin.register(CatalogueEvent)
class CatalogueEventAdmin(admin.ModelAdmin):
    list_display = ["procedure", "action", "actor", "at"]
    list_select_related = ["procedure", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
