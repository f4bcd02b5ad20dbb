from django.contrib import admin

from .models import CalendarYear, HolidayOverride
from .rules import WEEKDAY_NAMES, WorkCalendar, package_covers

# The package and weekend rule alone, to show what an override changes.
_WITHOUT_OVERRIDES = WorkCalendar()


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "is_workday", "name", "without_override", "updated_at"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
    search_fields = ["name", "note"]
    ordering = ["-date"]

    @admin.display(description="星期")
    def weekday(self, obj: HolidayOverride) -> str:
        return WEEKDAY_NAMES[obj.date.weekday()]

    @admin.display(description="未调整时")
    def without_override(self, obj: HolidayOverride) -> str:
        return _WITHOUT_OVERRIDES.day_kind(obj.date).label


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "covered_by_package", "note", "entered_at"]
    search_fields = ["note"]

    @admin.display(description="系统内置安排", boolean=True)
    def covered_by_package(self, obj: CalendarYear) -> bool:
        return package_covers(obj.year)
