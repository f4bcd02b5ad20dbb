"""One case on one page: state, time left and why, client, items, materials, timeline, actions.

The buttons are exactly the events ``workflow.events_from`` allows for the roles this
person holds on this case now (``access.case_roles``). Each opens a small form; the form
posts the case version the page showed, so a change made meanwhile by someone else is
refused with the conflict message instead of being overwritten. Every change goes
through ``services.case_transition``; a refusal shows the table's or the guard's reason.

After a change the case body is re-rendered and swapped in place (htmx); without
JavaScript the same forms post and redirect back.
"""

from __future__ import annotations

import io
from collections import defaultdict

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from bangban.cases.access import case_roles, get_case_for, get_client_for
from bangban.cases.behalf import ApplicationOnBehalf
from bangban.cases.clients import client_correct, client_reveal
from bangban.cases.delivery import delivery_choice
from bangban.cases.delivery import shown as delivery_shown
from bangban.cases.guards import required_form, signature_on_file
from bangban.cases.models import (
    AT_DEPARTMENT_STATUSES,
    CasePause,
    Channel,
    Expedite,
    ItemStatus,
    MaterialStatus,
)
from bangban.cases.selectors import event_label, state_label
from bangban.cases.services import CaseConflict, case_deadline, case_transition
from bangban.cases.transitions import BY_EVENT, check_table, events_from
from bangban.cases.uploads import material_file_bytes, material_file_name
from bangban.cases.workflow import FORM_LABELS, ServiceType, State, TransitionRefused
from bangban.clients import masking
from bangban.clients.models import ClientCorrection, CorrectionField, RevealField
from bangban.clients.services import ClientInvalid
from bangban.downloads import private_file
from bangban.workdays.services import current_calendar

from .. import elsewhere
from .. import events as ev
from .. import selectors as s
from ..auth import staff_required
from ..vaultpanel import vault_panel

TIMELINE_LIMIT = 100
# the events that take materials (and so may take them from the vault): the 材料库 block
# is shown, and read, only while this viewer may do one of them on the case
VAULT_EVENTS = frozenset({"pre_review", "supplement"})
CORRECTIONS_SHOWN = 20
REVIEW_CHOICES = [
    (MaterialStatus.RECEIVED.value, "已收取"),
    (MaterialStatus.MISSING.value, "缺少"),
    (MaterialStatus.NEEDS_CORRECTION.value, "需补正"),
    (MaterialStatus.DEFERRED.value, "容缺后补"),
    # only in some cases (e.g. the guardian's ID); a required one needs the note saying why
    (MaterialStatus.NOT_APPLICABLE.value, "不适用"),
]


def _load(request, number):
    return get_case_for(request.actor, number)


def may_correct_client(staff) -> bool:
    """Whether the client block offers 更正 to this person: agents and coordinators. The
    page is loaded through ``get_case_for``, so they may see the client; the POST is
    decided again by the one access rule (``get_client_for``, then ``client_correct``)."""
    return staff.is_active and (staff.is_agent or staff.is_coordinator)


def client_corrections(client) -> list[ClientCorrection]:
    """The client's latest corrections, newest first, each with the SMS that told of it."""
    corrections = list(
        ClientCorrection.objects.filter(client=client).select_related("staff", "site")[
            :CORRECTIONS_SHOWN
        ]
    )
    sms = elsewhere.correction_messages(client, [c.pk for c in corrections])
    for correction in corrections:
        correction.sms = sms.get(correction.pk)
        correction.reason_shown = masking.mask_numbers(correction.reason)  # older rows
    return corrections


# The parts of the case body that only the case's own version, the day, the calendar and the
# viewer's roles on the case decide are rendered once and kept in the cache (see ``_parts_key``).
# Everything that changes without ``case_transition`` bumping ``Case.version`` is rendered
# fresh on every request: the client block (corrections, masked fields, reveal), the signed
# confirmations (the documents area completes them later), the outbox's messages and their
# state, and the request's own flash and open form. Files uploaded for materials do not bump
# the version either: their count and newest id are part of the key.
PARTS = (
    ("head", "workbench/case/_part_head.html"),
    ("work", "workbench/case/_part_work.html"),
    ("tail", "workbench/case/_part_tail.html"),
)
PARTS_TTL = 60 * 60 * 24  # a new version or a new day is a new key; this only bounds memory
PARTS_SCHEMA = 3  # bump when the parts' templates or context change shape
CSRF_SLOT = "csrf-slot-9d41c7a2"  # the real token of this request replaces it on the way out


def _parts_key(case, roles: frozenset[str], today, calendar, uploads: tuple) -> str:
    """The cache key of the case's cached parts. It covers: the case row and everything
    ``case_transition`` writes with it (state, items, materials' checks, notices, relays,
    expedites, the timeline, the application on behalf) through ``version``; the time left
    and the deadline warnings through the day and the calendar's content; the buttons and
    review forms through the viewer's roles on this case (the one thing about the viewer
    these parts show); material files through the uploads' (count, newest id)."""
    who = ",".join(sorted(roles)) or "-"
    return (
        f"wb:case:{PARTS_SCHEMA}:{case.pk}:{case.version}:{today.isoformat()}:"
        f"{calendar.content_key()}:{who}:{uploads[0]}:{uploads[1]}"
    )


def _parts_context(case, roles, today, calendar) -> dict:
    """What the cached parts show, read only when they are not in the cache."""
    events = list(
        case.events.only(
            "case",
            "seq",
            "event",
            "from_state",
            "to_state",
            "at",
            "actor_name",
            "reason",
            "details",
        ).order_by("-seq")[:TIMELINE_LIMIT]
    )
    # With the whole history in the timeline, a panel whose rows only one event's effect
    # writes (``cases.effects``) is read only if that event happened: most cases never had a
    # notice, a relay, an expedite or a pause, and skip those queries.
    happened = {e.event for e in events} if case.event_count <= len(events) else None

    def ever(*names: str) -> bool:
        return happened is None or not happened.isdisjoint(names)

    if not ever("request_supplement", "suspend"):  # the only effects that open a pause
        case._prefetched_objects_cache = {**getattr(case, "_prefetched_objects_cache", {})}
        case._prefetched_objects_cache["pauses"] = CasePause.objects.none()
    allowed_all = [
        t
        for t in events_from(State(case.state), ServiceType(case.service_type), roles)
        if t.event not in ev.NOT_ON_WORKBENCH
    ]
    actions = [t for t in allowed_all if t.event not in ev.INLINE_EVENTS]
    items = list(
        case.items.select_related("item_version__item", "department").only(
            "case_id",
            "item_version__number",
            "item_version__item__code",
            "item_version__item__name",
            "department__name",
            "status",
            "filed_on",
            "result",
            "result_on",
            "position",
        )
    )
    materials = list(case.materials.all())
    by_item = defaultdict(list)
    for material in materials:
        by_item[material.case_item_id].append(material)
    for item in items:
        item.material_list = by_item.get(item.pk, [])
    for event in events:
        event.label = event_label(event.event)
        event.from_label = state_label(event.from_state)
        event.to_label = state_label(event.to_state)
        event.lines = ev.describe(event)
        document = (event.details or {}).get("document")
        event.document = document
        event.document_url = document and reverse(
            "documents:download", args=[case.number, document]
        )
    notices = list(case.notices.all()) if ever("request_supplement") else []
    for notice in notices:
        notice.pdf_url = reverse("documents:download", args=[case.number, notice.number])
    return {
        "case": case,
        "today": today,
        "left": s.time_left(case, today, calendar),
        "deadline": case_deadline(case, today),
        "actions": [(t, ev.signs(case, t.event)) for t in actions],
        "allowed": {t.event for t in allowed_all},
        "items": items,
        "materials": materials,
        "pending_materials": sum(m.status == MaterialStatus.PENDING for m in materials),
        "review_choices": REVIEW_CHOICES,
        "notices": notices,
        "relays": list(case.relays.select_related("from_site", "to_site"))
        if ever("relay_out")
        else [],
        "expedites": list(
            case.expedites.select_related(
                "case_item__item_version__item", "department", "sent_by", "replied_by"
            ).order_by("sent_at", "id")
        )
        if ever("expedite")
        else [],
        "events": events,
        "more_events": case.event_count > len(events),
        "print_url": reverse("documents:case", args=[case.number]),
        "delivery_shown": delivery_shown(case.delivery),  # address and recipient masked
        "csrf_token": CSRF_SLOT,
    }


def case_parts(request, case, side: dict | None = None) -> dict:
    """The cached parts of the case body for this viewer (rendered now if not cached),
    with this request's CSRF token in their forms, and the application on behalf
    (``side``: ``elsewhere.case_side``, read already)."""
    roles = case_roles(request.actor, case)
    today = timezone.localdate()
    calendar = current_calendar()
    side = side or elsewhere.case_side(case)
    key = _parts_key(case, roles, today, calendar, (side["uploads"] or 0, side["last_upload"] or 0))
    parts = cache.get(key)
    if parts is None:
        context = _parts_context(case, roles, today, calendar)
        # the 一表申请 link: whether the items' forms ask anything is fixed by the case's
        # items (their published versions), so the version in the key covers it
        context["has_form_fields"] = side["form_fields"]
        parts = {name: render_to_string(template, context) for name, template in PARTS}
        # recorded only with an application online (``portal.views.apply``)
        on_behalf = (
            ApplicationOnBehalf.objects.filter(case=case).first()
            if case.channel == Channel.ONLINE
            else None
        )
        parts["on_behalf"] = on_behalf.label if on_behalf else ""
        parts["allowed"] = sorted(context["allowed"])
        cache.set(key, parts, PARTS_TTL)
    token = get_token(request)
    shown = {name: mark_safe(parts[name].replace(CSRF_SLOT, token)) for name, _ in PARTS}  # noqa: S308 (our own rendering)
    return {**shown, "on_behalf": parts["on_behalf"], "allowed": set(parts["allowed"])}


def case_context(request, case, *, flash="", panel=None) -> dict:
    """Everything the case page shows: the cached parts (``case_parts``) and, fresh, the
    client block, the confirmations, the messages, the remote-help sessions and this
    request's flash and form; a fresh block with nothing to show (``elsewhere.case_side``,
    one query for them all) is not read."""
    side = elsewhere.case_side(case)
    parts = case_parts(request, case, side)
    return {
        "case": case,
        "parts": parts,
        "allowed": parts["allowed"],
        "on_behalf": {"label": parts["on_behalf"]} if parts["on_behalf"] else None,
        "sent_messages": elsewhere.case_messages(case) if side["messages"] else [],
        "confirmations": list(
            case.confirmations.only("case_id", "form", "method", "signer", "at").order_by(
                "at", "id"
            )
        )
        if side["confirmations"]
        else [],
        "reveal_fields": RevealField.choices,
        "may_correct": may_correct_client(request.staff),
        "correction_fields": CorrectionField.choices,
        "correction_form": None,
        "corrections": client_corrections(case.client) if side["corrections"] else [],
        "remote_sessions": elsewhere.remote_sessions(case) if side["remote"] else [],
        # the client's material vault, read fresh while materials may be taken from it
        "vault": vault_panel(case) if VAULT_EVENTS & parts["allowed"] else None,
        "flash": flash,
        "panel": panel,
    }


@staff_required
def case_page(request, number):
    case = _load(request, number)
    panel = None
    wanted = request.GET.get("do", "")
    if wanted in ev.EVENT_FIELDS:
        panel = event_form_context(request, case, wanted)
    return render(request, "workbench/case.html", case_context(request, case, panel=panel))


# --- the forms of the events ---------------------------------------------------------------


def event_form_context(request, case, event, *, error="", conflict=False, data=None) -> dict:
    transition = BY_EVENT[event]
    actor, staff = request.actor, request.staff
    context = {
        "case": case,
        "event": event,
        "transition": transition,
        "error": error,
        "conflict": conflict,
        "data": data or {},
        "fields": ev.fields_with_values(event, data, case),
        "signing": "confirmation" in ev.EVENT_FIELDS[event],
        # the version the page showed: posted back on a refusal, sent along when the form
        # is fetched (hx-include), else the case as it is now (the form is part of the page)
        "version": (data or request.GET).get("expected_version") or case.version,
    }
    try:
        check_table(
            event, State(case.state), ServiceType(case.service_type), case_roles(actor, case)
        )
    except TransitionRefused as refusal:
        context["error"] = context["error"] or refusal.message
        context["not_allowed"] = True
        return context
    # delivery is signed for only in person; the form offers that signature
    form = required_form(case, transition, {"method": "in_person"} if event == "deliver" else {})
    if context["signing"]:
        context.update(
            signs=FORM_LABELS[form] if form else None,
            # signed before (the signature pad, an SMS code): the guard needs nothing more
            signed_before=signature_on_file(case, form) if form else None,
            sign_methods=ev.SIGN_METHODS,
            signature_pad_url=form and reverse("documents:sign", args=[case.number, form.value]),
            sms_url=form and reverse("documents:sms", args=[case.number, form.value]),
            documents_url=reverse("documents:case", args=[case.number]),
        )
    items = list(case.items.select_related("item_version__item", "department"))
    if event == "file_with_department":
        context["choices"] = [i for i in items if i.status == ItemStatus.PENDING]
    elif event in {"department_step", "expedite"}:
        filed = [i for i in items if i.status in AT_DEPARTMENT_STATUSES]
        if event == "department_step" and not (staff.is_agent and case.site_id == staff.site_id):
            filed = [i for i in filed if i.department_id == staff.department_id]
        context["choices"] = filed
    elif event == "expedite_reply":
        context["expedites"] = list(
            Expedite.objects.filter(
                case=case, department_id=staff.department_id, replied_at__isnull=True
            ).select_related("case_item__item_version__item", "sent_by")
        )
    elif event == "supplement":
        notice = case.notices.first()
        needed = {n["material_id"] for n in (notice.needed if notice else [])}
        context["notice"] = notice
        context["needed"] = [m for m in case.materials.all() if m.pk in needed]
    elif event == "request_supplement":
        context["missing"] = [
            m
            for m in case.materials.all()
            if m.status in {MaterialStatus.MISSING, MaterialStatus.NEEDS_CORRECTION}
        ]
    elif event == "assign":
        context["agents"] = list(s.agents_with_load(case.site))
    elif event == "relay_out":
        context["sites"] = s.relay_targets(case.site)
    elif event == "deliver":
        # the client's choice online, shown masked; the form proposes to deliver as chosen
        choice = delivery_choice(case)
        context["client_choice"] = choice
        if choice is not None and not data:
            proposed = {"method": choice.method, "use_client_choice": "1"}
            context["fields"] = ev.fields_with_values(event, proposed, case)
    return context


def _done(request, case, message):
    """After a change: the fresh case body in place (htmx), or back to the page."""
    try:
        fresh = get_case_for(request.actor, case.number)
    except Http404:
        # e.g. a hand-over returned: the case is no longer this person's to see
        messages.success(request, f"{message}（办件 {case.number} 已不在您的工作范围内）")
        if request.htmx:
            return HttpResponseClientRedirect(reverse("workbench:home"))
        return redirect("workbench:home")
    if not request.htmx:  # without JavaScript: the page again, with the message above it
        messages.success(request, message)
        return redirect("workbench:case", case.number)
    response = render(
        request, "workbench/case/_body.html", case_context(request, fresh, flash=message)
    )
    return reswap(retarget(response, "#case-body"), "outerHTML")


def _refused(request, case, event, message, conflict, data):
    context = event_form_context(request, case, event, error=message, conflict=conflict, data=data)
    if request.htmx:
        return render(request, "workbench/case/_event_form.html", {"f": context})
    page = case_context(request, case, panel=context)
    return render(request, "workbench/case.html", page, status=409 if conflict else 422)


@staff_required
def case_event(request, number, event):
    case = _load(request, number)
    if event not in ev.EVENT_FIELDS:
        raise Http404("没有这项操作")
    if request.method != "POST":
        if not request.htmx:  # without JavaScript the form opens inside the case page
            return redirect(f"{reverse('workbench:case', args=[case.number])}?do={event}")
        context = event_form_context(request, case, event)
        return render(request, "workbench/case/_event_form.html", {"f": context})
    try:
        version = ev.version_from(request.POST)
        details = ev.details_from(event, request.POST)
        case_transition(
            case=case, event=event, actor=request.actor, expected_version=version, **details
        )
    except (ev.FormInvalid, TransitionRefused) as refusal:
        conflict = isinstance(refusal, CaseConflict)
        return _refused(request, case, event, refusal.message, conflict, request.POST)
    return _done(request, case, f"已完成：{BY_EVENT[event].label}")


def _flash_error(request, case, message, conflict=False):
    if request.htmx:
        response = render(
            request, "workbench/case/_flash.html", {"error": message, "conflict": conflict}
        )
        return reswap(retarget(response, "#case-flash"), "innerHTML")
    page = case_context(request, case, flash="")
    page["flash_error"] = message
    return render(request, "workbench/case.html", page, status=409 if conflict else 422)


@require_POST
@staff_required
def material_review(request, number, material_id=None):
    """Pre-review with one click per material, or every material not yet checked as received."""
    case = _load(request, number)
    materials = {m.pk: m for m in case.materials.all()}
    if material_id is None:
        checks = [
            {"material_id": pk, "status": MaterialStatus.RECEIVED, "note": ""}
            for pk, m in materials.items()
            if m.status == MaterialStatus.PENDING
        ]
        if not checks:
            return _flash_error(request, case, "没有待预审的材料")
    else:
        if material_id not in materials:
            raise Http404("材料不存在")
        checks = [
            {
                "material_id": material_id,
                "status": request.POST.get("status", ""),
                "note": request.POST.get("note", "").strip()[:300],
            }
        ]
    try:
        version = ev.version_from(request.POST)
        case_transition(
            case=case,
            event="pre_review",
            actor=request.actor,
            expected_version=version,
            checks=checks,
        )
    except (ev.FormInvalid, TransitionRefused) as refusal:
        return _flash_error(request, case, refusal.message, isinstance(refusal, CaseConflict))
    if material_id is None:
        message = f"已将 {len(checks)} 份材料标为已收取"
    else:
        label = dict(REVIEW_CHOICES).get(checks[0]["status"], "")
        message = f"预审：{materials[material_id].name}，{label}"
    return _done(request, case, message)


@require_POST
@staff_required
def note(request, number):
    """记录工作日志 (the note event) from the box beside the timeline."""
    case = _load(request, number)
    try:
        version = ev.version_from(request.POST)
        case_transition(
            case=case,
            event="note",
            actor=request.actor,
            expected_version=version,
            **ev.details_from("note", request.POST),
        )
    except (ev.FormInvalid, TransitionRefused) as refusal:
        return _flash_error(request, case, refusal.message, isinstance(refusal, CaseConflict))
    return _done(request, case, "已记录工作日志")


@require_POST
@staff_required
def reveal(request, number):
    """Show one personal-data field in full; the reason is required and recorded."""
    case = _load(request, number)
    field = request.POST.get("field", "")
    context = {"case": case, "field_label": dict(RevealField.choices).get(field, "")}
    if field not in RevealField.values:
        context["error"] = "请选择要查看的信息"
    else:
        try:
            context["value"] = (
                client_reveal(
                    client=case.client,
                    field=field,
                    staff=request.staff,
                    reason=request.POST.get("reason", "")[:200],
                    case=case,
                )
                or "（未登记）"
            )
        except ClientInvalid as invalid:
            context["error"] = str(invalid)
    if request.htmx:
        return render(request, "workbench/case/_reveal.html", context)
    page = case_context(request, case)
    page["revealed"] = context
    return render(request, "workbench/case.html", page, status=200 if "value" in context else 422)


@require_POST
@staff_required
def correct_client(request, number):
    """更正手机号码或地址 of the case's client: a reason is required; the change goes on the
    client's history and the client is told by SMS (``cases.clients.client_correct``)."""
    case = _load(request, number)
    if not may_correct_client(request.staff):
        raise PermissionDenied("只有帮办代办员或协调员可以更正服务对象信息")
    client = get_client_for(request.actor, case.client_id)
    data = {name: request.POST.get(name, "")[:300] for name in ("field", "value", "reason")}
    try:
        correction = client_correct(staff=request.staff, client=client, **data)
    except ClientInvalid as invalid:
        form = {"data": data, "errors": invalid.errors}
        if request.htmx:
            context = {"case": case, "form": form, "correction_fields": CorrectionField.choices}
            return render(request, "workbench/case/_correct.html", context)
        page = case_context(request, case)
        page["correction_form"] = form
        return render(request, "workbench/case.html", page, status=422)
    old = correction.old_masked or "未登记"
    return _done(
        request,
        case,
        f"已更正{correction.get_field_display()}：{old} → {correction.new_masked}",
    )


@staff_required
def material_file(request, number, material_id):
    """A material's electronic file, for those who may see the case (never a bare media URL)."""
    case = _load(request, number)
    material = case.materials.filter(pk=material_id).exclude(file="").first()
    if material is None:
        raise Http404("该材料没有电子文件")
    # PDFs and images preview in the browser; anything else (an uploaded page could carry
    # script) is only downloaded. The file is encrypted at rest: the plain bytes are served.
    try:
        data = material_file_bytes(material)
    except FileNotFoundError:
        raise Http404("文件不存在") from None
    return private_file(io.BytesIO(data), filename=material_file_name(material))
