"""一表申请: which fields of several items' application forms are asked once, and whether an
answer set fills them.

Each item version lists the fields of its department's form (``models.FormField``), each
pointing to a shared ``FormFieldKind``. For a case of several items (a bundle), a field
that two or more forms ask is *shared*: it is asked once and every form that asks it is
filled from the same answer. The rest are the item's own. Plain Python, no Django, so the
rule is tested on its own (``tests/test_formfields.py``); the case's page, the event's
guard and the printed department forms call it.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

ANSWER_MAX = 200
NUMBER = re.compile(r"\d+(\.\d+)?")


@dataclass(frozen=True)
class FieldSpec:
    """One field as a form asks it (``FormFieldKind`` with the form's required flag)."""

    code: str
    label: str
    type: str = "text"  # text, date, number
    required: bool = False
    pattern: str = ""
    pattern_hint: str = ""
    help: str = ""
    mask: str = ""


@dataclass
class AskedField:
    """A field asked on the one form, with the forms (owners, in their order) that use it."""

    spec: FieldSpec
    owners: list[Hashable] = field(default_factory=list)

    @property
    def shared(self) -> bool:
        return len(self.owners) > 1

    @property
    def code(self) -> str:
        return self.spec.code


@dataclass
class FormPlan:
    """The one form: the shared fields first (in the order first met), then each owner's own."""

    shared: list[AskedField]
    own: list[tuple[Hashable, list[AskedField]]]

    @property
    def fields(self) -> list[FieldSpec]:
        return [a.spec for a in self.shared] + [a.spec for _, asked in self.own for a in asked]


def plan(forms: Sequence[tuple[Hashable, Sequence[FieldSpec]]]) -> FormPlan:
    """Group the fields of several forms: each code asked once, shared when two or more
    forms ask it. A shared field is required when any form requires it."""
    asked: dict[str, AskedField] = {}
    for owner, specs in forms:
        for spec in specs:
            found = asked.get(spec.code)
            if found is None:
                asked[spec.code] = AskedField(spec, [owner])
            elif owner not in found.owners:
                found.owners.append(owner)
                if spec.required and not found.spec.required:
                    found.spec = replace(found.spec, required=True)
    shared = [a for a in asked.values() if a.shared]
    own = [
        (owner, [a for a in asked.values() if not a.shared and a.owners[0] == owner])
        for owner, _ in forms
    ]
    return FormPlan(shared, [(owner, fields) for owner, fields in own if fields])


def cleaned(answers: Mapping[str, object]) -> dict[str, str]:
    """The answers as kept: text trimmed, blanks left out."""
    out = {}
    for code, value in answers.items():
        text = str(value if value is not None else "").strip()
        if text:
            out[str(code)] = text
    return out


def _problem(spec: FieldSpec, value: str | None) -> str | None:
    if not value:
        return f"请填写{spec.label}" if spec.required else None
    if len(value) > ANSWER_MAX:
        return f"{spec.label}不能超过 {ANSWER_MAX} 个字"
    if spec.type == "number" and not NUMBER.fullmatch(value):
        return f"{spec.label}应为数字"
    if spec.type == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            return f"{spec.label}应为日期，如 2026-05-08"
    if spec.pattern:
        try:
            matched = re.fullmatch(spec.pattern, value)
        except re.error:
            matched = True  # a bad pattern is the catalogue's to fix, not the client's
        if not matched:
            hint = f"（应为{spec.pattern_hint}）" if spec.pattern_hint else ""
            return f"{spec.label}格式不正确{hint}"
    return None


def answer_problems(fields: Iterable[FieldSpec], answers: Mapping[str, object]) -> dict[str, str]:
    """Every problem of an answer set, by field code, in the hall's words ({} when fine):
    a required field left blank, a value of the wrong type or format, a field no form asks."""
    given = cleaned(answers)
    specs = {spec.code: spec for spec in fields}
    problems = {}
    for code, spec in specs.items():
        if (message := _problem(spec, given.get(code))) is not None:
            problems[code] = message
    for code in given:
        if code not in specs:
            problems[code] = f"“{code}”不是本办件申请表的字段"
    return problems


def changed_fields(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    """The codes whose answer differs between two answer sets (added, changed or cleared)."""
    return sorted(code for code in set(before) | set(after) if before.get(code) != after.get(code))
