"""Credit along the path: which site did which step of the cases it handled.

A case relayed village → town → county is one case, but each site on its path did part
of the work. Every step is an event, and ``CaseEvent.site`` records the site that owned
the case when it happened, so each site is credited for the steps it did, counted from
the events (not from the case's current site): received the application (提交申请),
pre-reviewed the materials (预审), accepted (受理), relayed on (移交), completed (办结).

Per site: the cases for which that site did the step in the period (a step done twice
for a case, such as two pre-reviews, counts once). For a region (a site with everything
below it): the cases for which any of its sites did the step, each case once, so a case
pre-reviewed by both the village and the town counts once in the county's total.

Two grouped queries over the period's events (the (site, at) index serves them), whatever
the number of cases. Only reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from bangban.cases.models import CaseEvent
from bangban.network.models import Site

from .definitions import Scope, _site_filter, scoped_cases

STEPS = (
    ("submit", "received", "接收申请"),
    ("pre_review", "pre_reviewed", "预审"),
    ("accept", "accepted", "受理"),
    ("relay_out", "relayed", "移交上级或其他机构"),
    ("complete", "completed", "办结"),
)
STEP_LABELS = {code: label for _, code, label in STEPS}
DEFINITION = (
    "统计口径：按办件时间线上每个环节发生时办件所在的机构计，移交后各环节仍计在办理该环节的"
    "机构：接收申请（提交申请）、预审、受理、移交、办结。每个机构按办件计数（同一办件同一环节"
    "多次只计1件）；区域合计按办件去重，同一办件在区域内多个机构办理同一环节只计1件。"
)


@dataclass
class SiteSteps:
    site: Site
    counts: dict[str, int]


def _events(scope: Scope):
    """The period's step events at the scope's sites, of cases the person may see."""
    start, end = scope.period.bounds()
    events = CaseEvent.objects.filter(
        event__in=[event for event, _, _ in STEPS], at__gte=start, at__lt=end
    )
    events = _site_filter(events, scope)
    # which cases: the person's, narrowed by item, channel …; wherever they are now
    cases = scoped_cases(scope.narrowed(site=None, agent_id=None))
    events = events.filter(case__in=cases.values("pk"))
    if scope.agent_id:
        events = events.filter(actor_staff_id=scope.agent_id)
    return events


def _columns() -> dict:
    return {
        code: Count("case_id", filter=Q(event=event), distinct=True) for event, code, _ in STEPS
    }


def path_steps(scope: Scope) -> tuple[dict[str, int], list[SiteSteps]]:
    """(the region's totals, each case once; one row per site that did a step)."""
    events = _events(scope)
    totals = events.order_by().aggregate(**_columns())
    rows = events.order_by().values("site_id").annotate(**_columns())
    by_site = {row.pop("site_id"): row for row in rows}
    sites = Site.objects.filter(pk__in=[k for k in by_site if k is not None]).order_by("path")
    return (
        {code: totals.get(code) or 0 for _, code, _ in STEPS},
        [SiteSteps(site, by_site[site.pk]) for site in sites],
    )
