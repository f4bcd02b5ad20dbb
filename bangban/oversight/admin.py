"""Admin for the oversight records.

Evaluations, rectifications, complaints and return visits change only through
``records/services.py`` (evaluations through the case workflow), so here they are read-only
windows; inspections and each centre's limits and targets (监督评价参数) are edited here.
"""

from django.contrib import admin

from .models import (
    CentrePolicy,
    Complaint,
    ComplaintStep,
    Evaluation,
    Inspection,
    InspectionFinding,
    Rectification,
    ReturnVisit,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = [
        "case",
        "level",
        "channel",
        "site",
        "agent",
        "real_name",
        "excluded",
        "created_at",
    ]
    list_filter = ["level", "channel", "mode", "real_name", "excluded"]
    search_fields = ["case__number", "comment"]
    date_hierarchy = "created_at"
    list_select_related = ["case", "site", "agent"]


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdmin):
    list_display = [
        "case",
        "site",
        "owner",
        "status",
        "outcome",
        "due_on",
        "deadline_on",
        "flagged_at",
    ]
    list_filter = ["status", "outcome", "appeal_decision"]
    search_fields = ["case__number"]
    date_hierarchy = "opened_at"
    list_select_related = ["case", "site", "owner"]


class ComplaintStepInline(admin.TabularInline):
    model = ComplaintStep
    extra = 0
    can_delete = False
    fields = ["at", "action", "stage", "actor_name", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "channel",
        "site",
        "assigned_to",
        "kind",
        "stage",
        "contact_due_on",
        "due_on",
        "replied_at",
    ]
    list_filter = ["channel", "kind", "stage"]
    search_fields = ["number", "complainant_name"]
    date_hierarchy = "received_at"
    exclude = ["contact_cipher", "contact_hash"]
    inlines = [ComplaintStepInline]
    list_select_related = ["site", "assigned_to"]


@admin.register(ReturnVisit)
class ReturnVisitAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "site", "due_on", "visitor", "visited_at", "method", "outcome"]
    list_filter = ["kind", "method", "outcome"]
    search_fields = ["case__number"]
    list_select_related = ["case", "site", "visitor"]


class InspectionFindingInline(admin.TabularInline):
    model = InspectionFinding
    extra = 0
    fields = ["item", "compliant", "finding", "deadline_on", "rectified_on", "rectification_result"]


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ["site", "inspected_on", "inspector"]
    list_filter = ["inspected_on"]
    search_fields = ["site__name", "summary"]
    inlines = [InspectionFindingInline]
    list_select_related = ["site", "inspector"]


@admin.register(CentrePolicy)
class CentrePolicyAdmin(admin.ModelAdmin):
    list_display = [
        "centre",
        "verify_workdays",
        "rectification_workdays",
        "complaint_contact_workdays",
        "complaint_simple_workdays",
        "complaint_complex_workdays",
        "target_satisfaction",
    ]
    fieldsets = [
        (None, {"fields": ["centre", "rating_scale"]}),
        (
            "时限（工作日）",
            {
                "fields": [
                    "verify_workdays",
                    "rectification_workdays",
                    "complaint_contact_workdays",
                    "complaint_simple_workdays",
                    "complaint_complex_workdays",
                ]
            },
        ),
        (
            "目标（%）",
            {
                "fields": [
                    "target_on_time",
                    "target_disclosure",
                    "target_timely",
                    "target_satisfaction",
                    "target_return_visit",
                    "target_records",
                ]
            },
        ),
    ]


# --- the 好差评 exchange's code table (``exchange_rules``): edited here --------------------

from .models import HaochapingCode  # noqa: E402


@admin.register(HaochapingCode)
class HaochapingCodeAdmin(admin.ModelAdmin):
    list_display = ["kind", "ours", "code", "label", "direction"]
    list_editable = ["code", "label", "direction"]
    list_filter = ["kind", "direction"]
    search_fields = ["ours", "code", "label"]
