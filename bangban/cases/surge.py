"""Surge mode (高峰期, seed 000 §8.1.1 办件高峰应急处理, issue 19): a site in surge for a period.

The core holds the rows because the core's rules read them: ``access.visible_cases`` (a
temporary assignment in force today grants the site's cases, nothing after its last day),
``deadlines.case_deadline`` (the county's word that the surge's rest days count as working
days for the site's cases accepted during it) and the visits area's slot capacity
(``visits.services.slot_capacity``). The preparedness area declares surges and assigns staff
(``preparedness.services``); the core imports nothing of it.

The model lives here (imported by ``models.py``) and imports nothing of the core's models.

A coordinator may change a surge's end, extra places, expected wait and extended hours and
end it early (``preparedness.services.surge_change`` / ``surge_end``). A surge ended before
its first day keeps its row as an empty period (``ends_on`` the day before ``starts_on``,
``ended_early_on`` set): no day is ever in force, so every reader above finds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
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
    # the last rest day the county's word counts (``counted_days``): the end of the period it
    # was given for; a later change of the end moves it only while no case was accepted under
    # it (before the first day), so a deadline once given never moves (``preparedness.services``)
    hours_count_until = models.DateField("计入时限截止日期", null=True, blank=True)
    ended_early_on = models.DateField("提前结束日期", null=True, blank=True)
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
                condition=Q(ends_on__gte=models.F("starts_on")) | Q(ended_early_on__isnull=False),
                name="cases_surge_ends_after",
            )
        ]
        indexes = [models.Index(fields=["site", "starts_on", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.site} 高峰期 {self.starts_on}—{self.ends_on}"

    def in_force(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    @property
    def called_off(self) -> bool:
        """Ended before its first day: an empty period, never in force."""
        return self.ends_on < self.starts_on

    def has_ended(self, today: date) -> bool:
        return self.ends_on < today


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


def recompute_lent_until(staff_ids) -> None:
    """``lent_until`` of these staff: the last day of their remaining assignments (None when
    none has a day left). Called after assignments are saved, shortened or called off
    (a queryset ``update`` sends no signal: its caller calls this)."""
    from bangban.staff.models import StaffMember

    last = (
        SurgeAssignment.objects.filter(staff_id=OuterRef("pk"), ends_on__gte=F("starts_on"))
        .order_by("-ends_on")
        .values("ends_on")[:1]
    )
    StaffMember.objects.filter(pk__in=list(staff_ids)).update(lent_until=Subquery(last))


@receiver(post_save, sender=SurgeAssignment)
def _assignment_saved(sender, instance, raw=False, **kwargs) -> None:
    recompute_lent_until([instance.staff_id])


def lent_site_ids(staff, today: date):
    """The sites ``staff`` is lent to today, as a subquery (no query of its own)."""
    return SurgeAssignment.objects.filter(
        staff=staff, starts_on__lte=today, ends_on__gte=today
    ).values("surge__site_id")


def surges_on(site_id, day: date):
    return Surge.objects.filter(site_id=site_id, starts_on__lte=day, ends_on__gte=day)


def counted_days(site_id, accepted_on: date) -> list[tuple[date, date]]:
    """The (first, last) days whose rest days count as working days for a case ``site_id``
    accepted on ``accepted_on`` (``deadlines``): those of a surge in force that day whose
    extended hours the county let count, up to the last day its word covers
    (``hours_count_until``), which a later change of the surge's end does not move."""
    return list(
        surges_on(site_id, accepted_on)
        .filter(hours_count=True)
        .values_list("starts_on", Coalesce("hours_count_until", "ends_on"))
    )


@dataclass(frozen=True)
class SurgeDeclared:
    """Published (``events.publish``) when a site is switched into surge; the visits area
    widens the site's slots of the period."""

    surge: Surge


@dataclass(frozen=True)
class SurgeChanged:
    """Published when a surge's end or extra places change (edited or ended early): the
    visits area moves its open slots from the old extra places by day to the new ones."""

    surge: Surge
    old_ends_on: date
    old_extra_places: int
