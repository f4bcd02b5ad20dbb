"""Who may read remote help: the one place that decides.

- A session's record (chat, photos, outcome) is visible to whoever may see its case
  (``cases.access.visible_cases``) or its consultation
  (``consultations.selectors.visible_consultations``), and to its two parties. Anyone else
  gets 404 (``get_session_for``).
- The live queue of a staff member (``queue_for``): the requests ringing their own site
  (an agent), and every open request of the sites they cover (a coordinator).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from bangban.cases.access import Actor, visible_cases
from bangban.consultations.selectors import visible_consultations
from bangban.inputs import id_or_none
from bangban.network.models import under_q

from .models import OPEN, HelpRequest, HelpSession


def sessions_visible_to(actor: Actor | None) -> QuerySet[HelpSession]:
    """The session records this person may read (staff: see the module; a client: the
    sessions on their own cases; the system: all)."""
    sessions = HelpSession.objects.all()
    if actor is None:
        return sessions.none()
    if actor.kind == "system":
        return sessions
    if actor.kind == "client":
        return sessions.filter(case__client=actor.client)
    if actor.kind != "staff" or actor.staff is None or not actor.staff.is_active:
        return sessions.none()
    staff = actor.staff
    rule = Q(case__in=visible_cases(actor).values("pk"))
    rule |= Q(consultation__in=visible_consultations(staff).values("pk"))
    rule |= Q(expert=staff) | Q(request__asker_staff=staff)
    return sessions.filter(rule)


def get_session_for(actor: Actor | None, pk) -> HelpSession:
    pk = id_or_none(pk)
    session = (
        sessions_visible_to(actor)
        .select_related(
            "request", "request__site", "request__item", "expert", "case", "consultation"
        )
        .filter(pk=pk)
        .first()
        if pk is not None
        else None
    )
    if session is None:
        raise Http404("远程帮办记录不存在")
    return session


def queue_for(staff) -> QuerySet[HelpRequest]:
    """The open requests a staff member's queue shows, oldest first."""
    requests = HelpRequest.objects.filter(state__in=OPEN)
    if staff is None or not staff.is_active:
        return requests.none()
    rules = Q(pk__in=[])
    if staff.is_agent:
        rules |= Q(ring_site_id=staff.site_id)
    if staff.is_coordinator:
        rules |= under_q(staff.covered_paths(), "site")
    return (
        requests.filter(rules)
        .select_related("site", "ring_site", "item", "case", "consultation")
        .order_by("asked_at", "id")
    )


def get_request_for_staff(staff, pk) -> HelpRequest:
    """An open request of the staff member's queue, or 404."""
    pk = id_or_none(pk)
    found = queue_for(staff).filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise Http404("求助不存在或已处理")
    return found
