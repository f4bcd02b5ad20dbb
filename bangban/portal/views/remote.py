"""The citizen's remote help (视频求助): ask, wait with an honest status, call back, join.

The request is the remote area's (``bangban.remote.services``); the citizen is the signed-in
``PortalIdentity`` (a ``Caller``). A citizen rings the county centre; the call page says so
in plain words ("正在为您接通县政务服务中心…", "已等待 35 秒"), refreshes itself every few
seconds, offers a call-back at any time and opens the session once someone answers.
In 长辈版 the button is one big target (INCLUSIVE.md: ≥ 60 px; here the whole width).
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from bangban.cases.models import Case
from bangban.catalogue.models import ServiceItem
from bangban.inputs import id_or_none
from bangban.network.models import Site, SiteLevel
from bangban.remote.models import RINGING, HelpRequest
from bangban.remote.services import (
    RemoteRefused,
    help_ask,
    help_call_back,
    help_cancel,
    is_asker,
    may_join,
    wait_for,
)

from ..identity import clients_of, identity_required
from .common import is_elder, too_many

ASKS_PER_ADDRESS_PER_HOUR = 20


def _own_case(identity, number: str) -> Case | None:
    if not number:
        return None
    case = (
        Case.objects.select_related("site", "client")
        .filter(number=number[:40], client__in=clients_of(identity))
        .first()
    )
    if case is None:
        raise Http404("办件不存在")
    return case


@identity_required
@require_http_methods(["GET", "POST"])
def ask(request):
    """One page, one big button: 视频求助 (about an item's guide or one's own case)."""
    identity = request.identity
    source = request.POST if request.method == "POST" else request.GET
    code = source.get("item", "")[:40]
    item = ServiceItem.objects.filter(code=code).first() if code else None
    case = _own_case(identity, source.get("case", ""))
    problem = ""
    if request.method == "POST":
        if too_many(request, "remote-ask", ASKS_PER_ADDRESS_PER_HOUR, 3600):
            problem = "求助太频繁，请稍后再试，或拨打服务电话"
        else:
            site = case.site if case else _county()
            question = request.POST.get("question", "").strip() or _default_question(item, case)
            try:
                help_request = help_ask(
                    identity, question=question, item=item, case=case, site=site
                )
            except RemoteRefused as refused:
                problem = refused.message
            else:
                return redirect("portal:remote-call", help_request.pk)
    return render(
        request,
        "remote/portal_ask.html",
        {"item": item, "case": case, "problem": problem, "elder": is_elder(request)},
    )


def _county() -> Site | None:
    return Site.objects.filter(level=SiteLevel.COUNTY, is_active=True).order_by("path").first()


def _default_question(item, case) -> str:
    if case is not None:
        return f"办件 {case.number} 需要帮办"
    if item is not None:
        return f"“{item.name}”需要帮办"
    return "需要帮办"


def _mine(request, pk) -> HelpRequest:
    help_request = (
        HelpRequest.objects.select_related("ring_site", "site", "item")
        .filter(pk=id_or_none(pk))
        .first()
    )
    if help_request is None or not is_asker(request.identity, help_request):
        raise Http404("求助不存在")
    return help_request


@identity_required
@require_http_methods(["GET"])
def call(request, pk: int):
    """The call page: who is being rung, how long it has waited, what to expect, call back."""
    help_request = _mine(request, pk)
    session = getattr(help_request, "session", None) if help_request.answered_at else None
    context = {
        "help_request": help_request,
        "wait": wait_for(help_request) if help_request.state in RINGING else None,
        "session": session,
        "elder": is_elder(request),
        "problem": request.GET.get("problem") == "number" and "请填写正确的 11 位手机号码",
    }
    if request.GET.get("part") == "status":
        return render(request, "remote/_portal_status.html", context)
    return render(request, "remote/portal_call.html", context)


@identity_required
@require_POST
def call_back(request, pk: int):
    help_request = _mine(request, pk)
    try:
        help_call_back(request.identity, help_request, number=request.POST.get("number", ""))
    except RemoteRefused as refused:
        if refused.code == "number":
            return redirect(f"/remote/calls/{help_request.pk}/?problem=number")
    return redirect("portal:remote-call", help_request.pk)


@identity_required
@require_POST
def cancel(request, pk: int):
    help_request = _mine(request, pk)
    help_cancel(request.identity, help_request)
    return redirect("portal:remote-call", help_request.pk)


@identity_required
@require_http_methods(["GET"])
def session(request, pk: int):
    """The live session for the citizen (the realtime side's page), once answered."""
    help_request = _mine(request, pk)
    record = getattr(help_request, "session", None) if help_request.answered_at else None
    if record is None or not may_join(request.identity, record) or record.ended_at is not None:
        return redirect("portal:remote-call", help_request.pk)
    return render(
        request,
        "remote/session.html",
        {"record": record, "session": record, "side": "citizen", "elder": is_elder(request)},
    )
