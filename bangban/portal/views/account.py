"""Signing in with a mobile number and a one-time code, signing out, and "我的办事"."""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from bangban.cases.models import Case
from bangban.clients import pii
from bangban.netaddr import client_ip
from bangban.visits.models import AppointmentStatus, HomeVisitRequest
from bangban.visits.services import appointments_of

from .. import otp
from ..forms import CodeForm, PhoneForm
from ..identity import (
    PortalIdentity,
    clients_of,
    current_identity,
    identity_required,
    sign_in,
    sign_out,
)
from .common import safe_next

PENDING_PHONE = "portal_login_phone"  # encrypted, like every stored phone number


def _remember(request, phone: str) -> None:
    request.session[PENDING_PHONE] = pii.protect("mobile", otp.mobile_of(phone))[0]


def _to(name: str, **query) -> str:
    return reverse(name) + "?" + urlencode(query)


def login(request):
    """Step 1: the mobile number; a code is sent to it."""
    next_url = safe_next(request, reverse("portal:my"))
    if current_identity(request):
        return redirect(next_url)
    form = PhoneForm(request.POST or None)
    problem = None
    if request.method == "POST" and form.is_valid():
        try:
            otp.code_send(phone=form.cleaned_data["phone"], ip=client_ip(request))
        except otp.CodeRefused as refused:
            if refused.code != "too_soon":
                problem = refused.message
            else:  # a code is on its way already: let them type it
                _remember(request, form.cleaned_data["phone"])
                return redirect(_to("portal:login-code", next=next_url, again=1))
        else:
            _remember(request, form.cleaned_data["phone"])
            return redirect(_to("portal:login-code", next=next_url))
    return render(
        request,
        "portal/login.html",
        {"form": form, "problem": problem, "next": next_url, "step": "phone"},
    )


def login_code(request):
    """Step 2: the code from the SMS."""
    next_url = safe_next(request, reverse("portal:my"))
    mobile = pii.reveal(request.session.get(PENDING_PHONE, ""))
    if not mobile:
        return redirect(_to("portal:login", next=next_url))
    form = CodeForm(request.POST or None)
    problem = None
    if request.method == "POST" and form.is_valid():
        try:
            proven = otp.code_verify(phone=mobile, code=form.cleaned_data["code"])
        except otp.CodeRefused as refused:
            problem = refused.message
        else:
            request.session.pop(PENDING_PHONE, None)
            sign_in(request, PortalIdentity.of_mobile(proven))
            return redirect(next_url)
    masked = PortalIdentity.of_mobile(mobile).mobile_masked
    return render(
        request,
        "portal/login.html",
        {
            "form": form,
            "problem": problem,
            "next": next_url,
            "step": "code",
            "masked": masked,
            "again": request.GET.get("again"),
        },
    )


@require_POST
def logout(request):
    sign_out(request)
    return redirect("/")


@identity_required
def my(request):
    """我的办事: the cases, appointments and home-visit requests of this mobile."""
    identity = request.identity
    # their own cases, and those they applied for on a relative's behalf (cases.behalf)
    cases = (
        Case.objects.filter(
            Q(client__in=clients_of(identity))
            | Q(on_behalf__applicant_mobile_hash__in=identity.mobile_hashes)
        )
        .select_related("site", "client", "on_behalf")
        .distinct()
        .order_by("-created_at", "-id")[:50]
    )
    today = timezone.localdate()
    appointments = appointments_of(identity).order_by("-slot__day", "-slot__start")[:20]
    visits = HomeVisitRequest.objects.filter(mobile_hash=identity.mobile_hash).select_related(
        "site", "agent"
    )[:20]
    return render(
        request,
        "portal/my.html",
        {
            "cases": cases,
            "identity_hashes": identity.mobile_hashes,
            "appointments": appointments,
            "visits": visits,
            "today": today,
            "booked": AppointmentStatus.BOOKED,
        },
    )
