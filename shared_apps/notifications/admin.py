from django.contrib import admin

from .models import OutboxMessage, SmsMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "channel",
        "recipient",
        "subject",
        "status",
        "attempts",
        "sent_at",
        "agency",
    )
    list_filter = ("status", "channel")
    search_fields = ("recipient", "dossier_code", "dedupe_key", "subject")
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    list_select_related = ("agency",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SmsMessage)
class SmsMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "phone", "body", "provider_message_id")
    search_fields = ("phone", "body")
    readonly_fields = [f.name for f in SmsMessage._meta.fields]

    def has_add_permission(self, request):
        return False
