"""Emergency plans (应急预案, seed 000 §6.5) and their drills, per site.

A plan is current for a year from its last review (``reviewed_on``): ``next_review_due``
is the day it must be reviewed again; a site with no plan whose review is still ahead has
no current plan (``selectors.sites_without_current_plan``).
"""

from __future__ import annotations

from datetime import date

from django.db import models


class PlanKind(models.TextChoices):
    NATURAL_DISASTER = "natural_disaster", "自然灾害"
    SOCIAL_SECURITY = "social_security", "社会安全"
    ACCIDENT = "accident", "事故灾难"
    PUBLIC_HEALTH = "public_health", "公共卫生"
    PEAK = "peak", "业务集中办理（高峰期）"
    SYSTEM_FAILURE = "system_failure", "系统故障"
    OTHER = "other", "其他突发事件"


def next_review(reviewed_on: date) -> date:
    """A plan is reviewed yearly: the same day a year on (28 February for 29 February)."""
    try:
        return reviewed_on.replace(year=reviewed_on.year + 1)
    except ValueError:
        return reviewed_on.replace(year=reviewed_on.year + 1, day=28)


class EmergencyPlan(models.Model):
    site = models.ForeignKey(
        "network.Site", verbose_name="服务机构", on_delete=models.PROTECT, related_name="plans"
    )
    kind = models.CharField("预案类型", max_length=20, choices=PlanKind.choices)
    title = models.CharField("预案名称", max_length=100)
    owner = models.ForeignKey(
        "staff.StaffMember", verbose_name="责任人", on_delete=models.PROTECT, related_name="+"
    )
    steps = models.TextField("处置步骤")
    contacts = models.TextField("联系人及电话")
    reviewed_on = models.DateField("最近评审日期")
    next_review_due = models.DateField("下次评审日期", editable=False)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "应急预案"
        verbose_name_plural = "应急预案"
        ordering = ["site__path", "kind", "id"]
        indexes = [models.Index(fields=["site", "next_review_due"])]

    def __str__(self) -> str:
        return f"{self.site} · {self.title}"

    def save(self, *args, **kwargs):
        self.next_review_due = next_review(self.reviewed_on)
        if kwargs.get("update_fields") and "reviewed_on" in kwargs["update_fields"]:
            kwargs["update_fields"] = [*kwargs["update_fields"], "next_review_due"]
        super().save(*args, **kwargs)

    def is_current(self, today: date) -> bool:
        return self.next_review_due >= today


class Drill(models.Model):
    plan = models.ForeignKey(
        EmergencyPlan, verbose_name="应急预案", on_delete=models.PROTECT, related_name="drills"
    )
    held_on = models.DateField("演练日期")
    participants = models.TextField("参加人员")
    findings = models.TextField("发现的问题与改进")
    recorded_by = models.ForeignKey(
        "staff.StaffMember", verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "应急演练"
        verbose_name_plural = "应急演练"
        ordering = ["-held_on", "-id"]


class SurgeChangeKind(models.TextChoices):
    DECLARED = "declared", "启动高峰期"
    ASSIGNED = "assigned", "临时调配人员"
    HOURS = "hours", "确认延长服务时间计入办理时限"
    CHANGED = "changed", "修改高峰期"
    ENDED = "ended", "提前结束高峰期"


class SurgeChange(models.Model):
    """One change to a surge (``cases.surge.Surge``): who, when and what, in the hall's words.

    Written by ``services`` with every surge service; the surge page shows them, oldest
    first. ``before`` and ``after`` hold the changed fields' values (ISO dates, numbers,
    text) for an edit or an early end."""

    surge = models.ForeignKey(
        "cases.Surge", verbose_name="高峰期", on_delete=models.PROTECT, related_name="changes"
    )
    kind = models.CharField("变更类型", max_length=10, choices=SurgeChangeKind.choices)
    summary = models.CharField("变更内容", max_length=500)
    before = models.JSONField("变更前", default=dict, blank=True)
    after = models.JSONField("变更后", default=dict, blank=True)
    changed_by = models.ForeignKey(
        "staff.StaffMember", verbose_name="操作人", on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField("操作时间", auto_now_add=True)

    class Meta:
        verbose_name = "高峰期变更记录"
        verbose_name_plural = "高峰期变更记录"
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.surge} · {self.get_kind_display()}"
