"""在线咨询: a citizen asks a question online and reads the answer (seed 000 §10.1.1).

Asking needs the mobile proven (sign-in by phone + SMS code: no puzzle, and the answer can
be sent to it); one address may ask a few times an hour and one mobile a few times a day
(``consultations.services.consultation_ask``). The question becomes a consultation with
channel ``online``, owned by an agent of the service point chosen, answered within one
working day. The answer comes by SMS with a personal link to the question's page, which
also opens from the list of one's own questions here.
"""

from __future__ import annotations

from django import forms
from django.http import Http404
from django.shortcuts import redirect, render

from bangban.catalogue.models import ServiceItem
from bangban.consultations.models import AWAITING_REPLY
from bangban.consultations.selectors import asked_by
from bangban.consultations.services import (
    ConsultationInvalid,
    consultation_ask,
    consultation_by_token,
    page_path,
)
from bangban.network.models import Site

from ..forms import PortalForm
from ..identity import identity_required
from .common import Steps, is_elder, too_many

ASKS_PER_ADDRESS_PER_HOUR = 10
MINE_SHOWN = 20


class AskForm(PortalForm):
    client_name = forms.CharField(
        label="您的称呼",
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text="例如：张阿姨、李先生",
    )
    site = forms.ChoiceField(label="向哪个服务点咨询", help_text="选您所在的村（社区）或镇（街道）")
    content = forms.CharField(
        label="您想咨询的问题",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="写清楚想办什么事，例如：给孙子办出生证明要带什么？",
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [("", "请选择")] + [(s.code, s.name) for s in sites]


def _sites():
    return list(Site.objects.filter(is_active=True).only("code", "name", "path").order_by("path"))


@identity_required
def ask(request):
    """The question form (one task per screen in 长辈版) and one's own questions below it."""
    sites = _sites()
    code = request.GET.get("item", "")[:40]
    item = ServiceItem.objects.filter(code=code).first() if code else None
    form = AskForm(request.POST or None, sites=sites)
    steps = Steps(
        request, form, [["client_name", "site"], ["content"]], one_page=not is_elder(request)
    )
    problem = None
    if steps.done:
        if too_many(request, "ask", ASKS_PER_ADDRESS_PER_HOUR, 3600):
            problem = "提交太频繁，请一小时后再试，或拨打服务点电话咨询"
        else:
            data = form.cleaned_data
            try:
                consultation = consultation_ask(
                    site=next(s for s in sites if s.code == data["site"]),
                    client_name=data["client_name"],
                    mobile=request.identity.mobile,
                    content=data["content"],
                    item=item,
                )
            except ConsultationInvalid as invalid:
                problem = invalid.message
            else:
                return redirect(page_path(consultation))
    mine = list(asked_by(request.identity.mobile_hashes)[:MINE_SHOWN])
    return render(
        request,
        "portal/ask.html",
        {
            "form": steps.form,
            "steps": steps,
            "problem": problem,
            "item": item,
            "mine": [(c, page_path(c)) for c in mine],
        },
        status=422 if problem else 200,
    )


def question(request, token: str):
    """One question's page, opened by its personal link (no sign-in: the link is the key)."""
    consultation = consultation_by_token(token)
    if consultation is None:
        raise Http404("咨询记录不存在")
    return render(
        request,
        "portal/ask_question.html",
        {"c": consultation, "awaiting": consultation.status in AWAITING_REPLY},
    )
