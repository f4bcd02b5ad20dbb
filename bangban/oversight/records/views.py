"""Staff pages for the oversight records: the rectification ledger, complaints, return
visits, ratings given on paper or on the window's device, and inspections. Each action is a POST that calls one service; a refusal is shown
as a message in Chinese and nothing changes.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from bangban.cases import ratings
from bangban.cases.access import Actor, get_case_for
from bangban.inputs import bounded_int, date_or_none, id_or_none, int_or_none
from bangban.staff.models import StaffMember

from ..access import (
    can_manage,
    get_site_for,
    root_sites,
    staff_required,
    visible_complaints,
    visible_inspections,
    visible_rectifications,
    visible_return_visits,
)
from ..models import (
    INSPECTION_ITEMS,
    AppealDecision,
    ComplaintChannel,
    ComplaintKind,
    EvaluationChannel,
    Level,
    RectificationOutcome,
    RectificationStatus,
    ReturnVisitMethod,
    ReturnVisitOutcome,
)
from . import selectors, services
from .rectification_rules import rectification_actions
from .services import OversightRefused

PAGE_SIZE = 50  # rows a page of a list shows (these lists, and those behind a figure)


def _page(request, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _run(request, action, success: str) -> bool:
    try:
        action()
    except OversightRefused as refused:
        messages.error(request, refused.message)
        return False
    except services.TransitionRefused as refused:
        messages.error(request, refused.message)
        return False
    messages.success(request, success)
    return True


def _date(value) -> date | None:
    return date_or_none(value)


# --- rectifications -------------------------------------------------------------------


@staff_required
def rectification_list(request, staff):
    rows = visible_rectifications(staff).select_related("case", "site", "owner", "evaluation")
    status = request.GET.get("status", "")
    if status == "overdue":
        rows = rows.filter(pk__in=selectors.overdue_rectifications().values("pk"))
    elif status in RectificationStatus.values:
        rows = rows.filter(status=status)
    context = {
        "page": _page(request, rows.order_by("-opened_at", "-id")),
        "statuses": RectificationStatus.choices,
        "status": status,
        "today": timezone.localdate(),
        "list_query": f"status={status}",
    }
    return render(request, "oversight/rectifications.html", context)


def _rectification_for(staff, pk):
    r = (
        visible_rectifications(staff)
        .select_related("case", "site", "owner", "evaluation", "appeal_decided_by")
        .filter(pk=pk)
        .first()
    )
    if r is None:
        raise Http404("整改记录不存在")
    return r


@staff_required
def rectification_detail(request, staff, pk):
    r = _rectification_for(staff, pk)
    context = {
        "r": r,
        "visits": r.return_visits.select_related("visitor").order_by("created_at"),
        "outcomes": RectificationOutcome.choices,
        "decisions": AppealDecision.choices,
        "levels": Level.choices,
        "actions": rectification_actions(staff, r),
        "today": timezone.localdate(),
    }
    return render(request, "oversight/rectification.html", context)


@require_POST
@staff_required
def rectification_action(request, staff, pk, action):
    r = _rectification_for(staff, pk)
    post = request.POST
    actions = {
        "decide": lambda: services.rectification_decide(
            rectification=r,
            staff=staff,
            outcome=post.get("outcome", ""),
            measures=post.get("measures", ""),
            deadline_on=_date(post.get("deadline_on")),
            appeal_reason=post.get("appeal_reason", ""),
        ),
        "complete": lambda: services.rectification_complete(
            rectification=r, staff=staff, result=post.get("result", "")
        ),
        "appeal": lambda: services.rectification_appeal_decide(
            rectification=r,
            staff=staff,
            decision=post.get("decision", ""),
            note=post.get("note", ""),
        ),
        "rate": lambda: services.rectification_client_rate(
            rectification=r,
            actor=Actor.of_staff(staff),
            level=post.get("level"),
            comment=post.get("comment", ""),
        ),
    }
    if action not in actions:
        raise Http404("没有这项操作")
    _run(request, actions[action], "已保存")
    return redirect("oversight:rectification", pk=r.pk)


# --- complaints -----------------------------------------------------------------------


@staff_required
def complaint_list(request, staff):
    rows = visible_complaints(staff).select_related("site", "assigned_to")
    context = {
        "title": "投诉",
        "page": _page(request, rows.order_by("-received_at", "-id")),
        "list_query": "",
        "new_url": reverse("oversight:complaint-new") if root_sites(staff) else "",
    }
    return render(request, "oversight/list_complaints.html", context)


def _complaint_for(staff, pk):
    c = (
        visible_complaints(staff)
        .select_related("site", "case", "assigned_to")
        .filter(pk=pk)
        .first()
    )
    if c is None:
        raise Http404("投诉不存在")
    return c


@staff_required
def complaint_new(request, staff):
    if request.method == "POST":
        post = request.POST
        case = None
        if post.get("case_number"):
            case = get_case_for(Actor.of_staff(staff), post["case_number"].strip())
        site = get_site_for(staff, post["site"]) if post.get("site") else None
        try:
            complaint = services.complaint_submit(
                channel=post.get("channel", ""),
                complainant_name=post.get("complainant_name", ""),
                contact=post.get("contact", ""),
                content=post.get("content", ""),
                case=case,
                site=site,
                received_by=staff,
            )
        except OversightRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, f"已登记投诉 {complaint.number}")
            return redirect("oversight:complaint", pk=complaint.pk)
    context = {
        "channels": ComplaintChannel.choices,
        "sites": root_sites(staff),
        "post": request.POST,
    }
    return render(request, "oversight/complaint_new.html", context)


@staff_required
def complaint_detail(request, staff, pk):
    c = _complaint_for(staff, pk)
    assignees = []
    if can_manage(staff, c.site):
        assignees = StaffMember.objects.active().filter(
            site__path__startswith=c.site.path.split("/")[0] + "/"
        )
        assignees = assignees.exclude(is_liaison=True, is_agent=False).order_by(
            "site__path", "name"
        )[:200]
    context = {
        "c": c,
        "steps": c.steps.select_related("actor"),
        "kinds": ComplaintKind.choices,
        "assignees": assignees,
        "today": timezone.localdate(),
    }
    return render(request, "oversight/complaint.html", context)


@require_POST
@staff_required
def complaint_action(request, staff, pk, action):
    c = _complaint_for(staff, pk)
    post = request.POST
    assignee = None
    if action == "assign":
        assignee_id = id_or_none(post.get("assignee"))
        assignee = StaffMember.objects.filter(pk=assignee_id).first() if assignee_id else None
    actions = {
        "assign": lambda: services.complaint_assign(
            complaint=c, staff=staff, assignee=assignee, kind=post.get("kind") or None
        ),
        "contact": lambda: services.complaint_contact(
            complaint=c, staff=staff, note=post.get("note", "")
        ),
        "investigate": lambda: services.complaint_investigate(
            complaint=c,
            staff=staff,
            findings=post.get("findings", ""),
            substantiated=post.get("substantiated") == "1",
            kind=post.get("kind") or None,
        ),
        "reply": lambda: services.complaint_reply(
            complaint=c, staff=staff, handling=post.get("handling", ""), reply=post.get("reply", "")
        ),
        "archive": lambda: services.complaint_archive(complaint=c, staff=staff),
    }
    if action not in actions:
        raise Http404("没有这项操作")
    _run(request, actions[action], "已保存")
    return redirect("oversight:complaint", pk=c.pk)


# --- return visits --------------------------------------------------------------------


@staff_required
def visit_list(request, staff):
    rows = visible_return_visits(staff).select_related("case", "site", "visitor", "rectification")
    show = request.GET.get("show", "due")
    if show == "due":
        rows = rows.filter(visited_at__isnull=True).order_by("due_on", "id")
    else:
        rows = rows.order_by("-created_at", "-id")
    context = {
        "page": _page(request, rows),
        "show": show,
        "methods": ReturnVisitMethod.choices,
        "outcomes": ReturnVisitOutcome.choices,
        "levels": Level.choices,
        "today": timezone.localdate(),
        "list_query": f"show={show}",
        "can_plan": staff.is_coordinator,
    }
    return render(request, "oversight/visits.html", context)


@require_POST
@staff_required
def visit_record(request, staff, pk):
    visit = visible_return_visits(staff).filter(pk=pk).first()
    if visit is None:
        raise Http404("回访不存在")
    post = request.POST
    level = post.get("level") or None
    _run(
        request,
        lambda: services.return_visit_record(
            visit=visit,
            staff=staff,
            method=post.get("method", ""),
            outcome=post.get("outcome", ""),
            notes=post.get("notes", ""),
            level=int_or_none(level),
            comment=post.get("comment", ""),
        ),
        "回访结果已登记",
    )
    return redirect("oversight:visits")


@require_POST
@staff_required
def visit_plan(request, staff):
    count = request.POST.get("count", "5")
    planned = []

    def plan():
        planned.extend(
            services.return_visits_plan_random(
                staff=staff, count=bounded_int(count, 5, low=0, high=100)
            )
        )

    if _run(request, plan, "已随机抽取回访办件"):
        messages.info(request, f"本次抽取 {len(planned)} 件")
    return redirect("oversight:visits")


# --- ratings given on paper or on the window's device ----------------------------------

# What a staff member may transcribe here (a return visit's rating is entered with the visit).
RATING_CHANNELS = [
    (EvaluationChannel.PAPER_FORM.value, EvaluationChannel.PAPER_FORM.label),
    (EvaluationChannel.WINDOW_DEVICE.value, EvaluationChannel.WINDOW_DEVICE.label),
]


@staff_required
def rating_new(request, staff):
    """Enter what a client rated on the paper evaluation form (seed 003 附件4) or on the
    window's 评价器 (seed 000 §8.2.1): the case workflow's ``evaluate`` event with its
    channel, recorded by this staff member, never by one who handled the case."""
    scale = ratings.scale_for(staff.site)
    post = request.POST
    if request.method == "POST":
        number = post.get("case_number", "").strip().upper()
        channel = post.get("channel", "")
        try:
            case = get_case_for(Actor.of_staff(staff), number) if number else None
        except Http404:
            case = None
        label = post.get("level", "")
        level = ratings.scale_for(case.site).level_of(label) if case else None
        level = level or ratings.FIVE_LEVELS.level_of(label)
        if case is None:
            messages.error(request, "办件不存在或不在您负责的范围内，请核对办件编号")
        elif channel not in dict(RATING_CHANNELS):
            messages.error(request, "请选择评价来源")
        elif level is None:
            messages.error(request, "请选择评价等级")
        elif _run(
            request,
            lambda: services.evaluation_submit(
                case=case,
                actor=staff,
                level=level,
                indicators={},
                comment=post.get("comment", ""),
                channel=channel,
            ),
            f"已录入办件 {case.number} 的评价（{dict(RATING_CHANNELS)[channel]}）",
        ):
            return redirect("oversight:rating-new")
    context = {"channels": RATING_CHANNELS, "levels": scale.labels, "post": post}
    return render(request, "oversight/rating_new.html", context)


# --- inspections ----------------------------------------------------------------------


@staff_required
def inspection_list(request, staff):
    rows = (
        visible_inspections(staff)
        .select_related("site", "inspector")
        .order_by("-inspected_on", "-id")
    )
    context = {
        "page": _page(request, rows),
        "list_query": "",
        "can_inspect": staff.is_supervisor,
        "overdue_findings": selectors.overdue_findings()
        .filter(inspection__in=visible_inspections(staff).values("pk"))
        .select_related("inspection__site")[:100],
    }
    return render(request, "oversight/inspections.html", context)


@staff_required
def inspection_new(request, staff):
    from bangban.network.models import Site

    roots = root_sites(staff)
    sites = (
        Site.objects.filter(is_active=True, path__startswith=roots[0].path).order_by("path")[:500]
        if roots
        else []
    )
    if request.method == "POST":
        post = request.POST
        findings = []
        for code in INSPECTION_ITEMS:
            state = post.get(f"item_{code}", "")
            if state in ("ok", "bad"):
                findings.append(
                    {
                        "item": code,
                        "compliant": state == "ok",
                        "finding": post.get(f"finding_{code}", ""),
                        "deadline_on": _date(post.get(f"deadline_{code}")),
                    }
                )
        site = get_site_for(staff, post.get("site", ""))
        holder = []
        ok = _run(
            request,
            lambda: holder.append(
                services.inspection_record(
                    inspector=staff,
                    site=site,
                    inspected_on=_date(post.get("inspected_on")) or timezone.localdate(),
                    summary=post.get("summary", ""),
                    findings=findings,
                )
            ),
            "检查记录已保存",
        )
        if ok:
            return redirect("oversight:inspection", pk=holder[0].pk)
    context = {"sites": sites, "items": INSPECTION_ITEMS.items(), "today": timezone.localdate()}
    return render(request, "oversight/inspection_new.html", context)


@staff_required
def inspection_detail(request, staff, pk):
    inspection = get_object_or_404(
        visible_inspections(staff).select_related("site", "inspector"), pk=pk
    )
    context = {
        "i": inspection,
        "findings": inspection.findings.all(),
        "today": timezone.localdate(),
    }
    return render(request, "oversight/inspection.html", context)


@require_POST
@staff_required
def finding_rectified(request, staff, pk, finding_pk):
    inspection = get_object_or_404(visible_inspections(staff), pk=pk)
    finding = get_object_or_404(inspection.findings, pk=finding_pk)
    _run(
        request,
        lambda: services.finding_rectified(
            finding=finding, staff=staff, result=request.POST.get("result", "")
        ),
        "整改情况已登记",
    )
    return redirect("oversight:inspection", pk=inspection.pk)
