"""The case state table: every state and every event of the assist and proxy flows.

This module is the single source of what may happen to a case next. The model, the
service function, the API, the pages and the tests all read it; nothing else decides.
It imports nothing from Django so it can be tested exhaustively.

Flows (seed 000 §10.1, §10.2; seed 004 代办七步):
  帮办  咨询 → 申请 → 受理 → 承办 → 办结 → 归档
  代办  咨询 → 委托 → (需求分析) → 受理 → 承办 → 中止/续办 → 办结 → 归档

Roles are relative to the case (see ``bangban.cases.access.case_roles``):
  agent        帮办代办员 of the site that owns the case
  receiver     帮办代办员 of the site a pending relay is addressed to
  coordinator  协调员 covering the owning site
  liaison      部门对接人员 of a department handling an item of the case
  client       the applicant, through the portal
  system       scheduled jobs (and devices or platforms reporting evaluations)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypedDict, Unpack


class State(StrEnum):
    RECEIVED = "received"
    ASSESSING = "assessing"
    REVIEWING = "reviewing"
    AWAITING_SUPPLEMENT = "awaiting_supplement"
    REFUSED = "refused"
    ACCEPTED = "accepted"
    HANDLING = "handling"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"
    COMPLETED = "completed"
    DELIVERED = "delivered"
    ARCHIVED = "archived"


STATE_LABELS = {
    State.RECEIVED: "已申请（待处理）",
    State.ASSESSING: "需求分析",
    State.REVIEWING: "预审中",
    State.AWAITING_SUPPLEMENT: "待补正",
    State.REFUSED: "不予受理",
    State.ACCEPTED: "已受理",
    State.HANDLING: "承办中",
    State.SUSPENDED: "已中止",
    State.TERMINATED: "已终止",
    State.COMPLETED: "已办结",
    State.DELIVERED: "已交付",
    State.ARCHIVED: "已归档",
}

# The one home of which states run the promised-limit clock: a case in them past its due
# date is overdue. Every list, job, figure and API filter reads this; the partial index
# ``case_running_due_idx`` (models, migration 0008) spells it out, and a test keeps it equal.
CLOCK_RUNNING_STATES = frozenset({State.ACCEPTED, State.HANDLING})
# States in which the promised-limit clock does not run because the case waits for the
# client (seed 000 §10.2.5; supplements after acceptance). Elsewhere the case is not yet
# accepted or already done with, and has no time left to show.
CLOCK_PAUSED_STATES = frozenset({State.AWAITING_SUPPLEMENT, State.SUSPENDED})
CLOSED_STATES = frozenset({State.REFUSED, State.TERMINATED, State.ARCHIVED})
FINAL_STATES = frozenset({State.ARCHIVED})


class ServiceType(StrEnum):
    ASSIST = "assist"
    PROXY = "proxy"


SERVICE_TYPE_LABELS = {ServiceType.ASSIST: "帮办", ServiceType.PROXY: "代办"}


class SuspensionReason(StrEnum):
    MATERIALS_OVERDUE = "materials_overdue"
    FEES_UNPAID = "fees_unpaid"
    CLIENT_PAUSE = "client_pause"


SUSPENSION_REASONS = {
    SuspensionReason.MATERIALS_OVERDUE: "未在规定期限内提交审批材料，或经催促后仍未提交",
    SuspensionReason.FEES_UNPAID: "未及时缴纳行政事业性收费",
    SuspensionReason.CLIENT_PAUSE: "服务对象提出暂停委托代办服务",
}


class TerminationReason(StrEnum):
    CLIENT_WITHDREW = "client_withdrew"
    FALSE_MATERIALS = "false_materials"
    CONDITIONS_UNMET = "conditions_unmet"
    LAW_CHANGED = "law_changed"
    FORCE_MAJEURE = "force_majeure"
    RESUMPTION_LAPSED = "resumption_lapsed"
    OTHER = "other"


TERMINATION_REASONS = {
    TerminationReason.CLIENT_WITHDREW: "委托人书面提出终止委托",
    TerminationReason.FALSE_MATERIALS: "提供虚假材料或申请材料不符合法定条件、标准",
    TerminationReason.CONDITIONS_UNMET: "事项在办理过程中不具备办结条件",
    TerminationReason.LAW_CHANGED: "法律法规或政策调整",
    TerminationReason.FORCE_MAJEURE: "不可抗力",
    TerminationReason.RESUMPTION_LAPSED: "续办期限届满",
    TerminationReason.OTHER: "其他原因",
}


class DeliveryMethod(StrEnum):
    IN_PERSON = "in_person"
    POST = "post"
    ELECTRONIC = "electronic"


DELIVERY_METHODS = {
    DeliveryMethod.IN_PERSON: "当面交付",
    DeliveryMethod.POST: "邮寄送达",
    DeliveryMethod.ELECTRONIC: "电子证照",
}


class Form(StrEnum):
    """The forms that need the client's signature or SMS confirmation (S in DESIGN.md)."""

    APPLICATION = "application"
    ENTRUSTMENT = "entrustment"
    SUSPENSION_SLIP = "suspension_slip"
    RESUMPTION_ENTRUSTMENT = "resumption_entrustment"
    COMPLETION_SLIP = "completion_slip"
    DELIVERY_RECEIPT = "delivery_receipt"


FORM_LABELS = {
    Form.APPLICATION: "帮办申请表",
    Form.ENTRUSTMENT: "代办服务委托书",
    Form.SUSPENSION_SLIP: "代办服务中止单",
    Form.RESUMPTION_ENTRUSTMENT: "代办服务续办委托书",
    Form.COMPLETION_SLIP: "办结（终止）单",
    Form.DELIVERY_RECEIPT: "结果签收",
}


@dataclass(frozen=True)
class Transition:
    """One row of the table.

    ``target`` is the next state, or None for an event recorded on the timeline that
    leaves the state alone. ``target_after_acceptance`` overrides it once the case has
    been accepted (a supplement returns to pre-review before acceptance, to handling after).
    ``guards`` name checks in ``bangban.cases.guards``; each refuses with a Chinese reason.
    ``signs`` names the form the client signs as part of this event.
    """

    event: str
    label: str
    sources: frozenset[State]
    target: State | None
    roles: frozenset[str]
    guards: tuple[str, ...] = ()
    signs: Form | None = None
    target_after_acceptance: State | None = None
    service_types: frozenset[ServiceType] = frozenset(ServiceType)
    hint: str = ""

    def next_state(self, current: State, accepted: bool) -> State:
        if self.target is None:
            return current
        if accepted and self.target_after_acceptance is not None:
            return self.target_after_acceptance
        return self.target


S = State
OPEN = frozenset(
    {
        S.RECEIVED,
        S.ASSESSING,
        S.REVIEWING,
        S.AWAITING_SUPPLEMENT,
        S.ACCEPTED,
        S.HANDLING,
        S.SUSPENDED,
    }
)
BEFORE_ACCEPTANCE = frozenset({S.RECEIVED, S.ASSESSING, S.REVIEWING, S.AWAITING_SUPPLEMENT})
NOT_ARCHIVED = frozenset(State) - FINAL_STATES
STAFF = frozenset({"agent", "coordinator"})
AGENT = frozenset({"agent"})


class _Options(TypedDict, total=False):
    """The optional fields of a row, as ``_t`` takes them."""

    guards: tuple[str, ...]
    signs: Form | None
    target_after_acceptance: State | None
    service_types: frozenset[ServiceType]
    hint: str


def _t(
    event: str,
    label: str,
    sources: Iterable[State],
    target: State | None,
    roles: Iterable[str],
    **kw: Unpack[_Options],
) -> Transition:
    return Transition(event, label, frozenset(sources), target, frozenset(roles), **kw)


TRANSITIONS: tuple[Transition, ...] = (
    # --- state-changing events -----------------------------------------------------
    _t(
        "start_assessment",
        "开始需求分析",
        {S.RECEIVED},
        S.ASSESSING,
        AGENT,
        guards=("no_pending_relay",),
    ),
    _t(
        "start_review",
        "开始预审",
        {S.RECEIVED, S.ASSESSING},
        S.REVIEWING,
        AGENT,
        guards=("no_pending_relay",),
    ),
    _t(
        "request_supplement",
        "出具一次性告知单（待补正）",
        {S.REVIEWING, S.HANDLING},
        S.AWAITING_SUPPLEMENT,
        AGENT,
        guards=("materials_reviewed", "something_missing"),
        hint="一次性告知需补正的全部材料",
    ),
    _t(
        "supplement",
        "补正材料",
        {S.AWAITING_SUPPLEMENT},
        S.REVIEWING,
        AGENT | {"client"},
        guards=("notice_satisfied",),
        target_after_acceptance=S.HANDLING,
    ),
    _t(
        "refuse",
        "不予受理",
        {S.RECEIVED, S.ASSESSING, S.REVIEWING},
        S.REFUSED,
        AGENT,
        guards=("reason_given",),
    ),
    _t(
        "accept",
        "受理",
        {S.REVIEWING},
        S.ACCEPTED,
        AGENT,
        guards=("no_pending_relay", "item_offered", "basic_materials_reviewed"),
        hint="帮办须申请表签字确认，代办须委托书签字确认",
    ),
    _t("start_handling", "开始承办", {S.ACCEPTED}, S.HANDLING, AGENT),
    _t(
        "suspend",
        "中止代办",
        {S.HANDLING, S.AWAITING_SUPPLEMENT},
        S.SUSPENDED,
        AGENT,
        guards=("accepted", "suspension_reason_valid"),
        signs=Form.SUSPENSION_SLIP,
        service_types=frozenset({ServiceType.PROXY}),
    ),
    _t(
        "resume",
        "续办",
        {S.SUSPENDED},
        S.HANDLING,
        AGENT,
        guards=("within_resumption_period",),
        signs=Form.RESUMPTION_ENTRUSTMENT,
        service_types=frozenset({ServiceType.PROXY}),
    ),
    _t(
        "lapse",
        "续办期限届满自动终止",
        {S.SUSPENDED},
        S.TERMINATED,
        {"system"},
        guards=("resumption_period_passed",),
        service_types=frozenset({ServiceType.PROXY}),
    ),
    _t(
        "terminate",
        "终止",
        OPEN,
        S.TERMINATED,
        STAFF,
        guards=("termination_reason_valid",),
    ),
    _t(
        "complete",
        "办结",
        {S.HANDLING},
        S.COMPLETED,
        AGENT,
        guards=("every_item_has_result",),
        signs=Form.COMPLETION_SLIP,
    ),
    _t(
        "deliver", "结果交付", {S.COMPLETED}, S.DELIVERED, AGENT, guards=("delivery_details_valid",)
    ),
    _t("archive", "资料归档", {S.DELIVERED, S.TERMINATED, S.REFUSED}, S.ARCHIVED, STAFF),
    # --- events recorded on the timeline that keep the state -------------------------
    _t(
        "assign", "分派帮办代办员", OPEN, None, {"coordinator"}, guards=("assignee_at_owning_site",)
    ),
    _t(
        "convert_to_proxy",
        "帮办转代办",
        OPEN - {S.SUSPENDED},
        None,
        AGENT,
        signs=Form.ENTRUSTMENT,
        service_types=frozenset({ServiceType.ASSIST}),
        hint="服务对象办理有难度时可转为代办，须签订代办服务委托书",
    ),
    _t(
        "relay_out",
        "移交其他服务点",
        OPEN - {S.SUSPENDED},
        None,
        AGENT,
        guards=("no_pending_relay", "relay_target_valid"),
    ),
    _t(
        "relay_accept",
        "接收移交",
        OPEN - {S.SUSPENDED},
        None,
        {"receiver"},
        guards=("relay_pending",),
    ),
    _t(
        "relay_return",
        "退回移交",
        OPEN - {S.SUSPENDED},
        None,
        {"receiver"},
        guards=("relay_pending", "reason_given"),
    ),
    _t(
        "pre_review",
        "预审材料",
        {S.REVIEWING, S.AWAITING_SUPPLEMENT, S.ACCEPTED, S.HANDLING},
        None,
        AGENT,
    ),
    _t(
        "file_with_department",
        "向审批部门报件",
        {S.ACCEPTED, S.HANDLING},
        None,
        AGENT,
        guards=("item_materials_ready",),
    ),
    _t(
        "department_step",
        "记录部门办理进度",
        {S.HANDLING},
        None,
        AGENT | {"liaison"},
        guards=("item_filed",),
    ),
    _t("expedite", "促办", {S.ACCEPTED, S.HANDLING}, None, STAFF, guards=("item_filed",)),
    _t(
        "expedite_reply",
        "答复促办",
        {S.ACCEPTED, S.HANDLING, S.COMPLETED},
        None,
        {"liaison"},
        guards=("expedite_open",),
    ),
    _t(
        "confirm",
        "服务对象签字确认",
        NOT_ARCHIVED,
        None,
        AGENT | {"client"},
        guards=("form_known",),
    ),
    _t("note", "记录工作日志", NOT_ARCHIVED, None, STAFF | {"liaison"}, guards=("text_given",)),
    _t("remind", "催告服务对象", {S.AWAITING_SUPPLEMENT, S.SUSPENDED}, None, STAFF | {"system"}),
    _t(
        "evaluate",
        "服务评价",
        {S.COMPLETED, S.DELIVERED, S.ARCHIVED, S.TERMINATED},
        None,
        # client: portal, SMS link, window device; coordinator: what the client said on a
        # return visit (channel return_visit, never the staff who handled the case);
        # system: a device or the 好差评 platform reporting in. See bangban.oversight.
        {"client", "coordinator", "system"},
        guards=("evaluation_allowed",),
        hint="一事一评：每个办件每种服务评价一次；办理人员不得代评",
    ),
)

BY_EVENT: dict[str, Transition] = {t.event: t for t in TRANSITIONS}
STATE_EVENTS = frozenset(t.event for t in TRANSITIONS if t.target is not None)


class TransitionRefused(Exception):
    """An event that the table or a guard does not allow; ``message`` is for people."""

    def __init__(self, message: str, code: str = "refused"):
        super().__init__(message)
        self.message = message
        self.code = code


def transition_for(event: str) -> Transition:
    try:
        return BY_EVENT[event]
    except KeyError:
        raise TransitionRefused(f"未知的操作：{event}", "unknown_event") from None


def check_table(
    event: str, state: State, service_type: ServiceType, roles: frozenset[str] | set[str]
) -> Transition:
    """The table part of the check (guards come after): state, service type and role."""
    transition = transition_for(event)
    if state not in transition.sources:
        raise TransitionRefused(
            f"办件当前为“{STATE_LABELS[State(state)]}”，不能进行“{transition.label}”", "wrong_state"
        )
    if service_type not in transition.service_types:
        raise TransitionRefused(
            f"“{transition.label}”仅适用于{'、'.join(SERVICE_TYPE_LABELS[s] for s in transition.service_types)}办件",
            "wrong_service_type",
        )
    if not transition.roles & set(roles):
        raise TransitionRefused(f"您没有权限对该办件进行“{transition.label}”", "forbidden")
    return transition


def events_from(
    state: State, service_type: ServiceType, roles: frozenset[str] | set[str]
) -> list[Transition]:
    """Events the table allows from a state for these roles (guards not yet checked)."""
    return [
        t
        for t in TRANSITIONS
        if state in t.sources and service_type in t.service_types and t.roles & set(roles)
    ]


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str
    extra: dict[str, Any] = field(default_factory=dict)
