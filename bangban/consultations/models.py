"""Consultation records with first-contact responsibility (seed 000 §10.1.1, seed 001).

Whoever is asked first owns the answer: answered on the spot, or escalated to the
department with a reply due within one working day, tracked until answered.

Statuses: ``answered`` (on the spot) is final at once. A consultation recorded without an
answer is ``pending`` with its reply due one working day after the client asked; the
first-contact person either answers it (``replied``) or escalates it to a department
(``escalated``, the due date still counted from the day the client asked), whose liaison
or the first-contact person then records the answer (``replied``). Turning one still
awaiting a reply into a case also replies it, with the case number as the answer: the
application is its result (§10.1.1.1). A citizen may also ask online on the portal
(``services.consultation_ask``: channel online, owned by an agent of the site asked); the
answer is sent to a mobile contact by SMS with the personal link to the question's page,
through the notifications outbox (template ``client.consultation_answered``, retried;
``answer_sms_at`` says when it was written there). Writes go through ``services.py``; the
contact is stored encrypted and shown masked, with a blind index for a mobile (the citizen's
own list).
"""

from django.db import models


class ConsultationChannel(models.TextChoices):
    VISIT = "visit", "来访"
    PHONE = "phone", "电话"
    ONLINE = "online", "网上"


class ConsultationStatus(models.TextChoices):
    PENDING = "pending", "待答复"
    ANSWERED = "answered", "已当场答复"
    ESCALATED = "escalated", "已转部门（待答复）"
    REPLIED = "replied", "已答复"


# Consultations still owed an answer: their ``reply_due_on`` is running.
AWAITING_REPLY = (ConsultationStatus.PENDING, ConsultationStatus.ESCALATED)


REPLY_WORKDAYS = 1  # seed 000 §10.1.1.2：不能直接解答的，1个工作日内予以答复


class Consultation(models.Model):
    site = models.ForeignKey(
        "network.Site", verbose_name="受理机构", on_delete=models.PROTECT, related_name="+"
    )
    handled_by = models.ForeignKey(
        "staff.StaffMember",
        verbose_name="首问责任人",
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    client_name = models.CharField("服务对象", max_length=200)
    contact_cipher = models.TextField(blank=True, editable=False)
    contact_masked = models.CharField("联系方式", max_length=20, blank=True)
    # The blind index of a mobile contact: the citizen who proved that mobile on the portal
    # finds their questions by it. Empty for a landline.
    contact_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    channel = models.CharField("咨询方式", max_length=8, choices=ConsultationChannel.choices)
    item = models.ForeignKey(
        "catalogue.ServiceItem",
        verbose_name="咨询事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    content = models.TextField("咨询内容")
    answer = models.TextField("处理结果", blank=True)
    status = models.CharField("状态", max_length=10, choices=ConsultationStatus.choices)
    department = models.ForeignKey(
        "network.Department",
        verbose_name="转交部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    escalated_at = models.DateTimeField("转交时间", null=True, blank=True)
    reply_due_on = models.DateField("答复期限", null=True, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    replied_by = models.ForeignKey(
        "staff.StaffMember",
        verbose_name="答复人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answer_sms_at = models.DateTimeField("答复短信发送时间", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "咨询登记"
        verbose_name_plural = "咨询登记"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["site", "-created_at"]),
            models.Index(fields=["status", "reply_due_on"]),
            models.Index(fields=["department", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.client_name}：{self.content[:20]}"
