"""一表申请: the case's items' application forms as one form, and each department's form.

The fields several items' forms share are asked once, labelled with the items that use them;
the rest are grouped under their item (``catalogue.formfields.plan``, read through
``cases.application.case_form``). Saving is the ``application_answered`` event: the page
checks the answers with the same rule as the event's guard, to show every problem by its
field, and ``case_transition`` decides. Each item's 部门申请表 is issued from the answer set
(``documents.department_forms``) and opened through the documents area's download.

Who may see the case sees the page (``get_case_for``: 404 otherwise); the form is offered
to those the state table lets answer (the case's agent, before the case is closed), filled
with the values in full; everyone else sees personal values masked (``cases.application``).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from bangban.cases import application
from bangban.cases.access import case_roles
from bangban.cases.selectors import application_answers_for
from bangban.cases.services import CaseConflict, case_transition
from bangban.cases.workflow import TransitionRefused
from bangban.catalogue.formfields import answer_problems, cleaned
from bangban.documents.department_forms import department_form_issue, item_forms
from bangban.inputs import bounded_int

from .. import events as ev
from ..auth import staff_required
from .case import _load

ISSUERS = frozenset({"agent", "coordinator"})


def _context(request, case, *, answers=None, problems=None, error="") -> dict:
    form = application.case_form(case)
    names = {item.pk: item.item_version.item.name for item in form.items}
    events = application.answer_events(case)
    problems = problems or {}

    stored, masked = application_answers_for(request.actor, case, form.plan.fields)
    may_answer = not masked
    shown = answers if answers is not None else stored  # what was just typed, with its problems

    def row(asked):
        return {
            "spec": asked.spec,
            "value": shown.get(asked.code, ""),
            "error": problems.get(asked.code, ""),
            "used_by": [names[o] for o in asked.owners],
        }

    documents = item_forms(case)
    items = [
        {
            "item": item,
            "own": next(([row(a) for a in own] for o, own in form.plan.own if o == item.pk), []),
            "has_fields": bool(item.form_specs),
            "document": documents.get(item.pk),
        }
        for item in form.items
    ]
    labels = {spec.code: spec.label for spec in form.plan.fields}
    return {
        "case": case,
        "has_fields": form.has_fields,
        "shared": [row(a) for a in form.plan.shared],
        "items": items,
        "answered": bool(events),
        "history": application.history(events, labels),
        "may_answer": may_answer,
        "may_issue": bool(case_roles(request.actor, case) & ISSUERS) and bool(events),
        "error": error,
        "other_problems": [m for code, m in problems.items() if code not in labels],
    }


@require_http_methods(["GET", "POST"])
@staff_required
def application_page(request, number):
    case = _load(request, number)
    if request.method == "GET":
        return render(request, "workbench/application.html", _context(request, case))
    form = application.case_form(case)
    codes = [spec.code for spec in form.plan.fields]
    answers = cleaned({code: request.POST.get(code, "") for code in codes})
    problems = answer_problems(form.plan.fields, answers)
    error = ""
    if not problems:
        try:
            case_transition(
                case=case,
                event=application.EVENT,
                actor=request.actor,
                expected_version=ev.version_from(request.POST),
                answers=answers,
            )
        except CaseConflict:
            error = "办件已被他人更新，请核对后重新保存"
        except (TransitionRefused, ev.FormInvalid) as refused:
            error = refused.message
        else:
            messages.success(request, "一表申请已保存，各部门申请表可据此出具")
            return redirect(reverse("workbench:application", args=[case.number]))
    context = _context(request, case, answers=answers, problems=problems, error=error)
    context["error"] = context["error"] or "请按提示修改后再保存"
    return render(request, "workbench/application.html", context, status=422)


@require_POST
@staff_required
def department_form(request, number, item_id):
    """Issue (or issue again) one item's 部门申请表 from the answer set."""
    case = _load(request, number)
    item_id = bounded_int(item_id, 0, low=0, high=2**31 - 1)
    if not case.items.filter(pk=item_id).exists():
        raise Http404("办件中没有这个事项")
    try:
        document = department_form_issue(case=case, case_item_id=item_id, actor=request.actor)
    except TransitionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, f"已出具《{document.label}》，编号 {document.number}")
    return redirect(reverse("workbench:application", args=[case.number]))
