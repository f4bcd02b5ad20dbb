"""一表申请 on a case: the fields its items' forms ask, the one answer set, and its guard.

The answer set is given as the ``application_answered`` event's details
(``details.ApplicationAnswers``): answering again appends a new event that replaces the whole
set, so the timeline keeps who answered what and when, and nothing is lost. The values in
force live in ``Case.application``, personal ones encrypted, and the event records personal
values by digest only (``application_sealing``, written by the event's effect
:func:`seal_answers`), so they can be erased without breaking the chain. Which fields are
shared and whether an answer set fills them is the catalogue's pure rule
(``catalogue.formfields``); this module only reads the case's rows for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from bangban.catalogue.formfields import (
    FieldSpec,
    FormPlan,
    answer_problems,
    changed_fields,
    cleaned,
    plan,
)
from bangban.catalogue.models import FormField

from . import application_sealing as sealing
from .models import CaseEvent, CaseItem, ItemStatus
from .workflow import TransitionRefused

EVENT = "application_answered"


def spec_of(field: FormField) -> FieldSpec:
    kind = field.kind
    return FieldSpec(
        code=kind.code,
        label=kind.label,
        type=kind.type,
        required=field.required,
        pattern=kind.pattern,
        pattern_hint=kind.pattern_hint,
        help=kind.help,
        mask=kind.mask,
    )


@dataclass
class CaseForm:
    """The case's items (each with ``form_specs``: its form's fields) and the one form."""

    items: list[CaseItem]
    plan: FormPlan

    @property
    def has_fields(self) -> bool:
        return bool(self.plan.fields)

    def item(self, pk: int) -> CaseItem | None:
        return next((item for item in self.items if item.pk == pk), None)


def case_form(case) -> CaseForm:
    """The fields of the case's items' forms, grouped into the one form. Two queries."""
    items = list(
        CaseItem.objects.filter(case_id=case.pk)
        .select_related("item_version__item", "department")
        .prefetch_related(
            Prefetch(
                "item_version__form_fields",
                queryset=FormField.objects.select_related("kind").order_by("position", "id"),
            )
        )
        .order_by("position", "id")
    )
    for item in items:
        item.form_specs = [spec_of(f) for f in item.item_version.form_fields.all()]
    return CaseForm(items, plan([(item.pk, item.form_specs) for item in items]))


def answer_events(case) -> list[CaseEvent]:
    """The case's answer sets, oldest first (one query)."""
    return list(
        CaseEvent.objects.filter(case_id=case.pk, event=EVENT)
        .only("case_id", "seq", "at", "actor_name", "details")
        .order_by("seq")
    )


def answers_of(event: CaseEvent | None) -> dict[str, str]:
    """What an answering recorded: plain values, and digests in place of personal ones (equal
    digests for equal values), enough to say which fields it changed; never for a form."""
    return dict((event.details or {}).get("answers") or {}) if event else {}


def stored(case) -> dict:
    """The case's answer set at rest (``application_sealing``); {} before the first answering."""
    return case.application or {}


def has_answers(case) -> bool:
    """Whether the case has been answered (also after its personal values were erased)."""
    answers = stored(case)
    return bool(answers.get("values") or answers.get("masked"))


def current_answers(case) -> dict[str, str]:
    """The answer set in force, in full ({} when none): for the case's agent who edits it and
    the guard that compares it; screens of anyone else use :func:`shown_answers`."""
    return sealing.opened(stored(case))


def shown_answers(case, fields) -> dict[str, str]:
    """The answer set for screens and printed forms: personal values masked, by code."""
    return sealing.shown(stored(case), fields)


def seal_answers(case, answers) -> dict[str, str]:
    """The effect of ``application_answered`` (``effects``): store the answer set in
    ``case.application`` (personal values encrypted) and return what the event records."""
    fields = case_form(case).plan.fields
    case.application, recorded = sealing.seal(case.application, fields, cleaned(answers))
    return recorded


def history(events: list[CaseEvent], labels: dict[str, str]) -> list[dict]:
    """Each answering, newest first: who, when and which fields it changed."""
    rows, before = [], {}
    for event in events:
        after = answers_of(event)
        changed = changed_fields(before, after)
        rows.append(
            {
                "at": event.at,
                "actor": event.actor_name,
                "changed": [labels.get(code, code) for code in changed],
            }
        )
        before = after
    return rows[::-1]


# --- the guard of ``application_answered`` (cases.transitions) ------------------------------


def answers_valid(ctx) -> None:
    """The answers fill every required field of the case's forms, each in its type and
    format, and name no other field; a field a filed item's form used keeps its answer."""
    form = case_form(ctx.case)
    if not form.has_fields:
        raise TransitionRefused("本办件的事项没有需要填写的申请表")
    answers = ctx.details.get("answers") or {}
    problems = answer_problems(form.plan.fields, answers)
    if problems:
        raise TransitionRefused("；".join(problems.values()), "invalid_details")
    filed = {item.pk: item for item in form.items if item.status != ItemStatus.PENDING}
    if not filed:
        return
    changed = set(changed_fields(current_answers(ctx.case), cleaned(answers)))
    asked = form.plan.shared + [a for _, own in form.plan.own for a in own]
    for field in asked:
        used_by = [filed[o] for o in field.owners if o in filed]
        if field.code in changed and used_by:
            names = "、".join(f"“{item.item_version.item.name}”" for item in used_by)
            raise TransitionRefused(
                f"{names}已向审批部门报件，其申请表中的“{field.spec.label}”不能再修改"
            )
