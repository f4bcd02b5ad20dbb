"""Consultation register in the admin: read-only.

Consultations are written through ``services.py`` (first-contact responsibility, the
contact encrypted, reply deadlines), so the admin lists and shows them but neither adds,
edits nor deletes. The contact appears masked only; the ciphertext is never shown.
"""

from django.contrib import admin

from .models import Consultation
from .selectors import is_timely


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "client_name",
        "contact_masked",
        "channel",
        "item",
        "status",
        "timeliness",
        "site",
        "handled_by",
        "department",
        "reply_due_on",
    ]
    list_filter = ["status", "channel", "site", "department"]
    search_fields = ["client_name"]
    list_select_related = ["site", "handled_by", "department", "item"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    fields = [
        "site",
        "handled_by",
        "client_name",
        "contact_masked",
        "channel",
        "item",
        "content",
        "status",
        "timeliness",
        "answer",
        "department",
        "escalated_at",
        "reply_due_on",
        "replied_at",
        "replied_by",
        "created_at",
        "cases_opened",
    ]
    readonly_fields = fields

    @admin.display(description="是否及时")
    def timeliness(self, obj: Consultation) -> str:
        return {True: "及时", False: "超期", None: "待答复"}[is_timely(obj)]

    @admin.display(description="转办件")
    def cases_opened(self, obj: Consultation) -> str:
        return "、".join(obj.cases.values_list("number", flat=True)) or "—"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
