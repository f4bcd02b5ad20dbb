"""查询: a case by its number and the applicant's phone, as the QR code on every form leads to.

The lookup is the one ``/api/progress`` uses (``cases.selectors.client_case``): a wrong
number and a wrong phone get the same answer, and lookups are counted per address. A
successful lookup is remembered in the session for this case only, so the result page,
its documents and the evaluation need no phone number in any address bar or log.
The page shows what the applicant gave or was given — no one else's personal data.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from bangban.cases.selectors import NOT_FOUND, client_case
from bangban.documents.models import CaseDocument
from bangban.documents.services import document_render
from bangban.downloads import open_or_404, private_file

from ..forms import TrackForm
from .caseview import case_context, remember, tracked_case
from .common import too_many

LOOKUPS_PER_TEN_MINUTES = 20


def track(request):
    form = TrackForm(request.POST or None, initial={"number": request.GET.get("number", "")})
    problem, status = None, 200
    if request.method == "POST" and form.is_valid():
        if too_many(request, "track", LOOKUPS_PER_TEN_MINUTES, 600):
            problem, status = "查询过于频繁，请10分钟后再试", 429
        else:
            number = form.cleaned_data["number"]
            try:
                actor, case = client_case(number, form.cleaned_data["phone"])
            except Http404:
                problem = NOT_FOUND + "，请核对后重新输入"
            else:
                remember(request, case.number, actor.client.mobile_hash)
                return redirect("portal:track-case", number=case.number)
    return render(request, "portal/track.html", {"form": form, "problem": problem}, status=status)


def track_case(request, number: str):
    try:
        _, case = tracked_case(request, number)
    except Http404:
        return redirect(reverse("portal:track") + "?" + urlencode({"number": number}))
    return render(request, "portal/track_case.html", {"case": case, **case_context(case)})


def document_download(request, number: str, document_number: str):
    """A form issued for the case, for the applicant to keep or print."""
    _, case = tracked_case(request, number)
    document = CaseDocument.objects.filter(case=case, number=document_number).first()
    if document is None:
        raise Http404("文书不存在")
    document = document_render(document)
    return private_file(
        open_or_404(document.file),
        content_type="application/pdf",
        filename=f"{document.number}.pdf",
    )
