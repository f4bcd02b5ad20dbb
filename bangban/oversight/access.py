"""Who may see and act on oversight records, and who may open the oversight pages.

Shared by both halves of the area: the records (``records/``) and the figures that count
them (``figures/``) import this module; it imports neither.

Case-based numbers always start from ``bangban.cases.access.visible_cases``. Records that
belong to a site (complaints, inspections) follow the same jurisdiction as cases: an agent
its own site, a coordinator the sites it covers and everything below them, a supervisor
or administrator its site and everything below. Evaluations, rectifications and return
visits are about a case and are seen when the case is. What a person may not see is 404.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from bangban.cases.access import Actor, visible_cases
from bangban.inputs import id_or_none
from bangban.network.models import Site, under_q

from .models import Complaint, Evaluation, Inspection, Rectification, ReturnVisit


def staff_of(user):
    staff = getattr(user, "staff", None) if user.is_authenticated else None
    return staff if staff is not None and staff.is_active else None


def staff_required(view):
    """An oversight page: for staff in post only; the view gets the staff member."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        staff = staff_of(request.user)
        if staff is None:
            raise PermissionDenied("仅限在岗工作人员")
        return view(request, staff, *args, **kwargs)

    return wrapper


def site_paths(staff) -> list[str]:
    """Path prefixes of the sites this person oversees ([] for none): its jurisdiction
    (``StaffMember.jurisdiction_paths``), while on duty."""
    if staff is None or not staff.is_active:
        return []
    return staff.jurisdiction_paths()


def site_q(staff, field: str = "site") -> Q:
    """Rows of sites this person oversees; agents and liaisons: their own site exactly."""
    rule = under_q(site_paths(staff), field)
    if staff is not None and staff.is_active and (staff.is_agent or staff.is_liaison):
        rule |= Q(**{f"{field}_id": staff.site_id})
    return rule


def root_sites(staff) -> list[Site]:
    """The top sites a person's dashboard starts from (one for most people)."""
    if staff is None or not staff.is_active:
        return []
    roots: list[Site] = []
    if staff.is_supervisor or staff.is_administrator:
        roots.append(staff.site)
    roots += staff.covered_roots()
    if not roots:
        roots.append(staff.site)
    kept: list[Site] = []
    for root in sorted(roots, key=lambda s: len(s.path)):  # drop roots under another root
        if not any(root.path.startswith(k.path) for k in kept):
            kept.append(root)
    return kept


def oversees_site(staff, site: Site) -> bool:
    if staff is None or not staff.is_active:
        return False
    if any(site.path.startswith(p) for p in site_paths(staff)):
        return True
    return site.pk == staff.site_id


def get_site_for(staff, site_id) -> Site:
    site_id = id_or_none(site_id)
    site = Site.objects.filter(pk=site_id).first() if site_id else None
    if site is None or not oversees_site(staff, site):
        raise Http404("服务机构不存在")
    return site


def visible_evaluations(staff) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(case__in=visible_cases(Actor.of_staff(staff)).values("pk"))


def visible_rectifications(staff) -> QuerySet[Rectification]:
    if staff is None:
        return Rectification.objects.none()
    seen = visible_cases(Actor.of_staff(staff)).values("pk")
    return Rectification.objects.filter(Q(case__in=seen) | Q(owner=staff))


def visible_return_visits(staff) -> QuerySet[ReturnVisit]:
    if staff is None:
        return ReturnVisit.objects.none()
    return ReturnVisit.objects.filter(case__in=visible_cases(Actor.of_staff(staff)).values("pk"))


def visible_complaints(staff) -> QuerySet[Complaint]:
    if staff is None or not staff.is_active:
        return Complaint.objects.none()
    rules = Q(assigned_to=staff)
    if staff.is_supervisor or staff.is_administrator or staff.is_coordinator:
        rules |= site_q(staff)
    return Complaint.objects.filter(rules)


def visible_inspections(staff) -> QuerySet[Inspection]:
    if staff is None or not staff.is_active:
        return Inspection.objects.none()
    return Inspection.objects.filter(site_q(staff))


def can_manage(staff, site: Site) -> bool:
    """Coordinators covering the site, supervisors and administrators above it."""
    return any(site.path.startswith(p) for p in site_paths(staff))
