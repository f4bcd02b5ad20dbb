"""What the public portal keeps of its own: sign-in codes, appointments, home-visit requests,
the client's choice of how to receive the result, and a log of uploaded files.

Phone numbers and addresses are personal data: stored encrypted with a lookup hash and a
mask (``clients.pii``), as on ``clients.Client``. Sign-in codes are stored hashed only.
"""

from django.db import models
from django.db.models import F, Q

from bangban.cases.workflow import DELIVERY_METHODS


class LoginCode(models.Model):
    """A one-time code sent by SMS: to sign in (demo identity, see identity.py) or to confirm
    a form online. ``purpose`` keeps the two apart: a sign-in code confirms nothing."""

    purpose = models.CharField(max_length=60, default="login")
    mobile_hash = models.CharField(max_length=64)
    code_hash = models.CharField(max_length=64)
    ip_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"
        indexes = [
            models.Index(fields=["mobile_hash", "purpose", "created_at"]),
            models.Index(fields=["ip_hash", "created_at"]),
        ]


class TimeSlot(models.Model):
    """A window time slot at a site that a number of people can book (预约).

    ``booked`` is only changed by conditional UPDATEs in ``appointments.py``; the check
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


class Appointment(models.Model):
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
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        "状态", max_length=10, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    created_at = models.DateTimeField("预约时间", auto_now_add=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)

    class Meta:
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


class HomeVisitRequest(models.Model):
    """上门服务: a priority client asks for staff to come (seed 001 §9; seed 003 第十一条)."""

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
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "上门服务申请"
        verbose_name_plural = "上门服务申请"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["site", "status"])]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class DeliveryChoice(models.Model):
    """How the client wants to receive the result (当面领取、邮寄、电子证照), chosen online.

    The agent records the actual delivery with the ``deliver`` event; this is the wish.
    """

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="delivery_choice"
    )
    method = models.CharField(
        "领取方式", max_length=12, choices=[(str(k), v) for k, v in DELIVERY_METHODS.items()]
    )
    address_cipher = models.TextField(blank=True, editable=False)
    address_masked = models.CharField("邮寄地址", max_length=200, blank=True, editable=False)
    chosen_at = models.DateTimeField("选择时间", auto_now=True)

    class Meta:
        verbose_name = "结果领取方式"
        verbose_name_plural = "结果领取方式"


class MaterialUpload(models.Model):
    """Every file a client uploaded for a material: what, how big, its digest, when."""

    material = models.ForeignKey(
        "cases.CaseMaterial", on_delete=models.CASCADE, related_name="uploads"
    )
    stored_name = models.CharField("存储文件名", max_length=200)
    kind = models.CharField("文件类型", max_length=10)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "材料上传记录"
        verbose_name_plural = "材料上传记录"
        ordering = ["-uploaded_at", "-id"]
