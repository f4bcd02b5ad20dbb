"""The ``evaluate`` event of the case workflow: its guard and its effect.

``check_evaluation`` is the table's ``evaluation_allowed`` guard and ``record_evaluation``
handles the recorded event; both are hooked into the core at start-up
(``records.subscribers``) and run inside ``case_transition``, so an evaluation
is on the case's hash-chained timeline and is written all or nothing with it.
Callers use ``services.evaluation_submit``.

Who may evaluate (the ``evaluate`` row of the state table):
  client       the applicant: portal or the personal SMS link (channels portal, sms);
  coordinator  enters what the client rated elsewhere, each with its channel: on a return
               visit (return_visit), on the paper evaluation form of seed 003 附件4
               (paper_form) or on the window's 评价器 (window_device, seed 000 §8.2.1);
  system       a device or the provincial 好差评 platform reporting a client's rating.
Never the staff member who handled the case (seed 001 §12; GB/T 39734: the person served
rates, not the one who served): staff only transcribe what the client rated, and never for
a case they handled.

The level may be given as 1…5 or as a label of the scale the case's centre offers
(``bangban.cases.ratings``: 非常满意 … or 很满意/较满意/一般/不满意); it is stored on the
five levels.
"""

from __future__ import annotations

from bangban.cases import clock, messaging, ratings
from bangban.cases.models import Case, CaseEvent
from bangban.cases.workflow import TransitionRefused

from ..models import (
    BAD_LEVELS,
    INDICATORS,
    Evaluation,
    EvaluationChannel,
    Level,
    Rectification,
    RectificationStatus,
    ReturnVisit,
    ReturnVisitKind,
    ServiceMode,
)
from .policy import policy_for

# Events that are not handling the case: a staff member who only did these may still
# record a return-visit rating (assigning or chasing a case is not serving the client).
NOT_HANDLING = frozenset({"assign", "expedite", "note", "remind", "evaluate", "archive"})
ONLINE_CASE_CHANNELS = frozenset({"online", "mobile"})
COMMENT_MAX = 1000


def service_mode(case: Case) -> str:
    """The indicator set that applies: online for cases applied for online or on mobile."""
    return ServiceMode.ONLINE if case.channel in ONLINE_CASE_CHANNELS else ServiceMode.ONSITE


def handled_case(staff, case: Case) -> bool:
    """Whether this staff member handled the case: its agent, or did any handling step."""
    if staff is None:
        return False
    if case.agent_id == staff.pk:
        return True
    return (
        CaseEvent.objects.filter(case_id=case.pk, actor_staff_id=staff.pk)
        .exclude(event__in=NOT_HANDLING)
        .exists()
    )


# What staff may transcribe: the client rated on the device, on paper or on a return visit.
STAFF_CHANNELS = frozenset(
    {EvaluationChannel.RETURN_VISIT, EvaluationChannel.PAPER_FORM, EvaluationChannel.WINDOW_DEVICE}
)


def _level(value, scale: ratings.Scale = ratings.DEFAULT) -> int:
    """A level as 1…5; a label of ``scale`` (or of the five levels) is accepted too."""
    if isinstance(value, bool):
        raise TransitionRefused("请选择评价等级")
    if isinstance(value, str) and scale.level_of(value) is not None:
        return scale.level_of(value) or 0
    if isinstance(value, str) and ratings.FIVE_LEVELS.level_of(value) is not None:
        return ratings.FIVE_LEVELS.level_of(value) or 0
    try:
        level = int(value)
    except (TypeError, ValueError):
        raise TransitionRefused("请选择评价等级") from None
    if level not in Level.values:
        *first, last = scale.labels
        raise TransitionRefused(f"评价等级应为{'、'.join(first)}或{last}")
    return level


def clean_indicators(case: Case, indicators, level: int) -> dict[str, int]:
    """The indicator ratings, checked against the applicable GB/T 39734 set."""
    allowed = INDICATORS[service_mode(case)]
    indicators = indicators or {}
    if not isinstance(indicators, dict):
        raise TransitionRefused("指标评价格式不正确")
    unknown = [code for code in indicators if code not in allowed]
    if unknown:
        raise TransitionRefused("该办件不适用以下评价指标：" + "、".join(map(str, unknown)))
    cleaned = {code: _level(value) for code, value in indicators.items() if value not in ("", None)}
    cleaned["overall"] = level
    return {code: cleaned[code] for code in allowed if code in cleaned}


def _channel(actor, details: dict) -> str:
    """The channel given; a client who names none rated on the portal."""
    channel = details.get("channel") or (EvaluationChannel.PORTAL if actor.kind == "client" else "")
    if channel not in EvaluationChannel.values:
        raise TransitionRefused("评价渠道无效")
    return channel


def check_evaluation(case: Case, actor, details: dict) -> None:
    """Refuse (TransitionRefused, in Chinese) an evaluation the rules do not allow."""
    level = _level(details.get("level"), ratings.scale_for(case.site))
    channel = _channel(actor, details)
    if actor.kind == "staff":
        if channel not in STAFF_CHANNELS:
            raise TransitionRefused(
                "工作人员只能录入服务对象在回访、纸质评价表或窗口评价器上作出的评价"
            )
        if handled_case(actor.staff, case):
            raise TransitionRefused("办理该办件的工作人员不能录入或代为评价")
    elif channel in {EvaluationChannel.RETURN_VISIT, EvaluationChannel.PAPER_FORM}:
        raise TransitionRefused("回访和纸质评价表的评价由协调员录入")
    if Evaluation.objects.filter(case_id=case.pk, service_type=case.service_type).exists():
        raise TransitionRefused("该办件已评价，每个办件每种服务只评价一次")
    clean_indicators(case, details.get("indicators"), level)
    if len(str(details.get("comment") or "")) > COMMENT_MAX:
        raise TransitionRefused(f"评价意见不超过{COMMENT_MAX}字")


def record_evaluation(case: Case, actor, details: dict, *, event_seq: int | None = None) -> dict:
    """Write the Evaluation; a bad review opens its rectification and required return visit."""
    level = _level(details["level"], ratings.scale_for(case.site))
    staff = actor.staff if actor.kind == "staff" else None
    real_name = actor.kind in {"client", "staff"} or bool(details.get("real_name"))
    now = clock.now()
    evaluation = Evaluation.objects.create(
        case=case,
        service_type=case.service_type,
        site=case.site,
        agent=case.agent,
        level=level,
        mode=service_mode(case),
        indicators=clean_indicators(case, details.get("indicators"), level),
        comment=str(details.get("comment") or "").strip(),
        channel=_channel(actor, details),
        real_name=real_name,
        recorded_by=staff,
        event_seq=event_seq or case.event_count + 1,  # the "evaluate" event's number
        created_at=now,
    )
    if level in BAD_LEVELS:
        open_rectification(evaluation)
    # Nothing added to the event's details: the event already holds what was submitted, and
    # the Evaluation points back at it (``event_seq``).
    return {}


def open_rectification(evaluation: Evaluation) -> Rectification:
    """A bad review's rectification, owned by whoever handled the case.

    Real-name: a required return visit verifies it first (due within the centre's verify
    limit). Anonymous: nobody can be visited, so it is verified from the case record and
    goes straight to choosing a course of action.
    """
    from bangban.workdays.services import current_calendar

    case = evaluation.case
    policy = policy_for(case.site)
    calendar = current_calendar()
    today = clock.today()
    opened = clock.now()
    if evaluation.real_name:
        status, due_on, verification = (
            RectificationStatus.VERIFYING,
            calendar.add_workdays(today, policy.verify_workdays),
            "",
        )
    else:
        status, due_on, verification = (
            RectificationStatus.DECIDING,
            calendar.add_workdays(today, policy.rectification_workdays),
            "匿名差评，无法回访，依据办件记录核实",
        )
    rectification = Rectification.objects.create(
        evaluation=evaluation,
        case=case,
        site=case.site,
        owner=case.agent,
        status=status,
        opened_at=opened,
        due_on=due_on,
        verification=verification,
    )
    if case.agent_id:
        # the agent who must fix it is told at once, in the same transaction (outbox)
        messaging.notify(
            template="staff.rectification_due",
            recipients=[case.agent],
            context={"subject": f"办件{case.number}差评整改", "due_on": due_on},
            dedupe=f"rectification:{rectification.pk}:opened",
            ref=case.number,
        )
    if evaluation.real_name:
        ReturnVisit.objects.create(
            case=case,
            site=case.site,
            kind=ReturnVisitKind.REQUIRED,
            rectification=rectification,
            created_at=opened,
            due_on=due_on,
        )
    return rectification
