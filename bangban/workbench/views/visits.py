"""预约与上门: the window appointments and home visits of the staff member's sites.

Agents and coordinators record 已到场 / 未到场 and 已上门, tie a request to a case, and
enter a request taken by phone (an appointment or a home visit). Every write goes through
``visits.services``; a case is found with ``cases.access.get_case_for``, so a number the
person may not see is refused like an unknown one. Coordinators schedule home visits, or
decline them with a reason, on 上门服务安排 (``home_visits_manage`` and ``home_visit_handle``),
for the requests ``visits.services.home_visits_for`` gives them (the one rule of whose
requests a coordinator schedules); the portal's old addresses redirect here.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from bangban.cases.access import get_case_for
from bangban.inputs import id_or_none
from bangban.network.models import Site, under_q
from bangban.visits import services as booking
from bangban.visits.models import (
    PRIORITY_GROUPS,
    AppointmentStatus,
    HomeVisitStatus,
    TimeSlot,
)

from ..auth import staff_required
from ..navigation import areas

LISTED = 60
DAYS_BACK = 7


def _may_use(staff) -> None:
    if "visits" not in areas(staff):
        raise PermissionDenied("预约与上门仅供帮办代办员和协调员使用")


def _case_or_refuse(request, number: str):
    """The case the number names, if this person may see it; None for no number."""
    number = (number or "").strip()
    if not number:
        return None
    try:
        return get_case_for(request.actor, number)
    except Http404:
        raise booking.BookingRefused("办件编号不存在或不在您的工作范围内", "case") from None


def _page_context(request, *, form=None, problem="", visit_form=None) -> dict:
    staff = request.staff
    paths = booking._site_paths(staff)
    today = timezone.localdate()
    appointments = list(
        booking.appointments_for(staff)
        .filter(slot__day__gte=today - timedelta(days=DAYS_BACK))
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("marked_by")
        .order_by("slot__day", "slot__start", "id")[:LISTED]
    )
    now = timezone.now()
    for a in appointments:
        a.may_mark = booking._starts_at(a.slot) <= now
    visits = list(
        booking.visits_for(staff)
        .exclude(status__in=[HomeVisitStatus.CANCELLED, HomeVisitStatus.DECLINED])
        .exclude(status=HomeVisitStatus.DONE, visited_at__lt=now - timedelta(days=DAYS_BACK))
        .order_by("status", "scheduled_for", "-created_at")[:LISTED]
    )
    slots = list(
        TimeSlot.objects.filter(under_q(paths, "site"), day__gte=today)
        .filter(day__lte=today + timedelta(days=booking.BOOKABLE_DAYS))
        .exclude(day=today, start__lte=timezone.localtime(now).time())
        .select_related("site")
        .order_by("day", "start", "site__path")[:LISTED]
    )
    return {
        "nav": "visits",
        "appointments": appointments,
        "visits": visits,
        "slots": [s for s in slots if s.left],
        "sites": list(Site.objects.filter(under_q(paths), is_active=True).order_by("path")),
        "groups": list(PRIORITY_GROUPS.items()),
        "form": form or {},
        "visit_form": visit_form or {},
        "problem": problem,
        "is_coordinator": staff.is_coordinator,
    }


@staff_required
def visits_page(request):
    _may_use(request.staff)
    return render(request, "workbench/visits.html", _page_context(request))


def _appointment(request, number: str):
    return get_object_or_404(booking.appointments_for(request.staff), number=number)


def _visit(request, number: str):
    return get_object_or_404(booking.visits_for(request.staff), number=number)


@staff_required
@require_POST
def appointment_mark(request, number: str):
    _may_use(request.staff)
    appointment = _appointment(request, number)
    attended = request.POST.get("attended") == "1"
    try:
        booking.appointment_mark(appointment=appointment, staff=request.staff, attended=attended)
    except booking.BookingRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request, f"预约 {appointment.number} 已登记为{'已到场' if attended else '未到场'}。"
        )
    return redirect("workbench:visits")


@staff_required
@require_POST
def visit_done(request, number: str):
    _may_use(request.staff)
    visit = _visit(request, number)
    try:
        booking.home_visit_done(visit=visit, staff=request.staff, note=request.POST.get("note", ""))
    except booking.BookingRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, f"上门服务 {visit.number} 已登记为已上门。")
    return redirect("workbench:visits")


@staff_required
@require_POST
def link_case(request, kind: str, number: str):
    _may_use(request.staff)
    if kind not in {"appointment", "visit"}:
        raise Http404("页面不存在")
    row = _appointment(request, number) if kind == "appointment" else _visit(request, number)
    try:
        case = _case_or_refuse(request, request.POST.get("case", ""))
        if case is None:
            raise booking.BookingRefused("请填写办件编号", "case")
        booking.link_case(row=row, staff=request.staff, case=case)
    except booking.BookingRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, f"{row.number} 已关联办件 {case.number}。")
    return redirect("workbench:visits")


def _text(data, name: str, limit: int) -> str:
    return (data.get(name) or "").strip()[:limit]


@staff_required
@require_POST
def phone_appointment(request):
    """预约 taken by phone: a slot of the person's sites, the caller's name and number (or
    a case's client), what they will do."""
    _may_use(request.staff)
    data = request.POST
    paths = booking._site_paths(request.staff)
    slot_id = id_or_none(data.get("slot"))
    slot = (
        TimeSlot.objects.filter(under_q(paths, "site"), pk=slot_id).select_related("site").first()
        if slot_id
        else None
    )
    try:
        if slot is None:
            raise booking.BookingRefused("请选择预约时段", "slot")
        made = booking.appointment_by_phone(
            staff=request.staff,
            slot=slot,
            name=_text(data, "name", 50),
            mobile=_text(data, "mobile", 20),
            purpose=_text(data, "purpose", 200),
            case=_case_or_refuse(request, data.get("case", "")),
        )
    except booking.BookingRefused as refused:
        context = _page_context(request, form=data, problem=refused.message)
        return render(request, "workbench/visits.html", context, status=400)
    messages.success(
        request, f"已登记电话预约 {made.number}（{made.slot}），确认短信将发给服务对象。"
    )
    return redirect("workbench:visits")


@staff_required
@require_POST
def phone_home_visit(request):
    """上门服务 asked for by phone: the 特殊群体 ticked, or the reason staff write."""
    _may_use(request.staff)
    data = request.POST
    paths = booking._site_paths(request.staff)
    site = Site.objects.filter(under_q(paths), code=data.get("site", ""), is_active=True).first()
    try:
        if site is None:
            raise booking.BookingRefused("请选择由哪个服务机构上门", "site")
        visit = booking.home_visit_by_phone(
            staff=request.staff,
            site=site,
            name=_text(data, "name", 50),
            mobile=_text(data, "mobile", 20),
            address=_text(data, "address", 200),
            needs=_text(data, "needs", 2000),
            preferred_times=_text(data, "preferred_times", 200),
            groups=set(data.getlist("groups")),
            need_reason=_text(data, "need_reason", 2000),
            case=_case_or_refuse(request, data.get("case", "")),
        )
    except booking.BookingRefused as refused:
        context = _page_context(request, visit_form=data, problem=refused.message)
        return render(request, "workbench/visits.html", context, status=400)
    messages.success(request, f"已登记上门服务申请 {visit.number}，请协调员安排上门。")
    return redirect("workbench:visits")


# --- 上门服务安排: the coordinator schedules or declines ----------------------------------------

HANDLE_LISTED = 100


def _coordinator(request):
    _may_use(request.staff)
    if not request.staff.is_coordinator:
        raise PermissionDenied("仅协调员可以安排上门服务")
    return request.staff


@staff_required
def home_visits_manage(request):
    """The home-visit requests of the sites the coordinator covers, waiting ones first."""
    staff = _coordinator(request)
    visits = list(booking.home_visits_for(staff).order_by("status", "-created_at")[:HANDLE_LISTED])
    return render(request, "workbench/home_visits_manage.html", {"nav": "visits", "visits": visits})


def _scheduled_for(value: str):
    for pattern in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"):
        try:
            return timezone.make_aware(datetime.strptime(value.strip(), pattern))
        except ValueError:
            continue
    return None


@staff_required
def home_visit_handle(request, number: str):
    """One request: 安排上门 (agent, time, a word to the person) or 不予安排 (the reason)."""
    staff = _coordinator(request)
    visit = get_object_or_404(booking.home_visits_for(staff), number=number)
    agents = list(booking.agents_for(visit).select_related("site"))
    data = request.POST if request.method == "POST" else {}
    action = data.get("action", "")
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            if action == "schedule":
                agent = next((a for a in agents if str(a.pk) == data.get("agent", "")), None)
                when = _scheduled_for(data.get("scheduled_for", ""))
                if agent is None:
                    errors["agent"] = "请选择上门帮办代办员"
                if when is None:
                    errors["scheduled_for"] = "请填写上门时间（日期和时刻）"
                if not errors:
                    booking.home_visit_schedule(
                        visit=visit,
                        staff=staff,
                        agent=agent,
                        scheduled_for=when,
                        reply=_text(data, "reply", 300),
                    )
                    messages.success(request, f"已安排上门服务 {visit.number}，并短信告知申请人。")
                    return redirect("workbench:home-visits-manage")
            elif action == "decline":
                booking.home_visit_decline(
                    visit=visit, staff=staff, reply=_text(data, "reply", 300)
                )
                messages.success(request, f"已答复 {visit.number}。")
                return redirect("workbench:home-visits-manage")
            else:
                errors["action"] = "请选择安排上门或不予安排"
        except booking.BookingRefused as refused:
            errors[action or "action"] = refused.message
    return render(
        request,
        "workbench/home_visit_handle.html",
        {
            "nav": "visits",
            "visit": visit,
            "agents": agents,
            "form": data,
            "action": action,
            "errors": errors,
            "open": visit.status in {HomeVisitStatus.REQUESTED, HomeVisitStatus.SCHEDULED},
        },
        status=422 if errors else 200,
    )
