"""What each event of the state table does besides changing the state.

Called only by ``services.case_transition`` inside its transaction, after the table and
the guards have allowed the event. Each function may return extra details (document
numbers, names) to be recorded in the event.
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q

from bangban.catalogue.bundles import critical_path_days
from bangban.network.models import Site
from bangban.workdays.services import current_calendar

from . import application, clock, delivery, events
from .deadlines import close_pause, open_pause
from .guards import LASTING_FORMS, required_form, signature_on_file
from .models import (
    RESULT_STATUSES,
    Case,
    CaseMaterial,
    CaseRelay,
    CaseSite,
    Confirmation,
    ConfirmationMethod,
    Expedite,
    ItemStatus,
    MaterialStatus,
    OneTimeNotice,
    PauseKind,
    RelayStatus,
)
from .workflow import (
    FORM_LABELS,
    SUSPENSION_REASONS,
    TERMINATION_REASONS,
    Form,
    ServiceType,
    TerminationReason,
    Transition,
    TransitionRefused,
)


def apply(case: Case, transition: Transition, actor, details: dict) -> dict | None:
    recorded = _confirm_signature(case, transition, actor, details)
    handler = HANDLERS.get(transition.event)
    try:
        extra = handler(case, transition, actor, details) if handler else None
    except (KeyError, ValueError, TypeError, ObjectDoesNotExist) as error:
        # Details come from pages and the API; a malformed one is the user's to fix, not a crash.
        raise TransitionRefused(f"“{transition.label}”提交的信息不完整或格式不正确") from error
    return {**recorded, **(extra or {})}


def _today():
    return clock.today()


def _issue(case: Case, transition: Transition, actor, *, unsigned: bool = False, **extra) -> str:
    """Issue the form the event's row names (numbered, stored, printed); its number goes
    into the event's details, which is how the timeline references it. ``unsigned``: a
    form the system issues with nobody there to sign it."""
    assert transition.issues, f"{transition.event} issues no form"
    return events.issue_form(case, transition.issues, actor, unsigned=unsigned, extra=extra or None)


def _confirm_signature(case: Case, transition: Transition, actor, details: dict) -> dict:
    """Record the signature given with this event, or use up the one signed before."""
    form = required_form(case, transition, details)
    if form is None:
        return {}
    given = details.get("confirmation")
    if given:
        signed = Confirmation.objects.create(
            case=case,
            form=form,
            method=given.get("method", ConfirmationMethod.PAPER),
            signer=given.get("signer") or case.client.name,
        )
    else:
        signed = signature_on_file(case, form)
    if form not in LASTING_FORMS:
        signed.used = True
        signed.save(update_fields=["used"])
    return {
        "signed": FORM_LABELS[form],
        "signed_by": signed.signer,
        "sign_method": signed.get_method_display(),
    }


def _take_ownership(case: Case, transition: Transition, actor, details: dict):
    if case.agent_id is None and actor.kind == "staff" and actor.staff.is_agent:
        case.agent = actor.staff
    if details.get("needs"):
        case.needs = str(details["needs"])


def _refuse(case: Case, transition: Transition, actor, details: dict):
    case.reason_text = details["reason"]
    case.closed_at = clock.now()
    return {"document": _issue(case, transition, actor)}


def _request_supplement(case: Case, transition: Transition, actor, details: dict):
    materials = list(case.materials.all())
    accepted = [
        {"material_id": m.pk, "name": m.name, "note": m.note}
        for m in materials
        if m.status == MaterialStatus.RECEIVED
    ]
    needed = [
        {
            "material_id": m.pk,
            "name": m.name,
            "note": m.note or m.get_status_display(),
            "obtain_from": m.obtain_from,
            "required": m.required,
        }
        for m in materials
        if m.status in {MaterialStatus.MISSING, MaterialStatus.NEEDS_CORRECTION}
    ]
    # said as 不适用, never among the materials that 符合要求
    not_applicable = [
        {"material_id": m.pk, "name": m.name, "note": m.note}
        for m in materials
        if m.status == MaterialStatus.NOT_APPLICABLE
    ]
    calendar = current_calendar()
    due_on = calendar.add_workdays(_today(), details["days"])
    number = _issue(
        case,
        transition,
        actor,
        accepted=accepted,
        needed=needed,
        not_applicable=not_applicable,
        due_on=due_on,
    )
    OneTimeNotice.objects.create(
        case=case,
        number=number,
        accepted=accepted,
        needed=needed,
        not_applicable=not_applicable,
        due_on=due_on,
    )
    case.supplement_due_on = due_on
    open_pause(case, PauseKind.SUPPLEMENT, "待服务对象补正材料")
    return {
        "document": number,
        "needed": [n["name"] for n in needed],
        "supplement_due_on": due_on.isoformat(),
    }


def _supplement(case: Case, transition: Transition, actor, details: dict):
    ids = [int(i) for i in details.get("received", [])]
    CaseMaterial.objects.filter(case=case, pk__in=ids).update(
        status=MaterialStatus.RECEIVED, note="", checked_at=clock.now()
    )
    case.supplement_due_on = None
    close_pause(case)


def _accept(case: Case, transition: Transition, actor, details: dict):
    case.accepted_on = _today()
    case.promised_days = promised_days(case)
    _take_ownership(case, transition, actor, details)
    return {
        "document": _issue(case, transition, actor),
        "promised_days": case.promised_days,
    }


def promised_days(case: Case) -> int:
    """The item's promised limit; for a bundle, the longest chain of dependent items."""
    items = list(case.items.select_related("item_version"))
    if case.bundle_version_id is None or len(items) == 1:
        version = items[0].item_version
        return 0 if version.is_immediate else version.promised_limit_days
    days_by_item = {
        ci.item_version.item_id: (
            0 if ci.item_version.is_immediate else ci.item_version.promised_limit_days
        )
        for ci in items
    }
    entries = case.bundle_version.entries.prefetch_related("depends_on")
    graph = [
        (e.item_id, days_by_item.get(e.item_id, 0), [d.item_id for d in e.depends_on.all()])
        for e in entries
    ]
    return critical_path_days(graph)


def _suspend(case: Case, transition: Transition, actor, details: dict):
    code = details["reason_code"]
    case.reason_code = code
    case.reason_text = str(details.get("reason") or SUSPENSION_REASONS[code])
    case.resumption_due_on = current_calendar().add_workdays(_today(), details["resumption_days"])
    close_pause(case)  # a pending supplement pause becomes the suspension
    case.supplement_due_on = None
    open_pause(case, PauseKind.SUSPENSION, SUSPENSION_REASONS[code])
    fee = {k: details[k] for k in ("fee_amount", "fee_payee") if details.get(k)}
    return {
        "document": _issue(case, transition, actor, **fee),
        "resumption_due_on": case.resumption_due_on.isoformat(),
    }


def _resume(case: Case, transition: Transition, actor, details: dict):
    case.resumption_due_on = None
    case.reason_code = ""
    close_pause(case)
    return {"document": _issue(case, transition, actor)}


def _close(case: Case, code: str, text: str):
    case.reason_code = code
    case.reason_text = text
    case.closed_at = clock.now()
    close_pause(case)


def _lapse(case: Case, transition: Transition, actor, details: dict):
    """The resumption period ran out: the service is deemed terminated (seed 000
    §10.2.5.2 超过续办期限的，视为服务终止), and a termination, whatever its cause, is
    written on the 办结（终止）单 (§10.2.6 …或因其他原因终止的……填写《办结（终止）单》).

    The system issues the same termination slip an agent's termination issues, stating
    续办期满自动终止; nobody is there to sign it, so it is printed unsigned and says so.
    ``resumption_due_on`` stays set: the slip and the messages name the day that passed.
    """
    _close(
        case,
        TerminationReason.RESUMPTION_LAPSED,
        TERMINATION_REASONS[TerminationReason.RESUMPTION_LAPSED],
    )
    return {"document": _issue(case, transition, actor, unsigned=True)}


def _terminate(case: Case, transition: Transition, actor, details: dict):
    code = details["reason_code"]
    _close(case, code, str(details.get("reason") or TERMINATION_REASONS[code]))
    return {"document": _issue(case, transition, actor)}


def _complete(case: Case, transition: Transition, actor, details: dict):
    case.completed_on = _today()
    return {"document": _issue(case, transition, actor)}


def _deliver(case: Case, transition: Transition, actor, details: dict):
    """The address and recipient are stored encrypted; the event records, in their place,
    only a keyed digest (``cases.delivery``), so an erasure never touches the chain."""
    case.delivery_method = details["method"]
    if details.get("use_client_choice"):  # the address the client chose, never shown
        details = {**details, "address": delivery.chosen_address(case)}
    case.delivery, recorded = delivery.seal(details)
    return recorded


def _answer(case: Case, transition: Transition, actor, details: dict):
    """一表申请: personal answers are stored encrypted in ``case.application``; the event
    records, in their place, only a keyed digest (``cases.application_sealing``)."""
    return {"answers": application.seal_answers(case, details["answers"])}


def _archive(case: Case, transition: Transition, actor, details: dict):
    case.closed_at = case.closed_at or clock.now()


def _assign(case: Case, transition: Transition, actor, details: dict):
    case.agent_id = int(details["agent_id"])
    return {"agent_name": case.agent.name}


def _convert_to_proxy(case: Case, transition: Transition, actor, details: dict):
    case.service_type = ServiceType.PROXY
    return {"from_service_type": "assist", "to_service_type": "proxy"}


def _relay_out(case: Case, transition: Transition, actor, details: dict):
    to_site = Site.objects.get(code=details["to_site"])
    CaseRelay.objects.create(case=case, from_site=case.site, to_site=to_site, note=details["note"])
    CaseSite.objects.get_or_create(site=to_site, case=case)  # the receivers may see it now
    case.relay_to_site = to_site
    return {"from_site": case.site.name, "to_site": to_site.name}


def _pending_relay(case: Case) -> CaseRelay:
    return case.relays.filter(status=RelayStatus.PENDING).latest("sent_at", "id")


def _relay_accept(case: Case, transition: Transition, actor, details: dict):
    relay = _pending_relay(case)
    relay.status, relay.answered_at, relay.answer = (
        RelayStatus.ACCEPTED,
        clock.now(),
        str(details.get("note", "")),
    )
    relay.save()
    case.site = relay.to_site
    case.relay_to_site = None
    case.agent = actor.staff
    return {"from_site": relay.from_site.name, "to_site": relay.to_site.name}


def _relay_return(case: Case, transition: Transition, actor, details: dict):
    relay = _pending_relay(case)
    relay.status, relay.answered_at, relay.answer = (
        RelayStatus.RETURNED,
        clock.now(),
        details["reason"],
    )
    relay.save()
    case.relay_to_site = None
    _leave_path_unless_on_it(case, relay.to_site_id)
    return {"from_site": relay.to_site.name, "to_site": relay.from_site.name}


def _leave_path_unless_on_it(case: Case, site_id: int) -> None:
    """A site that returned a relay no longer sees the case, unless it held it before."""
    held = case.relays.filter(
        Q(from_site_id=site_id) | Q(to_site_id=site_id, status=RelayStatus.ACCEPTED)
    ).exists()
    if not held and case.site_id != site_id:
        CaseSite.objects.filter(case=case, site_id=site_id).delete()


def _pre_review(case: Case, transition: Transition, actor, details: dict):
    checks = details.get("checks", [])
    valid = {choice.value for choice in MaterialStatus} - {MaterialStatus.PENDING}
    by_id = {m.pk: m for m in case.materials.all()}
    names = []
    for check in checks:
        material = by_id.get(int(check.get("material_id", 0)))
        status = check.get("status")
        if material is None or status not in valid:
            raise TransitionRefused(
                "预审结果无效：请为本办件的材料选择“已收取、缺少、需补正、容缺后补或不适用”"
            )
        if status == MaterialStatus.DEFERRED and not material.accept_with_gaps:
            raise TransitionRefused(f"材料“{material.name}”不允许容缺受理")
        material.status, material.note, material.checked_at = (
            status,
            str(check.get("note", ""))[:300],
            clock.now(),
        )
        names.append(f"{material.name}：{material.get_status_display()}")
    CaseMaterial.objects.bulk_update(
        [by_id[int(c["material_id"])] for c in checks], ["status", "note", "checked_at"]
    )
    return {"results": names}


def _file_with_department(case: Case, transition: Transition, actor, details: dict):
    item = case.items.get(pk=details["case_item_id"])
    item.status, item.filed_on = ItemStatus.FILED, _today()
    item.save(update_fields=["status", "filed_on"])
    if details.get("external_number") and not case.external_number:
        case.external_number = details["external_number"]  # the first number given stays
    return {"department": item.department.name}


def _department_step(case: Case, transition: Transition, actor, details: dict):
    item = case.items.get(pk=details["case_item_id"])
    status = details["status"]
    item.status = status
    item.result = details.get("result", "")
    item.result_on = _today() if status in RESULT_STATUSES else None
    item.save(update_fields=["status", "result", "result_on"])
    return {"department": item.department.name, "status_label": item.get_status_display()}


def _expedite(case: Case, transition: Transition, actor, details: dict):
    item = case.items.get(pk=details["case_item_id"])
    message = details["message"]
    expedite = Expedite.objects.create(
        case=case, case_item=item, department=item.department, message=message, sent_by=actor.staff
    )
    return {"expedite_id": expedite.pk, "department": item.department.name}


def _expedite_reply(case: Case, transition: Transition, actor, details: dict):
    expedite = Expedite.objects.get(pk=details["expedite_id"])
    expedite.reply, expedite.replied_by, expedite.replied_at = (
        details["reply"],
        actor.staff,
        clock.now(),
    )
    expedite.save(update_fields=["reply", "replied_by", "replied_at"])


def _confirm(case: Case, transition: Transition, actor, details: dict):
    confirmation = details.get("confirmation") or {}
    signed = Confirmation.objects.create(
        case=case,
        form=details["form"],
        method=confirmation.get("method", ConfirmationMethod.PAPER),
        signer=confirmation.get("signer") or case.client.name,
    )
    # bangban.documents attaches the signature image or the SMS details to this row.
    return {"form_label": FORM_LABELS[Form(details["form"])], "confirmation_id": signed.pk}


HANDLERS = {
    "start_assessment": _take_ownership,
    "start_review": _take_ownership,
    "refuse": _refuse,
    "request_supplement": _request_supplement,
    "supplement": _supplement,
    "accept": _accept,
    "suspend": _suspend,
    "resume": _resume,
    "lapse": _lapse,
    "terminate": _terminate,
    "complete": _complete,
    "deliver": _deliver,
    "application_answered": _answer,
    "archive": _archive,
    "assign": _assign,
    "convert_to_proxy": _convert_to_proxy,
    "relay_out": _relay_out,
    "relay_accept": _relay_accept,
    "relay_return": _relay_return,
    "pre_review": _pre_review,
    "file_with_department": _file_with_department,
    "department_step": _department_step,
    "expedite": _expedite,
    "expedite_reply": _expedite_reply,
    "confirm": _confirm,
    # "evaluate": the Evaluation row is written by bangban.oversight, which subscribes.
}
