"""The rules of emergency plans and of surge mode: who may read, register, review, drill,
switch a site into surge, lend staff to it and let its extended hours count.

Refusals are ``PreparednessRefused`` with the hall's words; a plan or a surge outside the
person's sites answers 404 (``get_plan_for``, ``get_surge_for``), never its data.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.http import Http404

from bangban.cases import clock, events
from bangban.cases.surge import Surge, SurgeAssignment, SurgeDeclared
from bangban.network.models import Site, SiteLevel, under_q
from bangban.staff.models import StaffMember

from .models import Drill, EmergencyPlan

MAX_SURGE_DAYS = 92


class PreparednessRefused(Exception):
    pass


# --- who may --------------------------------------------------------------------------------


def may_read_site(staff: StaffMember, site: Site) -> bool:
    """Everyone on duty reads their own site's plans; a coordinator those of its sites."""
    return staff.is_active and (staff.site_id == site.pk or staff.covers(site))


def may_manage_site(staff: StaffMember, site: Site) -> bool:
    return staff.is_active and staff.is_coordinator and staff.covers(site)


def may_let_hours_count(staff: StaffMember, surge: Surge) -> bool:
    """The county's word: a coordinator of a county centre covering the site."""
    return (
        may_manage_site(staff, surge.site)
        and staff.site.level == SiteLevel.COUNTY
        and not surge.hours_count
    )


def plans_visible(staff: StaffMember):
    if not staff.is_active:
        return EmergencyPlan.objects.none()
    rule = under_q(staff.covered_paths(), "site") if staff.is_coordinator else None
    own = EmergencyPlan.objects.filter(site_id=staff.site_id)
    if rule is None:
        return own.select_related("site", "owner")
    return (own | EmergencyPlan.objects.filter(rule)).select_related("site", "owner")


def get_plan_for(staff: StaffMember, pk) -> EmergencyPlan:
    plan = plans_visible(staff).filter(pk=pk).first() if str(pk).isdigit() else None
    if plan is None:
        raise Http404("应急预案不存在")
    return plan


def surges_visible(staff: StaffMember):
    if not staff.is_active:
        return Surge.objects.none()
    surges = Surge.objects.filter(site_id=staff.site_id)
    if staff.is_coordinator:
        surges = surges | Surge.objects.filter(under_q(staff.covered_paths(), "site"))
    return surges.select_related("site", "declared_by", "hours_count_by")


def get_surge_for(staff: StaffMember, pk) -> Surge:
    surge = surges_visible(staff).filter(pk=pk).first() if str(pk).isdigit() else None
    if surge is None:
        raise Http404("高峰期记录不存在")
    return surge


def sites_without_current_plan(staff: StaffMember, today: date | None = None) -> list[Site]:
    """The sites ``staff`` covers (``covers(site)``) that hold no plan still current. One query."""
    today = today or clock.today()
    paths = staff.covered_paths()
    if not paths:
        return []
    current = EmergencyPlan.objects.filter(next_review_due__gte=today).values("site_id")
    return list(Site.objects.filter(under_q(paths, "")).exclude(pk__in=current).order_by("path"))


# --- plans and drills -----------------------------------------------------------------------


def plan_register(staff: StaffMember, *, site: Site, **fields) -> EmergencyPlan:
    if not may_manage_site(staff, site):
        raise PreparednessRefused("只有负责该机构的协调员可以登记应急预案")
    owner = fields.get("owner")
    if owner is None or not owner.is_active or not may_read_site(owner, site):
        raise PreparednessRefused("责任人须为该机构在岗的工作人员或负责该机构的协调员")
    if fields.get("reviewed_on") is None or fields["reviewed_on"] > clock.today():
        raise PreparednessRefused("请填写最近评审日期（不能晚于今天）")
    return EmergencyPlan.objects.create(site=site, **fields)


def plan_reviewed(staff: StaffMember, plan: EmergencyPlan) -> EmergencyPlan:
    """The plan was reviewed today: it is current for another year."""
    if not may_manage_site(staff, plan.site):
        raise PreparednessRefused("只有负责该机构的协调员可以评审应急预案")
    plan.reviewed_on = clock.today()
    plan.save(update_fields=["reviewed_on"])
    return plan


def drill_record(staff: StaffMember, plan: EmergencyPlan, **fields) -> Drill:
    if not may_manage_site(staff, plan.site):
        raise PreparednessRefused("只有负责该机构的协调员可以记录应急演练")
    if fields.get("held_on") is None or fields["held_on"] > clock.today():
        raise PreparednessRefused("请填写演练日期（不能晚于今天）")
    if not fields.get("participants") or not fields.get("findings"):
        raise PreparednessRefused("请填写参加人员和发现的问题")
    return Drill.objects.create(plan=plan, recorded_by=staff, **fields)


# --- surge mode ---------------------------------------------------------------------------


@transaction.atomic
def surge_declare(
    staff: StaffMember,
    *,
    site: Site,
    starts_on: date,
    ends_on: date,
    reason: str,
    extra_places: int = 0,
    expected_wait_minutes: int | None = None,
    extended_hours: str = "",
) -> Surge:
    """Switch ``site`` into surge for a period; its open slots widen (the visits area)."""
    if not may_manage_site(staff, site):
        raise PreparednessRefused("只有负责该机构的协调员可以启动高峰期")
    if starts_on < clock.today():
        raise PreparednessRefused("高峰期开始日期不能早于今天")
    if ends_on < starts_on or (ends_on - starts_on).days >= MAX_SURGE_DAYS:
        raise PreparednessRefused(f"高峰期结束日期须不早于开始日期，且不超过 {MAX_SURGE_DAYS} 天")
    if not reason.strip():
        raise PreparednessRefused("请填写启动高峰期的原因")
    if not 0 <= extra_places <= 20:
        raise PreparednessRefused("每个预约时段增加人数应在 0 到 20 之间")
    overlapping = Surge.objects.filter(site=site, starts_on__lte=ends_on, ends_on__gte=starts_on)
    if overlapping.exists():
        raise PreparednessRefused("该机构在这段时间已有高峰期")
    surge = Surge.objects.create(
        site=site,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason.strip(),
        extra_places=extra_places,
        expected_wait_minutes=expected_wait_minutes,
        extended_hours=extended_hours.strip(),
        declared_by=staff,
    )
    events.publish(SurgeDeclared(surge=surge))
    return surge


def assignable_staff(staff: StaffMember, surge: Surge):
    """Staff of other sites the coordinator covers, on duty: whom it may lend to the site."""
    return (
        StaffMember.objects.active()
        .filter(under_q(staff.covered_paths(), "site"))
        .exclude(site_id=surge.site_id)
        .select_related("site")
    )


def surge_assign(
    staff: StaffMember, surge: Surge, *, member_id, starts_on: date, ends_on: date
) -> SurgeAssignment:
    """Lend a staff member of another site to the site in surge, for days of the surge:
    while it is in force the member sees the site's cases (``cases.access``), not after."""
    if not may_manage_site(staff, surge.site):
        raise PreparednessRefused("只有负责该机构的协调员可以临时调配人员")
    member = assignable_staff(staff, surge).filter(pk=member_id).first()
    if member is None:
        raise PreparednessRefused("请选择您负责的其他机构的在岗工作人员")
    if not (surge.starts_on <= starts_on <= ends_on <= surge.ends_on):
        raise PreparednessRefused("调配期间须在高峰期之内")
    if ends_on < clock.today():
        raise PreparednessRefused("调配结束日期不能早于今天")
    return SurgeAssignment.objects.create(
        surge=surge, staff=member, starts_on=starts_on, ends_on=ends_on, assigned_by=staff
    )


def surge_let_hours_count(staff: StaffMember, surge: Surge) -> Surge:
    """The county lets the surge's extended hours count: its rest days are working days for
    the deadlines of the cases the site accepts during it. Only before it starts, so no
    deadline already set moves."""
    if not may_let_hours_count(staff, surge):
        raise PreparednessRefused("只有县级政务服务中心的协调员可以确认延长服务时间计入办理时限")
    if surge.starts_on <= clock.today():
        raise PreparednessRefused("须在高峰期开始之前确认，已开始的高峰期不再改变办理时限")
    surge.hours_count = True
    surge.hours_count_by = staff
    surge.hours_count_on = clock.today()
    surge.save(update_fields=["hours_count", "hours_count_by", "hours_count_on"])
    return surge
