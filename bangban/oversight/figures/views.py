"""Oversight pages: the dashboard, breakdowns, the lists behind every number, disclosure.

Staff only (login required). Every case-based figure and list starts from
``visible_cases`` (through ``metrics.Scope``); a site outside a person's oversight is 404.
They only read: the figures job (``jobs.py``) keeps what they count up to date.
"""

from __future__ import annotations

import time
from datetime import date
from functools import wraps

from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404
from django.shortcuts import render

from bangban.cases.models import Channel
from bangban.cases.surge import Surge
from bangban.catalogue.models import ItemCategory
from bangban.inputs import MAX_ID, date_or_none, int_or_none
from bangban.network.models import Site, under_q

from ..access import oversees_site, staff_required
from ..records.policy import policy_for, targets
from ..records.views import PAGE_SIZE
from . import dashboard, metrics, path, published, remote_help, rollup
from .disclosure import incomplete_items, missing_five_public, site_disclosures
from .filters import PRESETS, query_of, scope_from
from .metrics import METRICS, VOLUMES, Rate


def counting(view):
    """A page of figures: every figure on it reads the roll-up's reach once (it writes
    nothing: what it counts is the figures job's)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        with rollup.reading():
            return view(*args, **kwargs)

    return wrapper


def _breadcrumbs(staff, site: Site) -> list[Site]:
    """The site's ancestors this person oversees, top first (one query)."""
    ids = [int(i) for i in site.path.strip("/").split("/") if i]
    sites = {s.pk: s for s in Site.objects.filter(pk__in=ids)}
    return [sites[i] for i in ids if i in sites and oversees_site(staff, sites[i])]


def _common(request, staff, scope, extra) -> dict:
    return {
        "scope": scope,
        "query": query_of(scope),
        "presets": PRESETS,
        "preset": extra["preset"],
        "roots": extra["roots"],
        "breadcrumbs": _breadcrumbs(staff, scope.site),
        "channels": Channel.choices,
        "categories": ItemCategory.objects.order_by("position", "code"),
        "staff": staff,
    }


def _surges(scope, staff) -> list:
    """The surge periods (cases.surge, issue 19) of the scope's sites overlapping its period."""
    paths = [scope.site.path] if scope.site is not None else staff.jurisdiction_paths()
    return list(
        Surge.objects.filter(
            under_q(paths, "site"),
            starts_on__lte=scope.period.end,
            ends_on__gte=scope.period.start,
        )
        .filter(ends_on__gte=F("starts_on"))  # not one cancelled before its first day
        .select_related("site")
        .order_by("-starts_on", "-pk")[:20]
    )


@staff_required
@counting
def dashboard_page(request, staff):
    started = time.perf_counter()
    scope, extra = scope_from(request, staff)
    children = dashboard.children_of(scope.site, scope.rollup)
    summary: dict = {}
    disclosed = site_disclosures(scope)  # once, for the card and the units' column
    figures = dashboard.figures(scope, summary=summary, disclosed=disclosed)
    units = dashboard.unit_rows(scope, children, disclosed=disclosed)
    trends = dashboard.trends(scope)
    rank_code = request.GET.get("rank", "on_time")
    rank_code = rank_code if rank_code in dashboard.RANK_CODES else "on_time"
    ranked = dashboard.ranked(units, rank_code)
    goal = {f.code: f.target for f in figures}
    reasons = metrics.reasons(scope)  # both panels: one query from the roll-up
    chart = {
        "months": [f"{m:%Y-%m}" for m in trends["months"]],
        "trends": [
            {
                "code": code,
                "name": dashboard.LABELS[code],
                "values": [r.value for r in trends["series"][code]],
                "target": goal.get(code),
            }
            for code in dashboard.TREND_CODES
        ],
        "rank": {
            "code": rank_code,
            "name": dashboard.LABELS[rank_code],
            "target": goal.get(rank_code),
            "units": [
                (u.site.name + ("（本级）" if u.own_only and children else ""))
                for u in ranked
                if u.rates[rank_code].value is not None
            ],
            "values": [
                u.rates[rank_code].value for u in ranked if u.rates[rank_code].value is not None
            ],
        },
    }
    context = _common(request, staff, scope, extra) | {
        "figures": figures,
        "units": ranked,
        "children": children,
        "rank_code": rank_code,
        "rank_codes": [(c, dashboard.LABELS[c]) for c in dashboard.RANK_CODES],
        "unit_codes": [(c, dashboard.LABELS[c]) for c in dashboard.RANK_CODES + ["disclosure"]],
        "targets": goal,
        "handling_days": summary["handling_days"],
        "volumes": [(code, VOLUMES[code], n) for code, n in summary["volumes"].items()],
        "suspensions": reasons["suspension"],
        "terminations": reasons["termination"],
        "surges": _surges(scope, staff),  # one query
        "chart": chart,
        "trend_period": trends["period"],
        "definitions": [
            (dashboard.LABELS.get(c, "平均办理时长"), d) for c, d in dashboard.DEFINITIONS.items()
        ],
        "trend_rows": [
            (month, [t["values"][i] for t in chart["trends"]])
            for i, month in enumerate(chart["months"])
        ],
    }
    context["remote_help"] = remote_help.remote_help_figure(scope)  # one query (issue 17)
    # credit along the path: the steps each site on the cases' paths did (from the roll-up)
    path_totals, path_rows = path.path_steps(scope)
    site_results, staff_results = published.evaluation_results(scope.period, scope.site)
    context |= {
        "path_steps": [(code, label) for _, code, label in path.STEPS],
        "path_totals": path_totals,
        "path_rows": path_rows,
        "path_definition": path.DEFINITION,
        "site_results": site_results,
        "staff_results": staff_results,
        "levels": published.LEVELS,
        "published_definition": published.DEFINITION,
    }
    context["definitions"] += [
        ("各环节办件（按机构）", path.DEFINITION),
        ("服务评价结果公开", published.DEFINITION),
    ]
    context["elapsed_ms"] = round((time.perf_counter() - started) * 1000)
    return render(request, "oversight/dashboard.html", context)


BREAKDOWNS = {k: v for k, v in metrics.DIMENSIONS.items() if k != "unit"}


@staff_required
@counting
def breakdown_page(request, staff, by):
    if by not in BREAKDOWNS:
        raise Http404("没有这种分项统计")
    scope, extra = scope_from(request, staff)
    codes = [c for c in dashboard.CARD_CODES if c != "disclosure"]
    keys, data = dashboard.group_table(scope, by, codes)
    labels = dashboard.key_labels(by, keys)
    goal = {k: float(v) for k, v in targets(policy_for(scope.site)).items()}
    rows = [
        {
            "key": key,
            "label": labels.get(key, "（未指定）" if key is None else str(key)),
            "cells": [(code, data["rates"][code].get(key, metrics.Rate(0, 0))) for code in codes],
            "days": data["days"].get(key) if isinstance(data["days"], dict) else None,
            "key_param": ""
            if key is None
            else (key.isoformat() if hasattr(key, "isoformat") else str(key)),
        }
        for key in keys
    ]
    context = _common(request, staff, scope, extra) | {
        "by": by,
        "by_label": BREAKDOWNS[by],
        "breakdowns": BREAKDOWNS,
        "codes": [(c, dashboard.LABELS[c]) for c in codes],
        "rows": rows,
        "targets": goal,
    }
    return render(request, "oversight/breakdown.html", context)


def _page(request, rows, count: int | None = None):
    paginator = Paginator(rows, PAGE_SIZE)
    if count is not None:
        paginator.count = count  # known already: no second count of a year of rows
    return paginator.get_page(request.GET.get("page"))


def _figure_count(code: str, scope, part: str, by: str, key, children) -> int | None:
    """How many rows a drill-down list holds, from its figure, when the daily roll-up
    answers that figure (a year's list would otherwise be counted row by row again).

    The list and the figure are the same population and condition (``metrics``), so the
    count is the figure's total, met or missed; None: let the list count itself.
    """
    m = METRICS[code]
    if key in (None, ""):
        by = ""
    if rollup.split(scope, m.source, by)[0] is None:
        return None
    if by == "month":
        try:
            key = date.fromisoformat(str(key)[:10]).replace(day=1)
        except ValueError:
            return None
    elif by and not isinstance(key, int):
        return None
    if by:
        rate = metrics.rates_by([code], scope, by, children)[code].get(key, Rate(0, 0))
    else:
        rate = metrics.rate(code, scope)
    return {"all": rate.total, "met": rate.met, "missed": rate.missed}[part]


LIST_TEMPLATES = {
    "cases": "oversight/list_cases.html",
    "evaluations": "oversight/list_evaluations.html",
    "consultations": "oversight/list_consultations.html",
    "complaints": "oversight/list_complaints.html",
}
PARTS = {"all": "全部", "met": "达标", "missed": "未达标"}


def _with_relations(source: str, rows):
    if source == "cases":
        return rows.select_related("site", "agent").order_by("-created_at", "-id")
    if source == "evaluations":
        return rows.select_related("case", "site", "agent", "rectification").order_by(
            "-created_at", "-id"
        )
    if source == "consultations":
        return rows.select_related("site", "handled_by").order_by("-created_at", "-id")
    return rows.select_related("site", "assigned_to").order_by("-received_at", "-id")


def _group_key(by: str, key: str):
    """The group a drill-down list is narrowed to; a key that cannot name one is ignored."""
    key = key.strip()
    if not by or not key:
        return ""
    if by == "month":
        month = date_or_none(key[:10])
        return month.replace(day=1).isoformat() if month else ""
    if key.isdigit():
        number = int_or_none(key, low=0, high=MAX_ID)
        return "" if number is None else number
    return key


@staff_required
@counting
def metric_list(request, staff, code):
    """The rows behind a figure, filtered exactly as the figure was."""
    if code not in METRICS:
        raise Http404("没有这项指标")
    m = METRICS[code]
    scope, extra = scope_from(request, staff)
    part = request.GET.get("part", "all")
    part = part if part in PARTS else "all"
    by = request.GET.get("by", "")
    by = by if by in metrics.DIMENSIONS else ""
    key = _group_key(by, request.GET.get("key", ""))
    children = dashboard.children_of(scope.site, scope.rollup) if by == "unit" else ()
    rows = metrics.drill_rows(code, scope, part, by, key, children)
    count = _figure_count(code, scope, part, by, key, children)
    page = _page(request, _with_relations(m.source, rows), count)
    part_label = {"met": m.met_label, "missed": m.missed_label}.get(part, "全部")
    context = _common(request, staff, scope, extra) | {
        "title": f"{m.label}：{part_label}",
        "metric": m,
        "page": page,
        "part": part,
        "parts": [("all", "全部"), ("met", m.met_label), ("missed", m.missed_label)],
        "list_query": query_of(scope, by=by, key=key if by else ""),
        "definition": m.definition,
    }
    return render(request, LIST_TEMPLATES[m.source], context)


@staff_required
@counting
def volume_list(request, staff, code):
    if code not in VOLUMES:
        raise Http404("没有这项统计")
    scope, extra = scope_from(request, staff)
    rows = metrics.volume_rows(code, scope)
    page = _page(request, _with_relations("cases", rows))
    context = _common(request, staff, scope, extra) | {
        "title": VOLUMES[code],
        "page": page,
        "list_query": query_of(scope),
    }
    return render(request, "oversight/list_cases.html", context)


@staff_required
@counting
def reason_list(request, staff, kind, reason):
    if kind not in ("suspension", "termination"):
        raise Http404("没有这种原因统计")
    scope, extra = scope_from(request, staff)
    rows = metrics.reason_rows(kind, reason, scope)
    from bangban.cases.workflow import SUSPENSION_REASONS, TERMINATION_REASONS

    labels = SUSPENSION_REASONS if kind == "suspension" else TERMINATION_REASONS
    title = ("中止" if kind == "suspension" else "终止") + "原因：" + labels.get(reason, reason)
    context = _common(request, staff, scope, extra) | {
        "title": title,
        "page": _page(request, _with_relations("cases", rows)),
        "list_query": query_of(scope),
    }
    return render(request, "oversight/list_cases.html", context)


@staff_required
@counting
def disclosure_page(request, staff):
    scope, extra = scope_from(request, staff)
    rows = site_disclosures(scope)
    focus = None
    if request.GET.get("focus"):
        site = next((r.site for r in rows if str(r.site.pk) == request.GET["focus"]), None)
        if site is not None:
            focus = {
                "site": site,
                "missing": missing_five_public(site),
                "items": list(incomplete_items(site)),
            }
            from .disclosure import missing_guide_fields

            for item in focus["items"]:
                item.missing = missing_guide_fields(item.current_version)
    context = _common(request, staff, scope, extra) | {
        "rows": rows,
        "focus": focus,
        "definition": dashboard.DEFINITIONS["disclosure"],
    }
    return render(request, "oversight/disclosure.html", context)
