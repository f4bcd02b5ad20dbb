"""What is printed on a form: a snapshot taken from the case when the form is issued.

``snapshot(case, info, ...)`` returns plain JSON (strings, lists, dicts) stored in
``CaseDocument.fields``; the templates read only that. The case passed in is the one the
caller holds: inside a transition it is the locked row with the event's changes already
applied (reason, dates, agent) but not yet saved, so it is read, not reloaded.

Personal data is printed masked (证件号码 110105********0021, 手机 138****5678): a stored
PDF must not undo the encryption of the client record. Where a form needs the full number
the client writes it by hand on the printed copy.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from urllib.parse import urlencode

from django.conf import settings
from django.utils import timezone

from bangban.cases import application, clock, ratings
from bangban.cases.delivery import opened as opened_delivery
from bangban.cases.models import CaseEvent, Confirmation, DeliveryChoice
from bangban.cases.workflow import (
    SERVICE_TYPE_LABELS,
    SUSPENSION_REASONS,
    TERMINATION_REASONS,
    ServiceType,
    TerminationReason,
)
from bangban.network.models import Site

from .kinds import Kind, KindInfo
from .models import CaseDocument, FormWording, Letterhead

STANDARD_CATEGORIES = ("投资建设", "企业开办", "民生事务")  # seed 000 附录A、B
# The evaluation form prints the 好差评 levels of the case's centre (``cases.ratings``:
# GB/T 39734's five, or seed 003 附件4's four), ``_evaluation_fields``.


def cn_date(value) -> str:
    """2026年5月8日; blank for None. Accepts dates, datetimes and ISO strings."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return f"{value.year}年{value.month}月{value.day}日"


def public_url(letterhead: Letterhead | None) -> str:
    base = (letterhead.public_url if letterhead else "") or settings.PUBLIC_URL
    return base.rstrip("/")


def track_url(base: str, case_number: str) -> str:
    """The public progress page of the case (built by the portal)."""
    return f"{base}/track/?{urlencode({'number': case_number})}"


def _ancestor_ids(site) -> list[int]:
    """The site and its ancestors, nearest first (from the materialised path)."""
    return list(reversed([int(i) for i in site.path.strip("/").split("/") if i])) or [site.pk]


def letterhead_for(site) -> tuple[Letterhead | None, list[Letterhead]]:
    """The nearest letterhead up the tree from ``site`` (one query), and the chain."""
    ids = _ancestor_ids(site)
    found = {lh.site_id: lh for lh in Letterhead.objects.filter(site_id__in=ids)}
    chain = [found[i] for i in ids if i in found]
    return (chain[0] if chain else None), chain


def site_codes(site) -> list[str]:
    """Codes of the site and its ancestors, nearest first: where template overrides live."""
    ids = _ancestor_ids(site)
    codes = dict(Site.objects.filter(pk__in=ids).values_list("pk", "code"))
    return [codes[i] for i in ids if i in codes]


def wording_for(chain: list[Letterhead], kind: str) -> dict:
    if not chain:
        return {}
    rows = {
        w.letterhead_id: w
        for w in FormWording.objects.filter(letterhead__in=[lh.pk for lh in chain], kind=kind)
    }
    merged: dict = {}
    for lh in reversed(chain):  # county first, nearer sites override
        w = rows.get(lh.pk)
        if w is None:
            continue
        for key in ("title", "intro", "remark"):
            if getattr(w, key).strip():
                merged[key] = getattr(w, key).strip()
        clauses = [line.strip() for line in w.clauses.splitlines() if line.strip()]
        if clauses:
            merged["clauses"] = clauses
    return merged


def _letterhead_fields(case, letterhead: Letterhead | None) -> dict:
    site = case.site
    footer = letterhead.footer if letterhead and letterhead.footer else ""
    if not footer:
        parts = [
            f"地址：{site.address}" if site.address else "",
            f"电话：{site.phone}" if site.phone else "",
            f"监督投诉电话：{site.complaint_phone}" if site.complaint_phone else "",
        ]
        footer = "　".join(p for p in parts if p)
    return {
        "title": (letterhead.title if letterhead else "") or site.name,
        "subtitle": letterhead.subtitle if letterhead else "",
        "logo": letterhead.logo.name if letterhead and letterhead.logo else "",
        "footer": footer,
    }


def _client_fields(client) -> dict:
    is_org = client.kind == "organisation"
    return {
        "name": client.name,
        "is_org": is_org,
        "id_label": "统一社会信用代码" if is_org else "身份证号",
        "id_masked": client.id_number_masked,
        "mobile_masked": client.mobile_masked,
        "address_masked": client.address_masked,
        "legal_representative": client.legal_representative,
        "contact_person": client.contact_person or ("" if is_org else client.name),
    }


def _items(case) -> list[dict]:
    rows = case.items.select_related("item_version__item__category", "department").order_by(
        "position"
    )
    return [
        {
            "name": ci.item_version.item.name,
            "code": ci.item_version.item.code,
            "category": ci.item_version.item.category.name,
            "department": ci.department.name,
            "status": ci.get_status_display(),
            "result": ci.result,
            "result_on": cn_date(ci.result_on),
        }
        for ci in rows
    ]


def _categories(items: list[dict]) -> list[dict]:
    names = list(STANDARD_CATEGORIES) + sorted(
        {i["category"] for i in items} - set(STANDARD_CATEGORIES)
    )
    return [
        {
            "label": name,
            "checked": any(i["category"] == name for i in items),
            "items": "、".join(i["name"] for i in items if i["category"] == name),
        }
        for name in names
    ]


def confirmation_fields(confirmation: Confirmation | None) -> dict | None:
    if confirmation is None:
        return None
    return {
        "id": confirmation.pk,
        "method": confirmation.method,
        "method_label": confirmation.get_method_display(),
        "signer": confirmation.signer,
        "at": timezone.localtime(confirmation.at).strftime("%Y-%m-%d %H:%M")
        if confirmation.at
        else "",
        "on": cn_date(confirmation.at),
        "signature": confirmation.signature.name if confirmation.signature else "",
        "sms_phone": confirmation.sms_phone,
    }


def latest_confirmation(case, form: str | None) -> Confirmation | None:
    if not form:
        return None
    return Confirmation.objects.filter(case=case, form=form).order_by("-id").first()


def _latest_number(case, kind: Kind) -> str:
    doc = (
        CaseDocument.objects.filter(case=case, kind=kind)
        .order_by("-id")
        .values_list("number", flat=True)
        .first()
    )
    return doc or ""


def _due_on(case) -> str:
    """The due date as it stands after this event (the transition recomputes the stored
    one only after its effects, so it is computed here from the same inputs)."""
    from bangban.cases.services import case_deadline

    found = case_deadline(case)
    return cn_date(found.due_on) if found else ""


def specific(case, info: KindInfo, extra: dict | None) -> dict:
    """The fields that belong to the event that issued the form (kept on corrections)."""
    extra = dict(extra or {})
    today = cn_date(clock.today())
    kind = info.kind
    if kind == Kind.REFUSAL_NOTICE:
        return {"reason": case.reason_text, "refused_on": today}
    if kind == Kind.ONE_TIME_NOTICE:
        due = extra.get("due_on")
        return {
            "received_on": cn_date(case.created_at),
            "accepted": extra.get("accepted", []),
            "needed": extra.get("needed", []),
            "not_applicable": extra.get("not_applicable", []),
            "due_on": cn_date(due),
        }
    if kind == Kind.ACCEPTANCE_SLIP:
        return {"accepted_on": cn_date(case.accepted_on), "due_on": _due_on(case)}
    if kind == Kind.SUSPENSION_SLIP:
        return {
            "reason_code": case.reason_code,
            "reasons": [
                {"label": label, "checked": code == case.reason_code}
                for code, label in SUSPENSION_REASONS.items()
            ],
            "reason": case.reason_text,
            # the free-text explanation, when it says more than the ticked reason
            "reason_note": ""
            if case.reason_text == SUSPENSION_REASONS.get(case.reason_code)
            else case.reason_text,
            "suspended_on": today,
            "resumption_due_on": cn_date(case.resumption_due_on),
            "entrustment_number": _latest_number(case, Kind.ENTRUSTMENT),
            # suspended for an unpaid fee: how much and where to pay (the event's details)
            "fee_amount": extra.get("fee_amount", ""),
            "fee_payee": extra.get("fee_payee", ""),
        }
    if kind == Kind.RESUMPTION_ENTRUSTMENT:
        return {
            "resumed_on": today,
            "suspension_reason": case.reason_text,
            "suspension_number": _latest_number(case, Kind.SUSPENSION_SLIP),
            "entrustment_number": _latest_number(case, Kind.ENTRUSTMENT),
            "due_on": _due_on(case),
        }
    if kind in (Kind.TERMINATION_SLIP, Kind.COMPLETION_SLIP):
        terminated = kind == Kind.TERMINATION_SLIP
        found = {
            "terminated": terminated,
            "closed_on": today,
            "reason": case.reason_text if terminated else "",
            "reason_label": TERMINATION_REASONS.get(case.reason_code, "") if terminated else "",
            "acceptance_number": _latest_number(case, Kind.ACCEPTANCE_SLIP),
        }
        if terminated and case.reason_code == TerminationReason.RESUMPTION_LAPSED:
            # seed 000 §10.2.5.2: 超过续办期限的，视为服务终止。服务对象应按照代办服务
            # 流程重新提出代办委托。
            due = cn_date(case.resumption_due_on)
            found |= {
                "lapsed": True,
                "reason_label": "续办期满自动终止",
                "reason": f"中止后未在续办期限（{due}）内签订《代办服务续办委托书》，视为服务终止",
                "resumption_due_on": due,
                "suspension_number": _latest_number(case, Kind.SUSPENSION_SLIP),
            }
        return found
    if kind == Kind.EVALUATION:
        return _evaluation_fields(case)
    if kind == Kind.DEPARTMENT_FORM:
        return department_form_fields(case, int(extra.get("case_item_id") or 0))
    if kind == Kind.ENTRUSTMENT:
        if not case.delivery_method:
            # 领取方式 as the client chose it online (before delivery there is nothing else);
            # the address is printed masked, like every personal value the system prints
            choice = DeliveryChoice.objects.filter(case=case).first()
            return {
                "delivery_method": choice.method if choice else "",
                "recipient": "",
                "address": choice.address_masked if choice else "",
                "chosen_online": choice is not None,
            }
        delivery = opened_delivery(case.delivery)  # the signed form shows them whole
        return {
            "delivery_method": case.delivery_method,
            "recipient": delivery.get("recipient", ""),
            "address": delivery.get("address", ""),
        }
    return {}


def department_form_fields(case, case_item_id: int) -> dict:
    """一表申请: one item's department form, its fields filled from the case's one answer
    set (``cases.application``); personal values masked, as on every printed form."""
    form = application.case_form(case)
    item = form.item(case_item_id)
    if item is None:
        raise ValueError(f"case item {case_item_id} is not of case {case.number}")
    events = application.answer_events(case)
    answers = application.shown_answers(case, item.form_specs)  # personal values masked
    shared = {a.code for a in form.plan.shared}
    rows = [
        {
            "code": spec.code,
            "label": spec.label,
            "value": answers.get(spec.code, ""),
            "required": spec.required,
            "shared": spec.code in shared,
        }
        for spec in item.form_specs
    ]
    return {
        "case_item_id": item.pk,
        "item": item.item_version.item.name,
        "item_code": item.item_version.item.code,
        "department": item.department.name,
        "fields": rows,
        "missing": [r["label"] for r in rows if r["required"] and not r["value"]],
        "answered_by": events[-1].actor_name if events else "",
        "answered_on": cn_date(events[-1].at) if events else "",
    }


# Who made the case's last return visit, and when: the oversight area keeps return visits
# (it sits above documents) and provides this reader at start-up. A bad review's required
# return visit writes no case event, so the evaluation alone would leave 回访人 blank.
ReturnVisitReader = Callable[[object], "tuple[str, datetime] | None"]
_return_visit_reader: list[ReturnVisitReader] = []


def provide_return_visit_reader(reader: ReturnVisitReader) -> None:
    _return_visit_reader[:] = [reader]


def _evaluation_fields(case) -> dict:
    """The evaluation form (seed 003 附件4): the centre's levels, the rating given (ticked on
    that scale) and, when the client rated on a return visit, 回访人 and 回访日期."""
    scale = ratings.scale_for(case.site)
    evaluation = (
        CaseEvent.objects.filter(case=case, event="evaluate")
        .order_by("-seq")
        .values("details", "at", "actor_name")
        .first()
    )
    details = evaluation["details"] if evaluation else {}
    given = details.get("level", "")
    if isinstance(given, str) and scale.level_of(given) is None and given.strip().isdigit():
        given = int(given)
    if isinstance(given, int):
        level = scale.label_of(given)
    elif isinstance(given, str) and scale.level_of(given) is None and given:
        # a label of the five levels, printed on this scale
        five = ratings.FIVE_LEVELS.level_of(given)
        level = scale.label_of(five) if five else given
    else:
        level = given
    visited = bool(evaluation) and details.get("channel") == "return_visit"
    visitor, visited_on = "", ""
    if visited:
        visitor, visited_on = evaluation["actor_name"], cn_date(evaluation["at"])
    elif _return_visit_reader and (made := _return_visit_reader[0](case)):
        visitor, visited_on = made[0], cn_date(made[1])
    return {
        "done_on": cn_date(case.completed_on or case.closed_at),
        "level": level,
        "comment": details.get("comment", ""),
        "evaluated_on": cn_date(evaluation["at"]) if evaluation else "",
        "levels": scale.labels,
        "channel": details.get("channel", "") if evaluation else "",
        "visitor": visitor,
        "visited_on": visited_on,
    }


def snapshot(
    case,
    info: KindInfo,
    *,
    number: str,
    version: int,
    issued_by: str,
    supersedes: CaseDocument | None = None,
    reason: str = "",
    confirmation: Confirmation | None = None,
    extra: dict | None = None,
    unsigned: bool = False,
) -> dict:
    # A correction of an event's form keeps what the event decided (reason, dates,
    # materials, whether it was issued unsigned); a form issued on demand is filled again
    # from the case.
    if supersedes and not info.on_demand:
        kept = supersedes.fields.get("specific", {})
    elif supersedes and info.kind == Kind.DEPARTMENT_FORM and not extra:
        # a correction of an item's form: filled again for the same item
        item_id = supersedes.fields.get("specific", {}).get("case_item_id")
        kept = specific(case, info, {"case_item_id": item_id})
    else:
        kept = specific(case, info, extra)
    if unsigned:
        kept = {**kept, "unsigned": True}
    letterhead, chain = letterhead_for(case.site)
    wording = wording_for(chain, info.kind)
    items = _items(case)
    agent = case.agent
    now = clock.now()
    return {
        "kind": info.kind.value,
        "title": wording.get("title") or info.label,
        "number": number,
        "version": version,
        "supersedes": supersedes.number if supersedes else "",
        "reason": reason,
        "issued_at": now.isoformat(),
        "issued_on": cn_date(now),
        "issued_by": issued_by,
        "letterhead": _letterhead_fields(case, letterhead),
        "site_codes": site_codes(case.site),
        "wording": wording,
        "track_url": track_url(public_url(letterhead), case.number),
        "case": {
            "number": case.number,
            "title": case.title,
            "service_type": case.service_type,
            "service_type_label": SERVICE_TYPE_LABELS[ServiceType(case.service_type)],
            "created_on": cn_date(case.created_at),
            "accepted_on": cn_date(case.accepted_on),
            "due_on": cn_date(case.due_on),
            "promised_days": case.promised_days,
            "needs": case.needs,
        },
        "client": _client_fields(case.client),
        "items": items,
        "item_names": "、".join(i["name"] for i in items),
        "categories": _categories(items),
        "site": {
            "name": case.site.name,
            "level": case.site.get_level_display(),
            "address": case.site.address,
            "phone": case.site.phone,
            "complaint_phone": case.site.complaint_phone,
        },
        "agent": agent.name if agent else "",
        "confirmation": confirmation_fields(confirmation),
        "specific": kept,
    }
