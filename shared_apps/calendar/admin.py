from django.contrib import admin

from .models import CalendarDay, CalendarEvent, OfficeHours, WorkCalendar


class OfficeHoursInline(admin.TabularInline):
    model = OfficeHours
    fk_name = "calendar"
    fields = ["weekday", "start", "end"]
    extra = 0


@admin.register(WorkCalendar)
class WorkCalendarAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "updated_at"]
    inlines = [OfficeHoursInline]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name", "source"]
    list_filter = ["kind", "calendar"]
    date_hierarchy = "date"
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        from .services import calendar_day_set

        calendar_day_set(
            calendar=obj.calendar,
            date=obj.date,
            kind=obj.kind,
            name=obj.name,
            source=obj.source,
            acting_user=request.user,
        )

    def delete_model(self, request, obj):
        from .services import calendar_day_remove

        calendar_day_remove(calendar=obj.calendar, date=obj.date, acting_user=request.user)


@admin.register(OfficeHours)
class OfficeHoursAdmin(admin.ModelAdmin):
    list_display = ["calendar", "agency", "weekday", "start", "end"]
    list_select_related = ["calendar", "agency"]
    raw_id_fields = ["agency"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        from .selectors import calendar_version

        calendar_version.bump()


@admin.register(CalendarEvent)
class CalendarEventAdmin(admin.ModelAdmin):
    list_display = ["calendar", "action", "actor", "at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
