"""Evaluating a finished case (好差评, GB/T 39734; 一事一评) and complaining (投诉).

Both are written by ``bangban.oversight.records.services``: an evaluation is the workflow's
``evaluate`` event on the case's timeline, a bad review opens a rectification whose reply
the client reads here and may rate; a complaint gets its number and is followed with it
and the phone given, like a case.

The levels offered are the case's centre's rating scale (``bangban.cases.ratings``: GB/T
39734's five by default, or seed 003 附件4's four), the same the SMS, the paper form and the
API offer. The invitation SMS carries a personal link (``cases.evaluation_links``): the
client taps it and rates, with nothing to type; the link opens only the rating of that case.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from bangban.cases import evaluation_links, ratings
from bangban.cases.access import Actor
from bangban.cases.models import Case
from bangban.cases.numbers import parse_number
from bangban.cases.workflow import TransitionRefused
from bangban.network.models import Site, SiteLevel
from bangban.oversight.models import (
    BAD_LEVELS,
    Complaint,
    ComplaintChannel,
    Level,
)
from bangban.oversight.records import services as oversight

from ..forms import EVALUATION_LEVELS, ComplaintForm, ComplaintTrackForm, EvaluationForm
from ..identity import current_identity
from .caseview import feedback_context, tracked_case
from .common import Steps, is_elder, too_many

# Online complaints from one network address (docs/operations.md): a person with a real
# grievance sends one or two; more than this in an hour is a script filling the queue.
COMPLAINTS_PER_HOUR = 10
COMPLAINTS_TOO_MANY = (
    "本网络地址提交投诉过于频繁，请1小时后再试；如有急事，请到服务大厅或拨打服务电话反映"
)
LEVEL_VALUES = {label: value for value, label in Level.choices}
COMPLAINTS = "portal_complaints"


def _level_of(scale: ratings.Scale, label: str) -> int:
    return scale.level_of(label) or LEVEL_VALUES.get(label, 0)


def _rating_form(request, case) -> tuple[EvaluationForm, ratings.Scale]:
    """The rating form offering the levels of the case's centre."""
    scale = ratings.scale_for(case.site)
    form = EvaluationForm(request.POST or None)
    form.fields["level"].choices = [(label, label) for label in scale.labels]  # type: ignore[attr-defined]
    return form, scale


def _submit_rating(request, case, actor, channel: str):
    """(form, problem, level) — level set when the rating was recorded."""
    form, scale = _rating_form(request, case)
    if request.method != "POST" or not form.is_valid():
        return form, None, None
    level = _level_of(scale, form.cleaned_data["level"])
    try:
        oversight.evaluation_submit(
            case=case,
            actor=actor,
            level=level,
            indicators={},
            comment=form.cleaned_data["comment"],
            channel=channel,
        )
    except TransitionRefused as refused:
        return form, refused.message, None
    return form, None, level


def _thanks(level: int) -> str:
    return "感谢您的评价。" + (
        "我们会尽快回访核实、整改，并在办件页面答复您。" if level in BAD_LEVELS else ""
    )


def evaluate(request, number: str):
    actor, case = tracked_case(request, number)
    done = feedback_context(case)
    if request.method == "POST" and "fix_level" in request.POST:
        return _rate_fix(request, actor, case, done)
    if not done["evaluable"]:
        return redirect("portal:track-case", number=case.number)
    form, problem, level = _submit_rating(request, case, actor, "portal")
    if level is not None:
        messages.success(request, _thanks(level))
        return redirect("portal:track-case", number=case.number)
    return render(
        request,
        "portal/evaluate.html",
        {"case": case, "form": form, "problem": problem, "levels": EVALUATION_LEVELS},
    )


def evaluate_link(request, token: str):
    """The personal link of the invitation SMS: rate the case it names, nothing to type.

    The token (``cases.evaluation_links``) is checked on every request, GET and POST alike;
    forged, altered or expired, the page says so and offers the way by number and phone.
    It opens the rating of that one case only, never its page or documents.
    """
    case_id = evaluation_links.case_id_of(token)
    case = (
        Case.objects.select_related("client", "site").filter(pk=case_id).first()
        if case_id is not None
        else None
    )
    if case is None:
        return render(request, "portal/evaluate.html", {"invalid": True}, status=404)
    if not feedback_context(case)["evaluable"]:
        return render(request, "portal/evaluate.html", {"case": case, "closed": True})
    actor = Actor.of_client(case.client)
    form, problem, level = _submit_rating(request, case, actor, "sms")
    if level is not None:
        return render(request, "portal/evaluate.html", {"case": case, "thanks": _thanks(level)})
    return render(
        request,
        "portal/evaluate.html",
        {"case": case, "form": form, "problem": problem, "personal_link": True},
    )


def _rate_fix(request, actor, case, done):
    rectification = done["rectification"]
    try:
        if rectification is None:
            raise TransitionRefused("该办件没有需要评价的整改")
        oversight.rectification_client_rate(
            rectification=rectification,
            actor=actor,
            level=_level_of(ratings.scale_for(case.site), request.POST.get("fix_level", "")),
            comment=request.POST.get("fix_comment", ""),
        )
    except TransitionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "感谢您对整改情况的评价。")
    return redirect("portal:track-case", number=case.number)


# --- complaints -------------------------------------------------------------------------------


def _remember_complaint(request, number: str, contact_hash: str) -> None:
    known = dict(request.session.get(COMPLAINTS, {}))
    known[number] = contact_hash
    request.session[COMPLAINTS] = dict(list(known.items())[-10:])


def complaint_new(request):
    """Take a complaint from anyone, at most ``COMPLAINTS_PER_HOUR`` from one address.

    The answer never depends on whether the case number given exists: the complaint is
    taken either way, sent to the site the number names (or the one chosen, else the county
    centre), and shows back the number as typed. Only staff see whether it matched a case.
    """
    sites = list(Site.objects.filter(is_active=True).only("code", "name").order_by("path"))
    initial = {"number": request.GET.get("number", "")}
    form = ComplaintForm(request.POST or None, sites=sites, initial=initial)
    steps = Steps(
        request,
        form,
        [["number", "site"], ["name", "phone"], ["content"]],
        one_page=not is_elder(request),
    )
    problem, status = None, 200
    if steps.done and too_many(request, "complaint-new", COMPLAINTS_PER_HOUR, 3600):
        problem, status = COMPLAINTS_TOO_MANY, 429
    elif steps.done:
        data = form.cleaned_data
        number = data["number"].strip().upper()
        content = data["content"]
        if number:
            content = f"所涉办件编号：{number}\n{content}"
        try:
            complaint = oversight.complaint_submit(
                channel=ComplaintChannel.ONLINE,
                complainant_name=data["name"],
                contact=data["phone"],
                content=content,
                case=_case_named(number) if number else None,
                site=next((s for s in sites if s.code == data["site"]), None)
                or _site_named(number)
                or _county(),
            )
        except TransitionRefused as refused:
            problem = refused.message
        else:
            _remember_complaint(request, complaint.number, complaint.contact_hash)
            messages.success(
                request,
                f"投诉已受理，投诉编号 {complaint.number}。我们会在1个工作日内与您联系，"
                "并按时答复。凭投诉编号和联系电话可以随时查询处理情况。",
            )
            return redirect("portal:complaint", number=complaint.number)
    return render(
        request,
        "portal/complaint_new.html",
        {"form": form, "steps": steps, "problem": problem},
        status=status,
    )


def _case_named(number: str):
    """The case a complaint names, for the staff who handle it. Any case may be named;
    nothing about it — not even whether it exists — is shown back."""
    return Case.objects.filter(number=number).only("pk", "site_id", "number").first()


def _county():
    """Where a complaint naming no site goes (set here, not left to the case it may name)."""
    return Site.objects.filter(level=SiteLevel.COUNTY, is_active=True).order_by("pk").first()


def _site_named(number: str):
    """The site whose code a case number carries (SL-V1-2026-000123 → V1), read from the
    text alone, so the complaint goes to the same place whether or not the case exists."""
    parsed = parse_number(number)
    return Site.objects.filter(code__iexact=parsed.site_code).first() if parsed else None


def complaint_track(request):
    form = ComplaintTrackForm(
        request.POST or None, initial={"number": request.GET.get("number", "")}
    )
    problem, status = None, 200
    if request.method == "POST" and form.is_valid():
        if too_many(request, "complaint", 20, 600):
            problem, status = "查询过于频繁，请10分钟后再试", 429
        else:
            complaint = oversight.complaint_for_tracking(
                form.cleaned_data["number"], form.cleaned_data["phone"]
            )
            if complaint is None:
                problem = "投诉不存在或联系电话不符，请核对后重新输入"
            else:
                _remember_complaint(request, complaint.number, complaint.contact_hash)
                return redirect("portal:complaint", number=complaint.number)
    return render(
        request, "portal/complaint_track.html", {"form": form, "problem": problem}, status=status
    )


def complaint_page(request, number: str):
    contact_hash = request.session.get(COMPLAINTS, {}).get(number)
    identity = current_identity(request)
    complaint = None
    if contact_hash:
        complaint = (
            Complaint.objects.filter(number=number, contact_hash=contact_hash)
            .select_related("site", "case")
            .first()
        )
    elif identity is not None:
        complaint = (
            Complaint.objects.filter(number=number, contact_hash=identity.mobile_hash)
            .select_related("site", "case")
            .first()
        )
    if complaint is None:
        if not contact_hash and identity is None:
            return redirect(reverse("portal:complaint-track") + "?" + urlencode({"number": number}))
        raise Http404("投诉不存在")
    return render(
        request,
        "portal/complaint.html",
        {"complaint": complaint, "steps": oversight.complaint_public_steps(complaint)},
    )
