"""管理后台: partners (keys, scopes, events, sites) and the deliveries with the dead letters.

A partner's key is generated (or rotated) by the action "生成新密钥": the plaintext is shown
once in the page's message and stored only encrypted. The delivery list's filter "投递失败
（死信）" is the dead-letter view; "重新投递" queues the chosen deliveries again.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import transaction

from . import delivery as delivery_job
from .models import (
    CaseTopic,
    Delivery,
    DeliveryAttempt,
    DeliveryState,
    Partner,
    ProgressReport,
    Scope,
)


class PartnerForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label="权限范围", choices=Scope.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    events = forms.MultipleChoiceField(
        label="订阅的办件事件",
        choices=CaseTopic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    endpoint_url = forms.URLField(
        label="接收地址", max_length=300, required=False, assume_scheme="https"
    )

    class Meta:
        model = Partner
        fields = [
            "name",
            "code",
            "is_active",
            "scopes",
            "events",
            "sites",
            "department",
            "endpoint_url",
        ]

    def clean(self):
        data = super().clean()
        if data.get("events") and Scope.EVENTS not in (data.get("scopes") or []):
            self.add_error("events", "订阅办件事件需先勾选“接收办件事件”权限")
        wants_outbound = {Scope.EVENTS, Scope.HAOCHAPING} & set(data.get("scopes") or [])
        if wants_outbound and not data.get("endpoint_url"):
            self.add_error("endpoint_url", "接收办件事件或好差评数据需填写接收地址")
        return data


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    form = PartnerForm
    list_display = ["name", "code", "is_active", "scope_list", "endpoint_url", "secret_rotated_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]
    filter_horizontal = ["sites"]
    readonly_fields = ["secret_rotated_at", "created_at"]
    actions = ["rotate_secret"]

    @admin.display(description="权限范围")
    def scope_list(self, obj: Partner) -> str:
        labels = dict(Scope.choices)
        return "、".join(labels.get(s, s) for s in obj.scopes or []) or "—"

    def save_model(self, request, obj: Partner, form, change) -> None:
        shown = None
        if not obj.secret_cipher:
            shown = obj.rotate_secret()
        super().save_model(request, obj, form, change)
        if shown:
            _show_once(request, obj, shown)

    @admin.action(description="生成新密钥（旧密钥立即失效）")
    def rotate_secret(self, request, queryset) -> None:
        with transaction.atomic():
            for partner in queryset.select_for_update():
                plain = partner.rotate_secret()
                partner.save(update_fields=["secret_cipher", "secret_rotated_at"])
                _show_once(request, partner, plain)


def _show_once(request, partner: Partner, plain: str) -> None:
    messages.warning(
        request,
        f"{partner.name}（{partner.code}）的新密钥：{plain} —— 仅显示这一次，"
        "请立即通过安全渠道交给对方系统的管理员；平台只保存其密文。",
    )


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ["at", "status_code", "body_excerpt", "error", "duration_ms"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "uid",
        "partner",
        "topic",
        "state",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "last_error",
    ]
    list_filter = ["state", "partner", "topic"]
    search_fields = ["uid", "dedupe_key"]
    list_select_related = ["partner"]
    date_hierarchy = "created_at"
    inlines = [AttemptInline]
    actions = ["replay"]
    readonly_fields = [
        "uid",
        "partner",
        "topic",
        "dedupe_key",
        "payload",
        "state",
        "attempts",
        "next_attempt_at",
        "claimed_at",
        "last_error",
        "delivered_at",
        "created_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # nothing lost: a dead letter is replayed, never deleted

    @admin.action(description="重新投递")
    def replay(self, request, queryset) -> None:
        count = delivery_job.replay(queryset)
        skipped = queryset.filter(state=DeliveryState.SENDING).count()
        self.message_user(
            request,
            f"已重新排队{count}条投递" + (f"，{skipped}条正在投递中未处理" if skipped else ""),
        )


@admin.register(ProgressReport)
class ProgressReportAdmin(admin.ModelAdmin):
    list_display = ["received_at", "partner", "report_id", "case", "status"]
    list_filter = ["partner", "status"]
    search_fields = ["report_id", "case__number"]
    list_select_related = ["partner", "case"]
    readonly_fields = ["partner", "report_id", "case", "event", "status", "received_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
