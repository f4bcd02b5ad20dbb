"""Credit along the path: which site did which step of the cases it handled.

A case relayed village → town → county is one case, but each site on its path did part
of the work. Every step is an event, and ``CaseEvent.site`` records the site that owned
the case when it happened, so each site is credited for the steps it did, counted from
the events (not from the case's current site): received the application (提交申请),
pre-reviewed the materials (预审), accepted (受理), relayed on (移交), completed (办结).

Per site: the cases for which that site did the step, each counted on the day the site
*first* did it for that case (a step done twice for a case, such as two pre-reviews, counts
once, on the first one's day). For a region (a site with everything below it): the cases
that had the step done by any of its sites, each once, on the day the case first had it
done anywhere in the region, so a case pre-reviewed by both the village and the town
counts once in the county's total. A count on the first day adds up over days, so the
daily roll-up answers it (``DailyPathStep``); a case whose first pre-review fell before the
period is not counted again for a second one inside it.

From the roll-up when it answers the scope (``rollup.split``: not with an item, category,
channel or service-type filter), one query over its rows; otherwise, and for the days it
does not hold yet, two grouped queries over the period's events (the (site, at) index
serves them). With an agent: the steps whose first time that agent did. Only reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, Sum

from bangban.cases.models import CaseEvent
from bangban.network.models import Site

from ..models import DailyPathStep
from . import rollup
from .definitions import PATH_EVENTS, Period, Scope, _site_filter, done_before, scoped_cases

STEP_LABELS = {
    "received": "接收申请",
    "pre_reviewed": "预审",
    "accepted": "受理",
    "relayed": "移交上级或其他机构",
    "completed": "办结",
}
# (event, code, label), in the order of the path (the events: ``definitions.PATH_EVENTS``)
STEPS = tuple((event, code, STEP_LABELS[code]) for event, code in PATH_EVENTS.items())
DEFINITION = (
    "统计口径：按办件时间线上每个环节发生时办件所在的机构计，移交后各环节仍计在办理该环节的"
    "机构：接收申请（提交申请）、预审、受理、移交、办结。每个机构按办件计数，计在该机构首次"
    "办理该环节的日期（同一办件同一环节多次只计1件，首次办理在统计期之前的不再计入）；区域"
    "合计按办件去重，计在区域内首次办理该环节的日期，同一办件在区域内多个机构办理同一环节只计"
    "1件。按帮办代办员统计时，计首次办理该环节的人员。"
)


@dataclass
class SiteSteps:
    site: Site
    counts: dict[str, int]


def _events(scope: Scope):
    """The period's step events at the scope's sites, of cases the person may see."""
    start, end = scope.period.bounds()
    events = CaseEvent.objects.filter(event__in=list(PATH_EVENTS), at__gte=start, at__lt=end)
    events = _site_filter(events, scope)
    # which cases: the person's, narrowed by item, channel …; wherever they are now
    cases = scoped_cases(scope.narrowed(site=None, agent_id=None))
    return events.filter(case__in=cases.values("pk"))


def _columns() -> dict:
    return {code: Count("pk", filter=Q(event=event)) for event, code, _ in STEPS}


def _by_agent(events, scope: Scope):
    """Who did it first (the first time is found among everyone's events, then kept)."""
    return events.filter(actor_staff_id=scope.agent_id) if scope.agent_id else events


def _live(scope: Scope) -> tuple[dict[str, int], dict[int, dict[str, int]]]:
    """Counted from the events: (the region's totals, {site id: counts}); two queries."""
    events = _events(scope)
    # each (case, step, site) once: the site's first such event
    first_here = _by_agent(events.exclude(done_before(site_id=OuterRef("site_id"))), scope)
    rows = first_here.order_by().values("site_id").annotate(**_columns())
    by_site = {row.pop("site_id"): row for row in rows}
    if scope.site is not None and not scope.rollup:
        region = by_site.get(scope.site.pk, {})  # the site alone is its own region
    else:
        # each (case, step) once: the region's first such event
        where = {} if scope.site is None else {"site__path__startswith": scope.site.path}
        region = _by_agent(events.exclude(done_before(**where)), scope).aggregate(**_columns())
    return {code: region.get(code) or 0 for _, code, _ in STEPS}, by_site


def _rolled(scope: Scope, period: Period) -> tuple[dict[str, int], dict[int, dict[str, int]]]:
    """The same from ``DailyPathStep`` over the rolled days: one query (none while the
    roll-up's generation is unchanged: ``rollup.remembered``)."""

    def read() -> tuple[dict[str, int], dict[int, dict[str, int]]]:
        depth = rollup.depth(scope.site)
        rows = (
            rollup._figures(scope, period, DailyPathStep)
            .order_by()
            .values("site_id", "step")
            .annotate(n=Sum("count"), first=Sum("count", filter=Q(region_depth__lte=depth)))
        )
        totals = dict.fromkeys(PATH_EVENTS.values(), 0)
        by_site: dict[int, dict[str, int]] = {}
        for row in rows:
            by_site.setdefault(row["site_id"], dict.fromkeys(PATH_EVENTS.values(), 0))
            by_site[row["site_id"]][row["step"]] += row["n"]
            totals[row["step"]] += (row["first"] or 0) if scope.rollup else row["n"]
        return totals, by_site

    days = (period.start.isoformat(), period.end.isoformat())
    return rollup.remembered("path", (rollup.scope_key(scope), days), read)


def path_steps(scope: Scope) -> tuple[dict[str, int], list[SiteSteps]]:
    """(the region's totals, each case once; one row per site that did a step)."""
    rolled, live = rollup.split(scope, "cases")
    parts = ([_rolled(scope, rolled)] if rolled else []) + ([_live(live)] if live else [])
    totals = dict.fromkeys(PATH_EVENTS.values(), 0)
    by_site: dict[int, dict[str, int]] = {}
    for found, sites in parts:
        for code, n in found.items():
            totals[code] += n
        for site_id, counts in sites.items():
            into = by_site.setdefault(site_id, dict.fromkeys(PATH_EVENTS.values(), 0))
            for code, n in counts.items():
                into[code] += n or 0
    shown = [k for k, counts in by_site.items() if k is not None and any(counts.values())]
    sites = Site.objects.filter(pk__in=shown).order_by("path") if shown else []
    return totals, [SiteSteps(site, by_site[site.pk]) for site in sites]
