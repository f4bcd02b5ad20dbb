"""What the client's case page and the track page both show, and how a browser reaches a
case it looked up.

``apply.py`` (the signed-in client's case page), ``track.py`` (查询 by number and phone)
and ``feedback.py`` (evaluating and complaining) all use these; none of the three imports
another, so the portal's views form no import circle.
"""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone

from bangban.cases.delivery import shown as delivery_shown
from bangban.cases.selectors import (
    NOT_FOUND,
    client_case_by_mobile_hash,
    deadline_status,
    progress,
)
from bangban.cases.workflow import DELIVERY_METHODS, State
from bangban.documents.models import CaseDocument
from bangban.oversight.models import Evaluation, RectificationStatus
from bangban.workdays.services import current_calendar

from ..forms import EVALUATION_LEVELS
from ..identity import current_identity

TRACKED = "portal_tracked"
MAX_TRACKED = 10
EVALUABLE = {State.COMPLETED, State.DELIVERED, State.ARCHIVED, State.TERMINATED}


# --- reaching a case --------------------------------------------------------------------------


def remember(request, number: str, mobile_hash: str) -> None:
    """Keep (number → the proven phone's hash) for the last few cases looked up."""
    tracked = {n: h for n, h in request.session.get(TRACKED, {}).items() if n != number}
    tracked[number] = mobile_hash
    request.session[TRACKED] = dict(list(tracked.items())[-MAX_TRACKED:])


def tracked_case(request, number: str):
    """(actor, case) for a case this browser looked up, or one of the signed-in person's."""
    mobile_hash = request.session.get(TRACKED, {}).get(number)
    if mobile_hash:
        return client_case_by_mobile_hash(number, mobile_hash)
    identity = current_identity(request)
    if identity is not None:
        return client_case_by_mobile_hash(number, identity.mobile_hashes)
    raise Http404(NOT_FOUND)


# --- what the pages show ----------------------------------------------------------------------


def evaluation_of(case) -> Evaluation | None:
    return (
        Evaluation.objects.filter(case=case, service_type=case.service_type)
        .select_related("rectification")
        .first()
    )


def feedback_context(case) -> dict:
    """For the case and track pages: may it be rated, and what came of a rating."""
    evaluation = evaluation_of(case)
    rectification = getattr(evaluation, "rectification", None) if evaluation else None
    return {
        "evaluable": case.state in EVALUABLE and evaluation is None,
        "evaluation": evaluation,
        "rectification": rectification,
        "may_rate_fix": rectification is not None
        and rectification.status == RectificationStatus.AWAITING_RATING,
        "fix_levels": EVALUATION_LEVELS,
    }


def documents_of(case) -> list:
    """The case's issued documents, newest version of each."""
    documents = list(
        CaseDocument.objects.filter(case=case)
        .only("number", "kind", "version", "fields", "issued_at", "supersedes_id")
        .order_by("issued_at", "id")
    )
    superseded = {d.supersedes_id for d in documents if d.supersedes_id}
    return [d for d in documents if d.pk not in superseded]


def handed_over(case) -> dict | None:
    """How the result was delivered (the ``deliver`` event): the method's words and, for
    a posted result, the carrier and tracking number; personal values masked."""
    if not case.delivery_method:
        return None
    method = case.delivery_method
    return {
        "method": method,
        "method_label": DELIVERY_METHODS.get(method, method),  # type: ignore[call-overload]
        **delivery_shown(case.delivery),
    }


def case_context(case) -> dict:
    """What the client's case page and the track page both show."""
    today_status, left = deadline_status(case, timezone.localdate(), current_calendar())
    return {
        "handed_over": handed_over(case),
        "progress": progress(case),
        "deadline": {"status": today_status, "left": left},
        "documents": documents_of(case),
        **feedback_context(case),
    }
