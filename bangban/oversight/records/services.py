"""Writes of the oversight records. Pages, the portal, the API and jobs call these; nothing else
writes the oversight tables.

For the portal (public pages):
  evaluation_submit(*, case, actor, level, indicators, comment, channel) -> Evaluation
      一事一评 through the case workflow's ``evaluate`` event (on the hash-chained timeline);
      ``actor`` is ``Actor.of_client(client)`` for the portal, the SMS link and the window
      device, or a coordinator's ``Actor.of_staff`` for a return visit (channel
      ``return_visit``). Refused (``TransitionRefused``, message in Chinese) a second time
      for the same case and service, and for the staff member who handled the case.
  complaint_submit(*, channel, complainant_name, contact, content, case=None, site=None)
      -> Complaint, registered with its number (TS-<site>-<year>-<n>) and its deadlines.
  complaint_for_tracking(number, phone) -> Complaint | None: the complaint with this
      number if ``phone`` is the contact given with it; ``complaint_public_steps`` lists
      what the complainant may see.
  rectification_client_rate(*, rectification, actor, level, comment) the client rates a fix;
      ``selectors.evaluations_for_client(case)`` gives the rating and the reply to a bad
      review that the client may see.

For staff (oversight pages, admin actions):
  rectification_decide / rectification_complete / rectification_appeal_decide
      (who may do which in which status: ``rectification_rules.rectification_actions``)
  return_visit_record / return_visits_plan_random
  complaint_assign / complaint_contact / complaint_investigate / complaint_reply /
  complaint_archive
  inspection_record / finding_rectified
Every refusal is an ``OversightRefused`` (a ``TransitionRefused``) with a Chinese message.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from bangban.cases import clock
from bangban.cases.access import Actor, visible_cases
from bangban.cases.models import Case
from bangban.cases.services import case_transition, next_number
from bangban.cases.workflow import State, TransitionRefused
from bangban.clients import pii
from bangban.network.models import Site, SiteLevel
from bangban.workdays.services import current_calendar

from ..access import can_manage
from ..models import (
    INSPECTION_ITEMS,
    AppealDecision,
    Complaint,
    ComplaintChannel,
    ComplaintKind,
    ComplaintStage,
    ComplaintStep,
    Evaluation,
    EvaluationChannel,
    Inspection,
    InspectionFinding,
    Level,
    Rectification,
    RectificationOutcome,
    RectificationStatus,
    ReturnVisit,
    ReturnVisitKind,
    ReturnVisitMethod,
    ReturnVisitOutcome,
)
from . import messages, rectification_rules
from .evaluations import handled_case
from .policy import policy_for


class OversightRefused(TransitionRefused):
    """A request the oversight rules do not allow; ``message`` is for people."""


def _text(value, message: str, limit: int = 2000) -> str:
    value = str(value or "").strip()
    if not value:
        raise OversightRefused(message, "required")
    if len(value) > limit:
        raise OversightRefused(f"内容不超过{limit}字", "too_long")
    return value


def _staff_actor(actor) -> Actor:
    return actor if isinstance(actor, Actor) else Actor.of_staff(actor)


# --- evaluations ----------------------------------------------------------------------


def evaluation_submit(
    *, case: Case, actor, level: int, indicators: dict, comment: str, channel: str
) -> Evaluation:
    """一事一评 on a finished case; a bad review opens a rectification (see evaluations.py)."""
    actor = actor if isinstance(actor, Actor) else Actor.of_staff(actor)
    with transaction.atomic():
        case_transition(
            case=case,
            event="evaluate",
            actor=actor,
            level=level,
            indicators=indicators or {},
            comment=comment or "",
            channel=channel,
        )
        return Evaluation.objects.select_related("case", "site").get(
            case_id=case.pk, service_type=case.service_type
        )


# --- the bad-review rectification loop ------------------------------------------------


def _locked_rectification(rectification: Rectification) -> Rectification:
    return (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("case", "site", "evaluation")
        .get(pk=rectification.pk)
    )


def _refresh(target, fresh) -> None:
    target.__dict__.update({k: v for k, v in fresh.__dict__.items() if k != "_state"})


def _raise(refused: rectification_rules.Refusal | None) -> None:
    if refused is not None:
        raise OversightRefused(refused.message, refused.code)


def _allow(staff, rectification: Rectification, action: str) -> None:
    """Refuse unless ``action`` is in ``rectification_actions(staff, rectification)``."""
    _raise(rectification_rules.refusal(staff, rectification, action))


@transaction.atomic
def rectification_decide(
    *,
    rectification: Rectification,
    staff,
    outcome: str,
    measures: str = "",
    deadline_on: date | None = None,
    appeal_reason: str = "",
) -> Rectification:
    """After the verifying return visit, the owner chooses the course of action.

    immediate: rectified at once (measures) → the client rates the fix;
    deadline: rectified by ``deadline_on`` (default: the centre's limit, 5 working days),
              entered in the rectification ledger;
    explain: no legal basis to do otherwise, explained to the client → the client rates;
    appeal: the rating is mistaken or malicious; a supervisor or coordinator reviews it.
    """
    r = _locked_rectification(rectification)
    _allow(staff, r, rectification_rules.DECIDE)
    now, today = clock.now(), clock.today()
    if outcome == RectificationOutcome.IMMEDIATE:
        r.measures = _text(measures, "请填写立行立改的措施")
        r.rectified_at, r.rectification_result = now, r.measures
        r.status, r.due_on = RectificationStatus.AWAITING_RATING, None
    elif outcome == RectificationOutcome.DEADLINE:
        r.measures = _text(measures, "请填写整改措施")
        default = current_calendar().add_workdays(today, policy_for(r.site).rectification_workdays)
        deadline_on = deadline_on or default
        if deadline_on <= today:
            raise OversightRefused("整改期限应晚于今天")
        r.deadline_on = r.due_on = deadline_on
        r.status = RectificationStatus.RECTIFYING
    elif outcome == RectificationOutcome.EXPLAIN:
        r.measures = _text(measures, "请填写向服务对象所作的解释说明（无法律依据变更的理由）")
        r.status, r.due_on = RectificationStatus.AWAITING_RATING, None
    elif outcome == RectificationOutcome.APPEAL:
        r.appeal_reason = _text(appeal_reason, "请填写申诉理由（误评或恶意差评的依据）")
        r.status = RectificationStatus.APPEALING
        r.due_on = current_calendar().add_workdays(today, policy_for(r.site).rectification_workdays)
    else:
        raise OversightRefused("请选择处理方式：立行立改、限期整改、解释说明或申诉复核")
    r.outcome, r.decided_at = outcome, now
    r.save()
    _refresh(rectification, r)
    return rectification


@transaction.atomic
def rectification_complete(*, rectification: Rectification, staff, result: str) -> Rectification:
    """A rectification by deadline is done; the client is asked to rate it."""
    r = _locked_rectification(rectification)
    _allow(staff, r, rectification_rules.COMPLETE)
    r.rectification_result = _text(result, "请填写整改结果")
    r.rectified_at = clock.now()
    r.status, r.due_on = RectificationStatus.AWAITING_RATING, None
    r.save()
    _refresh(rectification, r)
    return rectification


@transaction.atomic
def rectification_appeal_decide(
    *, rectification: Rectification, staff, decision: str, note: str
) -> Rectification:
    """A supervisor or coordinator (not the owner) reviews an appeal.

    Upheld: the evaluation is kept but no longer counts in the satisfaction rate; closed.
    Rejected: back to choosing another course of action.
    """
    r = _locked_rectification(rectification)
    _allow(staff, r, rectification_rules.APPEAL)
    note = _text(note, "请填写复核意见")
    now, today = clock.now(), clock.today()
    r.appeal_decision, r.appeal_decided_by, r.appeal_decided_at = decision, staff, now
    if decision == AppealDecision.UPHELD:
        Evaluation.objects.filter(pk=r.evaluation_id).update(excluded=True, excluded_reason=note)
        # no case event: tell whoever counts evaluations (the figures subscribe)
        messages.evaluation_recounted(r.evaluation_id, r.case_id)
        r.status, r.due_on, r.closed_at = RectificationStatus.CLOSED, None, now
    elif decision == AppealDecision.REJECTED:
        r.status = RectificationStatus.DECIDING
        r.due_on = current_calendar().add_workdays(today, 1)
        r.outcome = ""
    else:
        raise OversightRefused("请选择复核结论")
    r.measures = (r.measures + "\n" if r.measures else "") + f"复核意见：{note}"
    r.save()
    _refresh(rectification, r)
    return rectification


@transaction.atomic
def rectification_client_rate(
    *, rectification: Rectification, actor, level: int, comment: str = ""
) -> Rectification:
    """The client rates the fix (portal), or a coordinator records it on a return visit."""
    r = _locked_rectification(rectification)
    _raise(rectification_rules.status_refusal(r, rectification_rules.RATE))
    actor = actor if isinstance(actor, Actor) else Actor.of_staff(actor)
    if actor.kind == "client":
        if actor.client.pk != r.case.client_id:
            raise OversightRefused("只能评价本人办件的整改情况", "forbidden")
    elif actor.kind == "staff":
        _allow(actor.staff, r, rectification_rules.RATE)
    else:
        raise OversightRefused("整改评价由服务对象作出", "forbidden")
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = 0
    if level not in Level.values:
        raise OversightRefused("请选择对整改的评价等级")
    r.client_level, r.client_comment = level, str(comment or "").strip()[:1000]
    r.status, r.closed_at = RectificationStatus.CLOSED, clock.now()
    r.save()
    _refresh(rectification, r)
    return rectification


# --- return visits --------------------------------------------------------------------


def _check_visitor(staff, case: Case) -> None:
    if staff is None or not staff.is_active or not (staff.is_coordinator or staff.is_supervisor):
        raise OversightRefused("回访由协调员进行", "forbidden")
    if not can_manage(staff, case.site):
        raise OversightRefused("只能回访本人负责机构的办件", "forbidden")
    if handled_case(staff, case):
        raise OversightRefused("经办该办件的工作人员不能进行回访", "forbidden")


@transaction.atomic
def return_visit_record(
    *,
    visit: ReturnVisit,
    staff,
    method: str,
    outcome: str,
    notes: str,
    level: int | None = None,
    indicators: dict | None = None,
    comment: str = "",
) -> ReturnVisit:
    """Record a return visit's outcome.

    A required visit verifies its bad review: confirmed or not, the owner then chooses a
    course of action; when the client could not be reached another required visit is
    planned for the next working day. A level given on a random visit of a case not yet
    evaluated is recorded as the client's evaluation (channel 回访评价).
    """
    v = (
        ReturnVisit.objects.select_for_update(of=("self",))
        .select_related("case__site")
        .get(pk=visit.pk)
    )
    if v.done:
        raise OversightRefused("该回访已登记结果")
    _check_visitor(staff, v.case)
    if method not in ReturnVisitMethod.values:
        raise OversightRefused("请选择回访方式")
    if outcome not in ReturnVisitOutcome.values:
        raise OversightRefused("请选择回访结果")
    now = clock.now()
    v.visitor, v.visited_at, v.method, v.outcome = staff, now, method, outcome
    v.notes = str(notes or "").strip()[:2000]
    v.save()
    if v.rectification_id and v.kind == ReturnVisitKind.REQUIRED:
        r = _locked_rectification(v.rectification)
        # the real-name bad review may now count as visited
        messages.evaluation_recounted(r.evaluation_id, r.case_id)
        if r.status == RectificationStatus.VERIFYING:
            if outcome == ReturnVisitOutcome.UNREACHABLE:
                next_day = current_calendar().add_workdays(clock.today(), 1)
                ReturnVisit.objects.create(
                    case=v.case,
                    site=v.site,
                    kind=ReturnVisitKind.REQUIRED,
                    rectification=r,
                    planned_by=staff,
                    created_at=now,
                    due_on=next_day,
                )
                r.due_on = next_day
            else:
                r.status, r.verified_at = RectificationStatus.DECIDING, now
                r.verification = f"{v.get_outcome_display()}：{v.notes}".strip("：")
                r.due_on = current_calendar().add_workdays(
                    timezone.localdate(r.opened_at), policy_for(r.site).rectification_workdays
                )
            r.save()
    if level is not None and v.kind != ReturnVisitKind.REQUIRED:
        evaluation_submit(
            case=v.case,
            actor=Actor.of_staff(staff),
            level=level,
            indicators=indicators or {},
            comment=comment,
            channel=EvaluationChannel.RETURN_VISIT,
        )
    _refresh(visit, v)
    return visit


def return_visits_plan_random(
    *, staff, count: int = 5, since: date | None = None, site: Site | None = None
) -> list[ReturnVisit]:
    """Pick ``count`` finished cases at random (seed 003 第十五条) for return visits.

    From the cases the coordinator sees (at ``site`` and below when given), completed
    since ``since`` (default: the last 30 days) and not yet visited.
    """
    if staff is None or not staff.is_coordinator:
        raise OversightRefused("随机回访由协调员安排", "forbidden")
    since = since or (clock.today() - timedelta(days=30))
    cases = visible_cases(Actor.of_staff(staff)).filter(
        completed_on__gte=since,
        state__in=[State.COMPLETED, State.DELIVERED, State.ARCHIVED],
    )
    if site is not None:
        cases = cases.filter(site__path__startswith=site.path)
    cases = cases.exclude(return_visits__isnull=False).select_related("site")
    picked = list(cases.order_by("?")[: max(0, min(int(count), 100))])
    now = clock.now()
    due = current_calendar().add_workdays(clock.today(), 5)
    return ReturnVisit.objects.bulk_create(
        ReturnVisit(
            case=case,
            site=case.site,
            kind=ReturnVisitKind.RANDOM,
            planned_by=staff,
            created_at=now,
            due_on=due,
        )
        for case in picked
    )


# --- complaints -----------------------------------------------------------------------


def _county_site() -> Site | None:
    return Site.objects.filter(level=SiteLevel.COUNTY, is_active=True).order_by("pk").first()


def _step(complaint: Complaint, action: str, staff=None, note: str = "", name: str = "") -> None:
    ComplaintStep.objects.create(
        complaint=complaint,
        action=action,
        stage=complaint.stage,
        actor=staff,
        actor_name=(staff.name if staff else name)[:50],
        note=note,
        at=clock.now(),
    )


def _complaint_due(complaint: Complaint) -> date:
    policy = policy_for(complaint.site)
    days = (
        policy.complaint_complex_workdays
        if complaint.kind == ComplaintKind.COMPLEX
        else policy.complaint_simple_workdays
    )
    return current_calendar().add_workdays(timezone.localdate(complaint.received_at), days)


def _normalized_phone(contact: str) -> str:
    from bangban.consultations.services import ConsultationInvalid, normalize_contact

    try:
        return normalize_contact(contact)
    except ConsultationInvalid as error:
        raise OversightRefused(error.message, "contact") from None


@transaction.atomic
def complaint_submit(
    *,
    channel: str,
    complainant_name: str,
    contact: str,
    content: str,
    case: Case | None = None,
    site: Site | None = None,
    received_by=None,
) -> Complaint:
    """Register a complaint (GB/T 36113 受理): numbered, with its contact and closing deadlines.

    The site complained about is ``site``, else the case's site, else the county centre.
    The complainant is contacted within 1 working day and a simple complaint closed within
    5 (the centre's limits); classing it as complex later extends the closing deadline.
    """
    if channel not in ComplaintChannel.values:
        raise OversightRefused("请选择投诉渠道：现场、电话、书面或网上", "channel")
    name = _text(complainant_name, "请填写投诉人姓名", 100)
    phone = _normalized_phone(contact)
    content = _text(content, "请填写投诉内容", 5000)
    site = site or (case.site if case is not None else None) or _county_site()
    if site is None:
        raise OversightRefused("尚未设立服务机构，无法登记投诉")
    cipher, lookup, masked = pii.protect("mobile", phone)
    now = clock.now()
    today = clock.today()
    policy = policy_for(site)
    calendar = current_calendar()
    complaint = Complaint(
        number=next_number(site=site, prefix="TS"),
        channel=channel,
        complainant_name=name,
        contact_cipher=cipher,
        contact_hash=lookup,
        contact_masked=masked,
        content=content,
        case=case,
        site=site,
        received_at=now,
        contact_due_on=calendar.add_workdays(today, policy.complaint_contact_workdays),
        due_on=calendar.add_workdays(today, policy.complaint_simple_workdays),
    )
    complaint.save()
    _step(complaint, "受理登记", received_by, name="" if received_by else "系统（网上投诉）")
    return complaint


def complaint_for_tracking(number: str, phone: str) -> Complaint | None:
    """The complaint with this number if ``phone`` is its contact; None otherwise."""
    number = str(number or "").strip().upper()
    try:
        hashes = pii.lookups("mobile", _normalized_phone(phone))
    except OversightRefused:
        return None
    return (
        Complaint.objects.filter(number=number, contact_hash__in=hashes)
        .select_related("site", "case")
        .first()
    )


def complaint_public_steps(complaint: Complaint) -> list[tuple[object, str]]:
    """(time, what happened) the complainant may see: stages, never internal notes."""
    return [(step.at, step.action) for step in complaint.steps.all()]


def _locked_complaint(complaint: Complaint, staff) -> Complaint:
    c = (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("site", "case")
        .get(pk=complaint.pk)
    )
    if staff is None or not staff.is_active:
        raise OversightRefused("只有在岗工作人员可以办理投诉", "forbidden")
    if not (c.assigned_to_id == staff.pk or can_manage(staff, c.site)):
        raise OversightRefused(
            "只有承办人或负责该机构的协调员、监督人员可以办理该投诉", "forbidden"
        )
    return c


@transaction.atomic
def complaint_assign(
    *, complaint: Complaint, staff, assignee, kind: str | None = None
) -> Complaint:
    """A coordinator or supervisor assigns the complaint (never to the staff complained about)."""
    c = _locked_complaint(complaint, staff)
    if not can_manage(staff, c.site):
        raise OversightRefused("投诉由负责该机构的协调员或监督人员分派", "forbidden")
    if c.stage in (ComplaintStage.REPLIED, ComplaintStage.ARCHIVED):
        raise OversightRefused("投诉已答复，不能再分派")
    if assignee is None or not assignee.is_active:
        raise OversightRefused("请选择在岗的承办人")
    if c.case is not None and handled_case(assignee, c.case):
        raise OversightRefused("被投诉办件的经办人员不能承办该投诉")
    c.assigned_to = assignee
    if kind:
        _set_kind(c, kind)
    c.save()
    _step(c, "分派承办", staff, f"承办人：{assignee.name}")
    _refresh(complaint, c)
    return complaint


def _set_kind(c: Complaint, kind: str) -> None:
    if kind not in ComplaintKind.values:
        raise OversightRefused("投诉类别应为简单投诉或复杂投诉")
    c.kind = kind
    c.due_on = _complaint_due(c)


@transaction.atomic
def complaint_contact(*, complaint: Complaint, staff, note: str) -> Complaint:
    """The complainant has been contacted (due within 1 working day); investigation starts."""
    c = _locked_complaint(complaint, staff)
    if c.stage != ComplaintStage.ACCEPTED:
        raise OversightRefused("已联系过投诉人")
    c.contacted_at = clock.now()
    c.stage = ComplaintStage.INVESTIGATING
    c.save()
    _step(c, "联系投诉人", staff, _text(note, "请填写联系情况"))
    _refresh(complaint, c)
    return complaint


@transaction.atomic
def complaint_investigate(
    *, complaint: Complaint, staff, findings: str, substantiated: bool, kind: str | None = None
) -> Complaint:
    """Investigation done (findings; whether the complaint holds); handling starts."""
    c = _locked_complaint(complaint, staff)
    if c.stage != ComplaintStage.INVESTIGATING:
        raise OversightRefused("请先联系投诉人，再登记调查核实情况")
    c.investigation = _text(findings, "请填写调查核实情况", 5000)
    c.substantiated = bool(substantiated)
    if kind:
        _set_kind(c, kind)
    c.stage = ComplaintStage.HANDLING
    c.save()
    _step(c, "调查核实", staff, c.investigation)
    _refresh(complaint, c)
    return complaint


@transaction.atomic
def complaint_reply(*, complaint: Complaint, staff, handling: str, reply: str) -> Complaint:
    """The decision and the reply the complainant sees; the complaint is closed."""
    c = _locked_complaint(complaint, staff)
    if c.stage != ComplaintStage.HANDLING:
        raise OversightRefused("请先完成调查核实，再答复投诉人")
    c.handling = _text(handling, "请填写处理意见", 5000)
    c.reply = _text(reply, "请填写给投诉人的答复", 5000)
    c.replied_at = clock.now()
    c.stage = ComplaintStage.REPLIED
    c.save()
    _step(c, "答复投诉人", staff)
    _refresh(complaint, c)
    return complaint


@transaction.atomic
def complaint_archive(*, complaint: Complaint, staff) -> Complaint:
    c = _locked_complaint(complaint, staff)
    if c.stage != ComplaintStage.REPLIED:
        raise OversightRefused("投诉答复后才能归档")
    c.stage, c.archived_at = ComplaintStage.ARCHIVED, clock.now()
    c.save()
    _step(c, "归档", staff)
    _refresh(complaint, c)
    return complaint


# --- inspections ----------------------------------------------------------------------


@transaction.atomic
def inspection_record(
    *, inspector, site: Site, inspected_on: date, summary: str, findings: list[dict]
) -> Inspection:
    """A supervisor's inspection of a site against seed 000 §11.1 and seed 001 §11.

    ``findings``: [{"item": code, "compliant": bool, "finding": text, "deadline_on": date?}];
    a non-compliant finding needs a description and gets a rectification deadline (default:
    the centre's rectification limit after the inspection).
    """
    if inspector is None or not inspector.is_active or not inspector.is_supervisor:
        raise OversightRefused("监督检查由监督人员登记", "forbidden")
    if not can_manage(inspector, site):
        raise OversightRefused("只能检查本人监督范围内的机构", "forbidden")
    if not findings:
        raise OversightRefused("请至少填写一项检查内容")
    inspection = Inspection.objects.create(
        site=site, inspector=inspector, inspected_on=inspected_on, summary=str(summary or "")
    )
    default_deadline = current_calendar().add_workdays(
        inspected_on, policy_for(site).rectification_workdays
    )
    rows = []
    for f in findings:
        if f.get("item") not in INSPECTION_ITEMS:
            raise OversightRefused("检查项目无效")
        compliant = bool(f.get("compliant", True))
        text = str(f.get("finding") or "").strip()
        if not compliant and not text:
            raise OversightRefused(f"“{INSPECTION_ITEMS[f['item']]}”不符合要求，请填写发现的问题")
        rows.append(
            InspectionFinding(
                inspection=inspection,
                item=f["item"],
                compliant=compliant,
                finding=text,
                deadline_on=None if compliant else (f.get("deadline_on") or default_deadline),
            )
        )
    InspectionFinding.objects.bulk_create(rows)
    return inspection


@transaction.atomic
def finding_rectified(
    *, finding: InspectionFinding, staff, result: str, on: date | None = None
) -> InspectionFinding:
    f = (
        InspectionFinding.objects.select_for_update(of=("self",))
        .select_related("inspection__site")
        .get(pk=finding.pk)
    )
    if not can_manage(staff, f.inspection.site) and staff.site_id != f.inspection.site_id:
        raise OversightRefused("只能登记本机构或监督范围内的整改情况", "forbidden")
    if f.compliant or f.rectified_on:
        raise OversightRefused("该检查项无需整改或已整改")
    f.rectification_result = _text(result, "请填写整改情况")
    f.rectified_on = on or clock.today()
    f.save()
    _refresh(finding, f)
    return finding
