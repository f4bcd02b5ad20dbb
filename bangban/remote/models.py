"""Remote help (远程帮办, seed 001 服务方式 · 线上服务): a village or town agent, or a citizen at
home, reaches an on-duty agent above by video, voice, screen share and chat.

- ``HelpRequest``: one call for help. It rings the on-duty agents (``DutyShift``) of one
  site of its ladder (``rota.ladder``: the sites above the asker's, nearest first; a
  citizen rings the county centre), moves one step up after ``target_seconds`` with nobody
  answering (``escalated``, then the coordinators covering the asker's site), or becomes a
  call-back the asker left a number for (``call_back``, closed by whoever calls back:
  ``called_back``).
- ``HelpSession``: the answered call, the record on the case or consultation (who, when,
  waiting time, duration, chat, photos, outcome).
- ``SessionMessage`` / ``SessionPhoto``: its chat transcript and photos of materials.
- ``DutyShift``: the 值班表, who answers at a site when.
- ``HelpPolicy``: a county centre's answering target and whether it allows recording.

Writes go through ``services.py``; reads for people through ``access.py``.
"""

from django.db import models

DEFAULT_TARGET_SECONDS = 60  # answered within a minute (issue 17; Shanghai's 一网通办)


class RequestState(models.TextChoices):
    WAITING = "waiting", "等待接听"
    ESCALATED = "escalated", "已升级（等待接听）"
    ANSWERED = "answered", "已接听"
    CALL_BACK = "call_back", "待回电"
    CALLED_BACK = "called_back", "已回电"
    CANCELLED = "cancelled", "已取消"


# Requests still ringing somebody.
RINGING = (RequestState.WAITING, RequestState.ESCALATED)
# Requests shown in the live queue: ringing, or waiting to be called back.
OPEN = (RequestState.WAITING, RequestState.ESCALATED, RequestState.CALL_BACK)


class AskerKind(models.TextChoices):
    STAFF = "staff", "工作人员"
    CITIZEN = "citizen", "群众"


class Outcome(models.TextChoices):
    ANSWERED = "answered", "已解答"
    BECAME_CASE = "became_case", "转为办件"
    CALL_BACK = "call_back", "约定回电"


class HelpPolicy(models.Model):
    """A county centre's remote-help settings (defaults when it has none)."""

    centre = models.OneToOneField(
        "network.Site",
        verbose_name="政务服务中心",
        on_delete=models.CASCADE,
        related_name="remote_policy",
        limit_choices_to={"level": "county"},
    )
    target_seconds = models.PositiveIntegerField(
        "接听目标（秒）",
        default=DEFAULT_TARGET_SECONDS,
        help_text="超过该时间无人接听即升级到上一级，再到协调员",
    )
    recording_enabled = models.BooleanField(
        "允许录音录像",
        default=False,
        help_text="开启后，仍须服务对象在屏幕上同意才录制",
    )

    class Meta:
        verbose_name = "远程帮办设置"
        verbose_name_plural = "远程帮办设置"

    def __str__(self) -> str:
        return f"{self.centre}远程帮办设置"


class DutyShift(models.Model):
    """One line of a site's 值班表: who answers remote help there, on a weekday or a date."""

    WEEKDAYS = [
        (1, "周一"),
        (2, "周二"),
        (3, "周三"),
        (4, "周四"),
        (5, "周五"),
        (6, "周六"),
        (7, "周日"),
    ]

    site = models.ForeignKey(
        "network.Site", verbose_name="值班机构", on_delete=models.CASCADE, related_name="+"
    )
    staff = models.ForeignKey(
        "staff.StaffMember",
        verbose_name="值班人员",
        on_delete=models.CASCADE,
        related_name="duty_shifts",
    )
    weekday = models.PositiveSmallIntegerField("星期", choices=WEEKDAYS, null=True, blank=True)
    date = models.DateField("日期", null=True, blank=True)
    start = models.TimeField("开始时间")
    end = models.TimeField("结束时间")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "值班安排"
        verbose_name_plural = "值班表"
        ordering = ["site", "date", "weekday", "start", "id"]
        indexes = [models.Index(fields=["site", "weekday"]), models.Index(fields=["site", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekday__isnull=False, date__isnull=True)
                | models.Q(weekday__isnull=True, date__isnull=False),
                name="remote_dutyshift_weekday_or_date",
            ),
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end")),
                name="remote_dutyshift_start_before_end",
            ),
        ]

    def __str__(self) -> str:
        when = self.get_weekday_display() if self.weekday else str(self.date)
        return f"{self.staff} {when} {self.start:%H:%M}-{self.end:%H:%M}"


class HelpRequest(models.Model):
    asker_kind = models.CharField("求助方", max_length=8, choices=AskerKind.choices)
    asker_staff = models.ForeignKey(
        "staff.StaffMember",
        verbose_name="求助的工作人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    asker_name = models.CharField("求助人", max_length=200)
    # A citizen's proven mobile (the portal), kept as the other personal data is: encrypted,
    # with its blind index (who may join) and a mask for screens.
    asker_mobile_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    asker_mobile_cipher = models.TextField(blank=True, editable=False)
    asker_mobile_masked = models.CharField("求助人手机", max_length=20, blank=True)
    site = models.ForeignKey(
        "network.Site",
        verbose_name="求助机构",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="求助人所在机构（群众：办件或所选机构）",
    )
    ring_site = models.ForeignKey(
        "network.Site",
        verbose_name="正在呼叫",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="空：已升级到协调员",
    )
    item = models.ForeignKey(
        "catalogue.ServiceItem",
        verbose_name="事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="办件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="help_requests",
    )
    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name="咨询",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    question = models.CharField("问题", max_length=500)
    state = models.CharField(
        "状态", max_length=12, choices=RequestState.choices, default=RequestState.WAITING
    )
    level = models.PositiveSmallIntegerField("升级次数", default=0)
    target_seconds = models.PositiveIntegerField("接听目标（秒）", default=DEFAULT_TARGET_SECONDS)
    asked_at = models.DateTimeField("求助时间")
    escalated_at = models.DateTimeField("最近升级时间", null=True, blank=True)
    answered_at = models.DateTimeField("接听时间", null=True, blank=True)
    wait_seconds = models.PositiveIntegerField("等待时长（秒）", null=True, blank=True)
    callback_cipher = models.TextField(blank=True, editable=False)
    callback_masked = models.CharField("回电号码", max_length=20, blank=True)
    callback_asked_at = models.DateTimeField("申请回电时间", null=True, blank=True)
    called_back_at = models.DateTimeField("回电时间", null=True, blank=True)
    called_back_by = models.ForeignKey(
        "staff.StaffMember",
        verbose_name="回电人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    callback_note = models.CharField("回电结果", max_length=500, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "远程求助"
        verbose_name_plural = "远程求助"
        ordering = ["asked_at", "id"]
        indexes = [
            models.Index(fields=["state", "asked_at"]),
            models.Index(fields=["ring_site", "state"]),
            models.Index(fields=["site", "asked_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.asker_name}：{self.question[:20]}"


class HelpSession(models.Model):
    request = models.OneToOneField(
        HelpRequest, verbose_name="求助", on_delete=models.PROTECT, related_name="session"
    )
    expert = models.ForeignKey(
        "staff.StaffMember", verbose_name="接听人", on_delete=models.PROTECT, related_name="+"
    )
    # Copied from the request so that the case's and consultation's panels are one query.
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="办件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="help_sessions",
    )
    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name="咨询",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField("开始时间")
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    duration_seconds = models.PositiveIntegerField("通话时长（秒）", null=True, blank=True)
    ended_by = models.CharField("结束方", max_length=200, blank=True)
    outcome = models.CharField("结果", max_length=12, choices=Outcome.choices, blank=True)
    used_audio = models.BooleanField("语音", default=False)
    used_video = models.BooleanField("视频", default=False)
    used_screen = models.BooleanField("桌面共享", default=False)
    recording_consented = models.BooleanField("服务对象同意录制", default=False)

    class Meta:
        verbose_name = "远程帮办记录"
        verbose_name_plural = "远程帮办记录"
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["-started_at"])]

    def __str__(self) -> str:
        return f"{self.request}（{self.expert}）"


class SenderKind(models.TextChoices):
    STAFF = "staff", "工作人员"
    CITIZEN = "citizen", "群众"
    SYSTEM = "system", "系统"


class SessionMessage(models.Model):
    session = models.ForeignKey(
        HelpSession, verbose_name="记录", on_delete=models.CASCADE, related_name="messages"
    )
    sender_kind = models.CharField("发送方", max_length=8, choices=SenderKind.choices)
    sender_name = models.CharField("发送人", max_length=200)
    text = models.TextField("内容")
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "文字交流"
        verbose_name_plural = "文字交流"
        ordering = ["at", "id"]


class SessionPhoto(models.Model):
    session = models.ForeignKey(
        HelpSession, verbose_name="记录", on_delete=models.CASCADE, related_name="photos"
    )
    sender_kind = models.CharField("发送方", max_length=8, choices=SenderKind.choices)
    sender_name = models.CharField("发送人", max_length=200)
    name = models.CharField("原文件名", max_length=200)
    file = models.FileField("照片", upload_to="remote/%Y/%m/")
    kind = models.CharField("类型", max_length=8)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    at = models.DateTimeField("时间")
    # The client's consent to keep it as a case material, as recorded by the staff member.
    consent_recorded_at = models.DateTimeField("同意作为办件材料时间", null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        "staff.StaffMember",
        verbose_name="记录同意的人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    consent_words = models.CharField("同意方式", max_length=200, blank=True)
    material = models.ForeignKey(
        "cases.CaseMaterial",
        verbose_name="转为办件材料",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "照片"
        verbose_name_plural = "照片"
        ordering = ["at", "id"]
