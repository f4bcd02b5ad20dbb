"""Admin for cases: a read-only window for administrators.

A case changes only through ``services.case_transition`` (the table, the guards, the
version check and the hash-chained event, all at once). So the admin adds, changes and
deletes nothing here: every field is shown read-only, the items, materials and timeline
are read-only inlines, and there is no save or delete button. Staff act on cases from
the workbench pages and the API, which go through the write path.
"""

from django.contrib import admin

from .behalf import ApplicationOnBehalf
from .models import AuditCheckpoint, Case, CaseEvent, CaseItem, CaseMaterial, DeliveryChoice


class ReadOnlyMixin:
    """Nothing may be added, changed or deleted; viewing needs the view permission."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + list(self.readonly_fields)


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False


class CaseItemInline(ReadOnlyInline):
    model = CaseItem
    fields = ["position", "item_version", "department", "status", "filed_on", "result", "result_on"]
    verbose_name_plural = "办理事项"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("item_version__item", "department")


class CaseMaterialInline(ReadOnlyInline):
    model = CaseMaterial
    fields = ["case_item", "name", "required", "accept_with_gaps", "status", "note", "checked_at"]
    verbose_name_plural = "材料"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("case_item__item_version__item")


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ["seq", "at", "event", "from_state", "to_state", "actor_name", "site", "reason"]
    verbose_name_plural = "时间线（事件哈希链，审计请运行 bangban audit verify）"
    ordering = ["seq"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("site")


@admin.register(Case)
class CaseAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "number",
        "title",
        "state",
        "service_type",
        "site",
        "agent",
        "due_on",
        "created_at",
    ]
    list_filter = ["state", "service_type", "channel", "site__level", "site"]
    search_fields = ["number"]
    list_select_related = ["site", "agent"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    show_full_result_count = False
    inlines = [CaseItemInline, CaseMaterialInline, CaseEventInline]
    fieldsets = [
        (None, {"fields": ["number", "title", "service_type", "channel", "state", "version"]}),
        ("服务对象与承办", {"fields": ["client", "site", "agent", "relay_to_site", "needs"]}),
        (
            "时限",
            {
                "fields": [
                    "created_at",
                    "accepted_on",
                    "promised_days",
                    "due_on",
                    "paused_since",
                    "supplement_due_on",
                    "resumption_due_on",
                    "completed_on",
                    "closed_at",
                ]
            },
        ),
        (
            "结果",
            {"fields": ["reason_code", "reason_text", "delivery_method", "delivery"]},
        ),
        ("关联", {"fields": ["bundle_version", "consultation"], "classes": ["collapse"]}),
        ("哈希链", {"fields": ["event_count", "last_event_hash"], "classes": ["collapse"]}),
    ]


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The checkpoints `bangban audit checkpoint` and the nightly job make (operations §6.3):
    shown so an administrator sees that they are being made; never edited here."""

    list_display = ["created_at", "case_count", "event_count", "scheme", "signed"]
    exclude = ["heads_digest", "prev_mac", "mac"]

    @admin.display(boolean=True, description="SM2 签名")
    def signed(self, checkpoint) -> bool:
        return bool(checkpoint.signature)

    def get_readonly_fields(self, request, obj=None):
        return [f for f in super().get_readonly_fields(request, obj) if f not in self.exclude]


@admin.register(DeliveryChoice)
class DeliveryChoiceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """How clients asked online to receive their results, the address masked (the wish; the
    ``deliver`` event records what was done)."""

    list_display = ["case", "method", "address_masked", "chosen_at"]
    list_filter = ["method"]
    search_fields = ["case__number"]
    fields = ["case", "method", "address_masked", "chosen_at"]


@admin.register(ApplicationOnBehalf)
class ApplicationOnBehalfAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Who applied online for a relative (``cases.behalf``), the mobile masked."""

    list_display = ["case", "applicant_name", "relation", "applicant_mobile_masked", "created_at"]
    list_filter = ["relation"]
    search_fields = ["case__number", "applicant_name"]
    fields = ["case", "applicant_name", "relation", "applicant_mobile_masked", "created_at"]
