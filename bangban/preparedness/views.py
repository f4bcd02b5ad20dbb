"""The workbench's preparedness pages, mounted at /work/preparedness/.

- ``""``: the plans of the person's sites, the sites it covers with no current plan, the
  surges; a coordinator registers a plan and switches a site into surge here.
- ``plans/<pk>/``: one plan with its drills; a coordinator marks it reviewed, records a drill.
- ``surges/<pk>/``: one surge with its temporary assignments and its history; a coordinator
  lends staff, changes the surge (end, extra places, expected wait, extended hours) or ends
  it early (结束高峰期), a county coordinator lets the extended hours count.

Every view takes the signed-in, on-duty staff member; a plan or surge outside the person's
sites answers 404 (``services.get_plan_for`` / ``get_surge_for``).
"""

from __future__ import annotations

from datetime import date
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from bangban.cases import clock
from bangban.cases.access import actor_for_user
from bangban.inputs import id_or_none
from bangban.network.models import Site

from . import services
from .models import PlanKind
from .services import PreparednessRefused


def _staff_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        actor = actor_for_user(request.user)
        if actor is None:
            raise PermissionDenied("工作台仅供在岗工作人员使用")
        related = ["site", "covered_sites"] if actor.staff.is_coordinator else ["site"]
        prefetch_related_objects([actor.staff], *related)
        request.actor = actor
        request.staff = actor.staff
        return view(request, *args, **kwargs)

    return wrapper


def _day(value: str, label: str) -> date:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        raise PreparednessRefused(f"请填写{label}（年-月-日）") from None


def _number(value: str, label: str, *, blank=None):
    value = (value or "").strip()
    if not value:
        return blank
    if not (value.isascii() and value.isdigit()) or len(value) > 4:  # not "²", not "１２"
        raise PreparednessRefused(f"{label}应为整数")
    return int(value)


def _managed_sites(staff):
    if not staff.is_coordinator:
        return Site.objects.none()
    return Site.objects.under(staff.covered_paths()).order_by("path")


def _site(staff, value) -> Site:
    site = _managed_sites(staff).filter(pk=id_or_none(value)).first()
    if site is None:
        raise PreparednessRefused("请选择您负责的服务机构")
    return site


@_staff_required
@require_http_methods(["GET", "POST"])
def index(request):
    staff = request.staff
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "surge":
                surge = _declare(request)
                return redirect("preparedness:surge", surge.pk)
            plan = _register(request)
            return redirect("preparedness:plan", plan.pk)
        except PreparednessRefused as refused:
            error = str(refused)
    today = clock.today()
    plans = list(services.plans_visible(staff).order_by("site__path", "kind", "pk")[:300])
    return render(
        request,
        "preparedness/index.html",
        {
            "plans": plans,
            "today": today,
            "missing": services.sites_without_current_plan(staff, today)
            if staff.is_coordinator
            else None,
            "surges": list(services.surges_visible(staff).order_by("-starts_on", "-pk")[:100]),
            "sites": list(_managed_sites(staff)),
            "kinds": PlanKind.choices,
            "error": error,
            "form": request.POST if error else {},
            "nav": "preparedness",
        },
    )


def _register(request):
    staff, post = request.staff, request.POST
    site = _site(staff, post.get("site"))
    owner_id = id_or_none(post.get("owner")) or staff.pk
    owner = type(staff).objects.filter(pk=owner_id).select_related("site").first()
    if post.get("kind") not in PlanKind.values:
        raise PreparednessRefused("请选择预案类型")
    title = (post.get("title") or "").strip()[:100]
    steps, contacts = (post.get("steps") or "").strip(), (post.get("contacts") or "").strip()
    if not title or not steps or not contacts:
        raise PreparednessRefused("请填写预案名称、处置步骤和联系人")
    return services.plan_register(
        staff,
        site=site,
        kind=post["kind"],
        title=title,
        owner=owner,
        steps=steps,
        contacts=contacts,
        reviewed_on=_day(post.get("reviewed_on"), "最近评审日期"),
    )


def _declare(request):
    staff, post = request.staff, request.POST
    return services.surge_declare(
        staff,
        site=_site(staff, post.get("site")),
        starts_on=_day(post.get("starts_on"), "开始日期"),
        ends_on=_day(post.get("ends_on"), "结束日期"),
        reason=(post.get("reason") or "")[:200],
        extra_places=_number(post.get("extra_places"), "每个预约时段增加人数", blank=0),
        expected_wait_minutes=_number(post.get("expected_wait_minutes"), "预计等候时间"),
        extended_hours=(post.get("extended_hours") or "")[:200],
    )


@_staff_required
@require_http_methods(["GET", "POST"])
def plan_detail(request, pk):
    staff = request.staff
    plan = services.get_plan_for(staff, pk)
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "reviewed":
                services.plan_reviewed(staff, plan)
            else:
                services.drill_record(
                    staff,
                    plan,
                    held_on=_day(request.POST.get("held_on"), "演练日期"),
                    participants=(request.POST.get("participants") or "").strip(),
                    findings=(request.POST.get("findings") or "").strip(),
                )
            return redirect("preparedness:plan", plan.pk)
        except PreparednessRefused as refused:
            error = str(refused)
    return render(
        request,
        "preparedness/plan.html",
        {
            "plan": plan,
            "drills": list(plan.drills.select_related("recorded_by")),
            "may_manage": services.may_manage_site(staff, plan.site),
            "today": clock.today(),
            "error": error,
            "nav": "preparedness",
        },
    )


@_staff_required
@require_http_methods(["GET", "POST"])
def surge_detail(request, pk):
    staff = request.staff
    surge = services.get_surge_for(staff, pk)
    may_manage = services.may_manage_site(staff, surge.site)
    error = ""
    if request.method == "POST":
        try:
            action = request.POST.get("action")
            if action == "hours":
                services.surge_let_hours_count(staff, surge)
            elif action == "change":
                _change(request, surge)
            elif action == "end":
                services.surge_end(staff, surge)
            else:
                services.surge_assign(
                    staff,
                    surge,
                    member_id=id_or_none(request.POST.get("member")),
                    starts_on=_day(request.POST.get("starts_on"), "调配开始日期"),
                    ends_on=_day(request.POST.get("ends_on"), "调配结束日期"),
                )
            return redirect("preparedness:surge", surge.pk)
        except PreparednessRefused as refused:
            error = str(refused)
    today = clock.today()
    return render(
        request,
        "preparedness/surge.html",
        {
            "surge": surge,
            "changes": services.surge_changes(surge),
            "may_change": may_manage and surge.ended_early_on is None and surge.ends_on >= today,
            "form": request.POST if error else {},
            "assignments": list(surge.assignments.select_related("staff__site", "assigned_by")),
            "may_manage": may_manage,
            "may_hours": services.may_let_hours_count(staff, surge) and surge.starts_on > today,
            "people": list(services.assignable_staff(staff, surge)[:300]) if may_manage else [],
            "today": today,
            "error": error,
            "nav": "preparedness",
        },
    )


def _change(request, surge):
    post = request.POST
    return services.surge_change(
        request.staff,
        surge,
        ends_on=_day(post.get("ends_on"), "结束日期"),
        extra_places=_number(post.get("extra_places"), "每个预约时段增加人数", blank=0),
        expected_wait_minutes=_number(post.get("expected_wait_minutes"), "预计等候时间"),
        extended_hours=(post.get("extended_hours") or "")[:200],
    )
