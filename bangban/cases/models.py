"""Cases (办件) and everything recorded on them.

Only ``services.case_transition`` writes ``Case.state``, ``version`` and the events; the
other models here are written inside that same transaction.
"""

from django.db import models

from .workflow import (
    DELIVERY_METHODS,
    FORM_LABELS,
    SERVICE_TYPE_LABELS,
    STATE_LABELS,
    State,
)


def _choices(labels: dict) -> list[tuple[str, str]]:
    return [(str(key), label) for key, label in labels.items()]


class Channel(models.TextChoices):
    WINDOW = "window", "窗口"
    ONLINE = "online", "网上"
    KIOSK = "kiosk", "自助终端"
    MOBILE = "mobile", "掌上"
    PHONE = "phone", "电话"
    HOME_VISIT = "home_visit", "上门服务"
    RELAY = "relay", "上下级移交"


# seed 001 §10.1.2: how the desk helps a client apply (帮办), each the channel the case
# records. 网上、自助、掌上帮办 (§10.1.2.2–4) file the application on the 政务服务网, its
# kiosk or its app, which gives it an application number of its own (Case.external_number).
DESK_CHANNELS: dict[str, str] = {
    Channel.WINDOW: "窗口帮办",
    Channel.PHONE: "电话",
    Channel.ONLINE: "网上帮办（政务服务网）",
    Channel.KIOSK: "自助帮办（自助终端）",
    Channel.MOBILE: "掌上帮办（移动端）",
}
EXTERNAL_CHANNELS = frozenset({Channel.ONLINE, Channel.KIOSK, Channel.MOBILE})
EXTERNAL_NUMBER_MAX = 60


class Case(models.Model):
    number = models.CharField("办件编号", max_length=40, unique=True)
    service_type = models.CharField("服务类型", max_length=8, choices=_choices(SERVICE_TYPE_LABELS))
    state = models.CharField(
        "状态", max_length=24, choices=_choices(STATE_LABELS), default=State.RECEIVED
    )
    channel = models.CharField("来源渠道", max_length=12, choices=Channel.choices)
    external_number = models.CharField(
        "政务服务网申办编号",
        max_length=EXTERNAL_NUMBER_MAX,
        blank=True,
        db_index=True,
        help_text="网上、自助、掌上帮办在政务服务网生成的申请编号",
    )
    title = models.CharField("办理事项", max_length=200)
    client = models.ForeignKey(
        "clients.Client", verbose_name="服务对象", on_delete=models.PROTECT, related_name="cases"
    )
    site = models.ForeignKey(
        "network.Site", verbose_name="承办机构", on_delete=models.PROTECT, related_name="cases"
    )
    agent = models.ForeignKey(
        "staff.StaffMember",
        verbose_name="帮办代办员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    relay_to_site = models.ForeignKey(
        "network.Site",
        verbose_name="待接收机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    bundle_version = models.ForeignKey(
        "catalogue.BundleVersion",
        verbose_name="一件事",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    consultation = models.ForeignKey(
        "consultations.Consultation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    needs = models.TextField("需求分析", blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    promised_days = models.PositiveIntegerField("承诺时限（工作日）", null=True, blank=True)
    due_on = models.DateField("到期日", null=True, blank=True)
    paused_since = models.DateField("计时暂停自", null=True, blank=True)
    resumption_due_on = models.DateField("续办期限", null=True, blank=True)
    supplement_due_on = models.DateField("补正期限", null=True, blank=True)
    completed_on = models.DateField("办结日期", null=True, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    reason_code = models.CharField("中止/终止原因", max_length=24, blank=True)
    reason_text = models.TextField("原因说明", blank=True)
    delivery_method = models.CharField(
        "交付方式", max_length=12, blank=True, choices=_choices(DELIVERY_METHODS)
    )
    delivery = models.JSONField("交付信息", default=dict, blank=True)
    # 一表申请 in force, personal values encrypted (``cases.application_sealing``)
    application = models.JSONField("一表申请", default=dict, blank=True)
    version = models.PositiveIntegerField("版本", default=0)
    event_count = models.PositiveIntegerField(default=0, editable=False)
    last_event_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        indexes = [
            models.Index(fields=["site", "state", "due_on"]),
            models.Index(fields=["agent", "state", "due_on"]),
            models.Index(fields=["state", "due_on"]),
            models.Index(fields=["relay_to_site", "state"]),
            models.Index(fields=["state", "resumption_due_on"]),
            models.Index(fields=["-created_at", "-id"]),
            # the running cases soonest due first (the coordinator's home, near or past due):
            # an ordered scan that stops after a page, not a sort of every running case
            # (675 ms -> 3 ms at 1 M cases, docs/BENCHMARKS.md). The states are the
            # workflow's CLOCK_RUNNING_STATES, spelt out as migration 0008 has them (a test
            # keeps them equal).
            models.Index(
                fields=["due_on", "id"],
                condition=models.Q(state__in=["accepted", "handling"]),
                name="case_running_due_idx",
            ),
            # terminations by reason over a period: the ended-without-completion cases only,
            # with their reason in the index (an index-only count, no sort of the year's cases)
            models.Index(
                fields=["closed_at", "reason_code"],
                include=["state", "site"],  # PostgreSQL: counted from the index alone
                condition=models.Q(completed_on__isnull=True) & ~models.Q(reason_code=""),
                name="case_ended_reason_idx",
            ),
            # what the oversight figures are dated by (the live days after the roll-up)
            models.Index(fields=["completed_on"]),
            models.Index(fields=["closed_at"]),
            models.Index(fields=["accepted_on"]),
            # an agent's open cases soonest due first (the agent's home): an ordered scan
            # of that agent's open cases that stops after a page, not a sort of every open
            # case the agent holds. The states are the workflow's OPEN (a test keeps them equal).
            models.Index(
                fields=["agent", "due_on", "created_at", "id"],
                condition=models.Q(
                    state__in=[
                        "accepted",
                        "assessing",
                        "awaiting_supplement",
                        "handling",
                        "received",
                        "reviewing",
                        "suspended",
                    ]
                ),
                name="case_agent_open_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def state_label(self) -> str:
        return STATE_LABELS[State(self.state)]


class ItemStatus(models.TextChoices):
    PENDING = "pending", "待报件"
    FILED = "filed", "已报件"
    RECEIVED = "received", "部门已收件"
    IN_PROGRESS = "in_progress", "部门办理中"
    NEEDS_MORE = "needs_more", "部门要求补充材料"
    APPROVED = "approved", "已出结果"
    DENIED = "denied", "不予许可"


RESULT_STATUSES = {ItemStatus.APPROVED, ItemStatus.DENIED}
# filed and not yet decided: the department's progress may still be recorded
AT_DEPARTMENT_STATUSES = {
    ItemStatus.FILED,
    ItemStatus.RECEIVED,
    ItemStatus.IN_PROGRESS,
    ItemStatus.NEEDS_MORE,
}


class CaseItem(models.Model):
    """One service item of a case (a bundle has several), with the department's progress."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="items")
    item_version = models.ForeignKey(
        "catalogue.ItemVersion", verbose_name="事项（版本）", on_delete=models.PROTECT
    )
    department = models.ForeignKey(
        "network.Department", verbose_name="审批部门", on_delete=models.PROTECT
    )
    position = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(
        "办理进度", max_length=12, choices=ItemStatus.choices, default=ItemStatus.PENDING
    )
    filed_on = models.DateField("报件日期", null=True, blank=True)
    result = models.CharField("办理结果", max_length=200, blank=True)
    result_on = models.DateField("出件日期", null=True, blank=True)

    class Meta:
        verbose_name = "办件事项"
        verbose_name_plural = "办件事项"
        ordering = ["position"]
        indexes = [models.Index(fields=["department", "status"])]

    def __str__(self) -> str:
        return self.item_version.item.name


class MaterialStatus(models.TextChoices):
    PENDING = "pending", "未预审"
    RECEIVED = "received", "已收取"
    MISSING = "missing", "缺少"
    NEEDS_CORRECTION = "needs_correction", "需补正"
    DEFERRED = "deferred", "容缺后补"
    # a material that applies only in some cases (e.g. the guardian's ID for an adult
    # applicant); a required one marked so needs a note saying why (guards.not_applicable_explained)
    NOT_APPLICABLE = "not_applicable", "不适用"


class CaseMaterial(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    case_item = models.ForeignKey(CaseItem, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(
        "catalogue.Material", null=True, blank=True, on_delete=models.PROTECT
    )
    name = models.CharField("材料名称", max_length=200)
    required = models.BooleanField("必要", default=True)
    accept_with_gaps = models.BooleanField("可容缺", default=False)
    obtain_from = models.CharField("获取途径", max_length=300, blank=True)
    status = models.CharField(
        "预审结果", max_length=20, choices=MaterialStatus.choices, default=MaterialStatus.PENDING
    )
    note = models.CharField("说明", max_length=300, blank=True)
    file = models.FileField("电子文件", upload_to="materials/%Y/%m/", blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "办件材料"
        verbose_name_plural = "办件材料"
        ordering = ["case_item__position", "id"]

    def __str__(self) -> str:
        return self.name


class OneTimeNotice(models.Model):
    """一次性告知单: what was accepted and everything still needed, said once."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    number = models.CharField("编号", max_length=40, unique=True)
    issued_at = models.DateTimeField("出具时间", auto_now_add=True)
    accepted = models.JSONField("符合要求的材料", default=list)
    needed = models.JSONField("需补充或补正的材料", default=list)
    not_applicable = models.JSONField("不适用的材料", default=list, blank=True)
    due_on = models.DateField("补正期限", null=True, blank=True)

    class Meta:
        verbose_name = "一次性告知单"
        verbose_name_plural = "一次性告知单"
        ordering = ["-issued_at", "-id"]


class ConfirmationMethod(models.TextChoices):
    SIGNATURE = "signature", "手写签名"
    SMS_CODE = "sms_code", "短信验证码"
    PAPER = "paper", "纸质签字"


class Confirmation(models.Model):
    """The client's signature or confirmation of a form, which workflow guards read."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="confirmations")
    form = models.CharField("文书", max_length=30, choices=_choices(FORM_LABELS))
    method = models.CharField("确认方式", max_length=12, choices=ConfirmationMethod.choices)
    signer = models.CharField("签字人", max_length=50)
    at = models.DateTimeField("确认时间", auto_now_add=True)
    used = models.BooleanField(default=False, help_text="已被一次中止/续办等操作使用")
    # How it was given (bangban.documents.confirmations): a handwritten signature drawn on a
    # screen, stored as PNG (its SHA-256 is also in the confirm event's hash-chained
    # details), or a one-time code sent to the client's mobile.
    signature = models.FileField("签名图像", upload_to="signatures/%Y/%m/", blank=True)
    signature_sha256 = models.CharField("签名图像 SHA-256", max_length=64, blank=True)
    sms_phone = models.CharField("验证码发送至", max_length=20, blank=True)
    sms_sent_at = models.DateTimeField("验证码发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "签字确认"
        verbose_name_plural = "签字确认"
        indexes = [models.Index(fields=["case", "form"])]


class PauseKind(models.TextChoices):
    SUPPLEMENT = "supplement", "待补正"
    SUSPENSION = "suspension", "中止"


class CasePause(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField(max_length=12, choices=PauseKind.choices)
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["start", "id"]


class RelayStatus(models.TextChoices):
    PENDING = "pending", "待接收"
    ACCEPTED = "accepted", "已接收"
    RETURNED = "returned", "已退回"


class CaseSite(models.Model):
    """A site on the case's path: the owning site and every site it was relayed to or from.

    Staff of these sites may see the case (``access.visible_cases``). Kept as rows, not
    derived with ORs, so that "my site's cases, newest first" is one ordered index range
    scan on (site, case): the list costs the same at 10 thousand cases as at 10 million.
    Written only by the write path: added on opening and relay, removed when a relay is
    returned to a site that never held the case.
    """

    site = models.ForeignKey("network.Site", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="path_sites")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "case"], name="case_site_unique")]


class CaseRelay(models.Model):
    """One hop of a case between sites (互动接力); the case stays one case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="relays")
    from_site = models.ForeignKey(
        "network.Site", on_delete=models.PROTECT, related_name="relays_out"
    )
    to_site = models.ForeignKey("network.Site", on_delete=models.PROTECT, related_name="relays_in")
    note = models.TextField("移交说明")
    status = models.CharField(
        max_length=10, choices=RelayStatus.choices, default=RelayStatus.PENDING
    )
    sent_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(blank=True)

    class Meta:
        ordering = ["sent_at", "id"]
        indexes = [
            models.Index(fields=["from_site", "case"]),
            models.Index(fields=["to_site", "case"]),
        ]


class Expedite(models.Model):
    """促办: a request to a department's liaison about one item, and the answer."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="expedites")
    case_item = models.ForeignKey(CaseItem, on_delete=models.CASCADE, related_name="expedites")
    department = models.ForeignKey(
        "network.Department", on_delete=models.PROTECT, related_name="expedites"
    )
    message = models.TextField("促办内容")
    sent_by = models.ForeignKey("staff.StaffMember", on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)
    reply = models.TextField("答复", blank=True)
    replied_by = models.ForeignKey(
        "staff.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "促办"
        verbose_name_plural = "促办"
        indexes = [models.Index(fields=["department", "replied_at"])]


class DocumentCounter(models.Model):
    """Per site, year and prefix, the last number issued (e.g. WJ-2026-000123)."""

    site = models.ForeignKey("network.Site", on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField()
    prefix = models.CharField(max_length=8)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site", "year", "prefix"], name="document_counter_unique"
            )
        ]


class ActorKind(models.TextChoices):
    STAFF = "staff", "工作人员"
    CLIENT = "client", "服务对象"
    SYSTEM = "system", "系统"
    PARTNER = "partner", "对接系统"


class CaseEvent(models.Model):
    """Append-only timeline entry, chained by hashes (see ``hashchain.py``)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    event = models.CharField("操作", max_length=32)
    from_state = models.CharField(max_length=24, blank=True)
    to_state = models.CharField(max_length=24, blank=True)
    actor_kind = models.CharField(max_length=8, choices=ActorKind.choices)
    actor_staff = models.ForeignKey(
        "staff.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField("操作人", max_length=50)
    site = models.ForeignKey(
        "network.Site", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("时间")
    reason = models.TextField("说明", blank=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # How ``hash`` was made: "sm3:<key id>" (HMAC-SM3), "sha256:<key id>" (HMAC-SHA256),
    # or "" for events written before seals existed (legacy time form; hashchain.py).
    seal = models.CharField("封存方式", max_length=24, blank=True, default="")

    class Meta:
        verbose_name = "办件事件"
        verbose_name_plural = "办件事件"
        ordering = ["case_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["case", "seq"], name="case_event_seq_unique")
        ]
        indexes = [
            models.Index(fields=["actor_staff", "at"]),
            models.Index(fields=["site", "at"]),
            # the oversight page's suspensions by reason over a year: a range of this small
            # index, not a scan of every event (190 ms at 1 M events, and growing with them)
            models.Index(
                fields=["at"], condition=models.Q(event="suspend"), name="event_suspend_at_idx"
            ),
        ]

    def chain_content(self, case_number: str) -> dict:
        """What the hash covers (``hashchain.event_hash`` renders the time)."""
        return {
            "case": case_number,
            "seq": self.seq,
            "event": self.event,
            "from": self.from_state,
            "to": self.to_state,
            "actor_kind": self.actor_kind,
            "actor": self.actor_staff_id,
            "actor_name": self.actor_name,
            "site": self.site_id,
            "at": self.at,  # a datetime: hashchain writes it in the seal's time form
            "reason": self.reason,
            "details": self.details,
        }


class AuditCheckpoint(models.Model):
    """检查点: every case's head (event count and last hash) at one moment.

    Made by ``bangban audit checkpoint`` and the daily job (``tasks.py``); ``audit verify``
    compares the database with the newest one, or with an exported file: a case that has
    gone, or has fewer events than the checkpoint counted, or another hash at that count,
    is named. The heads are stored in compressed parts of ``PART_SIZE`` cases
    (``AuditCheckpointPart``), so neither making nor reading one holds every case in
    memory. ``heads_digest`` is the SM3 (or SHA-256) of the head lines; ``mac`` is the
    HMAC of the header under the audit key, ``signature`` its SM2 signature when a signing
    key is configured. ``prev_mac`` links each checkpoint to the one before. A checkpoint
    is complete once ``mac`` is set; an interrupted one is ignored.
    """

    created_at = models.DateTimeField("生成时间", db_index=True)
    scheme = models.CharField("摘要算法", max_length=8)
    case_count = models.PositiveIntegerField("办件数", default=0)
    event_count = models.PositiveBigIntegerField("事件数", default=0)
    heads_digest = models.CharField(max_length=64, blank=True)
    prev_mac = models.CharField(max_length=64, blank=True)
    seal = models.CharField(max_length=24, blank=True)
    mac = models.CharField(max_length=64, blank=True)
    signature = models.CharField("SM2 签名", max_length=128, blank=True)
    public_key = models.CharField("SM2 公钥", max_length=130, blank=True)

    class Meta:
        verbose_name = "审计检查点"
        verbose_name_plural = "审计检查点"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"检查点 #{self.pk}"


class AuditCheckpointPart(models.Model):
    """One compressed run of a checkpoint's head lines (zlib of JSON lines)."""

    checkpoint = models.ForeignKey(AuditCheckpoint, on_delete=models.CASCADE, related_name="parts")
    index = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["checkpoint", "index"], name="audit_checkpoint_part_unique"
            )
        ]


class ChainReseal(models.Model):
    """A case's chain re-sealed by ``bangban audit rechain`` (new time form, suite or key).

    Written in the same transaction as the new hashes: the per-case record of the run.
    Checkpoints made before it hold the old hashes, so they are compared with this case
    by event count only. No foreign key: the record outlives the case as evidence.
    """

    case_pk = models.BigIntegerField(db_index=True)
    case_number = models.CharField(max_length=40)
    resealed_at = models.DateTimeField(db_index=True)
    event_count = models.PositiveIntegerField()
    from_seals = models.CharField(max_length=200)
    to_seal = models.CharField(max_length=24)
    old_head = models.CharField(max_length=64)
    new_head = models.CharField(max_length=64)

    class Meta:
        verbose_name = "哈希链重新封存"
        verbose_name_plural = "哈希链重新封存"


# --- what the client sends online: the result's delivery wish, the uploaded files -----------
# Written by ``delivery.delivery_choose`` and ``uploads.material_upload``. They were the
# portal's until issue 13 and keep its tables (``db_table``), so no row moved.


class DeliveryChoice(models.Model):
    """How the client wants to receive the result (当面领取、邮寄、电子证照), chosen online.

    The agent records the actual delivery with the ``deliver`` event; this is the wish. The
    postal address is personal data: encrypted, with a mask for screens (``clients.pii``).
    """

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="delivery_choice")
    method = models.CharField("领取方式", max_length=12, choices=_choices(DELIVERY_METHODS))
    address_cipher = models.TextField(blank=True, editable=False)
    address_masked = models.CharField("邮寄地址", max_length=200, blank=True, editable=False)
    chosen_at = models.DateTimeField("选择时间", auto_now=True)

    class Meta:
        db_table = "portal_deliverychoice"
        verbose_name = "结果领取方式"
        verbose_name_plural = "结果领取方式"


class MaterialUpload(models.Model):
    """Every file a client uploaded for a material: what, how big, its digest, when."""

    material = models.ForeignKey(CaseMaterial, on_delete=models.CASCADE, related_name="uploads")
    stored_name = models.CharField("存储文件名", max_length=200)
    kind = models.CharField("文件类型", max_length=10)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        db_table = "portal_materialupload"
        verbose_name = "材料上传记录"
        verbose_name_plural = "材料上传记录"
        ordering = ["-uploaded_at", "-id"]


class ChangeCounter(models.Model):
    """How often what staff see through one site changed: the version of cached lists.

    One row per site (``site:<id>``), bumped by the write path in the same transaction as
    the change (``cases.changes``): every case change bumps each site on the case's path
    and the site it waits at. One row ``names`` is bumped when a site, a staff member, a
    department or an item is saved (their names are shown in the lists). Counts only
    grow, so the sum of a set of rows changes whenever any of them does.
    """

    name = models.CharField(max_length=40, primary_key=True)
    site = models.OneToOneField(
        "network.Site", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    count = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "变更计数"
        verbose_name_plural = "变更计数"


from .behalf import ApplicationOnBehalf  # noqa: E402, F401  (a family member's application)
from .surge import Surge, SurgeAssignment  # noqa: E402, F401  (surge mode, issue 19)
