from django.contrib import admin

from .models import Rating


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    """Read-only: ratings are the citizens' words, never edited or removed."""

    list_display = ("created_at", "entry", "value", "channel", "agency", "procedure")
    list_filter = ("value", "channel", "agency")
    search_fields = ("entry__code", "comment")
    readonly_fields = [f.name for f in Rating._meta.fields]
    list_select_related = ("entry", "agency", "procedure")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
