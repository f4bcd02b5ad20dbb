"""The front desk: register a consultation in under a minute, then open a case from it.

seed 000 §10.1.1 / §10.2.1: whoever is asked first records the consultation (name,
contact, content, result) and owns the answer (首问负责制). A consultation becomes an
application with one form: find or register the client (the ID number or credit code is
checked as it is typed), choose the item and the service type. Writes go through
``consultations.services`` and ``clients.services``; the case opens through
``case_submit`` inside ``consultation_to_case``.

A known ID number matches the registered client and nothing typed at the desk overwrites
it (a changed mobile or address is a recorded correction). The desk shows who the number
belongs to only to staff who may see that client (``bangban.cases.access``).
"""

from __future__ import annotations

from datetime import datetime, time

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from bangban.cases.access import Actor, may_see_client
from bangban.cases.models import DESK_CHANNELS, Case
from bangban.cases.workflow import SERVICE_TYPE_LABELS, TransitionRefused
from bangban.catalogue.models import Bundle
from bangban.catalogue.search import query_parts, search_items
from bangban.catalogue.selectors import items_offered_at, published_items
from bangban.clients import identity
from bangban.clients.models import ClientKind
from bangban.clients.services import (
    ELDERLY_HINT,
    ClientInput,
    ClientInvalid,
    client_register,
    elderly_confirm,
    elderly_suggested,
    find_client,
)
from bangban.consultations.models import AWAITING_REPLY, ConsultationChannel
from bangban.consultations.selectors import replies_due, visible_consultations
from bangban.consultations.services import (
    CASE_CHANNEL,
    ConsultationInvalid,
    consultation_escalate,
    consultation_record,
    consultation_reply,
    consultation_to_case,
    contact_mobile,
    page_path,
)
from bangban.documents.consultation_notice import AskedAbout, consultation_notice_pdf
from bangban.inputs import id_or_none
from bangban.network.models import Department, Site

from ..auth import staff_required

ITEM_CHOICES = 8
TODAY_LIMIT = 30


def _item(value, site=None):
    """A published item by id (offered at ``site`` when given), or None."""
    pk = id_or_none(value)
    if pk is None:
        return None
    items = items_offered_at(site) if site is not None else published_items()
    return items.filter(pk=pk).first()


def _desk_context(request, form=None, errors=None):
    staff = request.staff
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    registered = (
        visible_consultations(staff)
        .filter(site_id=staff.site_id, created_at__gte=start)
        .select_related("item", "handled_by")
        .order_by("-created_at", "-id")[:TODAY_LIMIT]
    )
    return {
        "nav": "desk",
        "form": form or {},
        "errors": errors or {},
        "channels": ConsultationChannel.choices,
        "registered": list(registered),
        "due": list(replies_due(staff=staff)[:TODAY_LIMIT]),
        "chosen_item": _item((form or {}).get("item")),
    }


@staff_required
def desk(request):
    """咨询登记: GET the form and today's register; POST records one consultation."""
    if request.method != "POST":
        return render(request, "workbench/desk.html", _desk_context(request))
    form = request.POST
    item = _item(form.get("item"))
    try:
        consultation = consultation_record(
            staff=request.staff,
            client_name=form.get("client_name", "")[:200],
            contact=form.get("contact", "")[:40],
            channel=form.get("channel", ""),
            content=form.get("content", "")[:4000],
            item=item,
            answer=form.get("answer", "")[:4000],
        )
    except ConsultationInvalid as invalid:
        context = _desk_context(request, form, {invalid.code: invalid.message})
        return render(request, "workbench/desk.html", context, status=422)
    if form.get("then") == "case":
        return redirect(f"/work/desk/consultations/{consultation.pk}/#open-case")
    messages.success(request, f"已登记咨询：{consultation.client_name}")
    return redirect("workbench:desk")


@staff_required
def check_id(request):
    """The ID number or credit code checked as it is typed (htmx), and the client if known."""
    kind = request.GET.get("kind", ClientKind.PERSON)
    number = request.GET.get("id_number", "")[:40]
    context = {"number": number.strip()}
    if number.strip():
        try:
            if kind == ClientKind.ORGANISATION:
                found = identity.validate_credit_code(number)
                context["valid"] = (
                    f"统一社会信用代码有效（{found.authority_name}·{found.category_name}）"
                )
            else:
                found = identity.validate_resident_id(number)
                context["valid"] = (
                    f"身份证号码有效（{found.sex}，{found.birth_date:%Y年%m月%d日}出生）"
                )
                # 老年人 pre-ticked from the birth date, for staff to confirm (out of band:
                # the checkbox sits further down the form).
                elderly = elderly_suggested(kind, found.number)
                context["elderly_oob"] = True
                context["elderly_checked"] = elderly
                context["elderly_hint"] = ELDERLY_HINT if elderly else ""
            known = find_client(kind=kind, id_number=found.number)
            context["known"] = known is not None
            if known is not None and may_see_client(Actor.of_staff(request.staff), known):
                context["client"] = known
        except identity.IdentityError as error:
            context["error"] = error.message
    return render(request, "workbench/desk/_id_check.html", context)


@staff_required
def item_choices(request):
    """Published items matching the words typed, as radio buttons (htmx).

    The portal's search, so the desk finds what citizens find: Chinese, pinyin, initials,
    the same sound or one wrong character, best match first.
    """
    query = request.GET.get("q", "")
    site = Site.objects.filter(code=request.GET.get("site", "")).first()
    items = items_offered_at(site) if site else published_items()
    found = list(search_items(items, query)[:ITEM_CHOICES]) if query_parts(query) else []
    return render(
        request,
        "workbench/desk/_item_choices.html",
        {"items": found, "query": query, "field": request.GET.get("field", "item")},
    )


def _consultation(request, pk):
    return get_object_or_404(
        visible_consultations(request.staff).select_related(
            "site", "item__current_version", "handled_by", "department", "replied_by"
        ),
        pk=pk,
    )


def _departments_for(site):
    """The active departments of the county above ``site`` (where it may be escalated)."""
    ancestors = [int(i) for i in site.path.strip("/").split("/") if i] or [site.pk]
    return Department.objects.filter(is_active=True, county_id__in=ancestors).order_by("name")


def _consultation_context(request, consultation, form=None, errors=None):
    staff = request.staff
    case = Case.objects.filter(consultation=consultation).only("number").first()
    own = staff.is_agent and staff.site_id == consultation.site_id
    may_open = own or staff.covers(consultation.site)
    awaiting = consultation.status in AWAITING_REPLY
    may_escalate = awaiting and (
        staff.pk == consultation.handled_by_id or staff.covers(consultation.site)
    )
    return {
        "consultation": consultation,
        "case": case,
        "awaiting": awaiting,
        "overdue": awaiting
        and consultation.reply_due_on is not None
        and consultation.reply_due_on < timezone.localdate(),
        "may_escalate": may_escalate,
        "departments": list(_departments_for(consultation.site)) if may_escalate else [],
        "may_open": may_open and case is None,
        "may_reply": consultation.status in AWAITING_REPLY
        and (
            staff.pk == consultation.handled_by_id
            or (staff.is_liaison and staff.department_id == consultation.department_id)
        ),
        "form": form or {},
        "errors": errors or {},
        "kinds": ClientKind.choices,
        "service_types": [(str(k), v) for k, v in SERVICE_TYPE_LABELS.items()],
        # 帮办方式 (seed 001 §10.1.2): the case's channel, by default the consultation's
        "case_channels": list(DESK_CHANNELS.items()),
        "default_channel": CASE_CHANNEL[ConsultationChannel(consultation.channel)],
        "bundles": Bundle.objects.filter(is_published=True).order_by("name"),
        "chosen_item": _item((form or {}).get("item"), consultation.site)
        or (consultation.item if consultation.item and consultation.item.is_published else None),
        "elderly_hint": ELDERLY_HINT
        if form and elderly_suggested(form.get("kind", ""), str(form.get("id_number", ""))[:40])
        else "",
    }


@staff_required
def consultation_detail(request, pk):
    consultation = _consultation(request, pk)
    return render(
        request, "workbench/consultation.html", _consultation_context(request, consultation)
    )


@require_POST
@staff_required
def consultation_answer(request, pk):
    consultation = _consultation(request, pk)
    try:
        consultation_reply(
            consultation=consultation, staff=request.staff, answer=request.POST.get("answer", "")
        )
    except ConsultationInvalid as invalid:
        context = _consultation_context(request, consultation, errors={"answer": invalid.message})
        return render(request, "workbench/consultation.html", context, status=422)
    if consultation.answer_sms_at:
        messages.success(request, f"已记录答复，并已短信告知{consultation.contact_masked}")
    else:
        messages.warning(
            request,
            "已记录答复，但未能短信告知（联系方式不是手机号或短信未发出），请电话告知服务对象",
        )
    return redirect("workbench:consultation", consultation.pk)


@require_POST
@staff_required
def consultation_escalate_view(request, pk):
    """转交审批部门 from the consultation's page: the API's escalation, for the desk."""
    consultation = _consultation(request, pk)
    department = (
        _departments_for(consultation.site)
        .select_related("county")
        .filter(pk=id_or_none(request.POST.get("department")))
        .first()
    )
    try:
        consultation_escalate(consultation=consultation, staff=request.staff, department=department)
    except ConsultationInvalid as invalid:
        context = _consultation_context(
            request, consultation, errors={"department": invalid.message}
        )
        return render(request, "workbench/consultation.html", context, status=422)
    messages.success(
        request,
        f"已转交{consultation.department.name}，须于{consultation.reply_due_on:%Y年%m月%d日}前答复",
    )
    return redirect("workbench:consultation", consultation.pk)


@staff_required
def consultation_notice(request, pk):
    """一次性告知单 of a consultation with no case: the materials of the item asked about,
    as a PDF to print and hand over (nothing stored; the consultation is the record)."""
    consultation = _consultation(request, pk)
    item = consultation.item
    versions = (item.current_version_id,) if item and item.current_version_id else ()
    pdf = consultation_notice_pdf(
        AskedAbout(
            reference=f"咨询-{consultation.pk:06d}",
            site=consultation.site,
            client_name=consultation.client_name,
            asked_on=timezone.localdate(consultation.created_at),
            content=consultation.content,
            item_version_ids=versions,
            issued_by=request.staff.name,
            page_url=settings.PUBLIC_URL.rstrip("/") + page_path(consultation),
        )
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="consultation-{consultation.pk}.pdf"'
    return response


def _client_from(form) -> ClientInput:
    return ClientInput(
        kind=form.get("kind", ""),
        name=form.get("name", "")[:200],
        id_number=form.get("id_number", "")[:40],
        mobile=form.get("mobile", "")[:40],
        address=form.get("address", "")[:200],
        legal_representative=form.get("legal_representative", "")[:50],
        contact_person=form.get("contact_person", "")[:50],
        is_elderly=bool(form.get("is_elderly")),
        is_disabled=bool(form.get("is_disabled")),
        credit_code_override=form.get("credit_code_override", "")[:500],
    )


@require_POST
@staff_required
def consultation_open_case(request, pk):
    """Find or register the client and turn the consultation into an application."""
    consultation = _consultation(request, pk)
    form = request.POST
    data = _client_from(form)
    if not data.mobile.strip():  # the mobile left when asking, not typed again
        data.mobile = contact_mobile(consultation)
    item = _item(form.get("item"), consultation.site)
    bundle = (
        Bundle.objects.filter(pk=form.get("bundle"), is_published=True)
        .select_related("current_version")
        .first()
        if str(form.get("bundle", "")).isdigit()
        else None
    )
    try:
        with transaction.atomic():
            client = None
            if data.id_number.strip():
                client = find_client(kind=data.kind, id_number=data.id_number)
            if (
                client is not None
                and data.is_elderly  # 老年人 confirmed by staff who may see the client
                and may_see_client(Actor.of_staff(request.staff), client)
            ):
                elderly_confirm(client, id_number=data.id_number)
            client = client or client_register(
                data=data, staff=request.staff, site=consultation.site
            )
            case = consultation_to_case(
                consultation=consultation,
                staff=request.staff,
                client=client,
                service_type=form.get("service_type", ""),
                item_versions=[item.current_version] if item and not bundle else [],
                bundle_version=bundle.current_version if bundle else None,
                channel=form.get("channel") if form.get("channel") in DESK_CHANNELS else None,
                external_number=form.get("external_number", "")[:200],
            )
    except ClientInvalid as invalid:
        errors = invalid.errors
    except (ConsultationInvalid, TransitionRefused) as refusal:
        errors = {"case": refusal.message}
    else:
        messages.success(request, f"已登记办件 {case.number}")
        return redirect("workbench:case", case.number)
    context = _consultation_context(request, consultation, form, errors)
    return render(request, "workbench/consultation.html", context, status=422)
