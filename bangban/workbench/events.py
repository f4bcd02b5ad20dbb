"""The workbench's event forms, built from the rows of the state table.

Each row (``cases.transitions``) names the schema of its details (``cases.details``):
the fields, their Chinese titles, their ranges, which are required and which are picked
from a list. This module turns that schema into the fields a form shows and turns a
submitted form back into details. It reads the raw values only; ``case_transition``
validates them against the same schema and answers in the same words, so a page never
decides what the table decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from django.http import QueryDict
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from bangban.cases.details import recorded_by_others
from bangban.cases.guards import required_form
from bangban.cases.models import ConfirmationMethod, ItemStatus
from bangban.cases.transitions import BY_EVENT, TRANSITIONS
from bangban.cases.workflow import (
    DELIVERY_METHODS,
    FORM_LABELS,
    SUSPENSION_REASONS,
    TERMINATION_REASONS,
)
from bangban.inputs import MAX_ID, ids_or_none, int_or_none

# Events with their own place on the case page instead of a button in the action bar.
INLINE_EVENTS = frozenset({"pre_review", "note", "application_answered"})
# Events a person cannot start from the workbench (the client's and the scheduler's), and
# pre-review, which has its own form per material.
NOT_ON_WORKBENCH = frozenset({"evaluate", "lapse"})
NO_EVENT_FORM = NOT_ON_WORKBENCH | {"pre_review", "application_answered"}  # 一表申请: own page
# Fields the case page supplies from its own lists (staff, sites, items, chasers, materials).
PICKERS = frozenset({"agent_id", "to_site", "case_item_id", "expedite_id", "received"})
# What a choice reads as on the page: the Chinese words of each code.
CHOICE_LABELS: dict[str, str] = {
    **{str(k): v for k, v in SUSPENSION_REASONS.items()},
    **{str(k): v for k, v in TERMINATION_REASONS.items()},
    **{str(k): v for k, v in DELIVERY_METHODS.items()},
    **{str(k): v for k, v in FORM_LABELS.items()},
    **{value: label for value, label in ItemStatus.choices},
}
SIGN_METHODS = [
    (ConfirmationMethod.PAPER.value, "在纸质文书上签字"),
    (ConfirmationMethod.SIGNATURE.value, "在屏幕上手写签名"),
]


@dataclass
class FormField:
    """One field of an event's form, as the schema declares it."""

    name: str
    label: str
    help: str
    required: bool
    widget: str  # text, textarea, number, select, radio, picker, signature
    default: Any = ""
    low: int | None = None
    high: int | None = None
    max_length: int | None = None
    choices: list[tuple[str, str]] = field(default_factory=list)
    value: Any = ""  # what the form shows: the submitted value, else the default

    @property
    def html_id(self) -> str:
        return "f-" + self.name.replace("_", "-")


def _unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """``Annotated[X, …] | None`` → (X, the constraints written on it)."""
    metadata: list[Any] = []
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            metadata += annotation.__metadata__
            annotation = get_args(annotation)[0]
        elif origin in (Union, UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation, metadata
            annotation = args[0]
        else:
            return annotation, metadata


def _bound(metadata: list[Any], name: str) -> Any:
    return next((getattr(m, name) for m in metadata if getattr(m, name, None) is not None), None)


def _choices(annotation: Any) -> list[str]:
    if get_origin(annotation) is Literal:
        return [str(a) for a in get_args(annotation)]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [str(m.value) for m in annotation]
    return []


def _form_field(name: str, info: FieldInfo) -> FormField:
    base, inner = _unwrap(info.annotation)
    metadata = [*info.metadata, *inner]
    default = None if info.is_required() else info.get_default(call_default_factory=True)
    shown = FormField(
        name=name,
        label=info.title or name,
        help=info.description or "",
        required=info.is_required(),
        widget="text",
        default="" if default is None else default,
    )
    if name in PICKERS:
        shown.widget = "picker"
    elif isinstance(base, type) and issubclass(base, BaseModel):
        shown.widget = "signature"
    elif values := _choices(base):
        shown.choices = [(v, CHOICE_LABELS.get(v, v)) for v in values]
        shown.widget = "radio" if name == "method" else "select"
    elif base is bool:
        shown.widget = "checkbox"
    elif base is int:
        shown.widget, shown.low, shown.high = (
            "number",
            _bound(metadata, "ge"),
            _bound(metadata, "le"),
        )
    else:
        shown.max_length = _bound(metadata, "max_length")
        shown.widget = "textarea" if (shown.max_length or 0) > 200 else "text"
    return shown


def form_fields(details: type[BaseModel]) -> list[FormField]:
    """The fields a person fills in for these details, in the schema's order."""
    return [
        _form_field(name, info)
        for name, info in details.model_fields.items()
        if not recorded_by_others(info)
    ]


# The form of every event a person starts from the workbench, derived once at start-up.
EVENT_FORMS: dict[str, list[FormField]] = {
    t.event: form_fields(t.details) for t in TRANSITIONS if t.event not in NO_EVENT_FORM
}
EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    event: tuple(f.name for f in fields) for event, fields in EVENT_FORMS.items()
}


def fields_with_values(event: str, data, case) -> list[FormField]:
    """The event's fields, each holding what the form shows now."""
    shown = []
    for fld in EVENT_FORMS[event]:
        value = data.get(fld.name) if data else None
        if not value:
            value = case.needs if fld.name == "needs" else fld.default
        shown.append(replace(fld, value=str(value) if value != "" else ""))
    return shown


class FormInvalid(ValueError):
    """A field that cannot even be read; the message is for people."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def version_from(data: QueryDict) -> int:
    """The case version the page was showing; every write states it (conflict check)."""
    version = int_or_none(data.get("expected_version"), low=0, high=MAX_ID)
    if version is None:
        raise FormInvalid("页面缺少办件版本信息，请刷新页面后重试")
    return version


def details_from(event: str, data: QueryDict) -> dict:
    """The details of ``event`` as submitted: the raw value of each field the form has
    (empty ones left out, so the schema's defaults and its 请填写 apply)."""
    details: dict = {}
    for shown in EVENT_FORMS.get(event, ()):
        name = shown.name
        if shown.widget == "signature":
            if data.get("signed"):
                method = data.get("sign_method") or ConfirmationMethod.PAPER
                if method not in {m for m, _ in SIGN_METHODS}:
                    method = ConfirmationMethod.PAPER
                signer = (data.get("signer") or "").strip()[:50]
                details[name] = {"method": method, "signer": signer}
        elif name == "received":
            received = ids_or_none(data.getlist(name))
            if received is None:
                raise FormInvalid("补正材料选择有误，请刷新页面后重试")
            details[name] = received
        else:
            value = (data.get(name) or "").strip()
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
