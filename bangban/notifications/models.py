"""The outbox and what hangs off it: templates, messages, staff notices, preferences.

A ``Message`` is written in the same transaction as the change that causes it (the case
event, or a scheduled job's finding) and sent afterwards by the delivery worker
(``delivery.py``). Its ``dedupe_key`` is unique: one event, template, recipient and
channel give one row however often the writer runs. Its ``state`` is the whole story:

    queued ──claim──▶ sending ──▶ sent
       ▲                 │ └────▶ failed (after OUTBOX_MAX_ATTEMPTS, reason in last_error)
       └── retry / reclaim after a crash
    skipped   never sent, with the reason (client opted out of SMS, no mobile)
    held      waiting for a staff member's daily digest ──▶ bundled (into one digest message)

In-platform notices are rows, not deliveries: a notice message is written ``sent`` with
its ``Notice`` in the same transaction, so it can neither be lost nor doubled.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import models

from . import catalog, rendering


class RecipientKind(models.TextChoices):
    CLIENT = "client", "服务对象"
    STAFF = "staff", "工作人员"
    # a person known only by the mobile they gave (a consultation, a caller): no client row
    MOBILE = "mobile", "手机号码"


class MessageChannel(models.TextChoices):
    SMS = "sms", "短信"
    EMAIL = "email", "电子邮件"
    NOTICE = "notice", "站内通知"


class MessageState(models.TextChoices):
    QUEUED = "queued", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"
    SKIPPED = "skipped", "未发送"
    HELD = "held", "待汇总"
    BUNDLED = "bundled", "已并入汇总"


class MessageTemplate(models.Model):
    """The editable text of one kind of message (seeded from ``catalog.DEFAULTS``)."""

    key = models.CharField("消息类型", max_length=60, unique=True, choices=catalog.CHOICES)
    subject = models.CharField("标题", max_length=200, blank=True, help_text="站内通知和邮件的标题")
    body = models.TextField("正文", help_text="短信、邮件和站内通知的正文")
    is_active = models.BooleanField(
        "启用", default=True, help_text="停用后不再产生此类消息（已排队的照常发送）"
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "消息模板"
        verbose_name_plural = "消息模板"
        ordering = ["key"]

    def __str__(self) -> str:
        return self.get_key_display()

    @property
    def spec(self) -> catalog.TemplateSpec:
        return catalog.spec(self.key)

    def clean(self) -> None:
        if self.key not in catalog.DEFAULTS:
            raise ValidationError({"key": "未知的消息类型"})
        allowed = self.spec.allowed
        errors = {}
        for field in ("subject", "body"):
            try:
                rendering.validate(getattr(self, field), allowed)
            except ValidationError as error:
                errors[field] = error.messages
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs) -> None:
        # Checked here too, so text saved outside the admin cannot break sending later.
        self.clean()
        super().save(*args, **kwargs)


class Message(models.Model):
    recipient_kind = models.CharField("收件人类型", max_length=8, choices=RecipientKind.choices)
    client = models.ForeignKey(
        "clients.Client",
        verbose_name="服务对象",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    staff = models.ForeignKey(
        "staff.StaffMember",
        verbose_name="工作人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
    )
    address_masked = models.CharField("收件地址", max_length=60, blank=True)
    # A client SMS goes to the client's mobile as it is when sent, unless this holds another
    # number (ciphertext, ``clients.pii``): the old number told of a correction. Emptied
    # once the message is sent or withdrawn; kept while it may still be (re)sent.
    to_cipher = models.TextField("发往号码（密文）", blank=True, editable=False)
    channel = models.CharField("渠道", max_length=8, choices=MessageChannel.choices)
    template_key = models.CharField("消息类型", max_length=60, choices=catalog.CHOICES)
    subject = models.CharField("标题", max_length=200, blank=True)
    body = models.TextField("内容")
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="办件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
    )
    event = models.ForeignKey(
        "cases.CaseEvent",
        verbose_name="办件事件",
        null=True,
        blank=True,
        # The timeline is checked by its hash chain, not guarded here: a deleted event is
        # found by the audit, and its messages keep their (unique) dedupe key.
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    ref = models.CharField(
        "关联对象", max_length=60, blank=True, help_text="非办件消息的来源，如 consultation:12"
    )
    dedupe_key = models.CharField("去重键", max_length=200, unique=True)
    state = models.CharField("状态", max_length=8, choices=MessageState.choices)
    attempts = models.PositiveSmallIntegerField("发送次数", default=0)
    next_attempt_at = models.DateTimeField("下次发送时间", null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    claimed_at = models.DateTimeField("领取时间", null=True, blank=True)
    last_error = models.TextField("失败原因", blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    provider_id = models.CharField("通道回执", max_length=100, blank=True)
    digest = models.ForeignKey(
        "self",
        verbose_name="所在汇总",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bundled",
    )
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "消息"
        verbose_name_plural = "消息（发件箱）"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["case", "created_at"]),
            models.Index(fields=["staff", "state", "channel"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recipient_kind="client", client__isnull=False)
                | models.Q(recipient_kind="staff", staff__isnull=False)
                | models.Q(recipient_kind="mobile", client__isnull=True, staff__isnull=True),
                name="message_has_its_recipient",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_template_key_display()} → {self.recipient_name}（{self.get_state_display()}）"

    @property
    def recipient_name(self) -> str:
        if self.recipient_kind == RecipientKind.MOBILE:
            return self.address_masked
        person = self.client if self.recipient_kind == RecipientKind.CLIENT else self.staff
        return person.name if person else ""

    @property
    def idempotency_key(self) -> str:
        """What the gateway dedupes on: the same for every attempt of this message."""
        return "bb-" + hashlib.sha256(self.dedupe_key.encode()).hexdigest()[:32]

    @property
    def state_line(self) -> str:
        """One line for the case page: state, channel, recipient and, if any, the reason."""
        line = f"{self.get_channel_display()} → {self.recipient_name}：{self.get_state_display()}"
        if self.state in {MessageState.FAILED, MessageState.SKIPPED} and self.last_error:
            line += f"（{self.last_error}）"
        elif self.state == MessageState.QUEUED and self.attempts:
            line += f"（已尝试{self.attempts}次，将重试：{self.last_error}）"
        return line


class Notice(models.Model):
    """An in-platform notice for one staff member (站内通知)."""

    staff = models.ForeignKey(
        "staff.StaffMember",
        verbose_name="工作人员",
        on_delete=models.PROTECT,
        related_name="notices",
    )
    message = models.OneToOneField(Message, on_delete=models.PROTECT, related_name="notice")
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    created_at = models.DateTimeField("时间")
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内通知"
        verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["staff", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return self.title


class DeliveryMode(models.TextChoices):
    IMMEDIATE = "immediate", "即时发送"
    DIGEST = "digest", "每日汇总"


class StaffPreference(models.Model):
    """How a staff member wants messages besides the in-platform notice (always given)."""

    staff = models.OneToOneField(
        "staff.StaffMember",
        verbose_name="工作人员",
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    mode = models.CharField(
        "发送方式", max_length=10, choices=DeliveryMode.choices, default=DeliveryMode.IMMEDIATE
    )
    by_email = models.BooleanField("同时发送电子邮件", default=True, help_text="需在账号中登记邮箱")
    by_sms = models.BooleanField("同时发送短信", default=False, help_text="需登记联系电话")

    class Meta:
        verbose_name = "通知偏好"
        verbose_name_plural = "通知偏好"

    def __str__(self) -> str:
        return f"{self.staff}：{self.get_mode_display()}"


class JobMark(models.Model):
    """One effect of a scheduled job that must happen once: unique (job, key).

    Written in the same transaction as the effect; a second run, or a second machine
    running at the same moment, fails to insert it and skips the effect.
    """

    job = models.CharField("任务", max_length=40)
    key = models.CharField("对象", max_length=120)
    day = models.DateField("日期")
    created_at = models.DateTimeField("执行时间", auto_now_add=True)

    class Meta:
        verbose_name = "定时任务执行记录"
        verbose_name_plural = "定时任务执行记录"
        constraints = [models.UniqueConstraint(fields=["job", "key"], name="job_mark_unique")]

    def __str__(self) -> str:
        return f"{self.job} {self.key}"
