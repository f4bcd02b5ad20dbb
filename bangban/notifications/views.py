"""The staff member's notices page (/notifications/): list, unread count, mark read,
and how they want messages besides the notice (immediate or daily digest)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import selectors, services
from .models import DeliveryMode, StaffPreference

PAGE_SIZE = 30


class PreferenceForm(forms.Form):
    mode = forms.ChoiceField(label="邮件和短信的发送方式", choices=DeliveryMode.choices)
    by_email = forms.BooleanField(label="同时发送电子邮件", required=False)
    by_sms = forms.BooleanField(label="同时发送短信", required=False)


def _staff_for(request):
    """The active staff member behind this login; 404 for anyone else."""
    staff = getattr(request.user, "staff", None)
    if staff is None or not staff.is_active:
        raise Http404("仅工作人员可用")
    return staff


@login_required
def notice_list(request):
    staff = _staff_for(request)
    page = Paginator(selectors.notices_for(staff), PAGE_SIZE).get_page(request.GET.get("page"))
    preference = StaffPreference.objects.filter(staff=staff).first()
    form = PreferenceForm(
        initial={
            "mode": preference.mode if preference else DeliveryMode.IMMEDIATE,
            "by_email": preference.by_email if preference else True,
            "by_sms": preference.by_sms if preference else False,
        }
    )
    return render(
        request,
        "notifications/index.html",
        {
            "page": page,
            "unread": selectors.unread_count(staff),
            "form": form,
            "has_email": bool(request.user.email),
            "has_phone": bool(staff.phone),
        },
    )


@login_required
@require_POST
def notice_read(request):
    staff = _staff_for(request)
    notice_id = request.POST.get("notice")
    if notice_id is not None and not notice_id.isdigit():
        raise Http404("通知不存在")
    services.notice_mark_read(staff=staff, notice_id=int(notice_id) if notice_id else None)
    return redirect("notifications:index")


@login_required
@require_POST
def preference_save(request):
    staff = _staff_for(request)
    form = PreferenceForm(request.POST)
    if form.is_valid():
        services.preference_set(staff=staff, **form.cleaned_data)
        messages.success(request, "通知设置已保存")
    return redirect("notifications:index")
