"""Who may do what to a bad-review rectification, in which status. The rule is written
here once: the services refuse what it does not allow, and the rectification page shows
a form for exactly the actions it allows.

  action    status                         who (an active staff member)
  decide    待确定处理方式 (deciding)         the owner, or whoever manages the site
  complete  限期整改中 (rectifying)           the owner, or whoever manages the site
  appeal    申诉复核中 (appealing)            whoever manages the site, never the owner
  rate      待服务对象评价整改                 whoever manages the site and did not handle
            (awaiting_rating)                the case (a coordinator's return visit); the
                                             client rates through the portal instead

"Manages the site": a coordinator covering it, a supervisor or administrator above it
(``access.can_manage``). ``rectification_actions(staff, r)`` is the set of actions open
to this person now; ``refusal(staff, r, action)`` says, in Chinese, why one is not.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..access import can_manage
from ..models import Rectification, RectificationStatus
from .evaluations import handled_case

DECIDE = "decide"
COMPLETE = "complete"
APPEAL = "appeal"
RATE = "rate"
ACTIONS = (DECIDE, COMPLETE, APPEAL, RATE)

STATUS_FOR = {
    DECIDE: RectificationStatus.DECIDING,
    COMPLETE: RectificationStatus.RECTIFYING,
    APPEAL: RectificationStatus.APPEALING,
    RATE: RectificationStatus.AWAITING_RATING,
}


@dataclass(frozen=True)
class Refusal:
    message: str
    code: str = "refused"


def rectification_actions(staff, rectification: Rectification) -> frozenset[str]:
    """The actions this staff member may take on the rectification now (at most one)."""
    return frozenset(
        action
        for action in ACTIONS
        if rectification.status == STATUS_FOR[action]
        and refusal(staff, rectification, action) is None
    )


def refusal(staff, rectification: Rectification, action: str) -> Refusal | None:
    """Why ``staff`` may not take ``action`` now, or None when they may.

    Decide and complete check the person first, appeal and rate the status first: a
    refusal names the first rule broken, in that order.
    """
    r = rectification
    if action in (DECIDE, COMPLETE):
        return _owner_or_manager(staff, r) or status_refusal(r, action)
    if action == APPEAL:
        return status_refusal(r, action) or _reviewer(staff, r)
    if action == RATE:
        return status_refusal(r, action) or _staff_rater(staff, r)
    raise ValueError(f"unknown rectification action: {action}")


def status_refusal(rectification: Rectification, action: str) -> Refusal | None:
    """Why the rectification's status does not allow ``action``, or None."""
    r = rectification
    if r.status == STATUS_FOR[action]:
        return None
    if action == DECIDE:
        return Refusal(f"整改当前为“{r.get_status_display()}”，不能确定处理方式")
    if action == COMPLETE:
        return Refusal("只有限期整改中的差评可以登记整改完成")
    if action == APPEAL:
        return Refusal("该差评没有待复核的申诉")
    return Refusal("该差评整改暂不需要评价")


def _owner_or_manager(staff, r: Rectification) -> Refusal | None:
    if staff is None or not staff.is_active:
        return Refusal("只有在岗工作人员可以办理差评整改", "forbidden")
    if r.owner_id == staff.pk or can_manage(staff, r.site):
        return None
    return Refusal("只有整改责任人或负责该机构的协调员可以办理", "forbidden")


def _reviewer(staff, r: Rectification) -> Refusal | None:
    if staff is None or staff.pk == r.owner_id or not can_manage(staff, r.site):
        return Refusal("申诉由负责该机构的监督人员或协调员复核，整改责任人不能复核", "forbidden")
    return None


def _staff_rater(staff, r: Rectification) -> Refusal | None:
    if not can_manage(staff, r.site) or handled_case(staff, r.case):
        return Refusal("整改评价由服务对象作出，或由未经办该办件的协调员回访录入")
    return None
