"""The oversight tables: the records, then what the figures keep to count them quickly.

The records (evaluations, rectifications, complaints, return visits, inspections) are
written by ``records/services.py`` (an evaluation only through the case workflow's
``evaluate`` event, so it sits on the case's hash-chained timeline). Each carries the site
and the date fields the metrics group and filter on, indexed, so the dashboard aggregates
in the database (see ``figures/metrics.py``). From ``WorkdayOrdinal`` on, the tables are
the figures' own: written by the figures job (``figures/jobs.py``), only read by a page.
One module for both halves, as Django wants one per app; it imports neither.

Sources: seed 000 §5 (targets), §11 (supervision and evaluation); seed 001 §11–§12;
seed 003 第十四条–第十六条 and annex 4; GB/T 39734 (the five levels and the indicator
items of 好差评); GB/T 36113 (the stages of complaint handling).
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from bangban.cases.ratings import DEFAULT as DEFAULT_SCALE
from bangban.cases.ratings import SCALE_CHOICES


class Level(models.IntegerChoices):
    """The five levels of GB/T 39734, 5 best: the model's choices for
    ``cases.ratings.FIVE_LEVELS`` (a test keeps the two equal)."""

    VERY_SATISFIED = 5, "非常满意"
    SATISFIED = 4, "满意"
    BASICALLY_SATISFIED = 3, "基本满意"
    DISSATISFIED = 2, "不满意"
    VERY_DISSATISFIED = 1, "非常不满意"


GOOD_LEVELS = (5, 4, 3)  # counted as satisfied (好评)
BAD_LEVELS = (2, 1)  # a bad review (差评): opens a rectification


class EvaluationChannel(models.TextChoices):
    PORTAL = "portal", "网上（门户）"
    SMS = "sms", "短信评价链接"
    WINDOW_DEVICE = "window_device", "窗口评价器"
    PAPER_FORM = "paper_form", "纸质评价表"
    RETURN_VISIT = "return_visit", "回访评价"


class ServiceMode(models.TextChoices):
    """Which national indicator set applies: the service was given on site or online."""

    ONSITE = "onsite", "现场服务"
    ONLINE = "online", "网上服务"


# GB/T 39734 indicator items; "overall" always equals the evaluation's level.
INDICATORS = {
    ServiceMode.ONSITE: {
        "overall": "总体满意度",
        "efficiency": "办事效率",
        "standard": "服务规范",
        "attitude": "服务态度",
    },
    ServiceMode.ONLINE: {
        "overall": "总体满意度",
        "efficiency": "办事效率",
        "guide_accuracy": "办事指南准确性",
        "convenience": "办事便利度",
        "ease_of_use": "平台易用性",
    },
}
INDICATOR_LABELS = {code: label for items in INDICATORS.values() for code, label in items.items()}


class Evaluation(models.Model):
    """好差评: one client's rating of one case and service (一事一评)."""

    case = models.ForeignKey(
        "cases.Case", verbose_name="办件", on_delete=models.PROTECT, related_name="evaluations"
    )
    service_type = models.CharField(
        "服务类型", max_length=8, choices=[("assist", "帮办"), ("proxy", "代办")]
    )
    site = models.ForeignKey(
        "network.Site", verbose_name="承办机构", on_delete=models.PROTECT, related_name="+"
    )
    agent = models.ForeignKey(
        "staff.StaffMember",
        verbose_name="被评价的帮办代办员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    level = models.PositiveSmallIntegerField(
        "评价等级", choices=Level.choices, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    mode = models.CharField("服务方式", max_length=8, choices=ServiceMode.choices)
    indicators = models.JSONField("指标评价", default=dict, blank=True)
    comment = models.TextField("评价意见", blank=True)
    channel = models.CharField("评价渠道", max_length=16, choices=EvaluationChannel.choices)
    real_name = models.BooleanField("实名评价", default=True)
    recorded_by = models.ForeignKey(
        "staff.StaffMember",
        verbose_name="回访录入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    event_seq = models.PositiveIntegerField("办件事件序号", null=True, blank=True)
    created_at = models.DateTimeField("评价时间")
    excluded = models.BooleanField(
        "申诉成立（不计入满意率）", default=False, help_text="经申诉复核认定为误评或恶意差评"
    )
    excluded_reason = models.TextField("申诉复核意见", blank=True)

    class Meta:
        verbose_name = "服务评价"
        verbose_name_plural = "服务评价"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "service_type"], name="oversight_one_evaluation_per_case_service"
            )
        ]
        indexes = [
            models.Index(fields=["site", "created_at"]),
            models.Index(fields=["agent", "created_at"]),
            models.Index(fields=["created_at", "level"]),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_level_display()}"

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS

    def indicator_rows(self) -> list[tuple[str, str]]:
        labels = dict(Level.choices)
        return [
            (INDICATOR_LABELS.get(code, code), labels.get(value, value))
            for code, value in self.indicators.items()
        ]


class RectificationStatus(models.TextChoices):
    VERIFYING = "verifying", "待回访核实"
    DECIDING = "deciding", "待确定处理方式"
    RECTIFYING = "rectifying", "限期整改中"
    APPEALING = "appealing", "申诉复核中"
    AWAITING_RATING = "awaiting_rating", "待服务对象评价整改"
    CLOSED = "closed", "已办结"


OPEN_RECTIFICATION = (
    RectificationStatus.VERIFYING,
    RectificationStatus.DECIDING,
    RectificationStatus.RECTIFYING,
    RectificationStatus.APPEALING,
)


class RectificationOutcome(models.TextChoices):
    IMMEDIATE = "immediate", "立行立改"
    DEADLINE = "deadline", "限期整改"
    EXPLAIN = "explain", "解释说明"
    APPEAL = "appeal", "申诉复核"


class AppealDecision(models.TextChoices):
    UPHELD = "upheld", "申诉成立（误评或恶意差评）"
    REJECTED = "rejected", "申诉不成立"


class Rectification(models.Model):
    """差评整改: a bad review's loop, owned by whoever handled the case.

    verifying (return visit) → deciding → immediate / deadline (ledger) / explain / appeal →
    the client rates the fix → closed. ``due_on`` is what is due next: the verifying return
    visit, then the rectification deadline; ``flagged_at`` is set by the overdue job.
    """

    evaluation = models.OneToOneField(
        Evaluation, verbose_name="差评", on_delete=models.PROTECT, related_name="rectification"
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name="办件", on_delete=models.PROTECT, related_name="+"
    )
    site = models.ForeignKey(
        "network.Site", verbose_name="责任机构", on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        "staff.StaffMember",
        verbose_name="整改责任人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectifications",
    )
    status = models.CharField(
        "状态",
        max_length=16,
        choices=RectificationStatus.choices,
        default=RectificationStatus.VERIFYING,
    )
    opened_at = models.DateTimeField("发起时间")
    due_on = models.DateField("当前期限", null=True, blank=True)
    verified_at = models.DateTimeField("核实时间", null=True, blank=True)
    verification = models.TextField("核实情况", blank=True)
    outcome = models.CharField(
        "处理方式", max_length=10, choices=RectificationOutcome.choices, blank=True
    )
    decided_at = models.DateTimeField("确定时间", null=True, blank=True)
    measures = models.TextField("整改措施 / 解释说明", blank=True)
    deadline_on = models.DateField("整改期限", null=True, blank=True)
    rectified_at = models.DateTimeField("整改完成时间", null=True, blank=True)
    rectification_result = models.TextField("整改结果", blank=True)
    appeal_reason = models.TextField("申诉理由", blank=True)
    appeal_decision = models.CharField(
        "复核结论", max_length=10, choices=AppealDecision.choices, blank=True
    )
    appeal_decided_by = models.ForeignKey(
        "staff.StaffMember",
        verbose_name="复核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    appeal_decided_at = models.DateTimeField("复核时间", null=True, blank=True)
    client_level = models.PositiveSmallIntegerField(
        "服务对象对整改的评价", choices=Level.choices, null=True, blank=True
    )
    client_comment = models.TextField("服务对象意见", blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    flagged_at = models.DateTimeField("逾期标记时间", null=True, blank=True)

    class Meta:
        verbose_name = "差评整改"
        verbose_name_plural = "差评整改（整改台账）"
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["site", "opened_at"]),
            models.Index(fields=["owner", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} 差评整改（{self.get_status_display()}）"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_RECTIFICATION


class ComplaintChannel(models.TextChoices):
    ONSITE = "onsite", "现场反映"
    PHONE = "phone", "电话反映"
    WRITTEN = "written", "书面反映"
    ONLINE = "online", "网上投诉"


class ComplaintStage(models.TextChoices):
    """GB/T 36113: 受理 → 调查 → 处理 → 答复 → 归档."""

    ACCEPTED = "accepted", "已受理"
    INVESTIGATING = "investigating", "调查核实中"
    HANDLING = "handling", "处理中"
    REPLIED = "replied", "已答复"
    ARCHIVED = "archived", "已归档"


class ComplaintKind(models.TextChoices):
    SIMPLE = "simple", "简单投诉"
    COMPLEX = "complex", "复杂投诉"


class Complaint(models.Model):
    number = models.CharField("投诉编号", max_length=40, unique=True)
    channel = models.CharField("投诉渠道", max_length=8, choices=ComplaintChannel.choices)
    complainant_name = models.CharField("投诉人", max_length=100)
    contact_cipher = models.TextField(blank=True, editable=False)
    contact_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    contact_masked = models.CharField("联系方式", max_length=20, blank=True)
    content = models.TextField("投诉内容")
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="相关办件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    site = models.ForeignKey(
        "network.Site", verbose_name="被投诉机构", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(
        "投诉类别", max_length=8, choices=ComplaintKind.choices, default=ComplaintKind.SIMPLE
    )
    stage = models.CharField(
        "办理阶段", max_length=14, choices=ComplaintStage.choices, default=ComplaintStage.ACCEPTED
    )
    assigned_to = models.ForeignKey(
        "staff.StaffMember",
        verbose_name="承办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    received_at = models.DateTimeField("受理时间")
    contact_due_on = models.DateField("联系投诉人期限")
    contacted_at = models.DateTimeField("首次联系时间", null=True, blank=True)
    due_on = models.DateField("办结期限")
    investigation = models.TextField("调查核实情况", blank=True)
    handling = models.TextField("处理意见", blank=True)
    reply = models.TextField("答复内容（投诉人可见）", blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)
    substantiated = models.BooleanField("投诉属实", null=True, blank=True)

    class Meta:
        verbose_name = "投诉"
        verbose_name_plural = "投诉"
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["site", "received_at"]),
            models.Index(fields=["stage", "due_on"]),
            models.Index(fields=["assigned_to", "stage"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.complainant_name}"

    @property
    def is_open(self) -> bool:
        return self.stage not in (ComplaintStage.REPLIED, ComplaintStage.ARCHIVED)


class ComplaintStep(models.Model):
    """One step of a complaint's handling (the history is data, not a log file)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField("环节", max_length=20)
    stage = models.CharField("办理阶段", max_length=14, choices=ComplaintStage.choices)
    actor = models.ForeignKey(
        "staff.StaffMember",
        verbose_name="经办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField("经办人", max_length=50)
    note = models.TextField("说明", blank=True)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "投诉办理记录"
        verbose_name_plural = "投诉办理记录"
        ordering = ["at", "id"]


class ReturnVisitKind(models.TextChoices):
    RANDOM = "random", "随机回访"
    REQUIRED = "required", "差评必访"
    COMPLAINT = "complaint", "投诉回访"


class ReturnVisitMethod(models.TextChoices):
    PHONE = "phone", "电话回访"
    ONSITE = "onsite", "上门回访"
    SMS = "sms", "短信回访"


class ReturnVisitOutcome(models.TextChoices):
    CONFIRMED = "confirmed", "情况属实"
    NOT_CONFIRMED = "not_confirmed", "情况不属实"
    SATISFIED = "satisfied", "服务对象表示满意"
    ISSUES = "issues", "服务对象反映问题"
    UNREACHABLE = "unreachable", "未能联系上"


class ReturnVisit(models.Model):
    """回访 (seed 003 第十五条): random or required, by a coordinator, with its outcome."""

    case = models.ForeignKey(
        "cases.Case", verbose_name="办件", on_delete=models.PROTECT, related_name="return_visits"
    )
    site = models.ForeignKey(
        "network.Site", verbose_name="承办机构", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("回访类型", max_length=10, choices=ReturnVisitKind.choices)
    rectification = models.ForeignKey(
        Rectification,
        verbose_name="差评整改",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="return_visits",
    )
    complaint = models.ForeignKey(
        Complaint,
        verbose_name="投诉",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="return_visits",
    )
    planned_by = models.ForeignKey(
        "staff.StaffMember",
        verbose_name="安排人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("安排时间")
    due_on = models.DateField("回访期限")
    visitor = models.ForeignKey(
        "staff.StaffMember",
        verbose_name="回访人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="return_visits",
    )
    visited_at = models.DateTimeField("回访时间", null=True, blank=True)
    method = models.CharField(
        "回访方式", max_length=8, choices=ReturnVisitMethod.choices, blank=True
    )
    outcome = models.CharField(
        "回访结果", max_length=14, choices=ReturnVisitOutcome.choices, blank=True
    )
    notes = models.TextField("回访记录", blank=True)

    class Meta:
        verbose_name = "回访"
        verbose_name_plural = "回访"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["site", "created_at"]),
            models.Index(fields=["visited_at", "due_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_kind_display()}"

    @property
    def done(self) -> bool:
        return self.visited_at is not None


# Inspection items: seed 000 §11.1 and seed 001 §11.
INSPECTION_ITEMS = {
    "entrustment": "帮办代办委托书执行落实情况（000 §11.1）",
    "overtime": "超时限办理情况（000 §11.1）",
    "misconduct": "不作为、乱作为、吃拿卡要等违规情况（000 §11.1）",
    "department": "审批部门配合情况（000 §11.1）",
    "archives": "帮办代办档案规范性、完整性情况（000 §11.1）",
    "area": "区域设置情况（001 §11 a）",
    "team": "队伍建设情况（001 §11 b）",
    "conduct": "规范服务情况（001 §11 c）",
    "rules": "制度执行情况（001 §11 d）",
    "ledgers": "工作台账记录情况（001 §11 e）",
    "complaints": "举报投诉处理情况（001 §11 f）",
}


class Inspection(models.Model):
    """监督检查 of one site by a supervisor."""

    site = models.ForeignKey(
        "network.Site", verbose_name="被检查机构", on_delete=models.PROTECT, related_name="+"
    )
    inspector = models.ForeignKey(
        "staff.StaffMember", verbose_name="检查人", on_delete=models.PROTECT, related_name="+"
    )
    inspected_on = models.DateField("检查日期")
    summary = models.TextField("检查总体情况", blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "监督检查"
        verbose_name_plural = "监督检查"
        ordering = ["-inspected_on", "-id"]
        indexes = [models.Index(fields=["site", "inspected_on"])]

    def __str__(self) -> str:
        return f"{self.site.name} {self.inspected_on:%Y-%m-%d}"


class InspectionFinding(models.Model):
    inspection = models.ForeignKey(
        Inspection, verbose_name="检查", on_delete=models.CASCADE, related_name="findings"
    )
    item = models.CharField("检查项目", max_length=16, choices=list(INSPECTION_ITEMS.items()))
    compliant = models.BooleanField("符合要求", default=True)
    finding = models.TextField("发现的问题", blank=True)
    deadline_on = models.DateField("整改期限", null=True, blank=True)
    rectified_on = models.DateField("整改完成日期", null=True, blank=True)
    rectification_result = models.TextField("整改情况", blank=True)
    flagged_at = models.DateTimeField("逾期标记时间", null=True, blank=True)

    class Meta:
        verbose_name = "检查发现"
        verbose_name_plural = "检查发现"
        ordering = ["inspection", "id"]
        indexes = [models.Index(fields=["rectified_on", "deadline_on"])]

    def __str__(self) -> str:
        return self.get_item_display()


class CentrePolicy(models.Model):
    """A county centre's own limits and targets (defaults from the standards)."""

    centre = models.OneToOneField(
        "network.Site",
        verbose_name="政务服务中心",
        on_delete=models.CASCADE,
        related_name="oversight_policy",
        limit_choices_to={"level": "county"},
    )
    verify_workdays = models.PositiveSmallIntegerField("差评回访核实时限（工作日）", default=1)
    rectification_workdays = models.PositiveSmallIntegerField(
        "限期整改默认时限（工作日）", default=5
    )
    rating_scale = models.CharField(
        "评价等级",
        max_length=16,
        choices=SCALE_CHOICES,
        default=DEFAULT_SCALE.key,
        help_text="短信、门户、纸质评价表和接口提供的等级；四级按 很满意→非常满意、较满意→满意、"
        "一般→基本满意、不满意→不满意 计入五级",
    )
    complaint_contact_workdays = models.PositiveSmallIntegerField(
        "投诉联系投诉人时限（工作日）", default=1
    )
    complaint_simple_workdays = models.PositiveSmallIntegerField(
        "简单投诉办结时限（工作日）", default=5
    )
    complaint_complex_workdays = models.PositiveSmallIntegerField(
        "复杂投诉办结时限（工作日）", default=15
    )
    target_on_time = models.DecimalField(
        "按时办结率目标（%）", max_digits=5, decimal_places=2, default=100
    )
    target_disclosure = models.DecimalField(
        "信息公开透明度目标（%）", max_digits=5, decimal_places=2, default=100
    )
    target_timely = models.DecimalField(
        "咨询投诉及时处理率目标（%）", max_digits=5, decimal_places=2, default=100
    )
    target_satisfaction = models.DecimalField(
        "满意率目标（%）", max_digits=5, decimal_places=2, default=95
    )
    target_return_visit = models.DecimalField(
        "实名差评回访率目标（%）", max_digits=5, decimal_places=2, default=100
    )
    target_records = models.DecimalField(
        "记录完整率目标（%）", max_digits=5, decimal_places=2, default=100
    )

    class Meta:
        verbose_name = "监督评价参数"
        verbose_name_plural = "监督评价参数"

    def __str__(self) -> str:
        return f"{self.centre.name} 监督评价参数"


class WorkdayOrdinal(models.Model):
    """Working days numbered in order, so working-day spans are computed in the database.

    ``ordinal`` counts the working days from the start of the table up to and including
    ``day``; a day off has the ordinal of the working day before it. The working days in
    (a, b] are then ``ordinal(b) − ordinal(a)``, the same count as
    ``WorkCalendar.workdays_between``. Rebuilt from the calendar in force whenever the
    administrators' holiday entries change (``figures.ordinals.ensure_ordinals``, which the
    figures job runs).
    """

    day = models.DateField(primary_key=True)
    ordinal = models.IntegerField()
    starts_at = models.DateTimeField(db_index=True)  # local midnight starting ``day``
    ends_at = models.DateTimeField()  # local midnight ending it

    class Meta:
        verbose_name = "工作日序号"
        verbose_name_plural = "工作日序号"


class CaseFact(models.Model):
    """Per-case values the metrics need that would otherwise cost a subquery per case.

    Computed from the case's events, signed forms and the working-day table by the figures
    job (``figures/jobs.py``, for the cases of the changes it claims); ``event_count``
    tells whether a fact is current. Joined to the case one to one, so the dashboard reads
    them in the same scan as the case's own columns.
    """

    case = models.OneToOneField(
        "cases.Case", primary_key=True, on_delete=models.CASCADE, related_name="oversight_fact"
    )
    event_count = models.PositiveIntegerField()
    created_ord = models.IntegerField(null=True)  # working-day ordinal of the application day
    response_ord = models.IntegerField(null=True)  # … of the first staff response (None: none yet)
    records_ok = models.BooleanField(default=False)  # every record 000 §5 e asks of it (facts.py)
    net_days = models.IntegerField(null=True)  # working days used, pauses excluded (completed)
    # Credit along the path (``CaseEvent.site``, the owner at the time): the site that received
    # the application (申请件数, 响应率) and the one that accepted it (受理件数), which stay with
    # them after a relay; the due date as last counted (a moved one re-counts its old day).
    received_site = models.ForeignKey(
        "network.Site", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_site = models.ForeignKey(
        "network.Site", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField(null=True)

    class Meta:
        verbose_name = "办件统计要素"
        verbose_name_plural = "办件统计要素"


class FactState(models.Model):
    """The calendar ``CaseFact`` was computed with (a new one: every fact is recomputed).

    Its one row is also the figures' claim: whoever writes the facts or the daily roll-up
    holds it locked (``figures/claim.py``).
    """

    fingerprint = models.CharField(max_length=200, blank=True)


class UncountedChange(models.Model):
    """A change the figures have not counted yet: a case event (``event``), or a change to
    a record that makes an evaluation count differently without one (``event`` empty: an
    upheld appeal, a return visit made).

    The figures' inbox, kept as the notifications' outbox is: written in the transaction
    of the change (``figures/subscribers.py``), so it commits or rolls back with it. The
    figures job, holding the figures' claim (``figures/claim.py``: ``FactState`` locked
    with ``SELECT … FOR UPDATE SKIP LOCKED``), recounts the rows' cases and deletes the
    rows in the same transaction (``figures/jobs.py``).
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(
        "cases.CaseEvent", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = "待计入统计的变动"
        verbose_name_plural = "待计入统计的变动"


class WorkdayOrdinalState(models.Model):
    """Which years ``WorkdayOrdinal`` covers and the calendar fingerprint it was built from."""

    first_year = models.PositiveSmallIntegerField()
    last_year = models.PositiveSmallIntegerField()
    fingerprint = models.CharField(max_length=200)


class DailyFigure(models.Model):
    """One day's counts for one site and agent: what the case and evaluation figures need.

    Built by ``figures.rollup.refresh_rollup`` for days before ``RollupState.through`` so a
    year's dashboard sums a few thousand of these instead of counting every case. Each figure's
    population and met count are dated by the figure's own date (as in ``metrics``), the
    volumes by theirs; ``handling_n``/``handling_sum``: completed cases with a known net
    handling time and the sum of their working days. Evaluations count at their case's site
    and agent, as everywhere else in the metrics. ``overdue_open``: the cases due that day
    and still running, if that day is before the day the row was counted as of (summed over
    every day, the cases overdue now; ``rollup.overdue_now``).
    """

    day = models.DateField()
    site = models.ForeignKey("network.Site", on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(
        "staff.StaffMember", null=True, on_delete=models.CASCADE, related_name="+"
    )
    on_time_total = models.PositiveIntegerField(default=0)
    on_time_met = models.PositiveIntegerField(default=0)
    response_total = models.PositiveIntegerField(default=0)
    response_met = models.PositiveIntegerField(default=0)
    resolution_total = models.PositiveIntegerField(default=0)
    resolution_met = models.PositiveIntegerField(default=0)
    records_total = models.PositiveIntegerField(default=0)
    records_met = models.PositiveIntegerField(default=0)
    satisfaction_total = models.PositiveIntegerField(default=0)
    satisfaction_met = models.PositiveIntegerField(default=0)
    return_visits_total = models.PositiveIntegerField(default=0)
    return_visits_met = models.PositiveIntegerField(default=0)
    vol_submitted = models.PositiveIntegerField(default=0)
    vol_accepted = models.PositiveIntegerField(default=0)
    vol_completed = models.PositiveIntegerField(default=0)
    vol_terminated = models.PositiveIntegerField(default=0)
    vol_refused = models.PositiveIntegerField(default=0)
    handling_n = models.PositiveIntegerField(default=0)
    handling_sum = models.IntegerField(default=0)
    overdue_open = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "每日统计汇总"
        verbose_name_plural = "每日统计汇总"
        indexes = [
            models.Index(fields=["day", "site"]),
            # the cases overdue now: every day's rows, but only the few that hold one
            models.Index(
                fields=["site", "day"],
                condition=models.Q(overdue_open__gt=0),
                name="dailyfigure_overdue_idx",
            ),
        ]


class DailyReasonCount(models.Model):
    """One day's suspensions or terminations for one site, agent and reason.

    Built with ``DailyFigure`` (same days, same job) so the dashboard's reasons panels sum
    these rows. A suspension is dated by its event's local day and counts at the site that
    suspended (``site``: the event's) while its case is at ``case_site`` (a scope counts it
    when both are in it, as counted from the events); a termination is dated by the case's
    closing day and counts at the case's current site (both fields), as ``vol_terminated``
    does. Both: the case's current agent.
    """

    class Kind(models.TextChoices):
        SUSPENSION = "suspension", "中止"
        TERMINATION = "termination", "终止"

    day = models.DateField()
    site = models.ForeignKey("network.Site", on_delete=models.CASCADE, related_name="+")
    case_site = models.ForeignKey("network.Site", on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(
        "staff.StaffMember", null=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reason = models.CharField(max_length=60, blank=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "每日中止终止原因汇总"
        verbose_name_plural = "每日中止终止原因汇总"
        indexes = [models.Index(fields=["day", "site"])]


class DailyPathStep(models.Model):
    """Credit along the path (``path.py``) rolled up: one day's (case, step) pairs that one
    site did first on that day, by the event's actor.

    A (case, step) counts at a site on the day that site *first* did that step for that
    case (the case's lowest-``seq`` such event there), so the days add up: each pair falls
    on one day per site. ``region_depth``: the depth (``Site.path`` components) of the
    highest site for whose region (it and every site below) this was also the first time
    the case had the step done; null when a site below did it earlier. A region ``X``'s
    total (each case once) is then the rows at or below ``X`` with ``region_depth`` at most
    ``X``'s depth. Events are append-only, so a row never changes once its day is counted.
    """

    day = models.DateField()
    site = models.ForeignKey("network.Site", on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(
        "staff.StaffMember", null=True, on_delete=models.CASCADE, related_name="+"
    )
    step = models.CharField(max_length=20)
    region_depth = models.PositiveSmallIntegerField(null=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "每日各环节办件汇总"
        verbose_name_plural = "每日各环节办件汇总"
        indexes = [models.Index(fields=["day", "site"])]


class DailyEvaluationLevel(models.Model):
    """Published evaluation results (``published.py``) rolled up: one day's evaluations at
    one site and staff member, by level.

    Unlike ``DailyFigure`` (an evaluation at its *case's* site and agent), an evaluation
    counts here at its own ``Evaluation.site`` and ``agent`` (the 承办机构 and 帮办代办员
    it names), dated by its local day. ``level_1`` … ``level_5``: every evaluation, excluded
    ones too (they count in the number of evaluations); ``counted``: those not excluded
    after an upheld appeal; ``met``: of those, the good levels (the 满意率's numerator).
    Built with ``DailyFigure`` (same days, same job): an upheld appeal marks the day.
    """

    day = models.DateField()
    site = models.ForeignKey("network.Site", on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(
        "staff.StaffMember", null=True, on_delete=models.CASCADE, related_name="+"
    )
    level_1 = models.PositiveIntegerField(default=0)
    level_2 = models.PositiveIntegerField(default=0)
    level_3 = models.PositiveIntegerField(default=0)
    level_4 = models.PositiveIntegerField(default=0)
    level_5 = models.PositiveIntegerField(default=0)
    counted = models.PositiveIntegerField(default=0)
    met = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "每日服务评价结果汇总"
        verbose_name_plural = "每日服务评价结果汇总"
        indexes = [models.Index(fields=["day", "site"])]


class RollupState(models.Model):
    """Days before ``through`` are in ``DailyFigure``; the calendar they were counted with.

    ``counted_on``: the day the live days (``through`` to that day) were last counted as
    of; their rows are read only by a view of that same day (``rollup.split``).
    ``generation``: one more each time ``refresh_rollup`` writes, in the same transaction as
    the rows, so what was read from the rows under one generation may be kept under it
    (``rollup.remembered``).
    """

    through = models.DateField(null=True)
    counted_on = models.DateField(null=True)
    fingerprint = models.CharField(max_length=200, blank=True)
    generation = models.PositiveBigIntegerField(default=0)


class RollupDirtyDay(models.Model):
    """A rolled day whose counts changed (a case or evaluation of that day changed)."""

    day = models.DateField(unique=True)


class HaochapingCodeKind(models.TextChoices):
    """What a row of the 好差评 code table maps (``exchange_rules``)."""

    FIELD = "field", "数据项名称"
    CHANNEL = "channel", "评价渠道（pf）"
    LEVEL = "level", "评价等级"
    INDICATOR = "indicator", "评价指标"
    RATER = "rater", "评价人类型"
    SERVICE = "service", "服务类型"
    RECTIFICATION = "rectification", "差评整改状态"


class HaochapingDirection(models.TextChoices):
    BOTH = "both", "导出和导入"
    EXPORT = "export", "仅导出"
    IMPORT = "import", "仅导入"


class HaochapingCode(models.Model):
    """One entry of the 好差评 exchange's code table: our value ↔ the national code.

    The one table an administrator edits where the national interface's code is not public
    or a province codes it differently (seeded by migration with ``exchange_rules.DEFAULTS``).
    Exporting reads the rows for export (one per our value), importing those for import (one
    per national code): ``exchange_rules.Codes``.
    """

    kind = models.CharField("类别", max_length=16, choices=HaochapingCodeKind.choices)
    ours = models.CharField("本平台取值", max_length=40, blank=True)
    code = models.CharField("国家好差评代码", max_length=60)
    label = models.CharField("说明", max_length=100, blank=True)
    direction = models.CharField(
        "用于",
        max_length=8,
        choices=HaochapingDirection.choices,
        default=HaochapingDirection.BOTH,
    )

    class Meta:
        verbose_name = "好差评代码对照"
        verbose_name_plural = "好差评代码对照"
        ordering = ["kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "ours"],
                condition=~models.Q(direction="import"),
                name="haochaping_one_export_code_per_value",
            ),
            models.UniqueConstraint(
                fields=["kind", "code"],
                condition=~models.Q(direction="export"),
                name="haochaping_one_import_value_per_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.ours} ↔ {self.code}"
