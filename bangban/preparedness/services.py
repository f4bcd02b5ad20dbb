"""The rules of emergency plans and of surge mode: who may read, register, review, drill,
switch a site into surge, lend staff to it, let its extended hours count, change it and end
it early. Every surge service writes a ``SurgeChange`` (who, when, what).

Refusals are ``PreparednessRefused`` with the hall's words; a plan or a surge outside the
person's sites answers 404 (``get_plan_for``, ``get_surge_for``), never its data.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import F
from django.http import Http404

from bangban.cases import clock, events
from bangban.cases.surge import (
    Surge,
    SurgeAssignment,
    SurgeChanged,
    SurgeDeclared,
    recompute_lent_until,
)
from bangban.network.models import Site, SiteLevel, under_q
from bangban.staff.models import StaffMember

from .models import Drill, EmergencyPlan, SurgeChange, SurgeChangeKind

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
    _check_extra_places(extra_places)
    if _overlapping(site.pk, starts_on, ends_on).exists():
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
    _log(
        staff,
        surge,
        SurgeChangeKind.DECLARED,
        f"{surge.site.name}，{starts_on} 至 {ends_on}：{surge.reason}",
        after=_values(surge),
    )
    events.publish(SurgeDeclared(surge=surge))
    return surge


def _check_extra_places(extra_places: int) -> None:
    if not 0 <= extra_places <= 20:
        raise PreparednessRefused("每个预约时段增加人数应在 0 到 20 之间")


def _overlapping(site_id, starts_on: date, ends_on: date):
    """The site's surges sharing a day with the period (an ended-before-start one has none)."""
    return Surge.objects.filter(
        site_id=site_id, starts_on__lte=ends_on, ends_on__gte=starts_on
    ).filter(ends_on__gte=F("starts_on"))


# the fields a coordinator may change, with their words on the page and in the history
CHANGEABLE = {
    "ends_on": "结束日期",
    "extra_places": "每个预约时段增加人数",
    "expected_wait_minutes": "预计等候时间（分钟）",
    "extended_hours": "延长服务时间",
}


def _values(surge: Surge) -> dict:
    return {
        "starts_on": surge.starts_on.isoformat(),
        **{
            field: value.isoformat() if isinstance(value, date) else value
            for field in CHANGEABLE
            for value in [getattr(surge, field)]
        },
    }


def _shown(value) -> str:
    return "未填写" if value in (None, "") else str(value)


def _log(staff, surge: Surge, kind: str, summary: str, *, before=None, after=None) -> None:
    SurgeChange.objects.create(
        surge=surge,
        kind=kind,
        summary=summary[:500],
        before=before or {},
        after=after or {},
        changed_by=staff,
    )


def surge_changes(surge: Surge) -> list[SurgeChange]:
    """The surge's history, oldest first, with who made each change. One query."""
    return list(surge.changes.select_related("changed_by").order_by("changed_at", "pk"))


def _locked(surge: Surge) -> Surge:
    """The surge row, locked for the change, with what the page loaded alongside it."""
    fresh = Surge.objects.select_for_update().get(pk=surge.pk)
    fresh.site = surge.site
    return fresh


def _refuse_if_ended(surge: Surge, today: date) -> None:
    if surge.ended_early_on is not None:
        raise PreparednessRefused("该高峰期已提前结束，不能再修改或结束")
    if surge.ends_on < today:
        raise PreparednessRefused("该高峰期已结束，不能再修改或结束")


def _shorten_assignments(surge: Surge) -> int:
    """Assignments running past the surge's (new) end end with it; one starting after it
    becomes an empty period (kept on record, never in force). The lent staff's
    ``lent_until`` is recomputed from what they have left."""
    past_end = SurgeAssignment.objects.filter(surge=surge, ends_on__gt=surge.ends_on)
    staff_ids = set(past_end.values_list("staff_id", flat=True))
    if not staff_ids:
        return 0
    shortened = past_end.update(ends_on=surge.ends_on)
    recompute_lent_until(staff_ids)
    return shortened


def _apply(
    staff, surge: Surge, kind: str, before: dict, fields: list[str], summary: str = ""
) -> Surge:
    """Save the changed fields, shorten the assignments, record the change and tell the
    visits area (the slots' extra places) when the end or the extra places moved."""
    surge.save(update_fields=fields)
    shortened = _shorten_assignments(surge)
    after = _values(surge)
    said = [
        f"{CHANGEABLE[field]}：{_shown(before[field])} → {_shown(after[field])}"
        for field in CHANGEABLE
        if before[field] != after[field]
    ]
    if summary:
        said = [summary]
    if shortened:
        said.append(f"{shortened} 项临时调配随之结束")
    _log(staff, surge, kind, "；".join(said), before=before, after=after)
    old_ends_on = date.fromisoformat(before["ends_on"])
    if old_ends_on != surge.ends_on or before["extra_places"] != surge.extra_places:
        events.publish(
            SurgeChanged(
                surge=surge, old_ends_on=old_ends_on, old_extra_places=before["extra_places"]
            )
        )
    return surge


@transaction.atomic
def surge_change(
    staff: StaffMember,
    surge: Surge,
    *,
    ends_on: date,
    extra_places: int,
    expected_wait_minutes: int | None,
    extended_hours: str,
) -> Surge:
    """Change a surge's end, extra places, expected wait and extended hours.

    The end may move to any day from today (not before the first day) within
    ``MAX_SURGE_DAYS``, never over another surge of the site. A shorter surge shortens the
    assignments running past it; the site's slots after the new end fall back to their
    ordinary capacity (``visits.services.slots_follow_surge_change``).

    The county's word (``hours_count``) is kept for the days it was given for
    (``hours_count_until``): a case the site accepted during the surge keeps the deadline it
    got even if the surge is then shortened (a deadline once given to a client never moves),
    a case accepted after a new, earlier end is no longer in the surge and gets the ordinary
    calendar, and days added by a later end are not counted (the county did not say so for
    them). Only before the first day, when no case was accepted under it, does a shorter end
    shorten the counted days too.
    """
    if not may_manage_site(staff, surge.site):
        raise PreparednessRefused("只有负责该机构的协调员可以修改高峰期")
    today = clock.today()
    changed = _locked(surge)
    _refuse_if_ended(changed, today)
    if ends_on < changed.starts_on:
        raise PreparednessRefused("结束日期不能早于开始日期")
    if ends_on < today:
        raise PreparednessRefused("结束日期不能早于今天；要立即结束，请点“结束高峰期”")
    if (ends_on - changed.starts_on).days >= MAX_SURGE_DAYS:
        raise PreparednessRefused(f"高峰期不能超过 {MAX_SURGE_DAYS} 天")
    _check_extra_places(extra_places)
    if expected_wait_minutes is not None and expected_wait_minutes > 600:
        raise PreparednessRefused("预计等候时间应在 0 到 600 分钟之间")
    if (
        ends_on > changed.ends_on
        and _overlapping(changed.site_id, changed.starts_on, ends_on)
        .exclude(pk=changed.pk)
        .exists()
    ):
        raise PreparednessRefused("该机构在这段时间已有高峰期")
    before = _values(changed)
    changed.ends_on = ends_on
    changed.extra_places = extra_places
    changed.expected_wait_minutes = expected_wait_minutes
    changed.extended_hours = extended_hours.strip()[:200]
    fields = [f for f in CHANGEABLE if _values(changed)[f] != before[f]]
    if not fields:
        raise PreparednessRefused("没有修改任何内容")
    if changed.hours_count and today < changed.starts_on and changed.hours_count_until:
        changed.hours_count_until = min(changed.hours_count_until, ends_on)
        fields.append("hours_count_until")
    _apply(staff, changed, SurgeChangeKind.CHANGED, before, fields)
    _copy(changed, surge)
    return surge


@transaction.atomic
def surge_end(staff: StaffMember, surge: Surge) -> Surge:
    """结束高峰期: the surge ends today (its last day), or, not yet started, is called off
    (an empty period, never in force, kept on record). As for a shorter end
    (``surge_change``): assignments end with it, the slots after it fall back, the deadlines
    of cases accepted during it stay as they were given."""
    if not may_manage_site(staff, surge.site):
        raise PreparednessRefused("只有负责该机构的协调员可以结束高峰期")
    today = clock.today()
    changed = _locked(surge)
    _refuse_if_ended(changed, today)
    if changed.starts_on <= today == changed.ends_on:
        raise PreparednessRefused("该高峰期今天是最后一天，明天起自动结束")
    before = _values(changed)
    started = changed.starts_on <= today
    changed.ends_on = today if started else changed.starts_on - timedelta(days=1)
    changed.ended_early_on = today
    fields = ["ends_on", "ended_early_on"]
    if changed.hours_count and not started:
        changed.hours_count_until = changed.ends_on
        fields.append("hours_count_until")
    summary = "" if started else "高峰期开始之前结束：取消，不再生效"
    _apply(staff, changed, SurgeChangeKind.ENDED, before, fields, summary)
    _copy(changed, surge)
    return surge


def _copy(source: Surge, target: Surge) -> None:
    for field in (*CHANGEABLE, "ended_early_on", "hours_count_until"):
        setattr(target, field, getattr(source, field))


def assignable_staff(staff: StaffMember, surge: Surge):
    """Staff of other sites the coordinator covers, on duty: whom it may lend to the site."""
    return (
        StaffMember.objects.active()
        .filter(under_q(staff.covered_paths(), "site"))
        .exclude(site_id=surge.site_id)
        .select_related("site")
    )


@transaction.atomic
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
    assignment = SurgeAssignment.objects.create(
        surge=surge, staff=member, starts_on=starts_on, ends_on=ends_on, assigned_by=staff
    )
    _log(
        staff,
        surge,
        SurgeChangeKind.ASSIGNED,
        f"{member.name}（{member.site.name}），{starts_on} 至 {ends_on}",
    )
    return assignment


@transaction.atomic
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
    surge.hours_count_until = surge.ends_on  # the days the word is given for
    surge.save(
        update_fields=["hours_count", "hours_count_by", "hours_count_on", "hours_count_until"]
    )
    _log(
        staff,
        surge,
        SurgeChangeKind.HOURS,
        f"{surge.starts_on} 至 {surge.ends_on} 的延长服务时间计入办理时限",
    )
    return surge
