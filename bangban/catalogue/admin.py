"""Admin for the catalogue: items, their guide versions and materials, and bundles.

Publishing and drafting are admin actions that call the services, so the admin follows
the same rules as everything else. A published or retired version is shown read-only;
to change it, generate a new draft.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html

from bangban.downloads import ServedFileWidget

from . import services
from .bundles import CycleError, schedule
from .models import (
    Bundle,
    BundleEntry,
    BundleVersion,
    Channel,
    FormField,
    FormFieldKind,
    ItemCategory,
    ItemVersion,
    Material,
    MaterialKind,
    ServiceItem,
    Synonym,
    VersionStatus,
)


def _error_text(error: ValidationError) -> str:
    return "；".join(error.messages)


def _run(modeladmin, request, objects, action, success: str) -> None:
    """Apply a service to each selected object, reporting each failure in Chinese."""
    done = 0
    for obj in objects:
        try:
            action(obj)
            done += 1
        except ValidationError as error:
            modeladmin.message_user(request, f"{obj}：{_error_text(error)}", messages.ERROR)
    if done:
        modeladmin.message_user(request, success.format(n=done), messages.SUCCESS)


@admin.register(ItemCategory)
class ItemCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "position"]
    list_editable = ["position"]
    search_fields = ["name", "code"]


class VersionInline(admin.TabularInline):
    """The history of an item's guide, with links to each version."""

    model = ItemVersion
    fields = ["number", "status", "published_at", "retired_at", "promised_limit_days"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False
    ordering = ["-number"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "category", "department", "is_published", "version_link"]
    list_filter = ["category", "department", "is_published"]
    search_fields = ["code", "name", "keywords"]
    list_select_related = ["category", "department", "current_version"]
    readonly_fields = ["is_published", "version_link"]
    inlines = [VersionInline]
    actions = ["make_draft", "unpublish"]

    @admin.display(description="当前版本")
    def version_link(self, obj):
        if not obj.current_version_id:
            return "—"
        url = reverse("admin:catalogue_itemversion_change", args=[obj.current_version_id])
        return format_html('<a href="{}">第{}版</a>', url, obj.current_version.number)

    @admin.action(description="生成新版本草稿", permissions=["change"])
    def make_draft(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda item: services.item_version_draft(item=item),
            "已生成 {n} 个草稿版本。",
        )

    @admin.action(description="取消发布（停用当前版本）", permissions=["change"])
    def unpublish(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda item: services.item_unpublish(item=item),
            "已取消发布 {n} 个事项。",
        )

    def has_delete_permission(self, request, obj=None):
        # Items with guide history are kept for the cases opened under them.
        if obj is not None and obj.versions.exclude(status=VersionStatus.DRAFT).exists():
            return False
        return super().has_delete_permission(request, obj)


class ItemVersionForm(forms.ModelForm):
    channels = forms.TypedMultipleChoiceField(
        label="办理渠道", choices=Channel.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ItemVersion
        fields = [
            "statutory_limit_days",
            "promised_limit_days",
            "is_immediate",
            "fees",
            "offers_assist",
            "offers_proxy",
            "channels",
            "sites",
            "conditions",
            "process",
            "legal_basis",
        ]


class FrozenWhenPublished:
    """Inline mix-in: rows of a published or retired version cannot be changed."""

    def _editable(self, obj) -> bool:
        return obj is None or obj.is_draft

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


def _material_file_url(material, field: str) -> str:
    return reverse("catalogue:material-file", args=[material.pk, field])


class MaterialInline(FrozenWhenPublished, admin.TabularInline):
    """Files link to the catalogue's file view: nothing under MEDIA_ROOT has a public URL."""

    model = Material
    extra = 0
    formfield_overrides = {models.FileField: {"widget": ServedFileWidget(_material_file_url)}}
    # A read-only row would link a file to its media address: these link the view instead.
    file_links = {"blank_form": "blank_form_link", "sample": "sample_link"}
    readonly_fields = list(file_links.values())
    fields = [
        "position",
        "name",
        "kind",
        "required",
        "form",
        "copies",
        "accept_with_gaps",
        "commitment_allowed",
        "obtain_from",
        "blank_form",
        "sample",
        "note",
    ]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if self._editable(obj):
            return [f for f in fields if f not in self.readonly_fields]
        return [self.file_links.get(f, f) for f in fields]

    def _link(self, material, field: str):
        if not getattr(material, field):
            return "-"
        name = getattr(material, field).name.rsplit("/", 1)[-1]
        return format_html('<a href="{}">{}</a>', _material_file_url(material, field), name)

    @admin.display(description="空白表格")
    def blank_form_link(self, material):
        return self._link(material, "blank_form")

    @admin.display(description="示例样表")
    def sample_link(self, material):
        return self._link(material, "sample")


class FormFieldInline(FrozenWhenPublished, admin.TabularInline):
    """一表申请: the fields of this guide's application form, each a shared field kind."""

    model = FormField
    extra = 0
    fields = ["position", "kind", "required"]
    autocomplete_fields = ["kind"]


@admin.register(ItemVersion)
class ItemVersionAdmin(admin.ModelAdmin):
    form = ItemVersionForm
    list_display = [
        "item",
        "number",
        "status",
        "published_at",
        "promised_limit_days",
        "is_immediate",
    ]
    list_filter = ["status", "item__category", "is_immediate"]
    search_fields = ["item__code", "item__name"]
    list_select_related = ["item"]
    readonly_fields = ["item", "number", "status", "published_at", "retired_at", "preview"]
    filter_horizontal = ["sites"]
    inlines = [MaterialInline, FormFieldInline]
    actions = ["publish", "make_draft"]
    fieldsets = [
        (None, {"fields": ["item", "number", "status", "published_at", "retired_at", "preview"]}),
        (
            "时限与类型",
            {"fields": ["statutory_limit_days", "promised_limit_days", "is_immediate", "fees"]},
        ),
        ("帮办代办", {"fields": ["offers_assist", "offers_proxy", "channels", "sites"]}),
        ("办事指南", {"fields": ["conditions", "process", "legal_basis"]}),
    ]

    @admin.display(description="预览")
    def preview(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}" target="_blank">查看办事指南页面</a>', obj.get_absolute_url()
        )

    def has_add_permission(self, request):
        # Versions are created from an item with 生成新版本草稿, which numbers them.
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.is_draft:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not obj.is_draft:
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description="发布所选草稿（停用原版本）", permissions=["change"])
    def publish(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda v: services.item_version_publish(version=v),
            "已发布 {n} 个版本。",
        )

    @admin.action(description="生成新版本草稿", permissions=["change"])
    def make_draft(self, request, queryset):
        items = {version.item for version in queryset.select_related("item")}
        _run(
            self,
            request,
            items,
            lambda item: services.item_version_draft(item=item),
            "已生成 {n} 个草稿版本。",
        )


class BundleEntryFormSet(BaseInlineFormSet):
    """Rejects prerequisites that loop back, before anything is saved."""

    def clean(self):
        super().clean()
        forms_kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        kept_pks = {f.instance.pk for f in forms_kept if f.instance.pk}
        names = {}
        edges = []
        for form in forms_kept:
            key = form.instance.pk or id(form)
            names[key] = str(form.cleaned_data.get("item") or "")
            deps = [d.pk for d in form.cleaned_data.get("depends_on") or []]
            if any(dep not in kept_pks for dep in deps):
                raise ValidationError(
                    "前置事项必须是本版本中保留的事项（新增的事项保存后再设置前置关系）。"
                )
            edges.append((key, 0, deps))
        try:
            schedule(edges)
        except CycleError as error:
            raise ValidationError(
                "前置事项形成循环："
                + " → ".join(names[k] for k in error.cycle)
                + "，无法确定办理顺序。"
            ) from error


class BundleEntryInline(FrozenWhenPublished, admin.TabularInline):
    model = BundleEntry
    formset = BundleEntryFormSet
    extra = 0
    fields = ["position", "item", "depends_on"]
    autocomplete_fields = ["item"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields.get("depends_on")
        if field is not None:
            field.queryset = (
                BundleEntry.objects.filter(bundle_version=obj).select_related("item")
                if obj is not None
                else BundleEntry.objects.none()
            )
        return formset


class BundleVersionInline(admin.TabularInline):
    model = BundleVersion
    fields = ["number", "status", "published_at", "retired_at"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "life_event", "lead_department", "is_published"]
    list_filter = ["is_published"]
    search_fields = ["code", "name", "life_event", "keywords"]
    list_select_related = ["lead_department"]
    readonly_fields = ["is_published"]
    inlines = [BundleVersionInline]
    actions = ["make_draft", "unpublish"]

    @admin.action(description="生成新版本草稿", permissions=["change"])
    def make_draft(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda b: services.bundle_version_draft(bundle=b),
            "已生成 {n} 个草稿版本。",
        )

    @admin.action(description="取消发布", permissions=["change"])
    def unpublish(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda b: services.bundle_unpublish(bundle=b),
            "已取消发布 {n} 个一件事。",
        )


@admin.register(BundleVersion)
class BundleVersionAdmin(admin.ModelAdmin):
    list_display = ["bundle", "number", "status", "published_at"]
    list_filter = ["status"]
    search_fields = ["bundle__code", "bundle__name"]
    list_select_related = ["bundle"]
    readonly_fields = ["bundle", "number", "status", "published_at", "retired_at"]
    inlines = [BundleEntryInline]
    actions = ["publish"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.is_draft:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not obj.is_draft:
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description="发布所选草稿（停用原版本）", permissions=["change"])
    def publish(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda v: services.bundle_version_publish(version=v),
            "已发布 {n} 个版本。",
        )


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    """常用说法: what people say, and the catalogue's words it means (the guide's search)."""

    list_display = ["phrase", "means", "is_active", "updated_at"]
    list_editable = ["is_active"]
    list_filter = ["is_active"]
    search_fields = ["phrase", "means"]
    fields = ["phrase", "means", "is_active"]


@admin.register(MaterialKind)
class MaterialKindAdmin(admin.ModelAdmin):
    """材料种类: shared by checklist entries across items, so a kept material is reused."""

    list_display = ["name", "code", "electronic", "position"]
    search_fields = ["name", "code"]
    fields = ["name", "code", "electronic", "position"]


@admin.register(FormFieldKind)
class FormFieldKindAdmin(admin.ModelAdmin):
    """申请表字段: shared by the application forms of several items, so a bundle asks once."""

    list_display = ["label", "code", "type", "mask", "position"]
    list_filter = ["type"]
    search_fields = ["label", "code"]
    fields = ["label", "code", "type", "pattern", "pattern_hint", "mask", "help", "position"]
