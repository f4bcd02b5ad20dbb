"""The workbench's remote-help pages, mounted at /work/remote/.

- ``queue/``: the live queue of the requests the staff member may answer (``access.queue_for``),
  with the waiting time, refreshed every few seconds (htmx; the realtime side pushes too);
  answering opens the session page, a call-back is closed with what came of it.
- ``rota/``: the 值班表 of the sites a coordinator covers (add and remove shifts).
- ``sessions/``: the session records the person may read, and one record (404 otherwise);
  its photos (decrypted, ``photos.py``), each with a form to keep it as a material of the
  case with the client's consent ticked (``photos/<id>/keep/``, ``photo_to_case_material``).
- ``ask/``: a village or town agent asks from a case or consultation page.

Every view takes the signed-in, on-duty staff member (``_staff_required``, as the
workbench's own pages do); a refusal comes back as a Chinese message.
"""

from __future__ import annotations

from datetime import time
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bangban.cases import clock
from bangban.cases.access import actor_for_user, get_case_for
from bangban.consultations.selectors import visible_consultations
from bangban.inputs import id_or_none
from bangban.network.models import Site
from bangban.staff.models import StaffMember

from . import photos, rota
from .access import get_request_for_staff, get_session_for, queue_for, sessions_visible_to
from .models import RINGING, DutyShift, HelpRequest, RequestState
from .services import (
    CONSENT_WORDS,
    RemoteRefused,
    callback_number,
    help_answer,
    help_ask,
    help_call_back_done,
    is_asker,
    may_join,
    may_keep_photos,
    photo_to_case_material,
    wait_for,
)

SESSIONS_SHOWN = 100


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


def _queue_rows(staff):
    now = clock.now()
    rows = []
    for help_request in queue_for(staff)[:200]:
        rows.append(
            {
                "request": help_request,
                "waited": max(0, int((now - help_request.asked_at).total_seconds())),
                "over": help_request.state in (RequestState.WAITING, RequestState.ESCALATED)
                and (now - (help_request.escalated_at or help_request.asked_at)).total_seconds()
                >= help_request.target_seconds,
            }
        )
    return rows


@_staff_required
@require_GET
def queue(request):
    """The live queue; ``?part=rows`` gives only the rows, for the refresh."""
    staff = request.staff
    context = {
        "rows": _queue_rows(staff),
        "on_duty": rota.is_on_duty(staff, clock.now()),
        "nav": "remote",
    }
    if request.GET.get("part") == "rows":
        return render(request, "remote/_queue_rows.html", context)
    return render(request, "remote/queue.html", context)


@_staff_required
@require_POST
def answer(request, pk: int):
    help_request = get_request_for_staff(request.staff, pk)
    try:
        session = help_answer(request.staff, help_request)
    except RemoteRefused as refused:
        messages.error(request, refused.message)
        return redirect("remote:queue")
    return redirect("remote:session-live", session.pk)


@_staff_required
@require_http_methods(["GET", "POST"])
def call_back(request, pk: int):
    """The number to call (shown to the one calling, only here), and what came of it."""
    help_request = get_request_for_staff(request.staff, pk)
    if help_request.state != RequestState.CALL_BACK:
        raise Http404("该求助不是待回电的求助")
    error = ""
    if request.method == "POST":
        try:
            help_call_back_done(request.staff, help_request, note=request.POST.get("note", ""))
        except RemoteRefused as refused:
            error = refused.message
        else:
            messages.success(request, "已记录回电结果")
            return redirect("remote:queue")
    return render(
        request,
        "remote/call_back.html",
        {"help_request": help_request, "number": callback_number(help_request), "error": error},
    )


@_staff_required
@require_POST
def ask(request):
    """A village or town agent asks from a case or a consultation page."""
    staff = request.staff
    case = consultation = None
    back = reverse("workbench:home")
    number = request.POST.get("case", "")
    if number:
        case = get_case_for(request.actor, number)
        back = reverse("workbench:case", args=[case.number])
    pk = id_or_none(request.POST.get("consultation"))
    if pk is not None:
        consultation = visible_consultations(staff).filter(pk=pk).first()
        if consultation is None:
            raise Http404("咨询不存在")
        back = reverse("workbench:consultation", args=[consultation.pk])
    item = None
    if case is not None:
        first = case.items.select_related("item_version__item").first()
        item = first.item_version.item if first else None
    try:
        help_request = help_ask(
            request.actor,
            question=request.POST.get("question", ""),
            case=case,
            consultation=consultation,
            item=item,
        )
    except RemoteRefused as refused:
        messages.error(request, refused.message)
        return redirect(back)
    return redirect("remote:waiting", help_request.pk)


@_staff_required
@require_GET
def waiting(request, pk: int):
    """The asking agent's own wait: who it rings, how long, call back; then the session."""
    help_request = (
        HelpRequest.objects.select_related("ring_site", "site").filter(pk=id_or_none(pk)).first()
    )
    if help_request is None or not is_asker(request.actor, help_request):
        raise Http404("求助不存在")
    session = getattr(help_request, "session", None) if help_request.answered_at else None
    context = {
        "help_request": help_request,
        "wait": wait_for(help_request) if help_request.state in RINGING else None,
        "session": session,
    }
    if request.GET.get("part") == "status":
        return render(request, "remote/_waiting_status.html", context)
    return render(request, "remote/waiting.html", context)


# --- the rota --------------------------------------------------------------------------------


def _rota_sites(staff) -> list[Site]:
    return list(Site.objects.under(staff.covered_paths()).filter(is_active=True).order_by("path"))


@_staff_required
@require_http_methods(["GET", "POST"])
def rota_page(request):
    """The 值班表 of the sites the coordinator covers (read-only for others: their site's)."""
    staff = request.staff
    sites = _rota_sites(staff) if staff.is_coordinator else [staff.site]
    may_edit = staff.is_coordinator
    error = ""
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied("只有协调员可以编排值班表")
        error = _rota_change(request, sites)
        if not error:
            return redirect("remote:rota")
    shifts = (
        DutyShift.objects.filter(site__in=sites)
        .select_related("site", "staff")
        .order_by("site__path", "date", "weekday", "start", "id")
    )
    people = (
        StaffMember.objects.filter(site__in=sites, is_active=True, is_agent=True)
        .select_related("site")
        .order_by("site__path", "name")
        if may_edit
        else []
    )
    return render(
        request,
        "remote/rota.html",
        {
            "shifts": shifts,
            "sites": sites,
            "people": people,
            "may_edit": may_edit,
            "weekdays": DutyShift.WEEKDAYS,
            "error": error,
            "nav": "remote",
        },
    )


def _time(value: str) -> time | None:
    try:
        hour, minute = (int(part) for part in (value or "").split(":")[:2])
        return time(hour, minute)
    except ValueError:
        return None


def _rota_change(request, sites) -> str:
    site_ids = {s.pk for s in sites}
    remove = id_or_none(request.POST.get("remove"))
    if remove is not None:
        DutyShift.objects.filter(pk=remove, site_id__in=site_ids).delete()
        return ""
    member = (
        StaffMember.objects.filter(
            pk=id_or_none(request.POST.get("staff")), site_id__in=site_ids, is_active=True
        )
        .select_related("site")
        .first()
    )
    if member is None:
        return "请选择值班人员"
    weekday = id_or_none(request.POST.get("weekday"))
    if weekday is None or weekday > 7:
        return "请选择星期"
    start, end = _time(request.POST.get("start", "")), _time(request.POST.get("end", ""))
    if start is None or end is None:
        return "请填写开始和结束时间（如 08:30）"
    if start >= end:
        return "结束时间应晚于开始时间"
    DutyShift.objects.create(site=member.site, staff=member, weekday=weekday, start=start, end=end)
    return ""


# --- the records -----------------------------------------------------------------------------


@_staff_required
@require_GET
def sessions(request):
    records = (
        sessions_visible_to(request.actor)
        .select_related("request", "request__site", "expert", "case", "consultation")
        .order_by("-started_at", "-id")[:SESSIONS_SHOWN]
    )
    return render(request, "remote/sessions.html", {"records": records, "nav": "remote"})


@_staff_required
@require_GET
def session_detail(request, pk: int):
    record = get_session_for(request.actor, pk)
    may_keep = may_keep_photos(request.staff, record)
    return render(
        request,
        "remote/session_record.html",
        {
            "record": record,
            "chat": list(record.messages.all()),
            "photos": list(record.photos.select_related("material")),
            "may_join": record.ended_at is None and may_join(request.actor, record),
            "may_keep": may_keep,
            "materials": list(record.case.materials.order_by("id")) if may_keep else [],
            "consent_words": CONSENT_WORDS,
        },
    )


@_staff_required
@require_GET
def session_photo_file(request, pk: int, photo_id: int):
    record = get_session_for(request.actor, pk)
    photo = record.photos.filter(pk=id_or_none(photo_id)).first()
    if photo is None:
        raise Http404("照片不存在")
    return photos.served(photo)  # decrypted here: the disk holds it encrypted


@_staff_required
@require_POST
def photo_keep(request, pk: int, photo_id: int):
    """Keep a photo as a material of the session's case, with the client's consent ticked
    (``services.photo_to_case_material``); 404 for who may not read the record."""
    record = get_session_for(request.actor, pk)
    photo = record.photos.filter(pk=id_or_none(photo_id)).first()
    if photo is None:
        raise Http404("照片不存在")
    material = None
    if record.case_id is not None:
        material = record.case.materials.filter(pk=id_or_none(request.POST.get("material"))).first()
    try:
        photo_to_case_material(
            photo,
            staff=request.staff,
            consent=request.POST.get("consent") == "yes",
            material=material,
        )
    except RemoteRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, f"照片已作为办件材料“{material.name}”保存")
    return redirect("remote:session", record.pk)


@_staff_required
@require_GET
def session_live(request, pk: int):
    """The live session (voice, video, screen, chat, photos: the realtime side's page)."""
    record = get_session_for(request.actor, pk)
    if not may_join(request.actor, record):
        raise Http404("远程帮办不存在")
    if record.ended_at is not None:
        return redirect("remote:session", record.pk)
    return render(
        request,
        "remote/session.html",
        {"record": record, "session": record, "side": "staff", "elder": False},
    )
