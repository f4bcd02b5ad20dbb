"""Appointments at a window (预约), their time slots, and home visits (上门服务).

These rows were the portal's until the visits area was split from it (issue 13); they keep
the portal's tables (``db_table``) and constraint names, so an existing database keeps its
rows: the migrations moved only Django's idea of which app owns them.

Phone numbers and addresses are personal data: stored encrypted with a lookup hash and a
mask (``clients.pii``), as on ``clients.Client``.
"""

from django.db import models
from django.db.models import F, Q


class TimeSlot(models.Model):
    """A window time slot at a site that a number of people can book (预约).

    ``booked`` is only changed by conditional UPDATEs in ``services.py``; the check
    constraint is the database's own guarantee that a slot is never overbooked.
    """

    site = models.ForeignKey(
        "network.Site", verbose_name="服务机构", on_delete=models.PROTECT, related_name="slots"
    )
    day = models.DateField("日期")
    start = models.TimeField("开始时间")
    end = models.TimeField("结束时间")
    capacity = models.PositiveSmallIntegerField("可预约人数", default=2)
    booked = models.PositiveSmallIntegerField("已预约人数", default=0, editable=False)

    class Meta:
        db_table = "portal_timeslot"  # the table it had in the portal
        verbose_name = "预约时段"
        verbose_name_plural = "预约时段"
        ordering = ["day", "start", "site_id"]
        constraints = [
            models.UniqueConstraint(fields=["site", "day", "start"], name="portal_slot_unique"),
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="portal_slot_not_overbooked"
            ),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="portal_slot_ends_after"),
        ]
        indexes = [models.Index(fields=["site", "day"])]

    def __str__(self) -> str:
        return f"{self.site} {self.day:%Y-%m-%d} {self.start:%H:%M}-{self.end:%H:%M}"

    @property
    def left(self) -> int:
        return max(0, self.capacity - self.booked)


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "已预约"
    CANCELLED = "cancelled", "已取消"
    ATTENDED = "attended", "已到场"
    MISSED = "missed", "未到场"


class RequestChannel(models.TextChoices):
    ONLINE = "online", "网上"
    PHONE = "phone", "电话"


# 等特殊群体 (seed 001 §9; 003 第十一条): who may ask for a home visit without a further reason.
PRIORITY_GROUPS = {
    "elderly": "老年人",
    "disabled": "残疾人",
    "pregnant": "孕妇",
    "ill": "伤病或其他行动不便的人",
}


class _Taken(models.Model):
    """What staff record about a request taken by phone, and the SMS sent for it: each
    stamp is set by one conditional UPDATE before sending, so nothing goes twice."""

    channel = models.CharField(
        "申请方式", max_length=10, choices=RequestChannel.choices, default=RequestChannel.ONLINE
    )
    recorded_by = models.ForeignKey(
        "staff.StaffMember",
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmation_sent_at = models.DateTimeField("确认短信时间", null=True, blank=True)
    reminder_sent_at = models.DateTimeField("提醒短信时间", null=True, blank=True)

    class Meta:
        abstract = True


class Appointment(_Taken):
    number = models.CharField("预约编号", max_length=40, unique=True)
    slot = models.ForeignKey(
        TimeSlot, verbose_name="预约时段", on_delete=models.PROTECT, related_name="appointments"
    )
    name = models.CharField("称呼", max_length=50)
    mobile_cipher = models.TextField(editable=False)
    mobile_hash = models.CharField(max_length=64, db_index=True, editable=False)
    mobile_masked = models.CharField("手机号码", max_length=20, editable=False)
    purpose = models.CharField("办理事项", max_length=200)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="办件",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        "状态", max_length=10, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    created_at = models.DateTimeField("预约时间", auto_now_add=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    marked_at = models.DateTimeField("到场登记时间", null=True, blank=True)
    marked_by = models.ForeignKey(
        "staff.StaffMember",
        verbose_name="到场登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        db_table = "portal_appointment"  # the table it had in the portal
        verbose_name = "窗口预约"
        verbose_name_plural = "窗口预约"
        ordering = ["slot__day", "slot__start", "id"]
        constraints = [
            # one person cannot hold two places in the same slot
            models.UniqueConstraint(
                fields=["slot", "mobile_hash"],
                condition=Q(status="booked"),
                name="portal_one_booking_per_person_and_slot",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.slot}"


class HomeVisitStatus(models.TextChoices):
    REQUESTED = "requested", "待安排"
    SCHEDULED = "scheduled", "已安排"
    DONE = "done", "已上门"
    DECLINED = "declined", "不予安排"
    CANCELLED = "cancelled", "已撤回"


class HomeVisitRequest(_Taken):
    """上门服务: a priority client asks for staff to come (seed 001 §9; seed 003 第十一条),
    or staff record why a visit is needed (seed 002: 必要时…登门受理)."""

    number = models.CharField("申请编号", max_length=40, unique=True)
    site = models.ForeignKey(
        "network.Site", verbose_name="服务机构", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("称呼", max_length=50)
    mobile_cipher = models.TextField(editable=False)
    mobile_hash = models.CharField(max_length=64, db_index=True, editable=False)
    mobile_masked = models.CharField("手机号码", max_length=20, editable=False)
    address_cipher = models.TextField(editable=False)
    address_masked = models.CharField("上门地址", max_length=200, editable=False)
    is_elderly = models.BooleanField("老年人", default=False)
    is_disabled = models.BooleanField("残疾人", default=False)
    is_pregnant = models.BooleanField("孕妇", default=False)
    is_ill = models.BooleanField("伤病或其他行动不便", default=False)
    need_reason = models.TextField("需要上门的原因（工作人员记录）", blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="办件",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    needs = models.TextField("需要办理的事情")
    preferred_times = models.CharField("方便的时间", max_length=200)
    status = models.CharField(
        "状态", max_length=10, choices=HomeVisitStatus.choices, default=HomeVisitStatus.REQUESTED
    )
    scheduled_for = models.DateTimeField("上门时间", null=True, blank=True)
    agent = models.ForeignKey(
        "staff.StaffMember",
        verbose_name="上门帮办代办员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reply = models.CharField("答复", max_length=300, blank=True)
    handled_by = models.ForeignKey(
        "staff.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    visited_at = models.DateTimeField("上门完成时间", null=True, blank=True)
    visit_note = models.CharField("上门情况", max_length=300, blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "portal_homevisitrequest"  # the table it had in the portal
        verbose_name = "上门服务申请"
        verbose_name_plural = "上门服务申请"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["site", "status"])]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def groups(self) -> list[str]:
        """The 特殊群体 the person belongs to, in words."""
        flags = {
            "elderly": self.is_elderly,
            "disabled": self.is_disabled,
            "pregnant": self.is_pregnant,
            "ill": self.is_ill,
        }
        return [PRIORITY_GROUPS[k] for k, on in flags.items() if on]
