"""工作台账 and 工作日志 (seed 000 §7.3.1.2, §10.2.2: every case recorded, every step logged).

The ledger is ``cases.selectors.case_list`` — the cases this person may see, the same list
the API gives — narrowed by site, agent, item, state, service type, period and overdue
(read from the query string into ``CaseListFilters``), shown a page at a time with a keyset
on the case id (``newest``, as ``case_list`` orders) so the tenth page costs what the first
does, and exported to Excel with the same filters. The work log is ``cases.selectors.work_log``:
what one staff member did on one day, read from the case events, never kept by hand.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.cache import cache
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe

from bangban.cases.selectors import (
    CaseListFilters,
    case_list,
    event_label,
    state_label,
    work_log,
)
from bangban.cases.workflow import SERVICE_TYPE_LABELS, STATE_LABELS
from bangban.catalogue.models import ServiceItem
from bangban.inputs import date_or_none, id_or_none
from bangban.staff.models import StaffMember
from bangban.workdays.services import current_calendar

from .. import events as ev
from .. import selectors as s
from ..auth import staff_required
from ..excel import ledger_workbook
from ..versions import CACHE_SECONDS, cache_key

PAGE_SIZE = 50


def _date(value: str) -> date | None:
    return date_or_none(value)


def _id(value) -> int | None:
    return id_or_none(value)


def _choices(staff):
    sites = list(s.ledger_sites(staff))
    agents = list(
        StaffMember.objects.filter(site__in=sites, is_agent=True)
        .select_related("site")
        .order_by("site__path", "name")
    )
    items = list(
        ServiceItem.objects.filter(is_published=True).only("code", "name").order_by("code")
    )
    return sites, agents, items


def _filters(request, sites, agents, items):
    """(CaseListFilters, the chosen values for the form, the filters in words, errors)."""
    get = request.GET
    chosen = {
        "site": _id(get.get("site")),
        "agent": _id(get.get("agent")),
        "item": _id(get.get("item")),
        "state": get.get("state", "") if get.get("state", "") in STATE_LABELS else "",
        "service_type": get.get("service_type", "")
        if get.get("service_type", "") in SERVICE_TYPE_LABELS
        else "",
        "date_from": _date(get.get("date_from", "")),
        "date_to": _date(get.get("date_to", "")),
        "overdue": bool(get.get("overdue")),
    }
    errors = []
    for name, label in (("date_from", "起始日期"), ("date_to", "截止日期")):
        if get.get(name, "").strip() and chosen[name] is None:
            errors.append(f"{label}格式应为 年-月-日，如 2026-03-01")
    for name, label in (("site", "承办机构"), ("agent", "帮办代办员"), ("item", "事项")):
        if get.get(name, "").strip() and chosen[name] is None:
            errors.append(f"{label}选择有误，已忽略该条件，请从列表中重新选择")
    words = []
    names = {
        "site": {x.pk: x.name for x in sites},
        "agent": {x.pk: x.name for x in agents},
        "item": {x.pk: x.name for x in items},
    }
    for key, label in (("site", "承办机构"), ("agent", "帮办代办员"), ("item", "事项")):
        if chosen[key] is not None:
            words.append(f"{label}：{names[key].get(chosen[key], chosen[key])}")
    if chosen["state"]:
        words.append(f"状态：{STATE_LABELS[chosen['state']]}")
    if chosen["service_type"]:
        words.append(f"服务类型：{SERVICE_TYPE_LABELS[chosen['service_type']]}")
    if chosen["date_from"] or chosen["date_to"]:
        words.append(f"申请日期：{chosen['date_from'] or '…'} 至 {chosen['date_to'] or '…'}")
    if chosen["overdue"]:
        words.append("仅已超期")
    filters = CaseListFilters.of({**chosen, "overdue": chosen["overdue"] or None})
    return filters, chosen, words, errors


def _cursor(value: str) -> int | None:
    """The keyset cursor: the last case id of the page before (``case_list`` orders by it)."""
    return id_or_none(value)


def _ledger_parts(request, today, calendar) -> dict[str, str]:
    """The filter form and the page of results, rendered: one query for the choices' sites,
    agents and items each, one for the page of cases (with its next page's first row)."""
    sites, agents, items = _choices(request.staff)
    filters, chosen, words, errors = _filters(request, sites, agents, items)
    cases = case_list(request.actor, filters)
    after = _cursor(request.GET.get("after", ""))
    if after:
        cases = cases.filter(newest__lt=after)
    page = list(s.listed_columns(cases)[: PAGE_SIZE + 1])
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    query = request.GET.copy()
    query.pop("after", None)
    context = {
        "rows": s.rows(page, today, calendar),
        "next_cursor": page[-1].newest if more else None,
        "paged": bool(after),
        "query": query.urlencode(),
        "chosen": chosen,
        "words": words,
        "errors": errors,
        "sites": sites,
        "agents": agents,
        "items": items,
        "states": list(STATE_LABELS.items()),
        "service_types": list(SERVICE_TYPE_LABELS.items()),
        "page_size": PAGE_SIZE,
    }
    parts = {"results": render_to_string("workbench/ledger/_results.html", context)}
    if not request.htmx:
        parts["form"] = render_to_string("workbench/ledger/_form.html", context)
    return parts


@staff_required
def ledger_page(request):
    """The ledger, cached by the versions of every case it may list and the filters asked
    (``versions.cache_key``: the same key covers the choices' sites, agents and items,
    whose names are versioned by the ``names`` counter)."""
    today = timezone.localdate()
    calendar = current_calendar()
    asked = (request.GET.urlencode(), bool(request.htmx))
    key = cache_key("ledger", request.staff, today, calendar, *asked)
    parts = cache.get(key) if key else None
    if parts is None:
        parts = _ledger_parts(request, today, calendar)
        if key:
            cache.set(key, parts, CACHE_SECONDS)
    if request.htmx:
        return HttpResponse(parts["results"])
    context = {name: mark_safe(html) for name, html in parts.items()}  # noqa: S308 (rendered)
    return render(request, "workbench/ledger.html", {**context, "nav": "ledger"})


@staff_required
def ledger_export(request):
    sites, agents, items = _choices(request.staff)
    filters, _chosen, words, _errors = _filters(request, sites, agents, items)
    today = timezone.localdate()
    content = ledger_workbook(
        case_list(request.actor, filters), today=today, calendar=current_calendar(), filters=words
    )
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"工作台账-{today:%Y%m%d}.xlsx"
    )
    return response


def _log_people(staff):
    """Whose work log this person may read: their own; a coordinator's covered staff too."""
    if not staff.is_coordinator:
        return [staff]
    people = list(
        StaffMember.objects.filter(site__in=s.covered_sites(staff), is_active=True)
        .filter(Q(is_agent=True) | Q(pk=staff.pk))
        .select_related("site")
        .order_by("site__path", "name")
    )
    return people if any(p.pk == staff.pk for p in people) else [staff, *people]


@staff_required
def log_page(request):
    staff = request.staff
    day = _date(request.GET.get("day", "")) or timezone.localdate()
    people = _log_people(staff)
    wanted = _id(request.GET.get("staff")) or staff.pk
    person = next((p for p in people if p.pk == wanted), None)
    if person is None:
        raise Http404("无权查看该人员的工作日志")
    entries = list(work_log(person, day))
    for entry in entries:
        entry.label = event_label(entry.event)
        entry.from_label = state_label(entry.from_state)
        entry.to_label = state_label(entry.to_state)
        entry.lines = ev.describe(entry)
    return render(
        request,
        "workbench/log.html",
        {
            "day": day,
            "previous": day - timedelta(days=1),
            "next": day + timedelta(days=1),
            "is_today": day == timezone.localdate(),
            "person": person,
            "people": people,
            "entries": entries,
            "cases": len({e.case_id for e in entries}),
            "nav": "log",
        },
    )
