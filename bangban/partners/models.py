"""Partner systems, what is sent to them, and what they report.

A ``Partner`` is one outside system (a department's 审批系统, the provincial 政务服务网, the
national 好差评 system): its key (encrypted at rest with the personal-data cipher,
``clients.pii``), what it may do (``scopes``), which case events it receives
(``events``) and which sites' cases it may report on or hear of (``sites``, each with its
subtree). Partners are few (dozens): lists of them are read whole.
"""

from __future__ import annotations

import secrets

from django.db import models

from bangban.clients import pii
from bangban.network.models import Site


class Scope(models.TextChoices):
    PROGRESS = "progress", "上报部门办理进度"
    EVENTS = "events", "接收办件事件"
    HAOCHAPING = "haochaping", "接收好差评数据"
    CLIENT = "client", "事件中含服务对象（脱敏）"


class CaseTopic(models.TextChoices):
    """The case events a partner may subscribe to, and the state-table event of each."""

    CREATED = "created", "办件创建"
    ACCEPTED = "accepted", "受理"
    SUSPENDED = "suspended", "中止"
    COMPLETED = "completed", "办结"
    DELIVERED = "delivered", "送达"
    EVALUATED = "evaluated", "评价"


# outbound name -> the state table's event (``cases/transitions.py``; "submit" opens a case)
TOPIC_EVENTS = {
    CaseTopic.CREATED: "submit",
    CaseTopic.ACCEPTED: "accept",
    CaseTopic.SUSPENDED: "suspend",
    CaseTopic.COMPLETED: "complete",
    CaseTopic.DELIVERED: "deliver",
    CaseTopic.EVALUATED: "evaluate",
}
EVENT_TOPICS = {event: str(topic) for topic, event in TOPIC_EVENTS.items()}


class PartnerQuerySet(models.QuerySet):
    def with_scope(self, scope: str, *, site: Site | None = None) -> list[Partner]:
        """Active partners holding ``scope`` (and covering ``site``, if given). Read whole:
        JSON containment is not portable to SQLite, and partners are few."""
        partners = self.filter(is_active=True).prefetch_related("sites")
        return [
            p for p in partners if scope in (p.scopes or []) and (site is None or p.covers(site))
        ]


class Partner(models.Model):
    name = models.CharField("名称", max_length=100)
    code = models.SlugField(
        "接入编码",
        max_length=40,
        unique=True,
        help_text="对方在请求头 X-Bangban-Partner 中填写的编码（字母、数字、连字符）",
    )
    is_active = models.BooleanField("启用", default=True)
    scopes = models.JSONField("权限范围", default=list, blank=True)
    events = models.JSONField(
        "订阅的办件事件", default=list, blank=True, help_text="需同时具有“接收办件事件”权限"
    )
    sites = models.ManyToManyField(
        Site,
        verbose_name="对接站点",
        blank=True,
        related_name="+",
        help_text="可上报及接收这些站点（含下级站点）的办件",
    )
    department = models.ForeignKey(
        "network.Department",
        verbose_name="所属审批部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="填写后，只能上报本部门事项的办理进度",
    )
    endpoint_url = models.URLField("接收地址", max_length=300, blank=True)
    secret_cipher = models.TextField("密钥（密文）", blank=True, editable=False)
    secret_rotated_at = models.DateTimeField("密钥生成时间", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = PartnerQuerySet.as_manager()

    class Meta:
        verbose_name = "对接系统"
        verbose_name_plural = "对接系统"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    # --- the key ------------------------------------------------------------------------

    @property
    def secret(self) -> str:
        return pii.reveal(self.secret_cipher)

    def rotate_secret(self) -> str:
        """A new random key, stored encrypted; the plaintext is returned to be shown once."""
        from django.utils import timezone

        plain = secrets.token_urlsafe(32)
        self.secret_cipher = pii.encrypt(plain)
        self.secret_rotated_at = timezone.now()
        return plain

    # --- what it may do -----------------------------------------------------------------

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    def covered_paths(self) -> list[str]:
        """The paths of its sites: each covers its subtree (``network.under_q``)."""
        return [s.path for s in self.sites.all()]

    def covers(self, site) -> bool:
        return any(site.path.startswith(path) for path in self.covered_paths())


class DeliveryState(models.TextChoices):
    QUEUED = "queued", "待投递"
    SENDING = "sending", "投递中"
    DELIVERED = "delivered", "已投递"
    FAILED = "failed", "投递失败（死信）"


class Delivery(models.Model):
    """One outbound webhook (the outbox row), written in the transaction of its cause."""

    uid = models.CharField(
        "投递编号",
        max_length=32,
        unique=True,
        editable=False,
        help_text="请求头 X-Bangban-Delivery",
    )
    partner = models.ForeignKey(
        Partner, verbose_name="对接系统", on_delete=models.PROTECT, related_name="deliveries"
    )
    topic = models.CharField("主题", max_length=60)
    dedupe_key = models.CharField("去重键", max_length=200)
    payload = models.JSONField("内容", default=dict)
    state = models.CharField(
        "状态", max_length=10, choices=DeliveryState.choices, default=DeliveryState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField("投递次数", default=0)
    next_attempt_at = models.DateTimeField("下次投递时间", null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    claimed_at = models.DateTimeField("领取时间", null=True, blank=True)
    last_error = models.TextField("失败原因", blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = "对外投递"
        verbose_name_plural = "对外投递"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "dedupe_key"], name="partner_delivery_dedupe_unique"
            )
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="delivery_due_idx")]

    def __str__(self) -> str:
        return f"{self.topic} → {self.partner.code}（{self.uid}）"


class DeliveryAttempt(models.Model):
    """The receipt log: every POST of a delivery and what the receiver answered."""

    delivery = models.ForeignKey(
        Delivery, verbose_name="投递", on_delete=models.CASCADE, related_name="attempt_log"
    )
    at = models.DateTimeField("时间")
    status_code = models.PositiveSmallIntegerField("HTTP 状态码", null=True, blank=True)
    body_excerpt = models.CharField("响应摘录", max_length=500, blank=True)
    error = models.CharField("错误", max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField("耗时（毫秒）", default=0)

    class Meta:
        verbose_name = "投递回执"
        verbose_name_plural = "投递回执"
        ordering = ["delivery_id", "at", "id"]


class SeenSignature(models.Model):
    """A signature accepted inside the replay window: the same request twice is a replay."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    signature = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "signature"], name="partner_signature_once")
        ]
        indexes = [models.Index(fields=["at"], name="seen_signature_at_idx")]


class ProgressReport(models.Model):
    """A department's progress report, once per report id (a retry moves nothing again)."""

    partner = models.ForeignKey(
        Partner, verbose_name="对接系统", on_delete=models.PROTECT, related_name="reports"
    )
    report_id = models.CharField("报告编号", max_length=64)
    case = models.ForeignKey(
        "cases.Case", verbose_name="办件", on_delete=models.PROTECT, related_name="+"
    )
    event = models.ForeignKey(
        "cases.CaseEvent", verbose_name="办件事件", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField("上报状态", max_length=20)
    received_at = models.DateTimeField("接收时间")

    class Meta:
        verbose_name = "进度上报"
        verbose_name_plural = "进度上报"
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "report_id"], name="partner_report_once")
        ]
