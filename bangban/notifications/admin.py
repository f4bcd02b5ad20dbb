"""Admin: templates are edited here; messages, notices and job marks are read here.

Messages are written by the outbox and changed by the worker only; an administrator may
look (search by case number), and put failed ones back in the queue.
"""

from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join

from . import catalog, rendering, services
from .models import JobMark, Message, MessageTemplate, Notice, StaffPreference


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "audience", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["key", "subject", "body"]
    readonly_fields = ["when", "variables", "default_text", "updated_at"]
    fields = [
        "key",
        "when",
        "variables",
        "subject",
        "body",
        "is_active",
        "default_text",
        "updated_at",
    ]

    def get_readonly_fields(self, request, obj=None):
        # The key names a kind of message the code sends; it is chosen once.
        return [*self.readonly_fields, "key"] if obj else self.readonly_fields

    @admin.display(description="名称")
    def name(self, obj):
        return catalog.spec(obj.key).name

    @admin.display(description="收件人")
    def audience(self, obj):
        return "服务对象" if catalog.spec(obj.key).audience == catalog.CLIENT else "工作人员"

    @admin.display(description="何时发送")
    def when(self, obj):
        spec = catalog.DEFAULTS.get(obj.key) if obj else None
        if spec is None:
            return "-"
        return spec.when + ("（由其他功能调用）" if spec.api_only else "")

    @admin.display(description="可用变量")
    def variables(self, obj):
        spec = catalog.DEFAULTS.get(obj.key) if obj else None
        if spec is None:
            return "保存后显示"
        rows = format_html_join(
            "", "<li><code>{{{{ {} }}}}</code>：{}</li>", sorted(spec.allowed.items())
        )
        return format_html(
            "<ul>{}</ul><p>可用 if、for 和过滤器 {}；保存时检查。</p>",
            rows,
            "、".join(sorted(rendering.FILTERS)),
        )

    @admin.display(description="默认文本")
    def default_text(self, obj):
        spec = catalog.DEFAULTS.get(obj.key) if obj else None
        return format_html("<p>{}</p><pre>{}</pre>", spec.subject, spec.body) if spec else "-"


@admin.action(description="将选中的发送失败消息重新排队")
def retry_failed(modeladmin, request, queryset):
    count = services.message_retry(message_ids=queryset.values_list("pk", flat=True))
    modeladmin.message_user(request, f"已重新排队{count}条消息", messages.SUCCESS)


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "case",
        "template_key",
        "channel",
        "recipient",
        "state",
        "attempts",
        "sent_at",
        "last_error",
    ]
    list_filter = ["state", "channel", "recipient_kind", "template_key"]
    search_fields = ["case__number", "dedupe_key", "provider_id"]
    list_select_related = ["case", "client", "staff"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = [retry_failed]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="收件人")
    def recipient(self, obj):
        return f"{obj.recipient_name} {obj.address_masked}".strip()


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["created_at", "staff", "title", "read_at"]
    list_filter = ["read_at"]
    search_fields = ["title", "staff__name"]
    list_select_related = ["staff"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StaffPreference)
class StaffPreferenceAdmin(admin.ModelAdmin):
    list_display = ["staff", "mode", "by_email", "by_sms"]
    list_filter = ["mode"]
    raw_id_fields = ["staff"]


@admin.register(JobMark)
class JobMarkAdmin(admin.ModelAdmin):
    list_display = ["job", "key", "day", "created_at"]
    list_filter = ["job", "day"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
