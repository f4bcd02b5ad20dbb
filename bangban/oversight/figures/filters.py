"""The dashboard's filters, read from the query string into a ``metrics.Scope``.

The same parameters drive the dashboard, the breakdowns, the drill-down lists and the
reports, so a number and the list behind it are always filtered the same way.
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from django.http import Http404
from django.utils import timezone

from bangban.cases.access import Actor
from bangban.cases.models import Channel
from bangban.inputs import date_or_none, id_or_none

from ..access import get_site_for, root_sites
from .metrics import Period, Scope

PRESETS = {
    "month": "本月",
    "last_month": "上月",
    "quarter": "本季度",
    "year": "本年",
    "12m": "近12个月",
}
FILTER_KEYS = (
    "site",
    "rollup",
    "preset",
    "start",
    "end",
    "agent",
    "item",
    "category",
    "channel",
    "service_type",
)


def preset_period(preset: str, today: date) -> Period:
    first = today.replace(day=1)
    if preset == "month":
        return Period(first, today)
    if preset == "last_month":
        end = first - timedelta(days=1)
        return Period(end.replace(day=1), end)
    if preset == "quarter":
        return Period(first.replace(month=(today.month - 1) // 3 * 3 + 1), today)
    if preset == "12m":
        start = first
        for _ in range(11):
            start = (start - timedelta(days=1)).replace(day=1)
        return Period(start, today)
    return Period(today.replace(month=1, day=1), today)


def _date(value: str) -> date | None:
    return date_or_none(value)


def _int(value) -> int | None:
    return id_or_none(value)


def scope_from(request, staff) -> tuple[Scope, dict]:
    """The scope the query string asks for, within what ``staff`` oversees (else 404)."""
    get = request.GET
    today = timezone.localdate()
    roots = root_sites(staff)
    if not roots:
        raise Http404("没有可查看的服务机构")
    site = get_site_for(staff, get["site"]) if get.get("site") else roots[0]
    preset = get.get("preset", "")
    start, end = _date(get.get("start", "")), _date(get.get("end", ""))
    if start and end and start <= end and not preset:
        period = Period(start, end)
    else:
        preset = preset if preset in PRESETS else "year"
        period = preset_period(preset, today)
    channel = get.get("channel", "")
    service_type = get.get("service_type", "")
    scope = Scope(
        actor=Actor.of_staff(staff),
        period=period,
        site=site,
        rollup=get.get("rollup", "1") != "0",
        agent_id=_int(get.get("agent")),
        item_id=_int(get.get("item")),
        category_id=_int(get.get("category")),
        channel=channel if channel in Channel.values else "",
        service_type=service_type if service_type in ("assist", "proxy") else "",
        today=today,
    )
    return scope, {"preset": preset, "roots": roots}


def query_of(scope: Scope, **extra) -> str:
    """The query string that rebuilds ``scope`` (plus ``extra``), for links."""
    params = {
        "site": scope.site.pk if scope.site else "",
        "start": scope.period.start.isoformat(),
        "end": scope.period.end.isoformat(),
    }
    if not scope.rollup:
        params["rollup"] = "0"
    for key in ("agent_id", "item_id", "category_id"):
        value = getattr(scope, key)
        if value:
            params[key[:-3]] = value
    if scope.channel:
        params["channel"] = scope.channel
    if scope.service_type:
        params["service_type"] = scope.service_type
    params.update({k: v for k, v in extra.items() if v not in (None, "")})
    return urlencode(params)
