"""Surge mode (高峰期, seed 000 §8.1.1 办件高峰应急处理, issue 19): a site in surge for a period.

The core holds the rows because the core's rules read them: ``access.visible_cases`` (a
temporary assignment in force today grants the site's cases, nothing after its last day),
``deadlines.case_deadline`` (the county's word that the surge's rest days count as working
days for the site's cases accepted during it) and the visits area's slot capacity
(``visits.services.slot_capacity``). The preparedness area declares surges and assigns staff
(``preparedness.services``); the core imports nothing of it.

The model lives here (imported by ``models.py``) and imports nothing of the core's models.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import models
from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import receiver


class Surge(models.Model):
    site = models.ForeignKey(
        "network.Site", verbose_name="服务机构", on_delete=models.PROTECT, related_name="surges"
    )
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    reason = models.CharField("原因", max_length=200)
    extra_places = models.PositiveSmallIntegerField(
        "每个预约时段增加人数", default=0, help_text="高峰期内每个预约时段增加的可预约人数"
    )
    expected_wait_minutes = models.PositiveSmallIntegerField(
        "预计等候时间（分钟）", null=True, blank=True
    )
    extended_hours = models.CharField("延长服务时间", max_length=200, blank=True)
    # the county's word: the surge's rest days count as working days for the deadlines of the
    # cases the site accepts during the surge (set by a county coordinator before it starts)
    hours_count = models.BooleanField("延长服务时间计入办理时限", default=False)
    hours_count_by = models.ForeignKey(
        "staff.StaffMember",
        verbose_name="计入时限确认人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    hours_count_on = models.DateField("计入时限确认日期", null=True, blank=True)
    declared_by = models.ForeignKey(
        "staff.StaffMember", verbose_name="启动人", on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField("启动时间", auto_now_add=True)

    class Meta:
        verbose_name = "高峰期"
        verbose_name_plural = "高峰期"
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="cases_surge_ends_after"
            )
        ]
        indexes = [models.Index(fields=["site", "starts_on", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.site} 高峰期 {self.starts_on}—{self.ends_on}"

    def in_force(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


class SurgeAssignment(models.Model):
    """A staff member of another site lent to a site in surge, for days of the surge."""

    surge = models.ForeignKey(
        Surge, verbose_name="高峰期", on_delete=models.PROTECT, related_name="assignments"
    )
    staff = models.ForeignKey(
        "staff.StaffMember",
        verbose_name="临时调配人员",
        on_delete=models.PROTECT,
        related_name="surge_assignments",
    )
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    assigned_by = models.ForeignKey(
        "staff.StaffMember", verbose_name="调配人", on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField("调配时间", auto_now_add=True)

    class Meta:
        verbose_name = "高峰期临时调配"
        verbose_name_plural = "高峰期临时调配"
        ordering = ["starts_on", "id"]
        indexes = [models.Index(fields=["staff", "starts_on", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.staff} → {self.surge.site}（{self.starts_on}—{self.ends_on}）"


def may_be_lent(staff, today: date) -> bool:
    """Whether ``staff`` may hold an assignment in force ``today`` (``lent_until``, kept by
    ``_assignment_saved``): no query, so only those ever lent pay for the lent rule."""
    return staff.lent_until is not None and staff.lent_until >= today


@receiver(post_save, sender=SurgeAssignment)
def _assignment_saved(sender, instance, raw=False, **kwargs) -> None:
    from bangban.staff.models import StaffMember

    StaffMember.objects.filter(pk=instance.staff_id).filter(
        Q(lent_until__isnull=True) | Q(lent_until__lt=instance.ends_on)
    ).update(lent_until=instance.ends_on)


def lent_site_ids(staff, today: date):
    """The sites ``staff`` is lent to today, as a subquery (no query of its own)."""
    return SurgeAssignment.objects.filter(
        staff=staff, starts_on__lte=today, ends_on__gte=today
    ).values("surge__site_id")


def surges_on(site_id, day: date):
    return Surge.objects.filter(site_id=site_id, starts_on__lte=day, ends_on__gte=day)


@dataclass(frozen=True)
class SurgeDeclared:
    """Published (``events.publish``) when a site is switched into surge; the visits area
    widens the site's slots of the period."""

    surge: Surge
