"""The state table: every event of the assist and proxy flows, each row its whole spec.

A row says from which states an event may happen, for whom, what it leads to, what it
takes (its details schema), what must hold first (its guards), what it does to the clock,
which form it issues and which the client signs, whether the client's progress page shows
it, and what it is called. ``case_transition`` reads it to check and write; the API's
event body, the workbench's buttons and forms, the public timeline and the documents'
issuing all derive from it. Nothing else decides what may happen to a case next.

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

from collections.abc import Iterable, Mapping
from typing import Any, TypedDict, Unpack

from pydantic import BaseModel

from . import application
from . import details as d
from . import guards as g
from .workflow import (
    FINAL_STATES,
    OPEN,
    SERVICE_TYPE_LABELS,
    STATE_LABELS,
    Clock,
    DeliveryMethod,
    Form,
    Guard,
    ServiceType,
    SignsRule,
    State,
    Transition,
    TransitionRefused,
)

S = State
NOT_ARCHIVED = frozenset(State) - FINAL_STATES
STAFF = frozenset({"agent", "coordinator"})
AGENT = frozenset({"agent"})
PROXY_ONLY = frozenset({ServiceType.PROXY})


# --- the forms whose signing depends on the case ------------------------------------------


def acceptance_form(case: Any, details: Mapping[str, Any]) -> Form:
    """帮办 is accepted on the signed application, 代办 on the signed entrustment
    (seed 000 §10.1.2, §10.2.2)."""
    return Form.ENTRUSTMENT if case.service_type == ServiceType.PROXY else Form.APPLICATION


def termination_form(case: Any, details: Mapping[str, Any]) -> Form | None:
    """After acceptance, materials are handed back on the 办结（终止）单 (§10.2.6)."""
    return Form.COMPLETION_SLIP if case.accepted_on else None


def delivery_form(case: Any, details: Mapping[str, Any]) -> Form | None:
    """A result handed over in person is signed for."""
    return Form.DELIVERY_RECEIPT if details.get("method") == DeliveryMethod.IN_PERSON else None


class _Options(TypedDict, total=False):
    """The optional fields of a row, as ``_t`` takes them."""

    guards: tuple[Guard, ...]
    signs: Form | SignsRule | None
    target_after_acceptance: State | None
    service_types: frozenset[ServiceType]
    hint: str
    clock: Clock | None
    issues: str | None
    public: bool


def _t(
    event: str,
    label: str,
    sources: Iterable[State],
    target: State | None,
    roles: Iterable[str],
    details: type[BaseModel] = d.NoDetails,
    **kw: Unpack[_Options],
) -> Transition:
    # every state change is a step the client sees on the progress page
    kw.setdefault("public", target is not None)
    return Transition(event, label, frozenset(sources), target, frozenset(roles), details, **kw)


TRANSITIONS: tuple[Transition, ...] = (
    # --- state-changing events -----------------------------------------------------
    _t(
        "start_assessment",
        "开始需求分析",
        {S.RECEIVED},
        S.ASSESSING,
        AGENT,
        d.Needs,
        guards=(g.no_pending_relay,),
    ),
    _t(
        "start_review",
        "开始预审",
        {S.RECEIVED, S.ASSESSING},
        S.REVIEWING,
        AGENT,
        d.Needs,
        guards=(g.no_pending_relay,),
    ),
    _t(
        "request_supplement",
        "出具一次性告知单（待补正）",
        {S.REVIEWING, S.HANDLING},
        S.AWAITING_SUPPLEMENT,
        AGENT,
        d.SupplementRequest,
        guards=(g.materials_reviewed, g.something_missing),
        hint="一次性告知需补正的全部材料",
        clock=Clock.PAUSE,
        issues="one_time_notice",
    ),
    _t(
        "supplement",
        "补正材料",
        {S.AWAITING_SUPPLEMENT},
        S.REVIEWING,
        AGENT | {"client"},
        d.Supplement,
        guards=(g.notice_satisfied,),
        target_after_acceptance=S.HANDLING,
        clock=Clock.RESUME,
    ),
    _t(
        "refuse",
        "不予受理",
        {S.RECEIVED, S.ASSESSING, S.REVIEWING},
        S.REFUSED,
        AGENT,
        d.Refusal,
        issues="refusal_notice",
    ),
    _t(
        "accept",
        "受理",
        {S.REVIEWING},
        S.ACCEPTED,
        AGENT,
        d.Signed,
        guards=(g.no_pending_relay, g.item_offered, g.materials_reviewed),
        signs=acceptance_form,
        hint="帮办须申请表签字确认，代办须委托书签字确认",
        clock=Clock.START,
        issues="acceptance_slip",
    ),
    _t("start_handling", "开始承办", {S.ACCEPTED}, S.HANDLING, AGENT),
    _t(
        "suspend",
        "中止代办",
        {S.HANDLING, S.AWAITING_SUPPLEMENT},
        S.SUSPENDED,
        AGENT,
        d.Suspension,
        guards=(g.accepted, g.fee_details_complete),
        signs=Form.SUSPENSION_SLIP,
        service_types=PROXY_ONLY,
        clock=Clock.PAUSE,
        issues="suspension_slip",
    ),
    _t(
        "resume",
        "续办",
        {S.SUSPENDED},
        S.HANDLING,
        AGENT,
        d.Signed,
        guards=(g.within_resumption_period,),
        signs=Form.RESUMPTION_ENTRUSTMENT,
        service_types=PROXY_ONLY,
        clock=Clock.RESUME,
        issues="resumption_entrustment",
    ),
    _t(
        "lapse",
        "续办期限届满自动终止",
        {S.SUSPENDED},
        S.TERMINATED,
        {"system"},
        guards=(g.resumption_period_passed,),
        service_types=PROXY_ONLY,
        clock=Clock.STOP,
        issues="termination_slip",
    ),
    _t(
        "terminate",
        "终止",
        OPEN,
        S.TERMINATED,
        STAFF,
        d.Termination,
        guards=(g.other_reason_explained,),
        signs=termination_form,
        clock=Clock.STOP,
        issues="termination_slip",
    ),
    _t(
        "complete",
        "办结",
        {S.HANDLING},
        S.COMPLETED,
        AGENT,
        d.Signed,
        guards=(g.every_item_has_result,),
        signs=Form.COMPLETION_SLIP,
        issues="completion_slip",
    ),
    _t(
        "deliver",
        "结果交付",
        {S.COMPLETED},
        S.DELIVERED,
        AGENT,
        d.Delivery,
        guards=(g.delivery_details_complete,),
        signs=delivery_form,
    ),
    _t("archive", "资料归档", {S.DELIVERED, S.TERMINATED, S.REFUSED}, S.ARCHIVED, STAFF),
    # --- events recorded on the timeline that keep the state -------------------------
    _t(
        "assign",
        "分派帮办代办员",
        OPEN,
        None,
        {"coordinator"},
        d.Assignment,
        guards=(g.assignee_at_owning_site,),
    ),
    _t(
        "convert_to_proxy",
        "帮办转代办",
        OPEN - {S.SUSPENDED},
        None,
        AGENT,
        d.Signed,
        signs=Form.ENTRUSTMENT,
        service_types=frozenset({ServiceType.ASSIST}),
        hint="服务对象办理有难度时可转为代办，须签订代办服务委托书",
        public=True,
    ),
    _t(
        "relay_out",
        "移交其他服务点",
        OPEN - {S.SUSPENDED},
        None,
        AGENT,
        d.RelayOut,
        guards=(g.no_pending_relay, g.relay_target_valid),
    ),
    _t(
        "relay_accept",
        "接收移交",
        OPEN - {S.SUSPENDED},
        None,
        {"receiver"},
        d.RelayAccept,
        guards=(g.relay_pending,),
        public=True,
    ),
    _t(
        "relay_return",
        "退回移交",
        OPEN - {S.SUSPENDED},
        None,
        {"receiver"},
        d.RelayReturn,
        guards=(g.relay_pending,),
    ),
    _t(
        "pre_review",
        "预审材料",
        {S.REVIEWING, S.AWAITING_SUPPLEMENT, S.ACCEPTED, S.HANDLING},
        None,
        AGENT,
        d.PreReview,
        guards=(g.not_applicable_explained,),
    ),
    _t(
        "application_answered",
        "填写一表申请",
        OPEN - {S.SUSPENDED},
        None,
        AGENT,
        d.ApplicationAnswers,
        guards=(g.no_pending_relay, application.answers_valid),
        hint="各事项申请表共用的内容只填一次，各部门申请表由此填写",
    ),
    _t(
        "file_with_department",
        "向审批部门报件",
        {S.ACCEPTED, S.HANDLING},
        None,
        AGENT,
        d.Filing,
        guards=(g.item_materials_ready, g.prerequisites_have_results),
        public=True,
    ),
    _t(
        "department_step",
        "记录部门办理进度",
        {S.HANDLING},
        None,
        AGENT | {"liaison", "partner"},  # partner: a department's system (bangban.partners)
        d.DepartmentStep,
        guards=(g.item_filed,),
        public=True,
    ),
    _t(
        "expedite",
        "促办",
        {S.ACCEPTED, S.HANDLING},
        None,
        STAFF,
        d.Expedite,
        guards=(g.item_filed,),
    ),
    _t(
        "expedite_reply",
        "答复促办",
        {S.ACCEPTED, S.HANDLING, S.COMPLETED},
        None,
        {"liaison"},
        d.ExpediteReply,
        guards=(g.expedite_open,),
    ),
    _t(
        "confirm",
        "服务对象签字确认",
        NOT_ARCHIVED,
        None,
        AGENT | {"client"},
        d.Confirm,
    ),
    _t("note", "记录工作日志", NOT_ARCHIVED, None, STAFF | {"liaison"}, d.Note),
    _t(
        "remind",
        "催告服务对象",
        {S.AWAITING_SUPPLEMENT, S.SUSPENDED},
        None,
        STAFF | {"system"},
        d.Reminder,
    ),
    _t(
        "evaluate",
        "服务评价",
        {S.COMPLETED, S.DELIVERED, S.ARCHIVED, S.TERMINATED},
        None,
        # client: portal, SMS link, window device; coordinator: what the client said on a
        # return visit (channel return_visit, never the staff who handled the case);
        # system: a device or the 好差评 platform reporting in. See bangban.oversight.
        {"client", "coordinator", "system"},
        d.Evaluation,
        guards=(g.provided("evaluation_allowed"),),
        hint="一事一评：每个办件每种服务评价一次；办理人员不得代评",
        public=True,
    ),
)

BY_EVENT: dict[str, Transition] = {t.event: t for t in TRANSITIONS}
STATE_EVENTS = frozenset(t.event for t in TRANSITIONS if t.target is not None)
# What the client's progress page shows: the opening and the rows marked public.
PUBLIC_EVENTS = frozenset({"submit"} | {t.event for t in TRANSITIONS if t.public})


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
