from django.contrib import admin, messages

from .models import ApiToken
from .tokens import token_fill, token_revoke

READ_ONLY_FIELDS = ["prefix", "created_at", "last_used_at", "revoked_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "staff",
        "scope",
        "site",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["scope", "revoked_at"]
    fields = ["name", "staff", "scope", "site", "expires_at", *READ_ONLY_FIELDS]
    search_fields = ["name", "prefix", "staff__name"]
    list_select_related = ["staff", "site"]
    autocomplete_fields = ["staff", "site"]
    readonly_fields = READ_ONLY_FIELDS
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "staff"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        raw = None if change else token_fill(obj)
        super().save_model(request, obj, form, change)
        if raw:
            messages.warning(
                request,
                f"新令牌：{raw} —— 只显示这一次，请立即复制并交给对接系统妥善保存。"
                "调用时使用请求头 Authorization: Bearer <令牌>",
            )

    @admin.action(description="撤销所选令牌")
    def revoke(self, request, queryset):
        for token in queryset:
            token_revoke(token)
        messages.success(request, f"已撤销 {queryset.count()} 个令牌")

    def has_delete_permission(self, request, obj=None):
        return False
