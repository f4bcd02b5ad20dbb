"""From a submitted form to the details of one state-table event, and back to words.

The state table (``cases.workflow``) says which events a person may start; the guards
(``cases.guards``) say whether the details are enough, in Chinese. This module only
turns form fields into the details ``case_transition`` expects — the same names the API
takes (``cases.schemas.EventDetails``) — so a page never decides what the table decides.
What each event reads is in ``cases.effects``.
"""

from __future__ import annotations

from django.http import QueryDict

from bangban.cases.guards import required_form
from bangban.cases.models import ConfirmationMethod, ItemStatus
from bangban.cases.workflow import (
    BY_EVENT,
    DELIVERY_METHODS,
    FORM_LABELS,
    SUSPENSION_REASONS,
    TERMINATION_REASONS,
    TerminationReason,
)
from bangban.inputs import MAX_ID, ids_or_none, int_or_none

TEXT_MAX = 2000

# The fields each event's form has; ``confirmation`` is the client's signature on the form
# the event needs (``guards.required_form``).
EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    "start_assessment": ("needs",),
    "start_review": ("needs",),
    "request_supplement": ("days",),
    "supplement": ("received",),
    "refuse": ("reason",),
    "accept": ("confirmation",),
    "start_handling": (),
    "suspend": ("reason_code", "reason", "resumption_days", "confirmation"),
    "resume": ("confirmation",),
    "terminate": ("reason_code", "reason", "confirmation"),
    "complete": ("confirmation",),
    "deliver": (
        "method",
        "recipient",
        "address",
        "carrier",
        "tracking_no",
        "licence_no",
        "confirmation",
    ),
    "archive": (),
    "assign": ("agent_id",),
    "convert_to_proxy": ("confirmation",),
    "relay_out": ("to_site_id", "note"),
    "relay_accept": ("note",),
    "relay_return": ("reason",),
    "file_with_department": ("case_item_id",),
    "department_step": ("case_item_id", "status", "result"),
    "expedite": ("case_item_id", "message"),
    "expedite_reply": ("expedite_id", "reply"),
    "confirm": ("form", "confirmation"),
    "note": ("text",),
    "remind": (),
}
# Events with their own place on the case page instead of a button in the action bar.
INLINE_EVENTS = frozenset({"pre_review", "note"})
# Events a person cannot start from the workbench (the client's and the scheduler's).
NOT_ON_WORKBENCH = frozenset({"evaluate", "lapse"})

INT_FIELDS = {
    "days": (1, 60, "补正期限"),
    "resumption_days": (1, 120, "续办期限"),
    "case_item_id": (1, None, "事项"),
    "expedite_id": (1, None, "促办"),
    "agent_id": (1, None, "帮办代办员"),
    "to_site_id": (1, None, "接收机构"),
}

SUSPENSION_CHOICES = [(str(k), v) for k, v in SUSPENSION_REASONS.items()]
TERMINATION_CHOICES = [
    (str(k), v) for k, v in TERMINATION_REASONS.items() if k != TerminationReason.RESUMPTION_LAPSED
]
DELIVERY_CHOICES = [(str(k), v) for k, v in DELIVERY_METHODS.items()]
STEP_CHOICES = [
    (ItemStatus.IN_PROGRESS.value, ItemStatus.IN_PROGRESS.label),
    (ItemStatus.APPROVED.value, ItemStatus.APPROVED.label),
    (ItemStatus.DENIED.value, ItemStatus.DENIED.label),
]
FORM_CHOICES = [(str(k), v) for k, v in FORM_LABELS.items()]
SIGN_METHODS = [
    (ConfirmationMethod.PAPER.value, "在纸质文书上签字"),
    (ConfirmationMethod.SIGNATURE.value, "在屏幕上手写签名"),
]


class FormInvalid(ValueError):
    """A field that cannot even be read (not a number, out of range); the message is for people."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def version_from(data: QueryDict) -> int:
    """The case version the page was showing; every write states it (conflict check)."""
    version = int_or_none(data.get("expected_version"), low=0, high=MAX_ID)
    if version is None:
        raise FormInvalid("页面缺少办件版本信息，请刷新页面后重试")
    return version


def _int(data: QueryDict, name: str) -> int | None:
    raw = (data.get(name) or "").strip()
    if not raw:
        return None
    low, high, label = INT_FIELDS[name]
    if int_or_none(raw) is None:
        raise FormInvalid(f"{label}应为数字")
    value = int_or_none(raw, low=low, high=high or MAX_ID)
    if value is None:
        if high is None:  # an id: past the end of the table, so not one of the choices
            raise FormInvalid(f"{label}选择有误，请刷新页面后重试")
        raise FormInvalid(f"{label}应在 {low} 到 {high} 之间")
    return value


def _text(data: QueryDict, name: str) -> str:
    return (data.get(name) or "").strip()[:TEXT_MAX]


def details_from(event: str, data: QueryDict) -> dict:
    """The details of ``event`` read from a submitted form (only the fields it has)."""
    details: dict = {}
    for name in EVENT_FIELDS.get(event, ()):
        if name == "confirmation":
            if data.get("signed"):
                method = data.get("sign_method") or ConfirmationMethod.PAPER
                if method not in {m for m, _ in SIGN_METHODS}:
                    method = ConfirmationMethod.PAPER
                details["confirmation"] = {"method": method, "signer": _text(data, "signer")[:50]}
        elif name == "received":
            received = ids_or_none(data.getlist("received"))
            if received is None:
                raise FormInvalid("补正材料选择有误，请刷新页面后重试")
            details["received"] = received
        elif name in INT_FIELDS:
            value = _int(data, name)
            if value is not None:
                details[name] = value
        else:
            value = _text(data, name)
            if value:
                details[name] = value
    return details


def signs(case, event: str, method: str | None = None) -> str | None:
    """The label of the form the client signs with this event, if any."""
    form = required_form(case, BY_EVENT[event], {"method": method} if method else {})
    return FORM_LABELS[form] if form else None


# --- the timeline in words ---------------------------------------------------------------

_DETAIL_WORDS = (
    ("document", "文书编号"),
    ("signed", "签字确认"),
    ("agent_name", "分派给"),
    ("department", "审批部门"),
    ("status_label", "部门进度"),
    ("result", "办理结果"),
    ("message", "促办内容"),
    ("reply", "答复"),
    ("text", "日志"),
    ("note", "说明"),
    ("needs", "需求分析"),
    ("supplement_due_on", "补正期限"),
    ("resumption_due_on", "续办期限"),
    ("promised_days", "承诺时限（工作日）"),
)


def describe(event) -> list[str]:
    """Short lines saying what an event recorded, for the case timeline and the work log."""
    d = event.details or {}
    lines = []
    if event.event == "relay_out" or event.event in {"relay_accept", "relay_return"}:
        lines.append(f"{d.get('from_site', '')} → {d.get('to_site', '')}")
    if d.get("needed"):
        lines.append("需补正：" + "、".join(d["needed"]))
    if d.get("results"):
        lines.append("预审：" + "；".join(d["results"]))
    if d.get("checks") and not d.get("results"):
        lines.append(f"预审 {len(d['checks'])} 份材料")
    if d.get("method") and event.event == "deliver":
        lines.append("交付方式：" + DELIVERY_METHODS.get(d["method"], d["method"]))
    if d.get("reason_code"):
        words = {**SUSPENSION_REASONS, **TERMINATION_REASONS}
        lines.append("原因：" + words.get(d["reason_code"], d["reason_code"]))
    for key, label in _DETAIL_WORDS:
        if d.get(key) not in (None, ""):
            value = d[key]
            if key == "signed":
                value = f"《{value}》（{d.get('signed_by', '')}，{d.get('sign_method', '')}）"
            lines.append(f"{label}：{value}")
    if d.get("form_label"):
        lines.append(f"签字确认：《{d['form_label']}》")
    return lines
