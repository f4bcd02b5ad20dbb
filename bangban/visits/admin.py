"""The visits area in the admin: opening time slots, and reading (not editing) what people
booked and asked for.

Slots are opened here (one by one, or two weeks at a time with the action); their ``booked``
count is never edited by hand — only booking and cancelling change it. Appointments and home
visits are written through ``services.py`` (the portal's pages call it), so the admin shows
them read-only with phone numbers and addresses masked; coordinators schedule home visits on
their own page (/home-visits/manage/); staff record attendance, visits done and requests
taken by phone on the workbench (/work/visits/).
"""

from datetime import timedelta

from django.contrib import admin, messages
from django.utils import timezone

from . import services as booking
from .models import Appointment, HomeVisitRequest, TimeSlot


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TimeSlot)
class TimeSlotAdmin(admin.ModelAdmin):
    list_display = ["site", "day", "start", "end", "capacity", "booked"]
    list_filter = ["site", "day"]
    date_hierarchy = "day"
    readonly_fields = ["booked"]
    actions = ["open_two_weeks"]

    @admin.action(description="为所选时段的服务机构开放未来两周的工作日时段")
    def open_two_weeks(self, request, queryset):
        from bangban.workdays.services import current_calendar

        calendar = current_calendar()
        today = timezone.localdate()
        opened = 0
        for site in {slot.site for slot in queryset.select_related("site")}:
            for offset in range(1, booking.BOOKABLE_DAYS + 1):
                day = today + timedelta(days=offset)
                if calendar.is_workday(day):
                    opened += len(
                        booking.slots_open(site=site, day=day, times=booking.OPENING_SLOTS)
                    )
        messages.success(request, f"已开放（或保留已有的）{opened}个时段。")

    def has_delete_permission(self, request, obj=None) -> bool:
        return obj is None or obj.booked == 0  # a booked slot stays: people are coming


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    list_display = ["number", "slot", "name", "mobile_masked", "purpose", "status"]
    list_filter = ["status", "slot__site"]
    search_fields = ["number", "name"]
    fields = [
        "number",
        "slot",
        "name",
        "mobile_masked",
        "purpose",
        "case",
        "channel",
        "recorded_by",
        "status",
        "marked_at",
        "marked_by",
        "created_at",
        "cancelled_at",
        "confirmation_sent_at",
        "reminder_sent_at",
    ]


@admin.register(HomeVisitRequest)
class HomeVisitRequestAdmin(ReadOnlyAdmin):
    list_display = ["number", "site", "name", "mobile_masked", "status", "scheduled_for", "agent"]
    list_filter = ["status", "site"]
    search_fields = ["number", "name"]
    fields = [
        "number",
        "site",
        "name",
        "mobile_masked",
        "address_masked",
        "is_elderly",
        "is_disabled",
        "is_pregnant",
        "is_ill",
        "need_reason",
        "case",
        "channel",
        "recorded_by",
        "needs",
        "preferred_times",
        "status",
        "scheduled_for",
        "agent",
        "reply",
        "handled_by",
        "visited_at",
        "visit_note",
        "created_at",
        "confirmation_sent_at",
        "reminder_sent_at",
    ]
