"""Issuing, correcting and rendering documents.

``document_issue`` is what the workflow's effects call for the forms an event issues
(refusal notice, one-time notice, acceptance slip, suspension slip, resumption
entrustment, termination and completion slips): the event's details carry the number, so
the timeline references the document. ``document_issue_on_demand`` issues the forms
signed before any event (application, entrustment, service notice, evaluation) and
records a ``note`` event for it, so every document is on the one chained timeline.

This module is imported by ``cases.effects`` while ``cases.services`` is still loading:
it refers to ``cases.services`` only at call time.
"""

from __future__ import annotations

import logging

from django.db import transaction

from bangban.cases import services as case_services
from bangban.cases.access import Actor, case_roles
from bangban.cases.models import Case, CaseEvent
from bangban.cases.workflow import TransitionRefused

from . import fields as form_fields
from .kinds import KINDS, PER_ITEM, Kind, version_number
from .models import CaseDocument
from .pdf import document_render  # noqa: F401 (re-exported: views, archive, portal)

logger = logging.getLogger(__name__)

ISSUERS = frozenset({"agent", "coordinator"})


def _staff_of(actor):
    if isinstance(actor, Actor):
        return actor.staff if actor.kind == "staff" else None
    return actor  # a StaffMember or None


def _name_of(actor) -> str:
    if actor is None:
        return "系统"
    if isinstance(actor, Actor):
        return actor.name
    return actor.name


def document_issue(
    *,
    case: Case,
    kind: str,
    actor=None,
    event: CaseEvent | None = None,
    supersedes: CaseDocument | None = None,
    reason: str = "",
    confirmation=None,
    extra: dict | None = None,
    unsigned: bool = False,
) -> CaseDocument:
    """Number a form, take the snapshot of what it says and schedule its PDF.

    1. the number: a new one from the site's counter for this kind's prefix (unique per
       site and year), or, for a new version, the series number with ``-V<n>``;
    2. the snapshot of the case as the caller holds it (inside a transition: with the
       event's changes applied), with the confirmation to print (by default the latest
       one of the form the event had signed; none when ``unsigned``: a form the system
       issues with nobody there to sign, such as the termination slip of a lapse, which
       is printed saying so, also in its corrected versions);
    3. the record, linked to ``event`` when the caller has it; an effect's event does not
       exist yet and is linked when the PDF is made (its details name this number);
    4. after commit, the PDF is rendered by a job; a download renders it if still missing.
    """
    info = KINDS[Kind(kind)]
    with transaction.atomic():
        if supersedes is not None:
            series, version = supersedes.series, supersedes.version + 1
        else:
            series = case_services.next_number(site=case.site, prefix=info.prefix)
            version = 1
        number = version_number(series, version)
        if confirmation is None and supersedes is None and not info.on_demand and not unsigned:
            confirmation = form_fields.latest_confirmation(case, info.form)
        snapshot = form_fields.snapshot(
            case,
            info,
            number=number,
            version=version,
            issued_by=_name_of(actor),
            supersedes=supersedes,
            reason=reason,
            confirmation=confirmation,
            extra=extra,
            unsigned=unsigned,
        )
        document = CaseDocument.objects.create(
            case=case,
            kind=info.kind,
            number=number,
            series=series,
            version=version,
            supersedes=supersedes,
            reason=reason[:200],
            fields=snapshot,
            confirmation=confirmation,
            issued_by=_staff_of(actor),
            event=event,
        )
        transaction.on_commit(lambda: _render_later(document.pk))
    return document


def _render_later(pk: int) -> None:
    from .tasks import render_document

    try:
        render_document(pk)
    except Exception:  # the download renders it; a failed job must not break the request
        logger.exception("文书 %s 生成失败，将在下载时重试", pk)


def _can_issue(actor: Actor, case: Case) -> None:
    if not case_roles(actor, case) & ISSUERS:
        raise TransitionRefused("只有本办件的帮办代办员或协调员可以出具文书", "forbidden")


def current_version(case: Case, kind: str) -> CaseDocument | None:
    """The newest version of the newest series of this kind on the case."""
    return (
        CaseDocument.objects.filter(case=case, kind=kind, superseded_by__isnull=True)
        .order_by("-id")
        .first()
    )


def _lock(case: Case) -> Case:
    # The case row first, then the number counter: the same order as a transition, so two
    # writers never wait on each other in opposite orders.
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("site", "client")
        .get(pk=case.pk)
    )


def _record_on_timeline(case: Case, actor: Actor, document: CaseDocument, text: str) -> None:
    event = case_services.case_transition(
        case=case, event="note", actor=actor, text=text, document=document.number
    )
    CaseDocument.objects.filter(pk=document.pk, event__isnull=True).update(event=event)
    document.event = event


def document_issue_on_demand(
    *, case: Case, kind: str, actor: Actor, confirmation=None, reason: str = ""
) -> CaseDocument:
    """Issue a form signed before any event; a second issue is a new version of the first.

    Recorded on the timeline as a ``note`` ("出具《…》 编号 …") whose details name the number.
    """
    info = KINDS[Kind(kind)]
    if not info.on_demand:
        raise TransitionRefused(f"《{info.label}》随办件操作出具，不能单独出具")
    if info.kind in PER_ITEM:
        raise TransitionRefused(f"《{info.label}》按事项出具，请在办件的“一表申请”页出具")
    _can_issue(actor, case)
    with transaction.atomic():
        locked = _lock(case)
        previous = current_version(locked, info.kind)
        document = document_issue(
            case=locked,
            kind=info.kind,
            actor=actor,
            supersedes=previous,
            reason=reason or ("重新出具" if previous else ""),
            confirmation=confirmation,
        )
        text = f"出具《{document.label}》，编号 {document.number}"
        if previous:
            text += f"（第 {document.version} 版，替代 {previous.number}）"
        if reason:
            text += f"：{reason}"
        _record_on_timeline(case, actor, document, text)
    return document


def document_correct(*, document: CaseDocument, actor: Actor, reason: str) -> CaseDocument:
    """A correction: a new version of the same series that references the old one.

    The old version stays exactly as it was (record, PDF and digest). The new one is filled
    again from the case; what the issuing event decided (reasons, dates, materials listed)
    is kept. A signature belongs to the version it was given for, so the corrected version
    is printed for signing again.
    """
    reason = reason.strip()
    if not reason:
        raise TransitionRefused("更正文书须填写更正原因")
    case = document.case
    _can_issue(actor, case)
    with transaction.atomic():
        locked = _lock(case)
        latest = CaseDocument.objects.select_for_update().get(pk=document.pk)
        if CaseDocument.objects.filter(supersedes=latest).exists():
            raise TransitionRefused("该文书已有更新的版本，请更正最新版本")
        new = document_issue(
            case=locked, kind=latest.kind, actor=actor, supersedes=latest, reason=reason
        )
        _record_on_timeline(
            case,
            actor,
            new,
            f"更正《{new.label}》，出具第 {new.version} 版 {new.number}，"
            f"替代 {latest.number}；更正原因：{reason}",
        )
    return new
