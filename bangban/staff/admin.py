from django.contrib import admin

from .models import StaffMember


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "site",
        "role_labels",
        "employment",
        "source",
        "registration_status",
        "is_active",
    ]
    list_filter = [
        "is_active",
        "is_agent",
        "is_coordinator",
        "is_liaison",
        "is_supervisor",
        "employment",
        "source",
        "registration_status",
        "site__level",
    ]
    search_fields = ["name", "phone", "registration_no", "site__name"]
    list_select_related = ["site", "department"]
    autocomplete_fields = ["site", "department", "user"]
    filter_horizontal = ["covered_sites"]
    fieldsets = [
        (None, {"fields": ["user", "name", "phone", "site", "title", "duties"]}),
        (
            "角色",
            {
                "fields": [
                    "is_agent",
                    "is_coordinator",
                    "is_liaison",
                    "is_supervisor",
                    "is_administrator",
                ]
            },
        ),
        ("负责范围", {"fields": ["department", "covered_sites"]}),
        (
            "用工与备案",
            {
                "fields": [
                    "employment",
                    "source",
                    "registration_status",
                    "registered_on",
                    "registration_no",
                    "training_passed_on",
                ]
            },
        ),
        ("在岗状态", {"fields": ["is_active", "deactivated_on"]}),
    ]

    @admin.display(description="角色")
    def role_labels(self, obj):
        return obj.role_labels

    def has_delete_permission(self, request, obj=None):
        # Staff are deactivated, never deleted: case history must keep their names.
        return False
