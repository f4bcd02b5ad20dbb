"""Applying online and following one's own case (seed 000 §8.2.5: 申请、预审 … 查询).

The application is a few short steps kept in the session — service type, site, who
applies, their details, confirm — so that each screen asks one thing (长辈版 and everyone
on a phone). Submitting goes through ``cases.services.case_submit`` like every other
channel. The case page then shows the checklist with each material's pre-review result,
the one-time notice, and what the client can do: upload, supplement, confirm the form
(SMS code, through the documents area), choose how to receive the result. Storing a file
and recording the choice are the case core's (``cases.uploads``, ``cases.delivery``): the
views here read the forms and show the answers.

A family member may apply for a relative already registered under another phone (an
elderly parent): "who applies" offers 为家人申请, the relative is named by name and ID
number (both must match the registered client, and the answer is the same whichever does
not), the case is the relative's, and ``cases.behalf`` records who applied on whose behalf.
The relative's consent is the form acceptance needs, confirmed by a code sent to the
relative's registered mobile through the one confirmation service; the family member
follows the case they applied for from their own phone.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from bangban.cases import behalf as behalf_rules
from bangban.cases import delivery as delivery_rules
from bangban.cases import uploads
from bangban.cases.access import Actor, get_case_for
from bangban.cases.models import CaseMaterial, Channel
from bangban.cases.selectors import client_case_by_mobile_hash
from bangban.cases.services import case_submit, case_transition
from bangban.cases.workflow import (
    FORM_LABELS,
    SERVICE_TYPE_LABELS,
    Form,
    ServiceType,
    State,
    TransitionRefused,
)
from bangban.clients import identity as id_rules
from bangban.clients import pii
from bangban.clients.models import Client, ClientKind
from bangban.clients.services import ClientInput, ClientInvalid, client_register, find_client
from bangban.documents import confirmations
from bangban.inputs import MAX_ID, int_or_none
from bangban.network.models import Site

from ..forms import (
    ApplicantKindForm,
    DeliveryForm,
    NeedsForm,
    OrganisationForm,
    PersonForm,
    PortalForm,
    ServiceTypeForm,
    SiteForm,
    UploadForm,
)
from ..identity import clients_of, identity_required
from ..matters import matter_for
from .caseview import case_context

STEPS = ["service", "site", "who", "details", "confirm"]
STEP_TITLES = {
    "service": "选择服务方式",
    "site": "选择办理地点",
    "who": "确认申请人",
    "details": "填写申请人信息",
    "confirm": "核对并提交",
}
SESSION = "apply"
RELATIVE = "relative"
RELATIVE_NOT_FOUND = (
    "没有找到与该姓名和身份证号码相符、已登记手机号码的家人。家人尚未登记的，"
    "请用家人的手机登录申请，或带家人的身份证件到就近服务点办理"
)


class RelativeForm(PortalForm):
    """为家人申请: the relative as registered, and who the applicant is to them."""

    name = forms.CharField(label="家人姓名", max_length=50, help_text="与家人登记的姓名一致")
    id_number = forms.CharField(
        label="家人的居民身份证号码",
        max_length=30,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        help_text="18位，末位可能是X",
    )
    relation = forms.ChoiceField(
        label="您是家人的",
        widget=forms.RadioSelect,
        choices=behalf_rules.Relation.choices,
    )
    applicant_name = forms.CharField(
        label="您的姓名",
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text="工作人员和家人会看到是谁代为申请",
    )


# --- the application steps ------------------------------------------------------------------


def _draft(request, matter) -> dict:
    key = f"{matter.kind}:{matter.code}"
    draft = request.session.get(SESSION)
    if not draft or draft.get("matter") != key:
        draft = {"matter": key}
    return draft


def _save(request, draft: dict) -> None:
    request.session[SESSION] = draft
    request.session.modified = True


def _step_url(matter, step: str) -> str:
    return reverse("portal:apply", args=[matter.kind, matter.code, step])


def _first_missing(draft: dict, matter) -> str:
    """The earliest step not yet answered: a bookmarked later step cannot skip one."""
    if "service_type" not in draft:
        return "service"
    if "site" not in draft:
        return "site"
    if "who" not in draft:
        return "who"
    if (
        draft["who"] in {ClientKind.PERSON, ClientKind.ORGANISATION, RELATIVE}
        and "details" not in draft
    ):
        return "details"
    return "confirm"


@identity_required
def apply(request, kind: str, code: str, step: str = "service"):
    matter = matter_for(kind, code)
    if step not in STEPS:
        raise Http404("步骤不存在")
    draft = _draft(request, matter)
    offered = matter.service_types()
    if not offered:
        return render(request, "portal/apply_unavailable.html", {"matter": matter})
    if len(offered) == 1:  # nothing to choose: one screen fewer
        if draft.get("service_type") != offered[0]:
            draft["service_type"] = offered[0]
            _save(request, draft)
        if step == "service":
            return redirect(_step_url(matter, "site"))
    earliest = _first_missing(draft, matter)
    if STEPS.index(step) > STEPS.index(earliest):
        return redirect(_step_url(matter, earliest))
    handler = {
        "service": _service,
        "site": _site,
        "who": _who,
        "details": _details,
        "confirm": _confirm,
    }[step]
    return handler(request, matter, draft, offered)


def _render_step(request, matter, step: str, context: dict):
    number = STEPS.index(step) + 1
    return render(
        request,
        "portal/apply.html",
        {
            "matter": matter,
            "step": step,
            "title": STEP_TITLES[step],
            "number": number,
            "count": len(STEPS),
            "back": _step_url(matter, STEPS[number - 2]) if number > 1 else matter.url,
            **context,
        },
    )


def _service(request, matter, draft, offered):
    form = ServiceTypeForm(
        request.POST or None, offered=offered, initial={"service_type": draft.get("service_type")}
    )
    if request.method == "POST" and form.is_valid():
        draft["service_type"] = form.cleaned_data["service_type"]
        _save(request, draft)
        return redirect(_step_url(matter, "site"))
    return _render_step(request, matter, "service", {"form": form})


def _site(request, matter, draft, offered):
    sites = matter.sites()
    form = SiteForm(request.POST or None, sites=sites, initial={"site": draft.get("site")})
    if request.method == "POST" and form.is_valid():
        draft["site"] = form.cleaned_data["site"]
        _save(request, draft)
        return redirect(_step_url(matter, "who"))
    return _render_step(request, matter, "site", {"form": form, "sites": sites})


def _who(request, matter, draft, offered):
    known = list(clients_of(request.identity).order_by("kind", "name"))
    form = ApplicantKindForm(request.POST or None, initial={"kind": draft.get("who")})
    choices = [(f"client:{c.pk}", f"{c.name}（{c.id_number_masked or '已登记'}）") for c in known]
    form.fields["kind"].choices = choices + [
        (ClientKind.PERSON, "个人（首次申请，填写身份信息）"),
        (ClientKind.ORGANISATION, "企业或其他组织（首次申请，填写信用代码）"),
        (RELATIVE, "为家人申请（家人已用其他手机号码登记，由家人短信确认委托）"),
    ]
    if request.method == "POST" and form.is_valid():
        draft["who"] = form.cleaned_data["kind"]
        draft.pop("details", None)
        _save(request, draft)
        following = "confirm" if draft["who"].startswith("client:") else "details"
        return redirect(_step_url(matter, following))
    return _render_step(request, matter, "who", {"form": form})


def _details(request, matter, draft, offered):
    if draft.get("who", "").startswith("client:"):
        return redirect(_step_url(matter, "confirm"))
    if draft.get("who") == RELATIVE:
        return _relative_details(request, matter, draft)
    person = draft.get("who") == ClientKind.PERSON
    form_class = PersonForm if person else OrganisationForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            number = _checked_id(person, data["id_number"])
            _check_not_someone_else(person, number, request.identity)
        except id_rules.IdentityError as error:
            form.add_error("id_number", error.message)
        except ClientInvalid as error:
            form.add_error("id_number", error.errors.get("id_number") or str(error))
        else:
            draft["details"] = {
                "name": data["name"].strip(),
                "id_cipher": pii.cipher().encrypt(number),
                "id_masked": pii.protect("resident_id" if person else "credit_code", number)[2],
                "legal_representative": data.get("legal_representative", ""),
                "contact_person": data.get("contact_person", ""),
                "priority": list(data.get("priority", [])),
            }
            _save(request, draft)
            return redirect(_step_url(matter, "confirm"))
    return _render_step(request, matter, "details", {"form": form, "person": person})


def _relative_details(request, matter, draft):
    form = RelativeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        relative = _registered_relative(data["id_number"], data["name"])
        if relative is None:
            form.add_error("id_number", RELATIVE_NOT_FOUND)
        elif relative.mobile_hash in request.identity.mobile_hashes:
            form.add_error("id_number", "该家人登记的就是您的手机号码，请返回上一步直接选择本人")
        else:
            draft["details"] = {
                "relative": relative.pk,
                "name": relative.name,
                "id_masked": relative.id_number_masked,
                "relative_mobile_masked": relative.mobile_masked,
                "relation": data["relation"],
                "applicant_name": data["applicant_name"].strip(),
            }
            _save(request, draft)
            return redirect(_step_url(matter, "confirm"))
    return _render_step(request, matter, "details", {"form": form, "relative": True})


def _registered_relative(id_number: str, name: str) -> Client | None:
    """The registered person with this ID number and name and a registered mobile, or None.

    The name must match too, and the refusal does not say which did not: the page is no
    way to learn whether someone is registered. Consent still comes from the relative's
    own phone before anything is accepted.
    """
    try:
        number = id_rules.validate_resident_id(id_number).number
    except id_rules.IdentityError:
        return None
    client = find_client(kind=ClientKind.PERSON, id_number=number)
    if client is None or not client.mobile_hash:
        return None
    if "".join(client.name.split()) != "".join(name.split()):
        return None
    return client


def _checked_id(person: bool, value: str) -> str:
    if person:
        return id_rules.validate_resident_id(value).number
    return id_rules.validate_credit_code(value).number


def _check_not_someone_else(person: bool, number: str, identity) -> None:
    """An ID number already registered with another mobile is not taken over online.

    Otherwise anyone who knows a neighbour's ID number could attach their own phone to
    the neighbour's record and read their cases. Such a person comes to a service point.
    """
    existing = find_client(
        kind=ClientKind.PERSON if person else ClientKind.ORGANISATION, id_number=number
    )
    if existing is not None and existing.mobile_hash not in identity.mobile_hashes:
        raise ClientInvalid(
            {
                "id_number": "该证件号码已登记了其他手机号码。为保护您的信息，请用登记的手机号码登录，"
                "或带身份证件到就近服务点办理"
            }
        )


def _confirm(request, matter, draft, offered):
    identity = request.identity
    site = get_object_or_404(Site, code=draft["site"], is_active=True)
    client = None
    details = draft.get("details", {})
    if draft["who"].startswith("client:"):
        client = clients_of(identity).filter(pk=draft["who"].split(":", 1)[1]).first()
        if client is None:
            draft.pop("who", None)
            _save(request, draft)
            return redirect(_step_url(matter, "who"))
    on_behalf = draft["who"] == RELATIVE
    if on_behalf:
        client = Client.objects.filter(pk=details.get("relative"), kind=ClientKind.PERSON).first()
        if client is None or not client.mobile_hash:
            draft.pop("details", None)
            _save(request, draft)
            return redirect(_step_url(matter, "details"))
    form = NeedsForm(request.POST or None)
    problem = None
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                client = client or _register(draft, details, identity)
                case = case_submit(
                    actor=Actor.of_client(client),
                    client=client,
                    service_type=draft["service_type"],
                    channel=Channel.ONLINE,
                    site=site,
                    item_versions=[] if matter.bundle_version else list(matter.versions),
                    bundle_version=matter.bundle_version,
                    needs=form.cleaned_data["needs"],
                )
                if on_behalf:
                    behalf_rules.behalf_record(
                        case=case,
                        applicant_name=details["applicant_name"],
                        relation=details["relation"],
                        mobile=identity.mobile,
                    )
        except (TransitionRefused, ClientInvalid) as error:
            problem = getattr(error, "message", None) or str(error)
        else:
            request.session.pop(SESSION, None)
            if on_behalf:
                messages.success(
                    request,
                    f"申请已提交，办件编号 {case.number}。请让{client.name}确认委托："
                    f"验证码将发送到其登记的手机 {client.mobile_masked}，由其告诉您后在下方输入。",
                )
                return redirect("portal:case", number=case.number)
            messages.success(
                request,
                f"申请已提交，办件编号 {case.number}。请按材料清单上传材料，工作人员预审后会一次性告知您结果。",
            )
            return redirect("portal:case", number=case.number)
    return _render_step(
        request,
        matter,
        "confirm",
        {
            "form": form,
            "problem": problem,
            "service_label": SERVICE_TYPE_LABELS[ServiceType(draft["service_type"])],
            "site": site,
            "client": client,
            "details": details,
            "on_behalf": on_behalf,
            "relation_label": dict(behalf_rules.Relation.choices).get(
                details.get("relation", ""), ""
            ),
            "materials": list(matter.materials()),
        },
    )


def _register(draft: dict, details: dict, identity):
    person = draft["who"] == ClientKind.PERSON
    number = pii.reveal(details["id_cipher"])
    _check_not_someone_else(person, number, identity)  # again: time passed since the step
    priority = set(details.get("priority", []))
    return client_register(
        data=ClientInput(
            kind=ClientKind.PERSON if person else ClientKind.ORGANISATION,
            name=details["name"],
            id_number=number,
            mobile=identity.mobile,
            legal_representative=details.get("legal_representative", ""),
            contact_person=details.get("contact_person", ""),
            is_elderly="elderly" in priority,
            is_disabled="disabled" in priority,
        )
    )


# --- the client's own case ------------------------------------------------------------------


def _my_case(request, number: str):
    """The case of a client registered with this phone, or one this phone applied for on a
    relative's behalf (``cases.behalf``); then the actor is the relative, the case's client."""
    hashes = request.identity.mobile_hashes
    try:
        return client_case_by_mobile_hash(number, hashes)
    except Http404:
        behalf = behalf_rules.applied_for_by(number, hashes)
        if behalf is None:
            raise
        actor = Actor.of_client(behalf.case.client)
        return actor, get_case_for(actor, number)


def _form_to_confirm(case) -> Form | None:
    """The form acceptance needs the client's confirmation of, if it is not given yet."""
    if case.accepted_on or case.state not in uploads.OPEN_STATES:
        return None
    form = Form.ENTRUSTMENT if case.service_type == ServiceType.PROXY else Form.APPLICATION
    if case.confirmations.filter(form=form).exists():
        return None
    return form


@identity_required
def case_page(request, number: str):
    _, case = _my_case(request, number)
    materials = list(
        case.materials.select_related("case_item__item_version__item").order_by(
            "case_item__position", "id"
        )
    )
    notice = case.notices.first()
    needed_ids = {n["material_id"] for n in notice.needed} if notice else set()
    latest = uploads.latest_uploads(case)
    awaiting_supplement = case.state == State.AWAITING_SUPPLEMENT
    groups: dict[str, list] = {}
    for m in materials:
        m.latest_upload = latest.get(m.pk)
        m.in_notice = awaiting_supplement and m.pk in needed_ids
        m.may_upload = uploads.may_upload(m)
        m.brought = bool(
            m.in_notice and m.latest_upload and m.latest_upload.uploaded_at >= notice.issued_at
        )
        groups.setdefault(m.case_item.item_version.item.name, []).append(m)
    to_confirm = _form_to_confirm(case)
    return render(
        request,
        "portal/case.html",
        {
            "case": case,
            "materials": materials,
            "groups": list(groups.items()),
            "needed": [m for m in materials if m.in_notice],
            "notice": notice if awaiting_supplement else None,
            "awaiting_supplement": awaiting_supplement,
            "supplement_ready": awaiting_supplement
            and all(
                latest.get(n["material_id"])
                and latest[n["material_id"]].uploaded_at >= notice.issued_at
                for n in notice.needed
                if n.get("required", True)
            ),
            "to_confirm": to_confirm,
            "to_confirm_label": FORM_LABELS[to_confirm] if to_confirm else "",
            "delivery": delivery_rules.delivery_choice(case),
            "may_choose_delivery": delivery_rules.may_choose(case),
            **case_context(case),
        },
    )


@identity_required
def material_upload(request, number: str, material_id: int):
    _, case = _my_case(request, number)
    material = get_object_or_404(
        CaseMaterial.objects.select_related("material"), case=case, pk=material_id
    )
    if not uploads.may_upload(material):
        messages.info(request, f"“{material.name}”已收取或办件当前不需要上传材料。")
        return redirect("portal:case", number=case.number)
    form = UploadForm(request.POST or None, request.FILES or None)
    problem = None
    if request.method == "POST" and form.is_valid():
        try:
            uploads.material_upload(material=material, upload=form.cleaned_data["file"])
        except uploads.UploadRefused as refused:
            problem = refused.message
        else:
            messages.success(request, f"“{material.name}”已上传。")
            return redirect(reverse("portal:case", args=[case.number]) + "#materials")
    return render(
        request,
        "portal/upload.html",
        {"case": case, "material": material, "form": form, "problem": problem},
    )


@identity_required
@require_POST
def supplement(request, number: str):
    """The client hands in what the one-time notice asked for (event ``supplement``)."""
    actor, case = _my_case(request, number)
    notice = case.notices.first()
    if case.state != State.AWAITING_SUPPLEMENT or notice is None:
        messages.info(request, "办件当前不需要补正材料。")
        return redirect("portal:case", number=case.number)
    brought = uploads.brought_since(case, notice.issued_at)
    received = [n["material_id"] for n in notice.needed if n["material_id"] in brought]
    try:
        case_transition(
            case=case,
            event="supplement",
            actor=actor,
            expected_version=_version(request),
            received=received,
        )
    except TransitionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "补正材料已提交，工作人员会尽快重新预审。")
    return redirect("portal:case", number=case.number)


def _version(request) -> int | None:
    return int_or_none(request.POST.get("version"), low=0, high=MAX_ID)


@identity_required
def confirm(request, number: str, form: str):
    """Confirm the application form or the entrustment with a code sent to the phone, or,
    for a case a family member applied for, by the relative's signature on this screen.

    The documents area's confirmation service does the work, the same one the desk uses:
    the code goes to the client's registered mobile (the one this person signed in with:
    the case was found by it), is good only for this form of this case, and, once right,
    records the ``confirm`` event, the SMS confirmation and the signed form.
    """
    actor, case = _my_case(request, number)
    wanted = _form_to_confirm(case)
    if wanted is None or wanted.value != form:
        messages.info(request, "该文书无需再确认。")
        return redirect("portal:case", number=case.number)
    label = FORM_LABELS[wanted]
    problem = None
    on_behalf = behalf_rules.ApplicationOnBehalf.objects.filter(case=case).first()
    if request.method == "POST":
        try:
            if "signature" in request.POST and on_behalf is not None:
                # the relative beside the family member who applied signs on this screen:
                # the same signature the desk takes (method 签名, the PNG kept)
                confirmations.confirm_with_signature(
                    case=case,
                    form=wanted,
                    actor=actor,
                    data_url=request.POST["signature"],
                    signer=case.client.name,
                )
            elif "code" in request.POST:
                confirmations.sms_code_verify(
                    case=case, form=wanted, actor=actor, code=request.POST["code"]
                )
            else:
                confirmations.sms_code_send(case=case, form=wanted, actor=actor)
                return redirect(reverse("portal:confirm", args=[case.number, form]))
        except TransitionRefused as refused:
            problem = refused.message
        else:
            messages.success(request, f"已确认《{label}》。")
            return redirect("portal:case", number=case.number)
    pending = confirmations.open_code(case, wanted)
    return render(
        request,
        "portal/confirm.html",
        {
            "case": case,
            "form_label": label,
            "form_code": form,
            "sent": pending is not None,
            "pending": pending,
            "tries_left": confirmations.CODE_TRIES - pending.attempts if pending else 0,
            "problem": problem,
            "minutes": confirmations.CODE_MINUTES,
            "items": list(case.items.select_related("item_version__item")),
            "on_behalf": on_behalf,
        },
    )


@identity_required
def delivery(request, number: str):
    _, case = _my_case(request, number)
    if not delivery_rules.may_choose(case):
        messages.info(request, "办件当前不能再选择领取方式。")
        return redirect("portal:case", number=case.number)
    current = delivery_rules.delivery_choice(case)
    form = DeliveryForm(
        request.POST or None, initial={"method": current.method if current else None}
    )
    if request.method == "POST" and form.is_valid():
        try:
            delivery_rules.delivery_choose(
                case=case, method=form.cleaned_data["method"], address=form.cleaned_data["address"]
            )
        except delivery_rules.ChoiceRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, "已记下您领取结果的方式。")
            return redirect("portal:case", number=case.number)
    return render(request, "portal/delivery.html", {"case": case, "form": form})
