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

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel


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
# States in which the case is still being worked on (not refused, terminated or done).
OPEN = frozenset(
    {
        State.RECEIVED,
        State.ASSESSING,
        State.REVIEWING,
        State.AWAITING_SUPPLEMENT,
        State.ACCEPTED,
        State.HANDLING,
        State.SUSPENDED,
    }
)
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
    COMMITMENT = "commitment"  # 告知承诺书: a material committed to instead of brought


FORM_LABELS = {
    Form.APPLICATION: "帮办申请表",
    Form.ENTRUSTMENT: "代办服务委托书",
    Form.SUSPENSION_SLIP: "代办服务中止单",
    Form.RESUMPTION_ENTRUSTMENT: "代办服务续办委托书",
    Form.COMPLETION_SLIP: "办结（终止）单",
    Form.DELIVERY_RECEIPT: "结果签收",
    Form.COMMITMENT: "告知承诺书",
}


class Clock(StrEnum):
    """What an event does to the promised-limit clock (seed 000 §10.2.5; DESIGN.md)."""

    START = "start"  # acceptance: the promised limit starts the next working day
    PAUSE = "pause"  # waiting for the client: a supplement after acceptance, a suspension
    RESUME = "resume"  # the client is back: the time left runs on
    STOP = "stop"  # the case ends without a result: no more time to show


Guard = Callable[[Any], None]
# The form the client signs with an event: fixed, or decided by the case and the details.
SignsRule = Callable[[Any, Mapping[str, Any]], "Form | None"]


@dataclass(frozen=True)
class Transition:
    """One row of the table: the whole spec of one event.

    ``target`` is the next state, or None for an event recorded on the timeline that
    leaves the state alone. ``target_after_acceptance`` overrides it once the case has
    been accepted (a supplement returns to pre-review before acceptance, to handling after).
    ``details`` is the schema of what the event takes (``cases.details``), validated inside
    ``case_transition`` and the source of the API's body and the workbench's form.
    ``guards`` are callables that refuse with a Chinese reason (``cases.guards``).
    ``clock``: what it does to the promised-limit clock. ``issues``: the printed form it
    issues (a ``documents.kinds.Kind`` value). ``signs``: the form the client signs with it,
    or a rule deciding that from the case. ``public``: shown on the client's progress page.
    """

    event: str
    label: str
    sources: frozenset[State]
    target: State | None
    roles: frozenset[str]
    details: type[BaseModel]
    guards: tuple[Guard, ...] = ()
    signs: Form | SignsRule | None = None
    target_after_acceptance: State | None = None
    service_types: frozenset[ServiceType] = frozenset(ServiceType)
    hint: str = ""
    clock: Clock | None = None
    issues: str | None = None
    public: bool = False

    def next_state(self, current: State, accepted: bool) -> State:
        if self.target is None:
            return current
        if accepted and self.target_after_acceptance is not None:
            return self.target_after_acceptance
        return self.target

    def signed_form(self, case: Any, details: Mapping[str, Any]) -> Form | None:
        """The form the client must have signed for this event on this case, if any."""
        if self.signs is None or isinstance(self.signs, Form):
            return self.signs
        return self.signs(case, details)


class TransitionRefused(Exception):
    """An event that the table or a guard does not allow; ``message`` is for people."""

    def __init__(self, message: str, code: str = "refused"):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str
    extra: dict[str, Any] = field(default_factory=dict)
