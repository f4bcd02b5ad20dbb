"""Booking a window time slot, cancelling and moving it; asking for a home visit (seed 001
§9). Coordinators schedule home visits in the workbench (预约与上门 → 上门服务安排)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from bangban.cases import clock
from bangban.cases.surge import surges_on
from bangban.inputs import id_or_none
from bangban.network.models import Site
from bangban.visits import services as booking
from bangban.visits.models import Appointment, AppointmentStatus, TimeSlot

from ..forms import BookingForm, HomeVisitForm
from ..identity import identity_required
from .common import Steps, is_elder


def _sites():
    return (
        Site.objects.filter(is_active=True).only("code", "name", "level", "path").order_by("path")
    )


DAYS_SHOWN = 5  # a short page first; "更多日期" shows the whole fortnight


def _by_day(slots, request) -> tuple[list[tuple], bool]:
    """[(day, slots)] for the first few days with places, and whether more days have them."""
    days: dict = {}
    for slot in slots:
        days.setdefault(slot.day, []).append(slot)
    listed = list(days.items())
    if request.GET.get("more") == "1":
        return listed, False
    return listed[:DAYS_SHOWN], len(listed) > DAYS_SHOWN


def appointments(request):
    """Choose a site, then a slot with places left (anyone may look; booking needs sign-in)."""
    sites = list(_sites())
    site = None
    code = request.GET.get("site", "")
    if code:
        site = next((s for s in sites if s.code == code), None)
        if site is None:
            raise Http404("服务机构不存在")
    slots = list(booking.slots_bookable(site)) if site else []
    days, more = _by_day(slots, request)
    # a site in surge says so, with the expected wait its coordinator gave (issue 19)
    in_surge = surges_on(site.pk, clock.today()).first() if site else None
    return render(
        request,
        "portal/appointments.html",
        {"sites": sites, "site": site, "days": days, "more": more, "surge": in_surge},
    )


@identity_required
def book(request, slot_id: int):
    slot = get_object_or_404(TimeSlot.objects.select_related("site"), pk=slot_id)
    form = BookingForm(request.POST or None, initial={"purpose": request.GET.get("purpose", "")})
    problem = None
    if request.method == "POST" and form.is_valid():
        try:
            made = booking.appointment_book(
                slot=slot,
                identity=request.identity,
                name=form.cleaned_data["name"],
                purpose=form.cleaned_data["purpose"],
            )
        except booking.BookingRefused as refused:
            problem = refused.message
        else:
            messages.success(
                request,
                f"预约成功（{made.number}）。请按时到{slot.site.name}帮办代办窗口，出示预约编号即可。",
            )
            return redirect("portal:my")
    return render(request, "portal/book.html", {"slot": slot, "form": form, "problem": problem})


def _mine(request, number: str) -> Appointment:
    return get_object_or_404(
        Appointment.objects.select_related("slot__site"),
        number=number,
        mobile_hash=request.identity.mobile_hash,
    )


@identity_required
@require_POST
def cancel(request, number: str):
    appointment = _mine(request, number)
    try:
        booking.appointment_cancel(appointment=appointment)
    except booking.BookingRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, f"预约 {appointment.number} 已取消。")
    return redirect("portal:my")


@identity_required
def reschedule(request, number: str):
    appointment = _mine(request, number)
    if appointment.status != AppointmentStatus.BOOKED:
        messages.info(request, "该预约已取消，不能改期。")
        return redirect("portal:my")
    problem = None
    if request.method == "POST":
        slot_id = id_or_none(request.POST.get("slot"))
        slot = (
            TimeSlot.objects.filter(pk=slot_id, site=appointment.slot.site).first()
            if slot_id
            else None
        )
        if slot is None:
            problem = "请选择新的时段"
        else:
            try:
                moved = booking.appointment_reschedule(
                    appointment=appointment, slot=slot, identity=request.identity
                )
            except booking.BookingRefused as refused:
                problem = refused.message
            else:
                messages.success(request, f"已改约到新的时段，新的预约编号 {moved.number}。")
                return redirect("portal:my")
    slots = [
        s for s in booking.slots_bookable(appointment.slot.site) if s.pk != appointment.slot_id
    ]
    days, more = _by_day(slots, request)
    return render(
        request,
        "portal/reschedule.html",
        {"appointment": appointment, "days": days, "more": more, "problem": problem},
    )


@identity_required
def home_visit(request):
    """上门服务 for 特殊群体 (elderly, disabled, pregnant, ill); one task per screen in 长辈版."""
    sites = list(_sites())
    form = HomeVisitForm(request.POST or None, sites=sites)
    steps = Steps(
        request,
        form,
        [["name", "priority"], ["site", "address"], ["needs", "preferred_times"]],
        one_page=not is_elder(request),
    )
    problem = None
    if steps.done:
        data = form.cleaned_data
        try:
            visit = booking.home_visit_request(
                identity=request.identity,
                site=next(s for s in sites if s.code == data["site"]),
                name=data["name"],
                address=data["address"],
                groups=set(data["priority"]),
                needs=data["needs"],
                preferred_times=data["preferred_times"],
            )
        except booking.BookingRefused as refused:
            problem = refused.message
        else:
            messages.success(
                request,
                f"上门服务申请已提交（{visit.number}）。协调员安排好后会短信告诉您上门的时间和人员。",
            )
            return redirect("portal:my")
    return render(
        request, "portal/home_visit.html", {"form": steps.form, "steps": steps, "problem": problem}
    )
