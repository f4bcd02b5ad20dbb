"""部门申请表 (一表申请): each item's department form, filled from the case's one answer set.

A case of several items (一件事) is answered once (``cases.application``); this issues the
form of one item from that answer set, numbered like every form. Each item has its own
series: issuing an item's form again is a new version of that item's form only. The
snapshot (``fields.department_form_fields``) holds the item, its department and its fields
with the answers, personal values masked as stored (``（已删除）`` once erased). Recorded on the timeline as a ``note``, like the
other forms issued on demand.
"""

from __future__ import annotations

from django.db import transaction

from bangban.cases import application
from bangban.cases.access import Actor
from bangban.cases.models import Case
from bangban.cases.workflow import TransitionRefused

from .kinds import KINDS, Kind
from .models import CaseDocument
from .services import _can_issue, _lock, _record_on_timeline, document_issue

KIND = Kind.DEPARTMENT_FORM


def item_forms(case: Case) -> dict[int, CaseDocument]:
    """The current department form of each item of ``case``, by case item id (one query)."""
    found: dict[int, CaseDocument] = {}
    for document in CaseDocument.objects.filter(
        case=case, kind=KIND, superseded_by__isnull=True
    ).order_by("id"):
        item_id = document.fields.get("specific", {}).get("case_item_id")
        if item_id:
            found[int(item_id)] = document
    return found


def department_form_issue(*, case: Case, case_item_id: int, actor: Actor) -> CaseDocument:
    """Issue the department form of one item of ``case`` from the one answer set (a new
    version when the item has one). Refused while no answer set fills the item's form."""
    _can_issue(actor, case)
    label = KINDS[KIND].label
    with transaction.atomic():
        locked = _lock(case)
        form = application.case_form(locked)
        item = form.item(case_item_id)
        if item is None:
            raise TransitionRefused("请选择本办件中的事项")
        if not item.form_specs:
            raise TransitionRefused(f"事项“{item.item_version.item.name}”没有需要填写的申请表")
        if not application.has_answers(locked):
            raise TransitionRefused("请先填写一表申请，再出具部门申请表")
        previous = item_forms(locked).get(item.pk)
        document = document_issue(
            case=locked,
            kind=KIND,
            actor=actor,
            supersedes=previous,
            reason="重新出具" if previous else "",
            extra={"case_item_id": item.pk},
        )
        text = (
            f"出具“{item.item_version.item.name}”的《{label}》（{item.department.name}），"
            f"编号 {document.number}"
        )
        if previous:
            text += f"（第 {document.version} 版，替代 {previous.number}）"
        _record_on_timeline(case, actor, document, text)
    return document
