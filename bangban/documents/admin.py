"""Admin: letterheads and wording are edited here; issued documents are only shown.

A centre changes its header, logo, footer and the wording of each form without code
(``Letterhead`` with its ``FormWording`` rows); the next document issued uses them, and
documents already issued keep what they were issued with.
"""

from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils.html import format_html

from bangban.downloads import ServedFileWidget

from .models import CaseDocument, FormWording, Letterhead


class FormWordingInline(admin.StackedInline):
    model = FormWording
    extra = 0
    fields = ["kind", "title", "intro", "clauses", "remark"]


def _logo_url(letterhead, field: str) -> str:
    return reverse("documents:letterhead-logo", args=[letterhead.pk])


@admin.register(Letterhead)
class LetterheadAdmin(admin.ModelAdmin):
    list_display = ["site", "title", "subtitle", "updated_at"]
    raw_id_fields = ["site"]
    inlines = [FormWordingInline]
    # No media file has a public URL: the current logo links to the view that serves it.
    formfield_overrides = {models.ImageField: {"widget": ServedFileWidget(_logo_url)}}


@admin.register(CaseDocument)
class CaseDocumentAdmin(admin.ModelAdmin):
    """Issued documents never change: no add, change or delete here."""

    list_display = ["number", "kind", "version", "case", "issued_at", "issued_by", "pdf"]
    list_filter = ["kind"]
    search_fields = ["number", "series", "case__number"]
    list_select_related = ["case", "issued_by"]
    # The stored file would show as a link to its media address, which is not served: the
    # PDF opens through the documents view (which checks who may see the case) instead.
    exclude = ["file"]
    readonly_fields = ["pdf"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="PDF")
    def pdf(self, obj):
        if not obj.sha256:
            return "待生成"
        url = reverse("documents:download", args=[obj.case.number, obj.number])
        return format_html('<a href="{}">查看</a>', url)
