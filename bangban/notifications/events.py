"""Which messages each case event causes, to whom, with which values.

Read by ``outbox.enqueue_for_event`` inside ``case_transition`` / ``case_submit``, after
the effects are applied, so ``case`` is already in its new state. Nothing here writes.

To clients (SMS): application received, refusal with its reason, the one-time notice
(what is still needed and by when), acceptance with the promised limit and due date,
progress when a department gives its result, suspension with the resumption deadline,
termination with its reason and 办结（终止）单 number and that the client may apply again
(also when the resumption period lapsed), completion and where to collect,
delivery (carrier and tracking number, or licence number), the evaluation invitation,
and reminders (``remind``: supplement or resumption).

To staff (notice, plus e-mail/SMS by preference): a new case for the site when nobody
there registered it, a hand-over to the receiving site, a returned hand-over, an
assignment, a client's supplement, an expedite request to the department's liaisons and
its answer to whoever asked, and a case the system terminated. Nobody is told of their
own action.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from bangban.cases import evaluation_links, ratings
from bangban.cases.models import Case, CaseEvent, DeliveryChoice, Expedite, ItemStatus
from bangban.cases.workflow import DELIVERY_METHODS, State
from bangban.staff.models import StaffMember

from .dates import day_text
from .models import Message


@dataclass
class Planned:
    template: str
    recipients: list
    context: dict = field(default_factory=dict)


DELIVERY_PHRASES = {
    "in_person": "当面交付",
    "post": "通过邮寄寄出",
    "electronic": "通过电子证照发放",
}


def nearest_site(case: Case):
    """Where the client goes for the case: the site that received the application (a
    village station hands over what it relayed up to the county), else the case's site."""
    first = CaseEvent.objects.filter(case_id=case.pk).order_by("seq").select_related("site").first()
    site = first.site if first is not None else None
    return site if site is not None and site.is_active else case.site


def delivery_context(case: Case) -> dict:
    """How the result reaches the client and the nearest site (``catalog.DELIVERY_VARIABLES``):
    the delivery recorded, else the client's choice online."""
    method, address = case.delivery_method, (case.delivery or {}).get("address_masked", "")
    if not method:
        chosen = DeliveryChoice.objects.filter(case_id=case.pk).values_list(
            "method", "address_masked"
        )
        method, address = chosen.first() or ("", "")
    site = nearest_site(case)
    return {
        "delivery_way": DELIVERY_METHODS.get(method, ""),
        "by_post": method == "post",
        "by_licence": method == "electronic",
        "post_address": address if method == "post" else "",
        "pickup_site": site.name,
        "pickup_address": site.address,
        "pickup_phone": site.phone,
        "pickup_hours": site.opening_hours,
    }


def evaluation_invite(case: Case) -> Planned:
    """The invitation: the levels the case's centre offers and the client's personal link."""
    token = evaluation_links.token_for(case)
    url = settings.PUBLIC_URL.rstrip("/") + reverse("portal:evaluate-link", args=[token])
    return _client(
        "client.evaluation_invite",
        case,
        levels=ratings.scale_for(case.site).labels,
        evaluate_url=url,
        pickup_site=nearest_site(case).name,
    )


def handlers(case: Case) -> list[StaffMember]:
    """Who handles the case now: its agent, or else every active agent of its site."""
    if case.agent_id:
        agent = case.agent
        if agent.is_active and agent.site_id == case.site_id:
            return [agent]
    return list(StaffMember.objects.active().agents().filter(site_id=case.site_id))


def site_agents(site_id) -> list[StaffMember]:
    return list(StaffMember.objects.active().agents().filter(site_id=site_id))


def _without_actor(people, event: CaseEvent) -> list:
    return [p for p in people if p.pk != event.actor_staff_id]


def _latest_needed(case: Case) -> list[str]:
    notice = case.notices.order_by("-issued_at", "-id").first()
    return [n["name"] for n in notice.needed] if notice else []


def messages_for_event(case: Case, event: CaseEvent) -> list[Planned]:
    builder = BUILDERS.get(event.event)
    if builder is None:
        return []
    planned = builder(case, event, event.details or {})
    return [p for p in planned if p.recipients]


def _client(template: str, case: Case, **context) -> Planned:
    return Planned(template, [case.client], context)


def _staff(template: str, people, event: CaseEvent, **context) -> Planned:
    return Planned(template, _without_actor(people, event), context)


def _submit(case, event, details):
    channel = case.get_channel_display()
    return [
        _client("client.received", case),
        _staff("staff.new_case", handlers(case), event, channel=channel),
    ]


def _refuse(case, event, details):
    return [
        _client(
            "client.refused", case, reason=case.reason_text, document=details.get("document", "")
        )
    ]


def _request_supplement(case, event, details):
    return [
        _client(
            "client.one_time_notice",
            case,
            needed=list(details.get("needed", [])),
            supplement_due_on=day_text(case.supplement_due_on),
            document=details.get("document", ""),
        )
    ]


def _supplement(case, event, details):
    if event.actor_kind != "client":
        return []
    return [_staff("staff.supplemented", handlers(case), event)]


def _accept(case, event, details):
    return [
        _client(
            "client.accepted",
            case,
            document=details.get("document", ""),
            promised_days=case.promised_days or 0,
            due_on=day_text(case.due_on),
        )
    ]


def _department_step(case, event, details):
    item = case.items.select_related("department").filter(pk=details.get("case_item_id")).first()
    if item is None or item.status not in {ItemStatus.APPROVED, ItemStatus.DENIED}:
        return []
    return [
        _client(
            "client.progress",
            case,
            department=item.department.name,
            status=item.get_status_display(),
            result=item.result,
        )
    ]


def _suspend(case, event, details):
    return [
        _client(
            "client.suspended",
            case,
            reason=case.reason_text,
            resumption_due_on=day_text(case.resumption_due_on),
            document=details.get("document", ""),
            **delivery_context(case),
            fee_amount=details.get("fee_amount", ""),
            fee_payee=details.get("fee_payee", ""),
        )
    ]


def _terminated(case, details) -> Planned:
    """To the client: the case number, the reason, the 办结（终止）单 issued with the
    termination, and that they may apply again (seed 000 §10.2.5.2, §10.2.6)."""
    return _client(
        "client.terminated",
        case,
        reason=case.reason_text,
        document=details.get("document", ""),
        **delivery_context(case),
    )


def _terminate(case, event, details):
    return [_terminated(case, details)]


def _lapse(case, event, details):
    return [
        _terminated(case, details),
        _staff(
            "staff.case_lapsed",
            handlers(case),
            event,
            resumption_due_on=day_text(case.resumption_due_on),
            document=details.get("document", ""),
        ),
    ]


def _complete(case, event, details):
    return [
        _client(
            "client.completed", case, document=details.get("document", ""), **delivery_context(case)
        )
    ]


def _deliver(case, event, details):
    delivery = case.delivery or {}
    method = case.delivery_method
    return [
        _client(
            "client.delivered",
            case,
            delivery_method=DELIVERY_PHRASES.get(method, DELIVERY_METHODS.get(method, "")),
            carrier=delivery.get("carrier", ""),
            tracking_no=delivery.get("tracking_no", ""),
            licence_no=delivery.get("licence_no", ""),
        ),
        evaluation_invite(case),
    ]


def _archive(case, event, details):
    """Invite an evaluation at archiving, unless one was given or already invited."""
    evaluated = case.events.filter(event="evaluate").exists()
    invited = Message.objects.filter(case=case, template_key="client.evaluation_invite").exists()
    if evaluated or invited:
        return []
    return [evaluation_invite(case)]


def _assign(case, event, details):
    return [_staff("staff.assigned", [case.agent], event, actor_name=event.actor_name)]


def _relay_out(case, event, details):
    return [
        _staff(
            "staff.relay_in",
            site_agents(case.relay_to_site_id),
            event,
            from_site=details.get("from_site", ""),
            to_site=details.get("to_site", ""),
            note=details.get("note", ""),
        )
    ]


def _relay_return(case, event, details):
    return [
        _staff(
            "staff.relay_returned",
            handlers(case),
            event,
            by_site=details.get("from_site", ""),
            reason=details.get("reason", ""),
        )
    ]


def _expedite(case, event, details):
    expedite = Expedite.objects.select_related("department").get(pk=details["expedite_id"])
    liaisons = StaffMember.objects.active().filter(
        is_liaison=True, department_id=expedite.department_id
    )
    return [
        _staff(
            "staff.expedite",
            list(liaisons),
            event,
            actor_name=event.actor_name,
            department=expedite.department.name,
            expedite_message=expedite.message,
        )
    ]


def _expedite_reply(case, event, details):
    expedite = Expedite.objects.select_related("department", "sent_by").get(
        pk=details["expedite_id"]
    )
    return [
        _staff(
            "staff.expedite_reply",
            [expedite.sent_by],
            event,
            department=expedite.department.name,
            reply=expedite.reply,
        )
    ]


def _remind(case, event, details):
    state = State(case.state)
    today = timezone.localdate(event.at)
    if state == State.AWAITING_SUPPLEMENT:
        due = case.supplement_due_on
        return [
            _client(
                "client.supplement_reminder",
                case,
                needed=_latest_needed(case),
                supplement_due_on=day_text(due),
                overdue=bool(due and today > due),
            )
        ]
    if state == State.SUSPENDED:
        return [
            _client(
                "client.resumption_reminder",
                case,
                resumption_due_on=day_text(case.resumption_due_on),
                days_left=details.get("days_left", ""),
                **delivery_context(case),
            )
        ]
    return []


BUILDERS = {
    "submit": _submit,
    "refuse": _refuse,
    "request_supplement": _request_supplement,
    "supplement": _supplement,
    "accept": _accept,
    "department_step": _department_step,
    "suspend": _suspend,
    "terminate": _terminate,
    "lapse": _lapse,
    "complete": _complete,
    "deliver": _deliver,
    "archive": _archive,
    "assign": _assign,
    "relay_out": _relay_out,
    "relay_return": _relay_return,
    "expedite": _expedite,
    "expedite_reply": _expedite_reply,
    "remind": _remind,
}
