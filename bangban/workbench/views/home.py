"""The workbench home: what to do next, by role (seed 000 §7.3; seed 003 第八条、第十五条).

An agent sees their own open cases by time left, what waits for their site (new
applications, hand-overs, supplements), today's appointments and their home visits, the
bad reviews, complaints and return visits they must answer, the cases their site relayed
on, and the consultations they owe an answer; a coordinator the unassigned cases, the
near and past due across the sites they cover and unanswered expedite requests; a
liaison the items of their department with each one's age and due date, and its expedite
requests; a supervisor the headline counts of what it oversees and the inspections still
open; an administrator the calendar years not yet entered and the staff without training.
A person with several roles sees each part in turn.
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from bangban.cases.access import get_case_for
from bangban.workdays.services import calendar_warnings, current_calendar

from .. import elsewhere
from .. import selectors as s
from ..auth import staff_required
from ..navigation import may_use_admin
from ..versions import CACHE_SECONDS, cache_key

LIMIT = s.HOME_LIMIT


def _capped(queryset):
    """The first LIMIT rows and whether there are more, in one query."""
    found = list(queryset[: LIMIT + 1])
    return found[:LIMIT], len(found) > LIMIT


# --- the panels of cases, cached ----------------------------------------------------------


def _fragment(template: str, context: dict) -> str:
    return render_to_string(f"workbench/home/{template}.html", context)


def _agent_panels(actor, staff, today, calendar) -> dict[str, str]:
    mine, more_mine = _capped(s.my_cases(actor))
    agent = {
        "mine": s.rows(mine, today, calendar, by_time_left=True),
        "more_mine": more_mine,
        "new": s.rows(_capped(s.new_applications(actor))[0], today, calendar),
        "relays": s.rows(_capped(s.relays_waiting(actor))[0], today, calendar),
        "supplements": _capped(s.supplements_due(actor))[0],
        "visits": [
            row for row in s.rows(mine, today, calendar) if row.case.channel == "home_visit"
        ],
        "relayed_out": s.relayed_out(actor, today, calendar),
    }
    context = {"agent": agent, "staff": staff, "today": today}
    return {
        "mine": _fragment("agent_mine", context),
        "queues": _fragment("agent_queues", context),
        "supplements": _fragment("agent_supplements", context),
        "visit_cases": _fragment("agent_visit_cases", context),
        "relayed": _fragment("relayed", context),
    }


def _coordinator_panels(actor, staff, today, calendar) -> dict[str, str]:
    covered = list(s.covered_sites(staff))
    coordinator = {
        "roots": staff.covered_roots(),
        "covered": covered,
        "unassigned": s.rows(_capped(s.unassigned(actor))[0], today, calendar),
        "urgent": s.near_or_past_due(actor, today, calendar),
        "expedites": _capped(s.open_expedites(actor))[0],
        "relays": s.rows(_capped(s.relays_waiting(actor, covered))[0], today, calendar),
    }
    context = {"coordinator": coordinator, "staff": staff, "today": today}
    return {
        "urgent": _fragment("coordinator_urgent", context),
        "unassigned": _fragment("coordinator_unassigned", context),
        "expedites": _fragment("coordinator_expedites", context),
        "coordinator_relays": _fragment("coordinator_relays", context),
    }


def _cached_panels(actor, staff, today, calendar) -> dict[str, str]:
    """The agent's and the coordinator's panels of cases, rendered, from the cache when the
    versions in ``_panels_key`` have not moved since they were rendered."""
    if not (staff.is_agent or staff.is_coordinator):
        return {}
    key = cache_key("home", staff, today, calendar)
    panels = cache.get(key) if key else None
    if panels is None:
        panels = {}
        if staff.is_agent:
            panels |= _agent_panels(actor, staff, today, calendar)
        if staff.is_coordinator:
            panels |= _coordinator_panels(actor, staff, today, calendar)
        if key:
            cache.set(key, panels, CACHE_SECONDS)
    return {name: mark_safe(html) for name, html in panels.items()}  # noqa: S308 (rendered)


@staff_required
def home(request):
    actor, staff = request.actor, request.staff
    today = timezone.localdate()
    calendar = current_calendar()
    context = {
        "today": today,
        "staff": staff,
        "nav": "home",
        "cached": _cached_panels(actor, staff, today, calendar),
    }
    # the panels fed by other areas (visits, oversight, consultations) are read fresh, those
    # with any row only (elsewhere.first_rows)
    lists = {}
    if staff.is_agent:
        lists |= {
            "appointments": elsewhere.appointments_today(staff, today),
            "home_visits": elsewhere.my_home_visits(staff, today),
            "rectifications": elsewhere.my_rectifications(staff),
            "complaints": elsewhere.my_complaints(staff),
            "return_visits": elsewhere.my_return_visits(staff, today),
        }
    if staff.is_coordinator:
        lists |= {
            "visit_requests": elsewhere.home_visits_to_schedule(staff),
            "return_visits_due": elsewhere.return_visits_due(staff, today),
            "commitments_due": elsewhere.commitments_due(staff, today),
        }
    if staff.is_agent or staff.is_coordinator or staff.is_liaison:
        lists["consultations"] = s.consultations_due(staff)
    rows = elsewhere.first_rows(staff, lists) if lists else {}
    if staff.is_agent:
        agent_lists = ("appointments", "home_visits", "rectifications", "complaints")
        context["agent"] = {name: rows[name] for name in (*agent_lists, "return_visits")}
    if staff.is_coordinator:
        context["coordinator"] = {
            "visit_requests": rows["visit_requests"],
            "return_visits": rows["return_visits_due"],
            "commitments": rows["commitments_due"],
            "visit_requests_url": reverse("workbench:home-visits-manage"),
            "return_visits_url": reverse("oversight:visits"),
        }
    if staff.is_liaison and staff.department_id:
        context["liaison"] = {
            "expedites": _capped(s.open_expedites(actor, staff.department_id))[0],
            "items": s.aged_items(_capped(s.department_items(actor))[0], today, calendar),
        }
    if staff.is_supervisor:
        context["supervisor"] = {
            "overdue_cases": s.overdue_case_count(actor),
            "headline": elsewhere.oversight_headline(staff, today),
            "inspections": elsewhere.open_inspections(staff, today),
        }
    if staff.is_administrator:
        untrained, more_untrained = _capped(s.untrained_staff(staff))
        context["administrator"] = {
            "calendar_warnings": calendar_warnings(today),
            "untrained": untrained,
            "more_untrained": more_untrained,
            "may_use_admin": may_use_admin(request.user),
        }
    if "consultations" in rows:
        context["consultations"] = rows["consultations"]
    return render(request, "workbench/home.html", context)


@staff_required
def go(request):
    """Jump to a case by its number (the box at the top of every workbench page)."""
    number = request.GET.get("number", "").strip().upper()[:40]
    if not number:
        return redirect("workbench:home")
    try:
        case = get_case_for(request.actor, number)
    except Http404:
        return render(request, "workbench/not_found.html", {"number": number}, status=404)
    return redirect("workbench:case", case.number)
