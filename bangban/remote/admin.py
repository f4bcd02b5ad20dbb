from django.contrib import admin

from .models import DutyShift, HelpPolicy


@admin.register(HelpPolicy)
class HelpPolicyAdmin(admin.ModelAdmin):
    list_display = ["centre", "target_seconds", "recording_enabled"]


@admin.register(DutyShift)
class DutyShiftAdmin(admin.ModelAdmin):
    list_display = ["site", "staff", "weekday", "date", "start", "end"]
    list_filter = ["site"]
    raw_id_fields = ["staff", "site"]
