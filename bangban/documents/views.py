"""Staff pages of the documents area: a case's forms, signing, SMS codes, downloads, archive.

Every view loads the case with ``get_case_for(actor_for_user(request.user), number)``:
a case the person may not see answers 404, and so does every document of it. Writes go
through the services (which run the workflow's checks); a refusal comes back as a message
in Chinese on the case's page. Files go out only through these views
(``downloads.private_file``): nothing under MEDIA_ROOT has a public address. The one
file not of a case, a letterhead's logo, is for those who may view letterheads in the admin.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bangban.cases.access import actor_for_user, case_roles, get_case_for
from bangban.cases.workflow import FORM_LABELS, Form, TransitionRefused
from bangban.downloads import open_or_404, private_file
from bangban.inputs import bounded_int

from . import confirmations
from .archive import archive_package
from .kinds import KINDS, ON_DEMAND, Kind
from .models import CaseDocument, Letterhead
from .selectors import documents_of
from .services import document_correct, document_issue_on_demand, document_render


def _case(request, number: str):
    actor = actor_for_user(request.user)
    return actor, get_case_for(actor, number)


def _page(case) -> str:
    return reverse("documents:case", args=[case.number])


def _form_or_404(form: str) -> Form:
    if form not in set(Form):
        raise Http404("文书不存在")
    return Form(form)


@login_required
@require_GET
def case_documents(request, number: str):
    actor, case = _case(request, number)
    roles = case_roles(actor, case)
    documents = documents_of(case)
    superseded = {d.supersedes_id for d in documents if d.supersedes_id}
    signed = {}
    for c in case.confirmations.order_by("id"):
        signed[c.form] = c  # the newest per form
    return render(
        request,
        "documents/pages/case.html",
        {
            "case": case,
            "documents": documents,
            "superseded": superseded,
            "can_issue": bool(roles & {"agent", "coordinator"}),
            "can_confirm": "agent" in roles,
            "on_demand": [KINDS[k] for k in ON_DEMAND],
            "forms": [
                {"value": f.value, "label": FORM_LABELS[f], "signed": signed.get(f.value)}
                for f in Form
                if f != Form.COMMITMENT  # signed per material, from the case page's 材料库
            ],
        },
    )


@login_required
@require_POST
def issue(request, number: str):
    actor, case = _case(request, number)
    kind = request.POST.get("kind", "")
    if kind not in set(Kind) or not KINDS[Kind(kind)].on_demand:
        messages.error(request, "请选择可以出具的文书")
        return redirect(_page(case))
    try:
        document = document_issue_on_demand(case=case, kind=kind, actor=actor)
    except TransitionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, f"已出具《{document.label}》，编号 {document.number}")
    return redirect(_page(case))


def _document(case, document_number: str) -> CaseDocument:
    document = (
        CaseDocument.objects.filter(case=case, number=document_number)
        .select_related("case__site")
        .first()
    )
    if document is None:
        raise Http404("文书不存在")
    return document


@login_required
@require_GET
def download(request, number: str, document_number: str):
    _, case = _case(request, number)
    document = document_render(_document(case, document_number))
    response = private_file(
        open_or_404(document.file),
        content_type="application/pdf",
        as_attachment=request.GET.get("download") == "1",
        filename=f"{document.number}_{document.label}.pdf",
    )
    response["X-Content-SHA256"] = document.sha256
    return response


@login_required
@require_POST
def correct(request, number: str, document_number: str):
    actor, case = _case(request, number)
    document = _document(case, document_number)
    try:
        new = document_correct(
            document=document, actor=actor, reason=request.POST.get("reason", "")
        )
    except TransitionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, f"已出具更正版 {new.number}，原文书 {document.number} 保持不变")
    return redirect(_page(case))


@login_required
@require_http_methods(["GET", "POST"])
def sign(request, number: str, form: str):
    actor, case = _case(request, number)
    form = _form_or_404(form)
    # 告知承诺书: which of the case's materials the client commits to (bangban.vault checks it)
    material = case.materials.filter(
        pk=bounded_int(
            request.POST.get("material") or request.GET.get("material"), 0, low=0, high=2**31 - 1
        )
    ).first()
    if request.method == "POST":
        try:
            confirmations.confirm_with_signature(
                case=case,
                form=form,
                actor=actor,
                data_url=request.POST.get("signature", ""),
                signer=request.POST.get("signer", ""),
                material_id=material.pk if material is not None else None,
            )
        except TransitionRefused as refused:
            messages.error(request, refused.message)
            again = reverse("documents:sign", args=[case.number, form.value])
            return redirect(f"{again}?material={material.pk}" if material is not None else again)
        messages.success(request, f"已记录服务对象对《{FORM_LABELS[form]}》的手写签名")
        return redirect(_page(case))
    return render(
        request,
        "documents/pages/sign.html",
        {"case": case, "form": form, "form_label": FORM_LABELS[form], "material": material},
    )


@login_required
@require_http_methods(["GET", "POST"])
def sms_code(request, number: str, form: str):
    actor, case = _case(request, number)
    form = _form_or_404(form)
    here = reverse("documents:sms", args=[case.number, form.value])
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "send":
                record = confirmations.sms_code_send(
                    case=case, form=form, actor=actor, signer=request.POST.get("signer", "")
                )
                messages.success(
                    request,
                    f"验证码已发送至 {record.phone_masked}，{confirmations.CODE_MINUTES} 分钟内有效",
                )
                return redirect(here)
            confirmations.sms_code_verify(
                case=case, form=form, actor=actor, code=request.POST.get("code", "")
            )
        except TransitionRefused as refused:
            messages.error(request, refused.message)
            return redirect(here)
        messages.success(request, f"服务对象已通过短信验证码确认《{FORM_LABELS[form]}》")
        return redirect(_page(case))
    return render(
        request,
        "documents/pages/sms.html",
        {
            "case": case,
            "form": form,
            "form_label": FORM_LABELS[form],
            "pending": confirmations.open_code(case, form),
            "tries": confirmations.CODE_TRIES,
            "minutes": confirmations.CODE_MINUTES,
        },
    )


@login_required
@require_GET
def archive(request, number: str):
    _, case = _case(request, number)
    package, filename = archive_package(case)
    return private_file(
        package, content_type="application/zip", as_attachment=True, filename=filename
    )


@login_required
@require_GET
def letterhead_logo(request, pk: int):
    """A letterhead's logo, for the admin page that edits it (no media file has a URL)."""
    if not request.user.has_perm("documents.view_letterhead"):
        raise Http404("文件不存在")
    letterhead = Letterhead.objects.exclude(logo="").filter(pk=pk).first()
    if letterhead is None:
        raise Http404("文件不存在")
    return private_file(
        open_or_404(letterhead.logo), filename=letterhead.logo.name.rsplit("/", 1)[-1]
    )
