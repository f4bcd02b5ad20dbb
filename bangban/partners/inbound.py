"""A department's system reports progress on a filed item: signed, once, through the write path.

``authenticate`` checks who is calling (``X-Bangban-Partner``), the signature and its
timestamp (``signing.verify``) and that this exact request was not accepted before
(``SeenSignature``: a replay inside the window is refused; outside it the timestamp is
expired anyway). ``report_progress`` then moves the case item exactly as the liaison
would, with ``case_transition`` (event ``department_step``) as the partner
(``Actor.of_partner``: the timeline names it), once per report id: the same report again
answers what the first did and moves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from bangban.cases.access import Actor, get_case_for
from bangban.cases.models import CaseItem, ItemStatus
from bangban.cases.services import case_transition

from . import signing
from .models import Partner, ProgressReport, Scope, SeenSignature

# What a department's system reports -> the department_step's status (cases/details.py)
STATUSES = {
    "received": ItemStatus.RECEIVED,
    "in_progress": ItemStatus.IN_PROGRESS,
    "need_more": ItemStatus.NEEDS_MORE,
    "approved": ItemStatus.APPROVED,
    "refused": ItemStatus.DENIED,
    "result_issued": ItemStatus.APPROVED,  # with the result number
}
STATUS_LABELS = {
    "received": "部门已收件",
    "in_progress": "部门办理中",
    "need_more": "部门要求补充材料",
    "approved": "准予许可",
    "refused": "不予许可",
    "result_issued": "已出证（附结果编号）",
}


class ReportInvalid(Exception):
    """A report that passed the schema but names something wrong; ``field`` and message."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class NotPermitted(Exception):
    """The partner is known and signed, but lacks the scope for this."""


def authenticate(
    *, code: str | None, timestamp: str | None, signed: str | None, body: bytes
) -> Partner:
    """The active partner that signed this request, now and for the first time.

    Raises ``signing.SignatureRefused`` (401) otherwise. Call inside the transaction of
    what the request does: the signature is remembered only if that commits.
    """
    partner = Partner.objects.filter(code=(code or "").strip(), is_active=True).first()
    if partner is None or not partner.secret_cipher:
        raise signing.SignatureRefused(
            "unknown_partner", "未知或已停用的对接系统（X-Bangban-Partner）"
        )
    seen = signing.verify(secret=partner.secret, timestamp=timestamp, signed=signed, body=body)
    now = timezone.now()
    SeenSignature.objects.filter(at__lt=now - timedelta(seconds=2 * signing.WINDOW)).delete()
    try:
        with transaction.atomic():
            SeenSignature.objects.create(partner=partner, signature=seen, at=now)
    except IntegrityError:
        raise signing.SignatureRefused(
            "replayed", "重复的请求（同一签名已使用过），请重新签名后再发"
        ) from None
    return partner


@dataclass(frozen=True)
class Outcome:
    report: ProgressReport
    duplicate: bool


def report_progress(
    partner: Partner,
    *,
    report_id: str,
    case_number: str,
    status: str,
    result: str | None = None,
    case_item_id: int | None = None,
) -> Outcome:
    """Move the case item as reported; once per ``report_id`` of this partner."""
    if not partner.has_scope(Scope.PROGRESS):
        raise NotPermitted("该对接系统没有上报办理进度的权限")
    earlier = _earlier(partner, report_id)
    if earlier is not None:
        return Outcome(earlier, duplicate=True)
    if status == "result_issued" and not (result or "").strip():
        raise ReportInvalid("result", "出证时须填写结果编号（result）")
    actor = Actor.of_partner(partner)
    case = get_case_for(actor, case_number)  # 404 for a case not at the partner's sites
    item = _item(case, partner, case_item_id)
    try:
        with transaction.atomic():
            record = case_transition(
                case=case,
                event="department_step",
                actor=actor,
                case_item_id=item.pk,
                status=str(STATUSES[status]),
                result=(result or "").strip() or None,
            )
            report = ProgressReport.objects.create(
                partner=partner,
                report_id=report_id,
                case=case,
                event=record,
                status=status,
                received_at=timezone.now(),
            )
    except IntegrityError:  # the same report, at the same moment, from a second request
        earlier = _earlier(partner, report_id)
        if earlier is None:
            raise
        return Outcome(earlier, duplicate=True)
    return Outcome(report, duplicate=False)


def _earlier(partner: Partner, report_id: str) -> ProgressReport | None:
    return (
        ProgressReport.objects.select_related("case", "event")
        .filter(partner=partner, report_id=report_id)
        .first()
    )


def _item(case, partner: Partner, case_item_id: int | None) -> CaseItem:
    items = case.items.exclude(status=ItemStatus.PENDING)
    if partner.department_id:
        items = items.filter(department_id=partner.department_id)
    if case_item_id is not None:
        found = case.items.filter(pk=case_item_id).first()
        if found is None:
            raise ReportInvalid("case_item_id", "该办件中没有这个事项")
        return found
    found_items = list(items[:2])
    if len(found_items) == 1:
        return found_items[0]
    if not found_items:
        raise ReportInvalid("case_item_id", "该办件没有已向本部门报件的事项")
    raise ReportInvalid("case_item_id", "该办件有多个已报件事项，请用 case_item_id 指明")
