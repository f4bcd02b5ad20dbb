"""What the dashboard and the monthly report show, assembled from ``metrics``.

A fixed number of aggregate queries per page (about forty), whatever the number of cases
or sites: one per figure, one per breakdown, one per trend.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q

from bangban.network.models import Site

from ..records.policy import policy_for, targets
from . import metrics
from .disclosure import disclosure_by_site, disclosure_rate
from .metrics import METRICS, Period, Rate, Scope, months_of

# The figures on the dashboard's cards, in order.
CARD_CODES = [
    "on_time",
    "satisfaction",
    "timely",
    "disclosure",
    "response",
    "resolution",
    "records",
    "return_visits",
]
LABELS = {code: m.label for code, m in METRICS.items()} | {
    "timely": "咨询、投诉及时处理率",
    "disclosure": "信息公开透明度",
}
DEFINITIONS = {code: m.definition for code, m in METRICS.items()} | {
    "timely": metrics.TIMELY_DEFINITION,
    "disclosure": (
        "本机构（含下级）提供帮办代办的已发布事项中，办事指南要素齐全（设定依据、受理条件、办理流程、"
        "收费标准、承诺时限、办理渠道、申请材料）且所在机构“五公开”齐全（在岗帮办代办员信息、"
        "地址、咨询电话；投诉电话缺省公布12345，岗位职责、流程和制度为统一公开内容）的比例，按“机构×事项”计。"
    ),
    "handling_days": (
        "期内办结办件从受理次日起至办结日的工作日数的平均值，不含补正和中止期间（暂停计时）。"
    ),
}
TREND_CODES = ["on_time", "satisfaction", "timely"]
RANK_CODES = ["on_time", "satisfaction", "timely", "resolution"]


@dataclass
class Figure:
    code: str
    label: str
    rate: Rate
    target: float | None
    definition: str

    @property
    def value(self):
        return self.rate.value

    @property
    def missed_target(self) -> bool:
        return self.target is not None and self.value is not None and self.value < self.target


def trend_period(period: Period) -> Period:
    """The twelve months ending with the period's last month."""
    first = period.end.replace(day=1)
    for _ in range(11):
        first = (first - timedelta(days=1)).replace(day=1)
    return Period(first, period.end)


def children_of(site: Site | None, rollup: bool) -> list[Site]:
    if site is None or not rollup:
        return []
    return list(Site.objects.filter(parent=site, is_active=True).order_by("code"))


TIMELY_PARTS = ["timely_consultations", "timely_complaints"]


def _metric_codes(codes) -> list[str]:
    """The metric codes behind the shown codes (timely is two, disclosure none)."""
    wanted = []
    for code in codes:
        wanted += TIMELY_PARTS if code == "timely" else ([] if code == "disclosure" else [code])
    return list(dict.fromkeys(wanted))


def all_rates(codes, scope: Scope, summary: dict | None = None, disclosed=None) -> dict[str, Rate]:
    """{code: Rate}: one query per source, one for disclosure (none with ``disclosed``: the
    scope's ``site_disclosures`` read already).

    With ``summary`` (a dict), the case figures come with the volumes and the average
    handling time from the same case scan, stored in it.
    """
    wanted = _metric_codes(codes)
    if summary is not None:
        found, summary["volumes"], summary["handling_days"] = metrics.summary(scope, wanted)
    else:
        found = metrics.rates(wanted, scope)
    if "timely" in codes:
        found["timely"] = found["timely_consultations"] + found["timely_complaints"]
    if "disclosure" in codes:
        found["disclosure"] = disclosure_rate(scope, disclosed)
    return found


def all_rates_by(
    codes, scope: Scope, by: str, children=(), handling=False, disclosed=None
) -> dict[str, dict]:
    """{code: {key: Rate}} for a grouping: one query per source (``disclosed``: as for
    ``all_rates``)."""
    found = metrics.rates_by(_metric_codes(codes), scope, by, children, handling)
    if "timely" in codes:
        a, b = found["timely_consultations"], found["timely_complaints"]
        found["timely"] = {k: a.get(k, Rate(0, 0)) + b.get(k, Rate(0, 0)) for k in set(a) | set(b)}
    if "disclosure" in codes:
        found["disclosure"] = (
            disclosure_by_site(scope, children if by == "unit" else None, disclosed)
            if by in ("unit", "site")
            else {}
        )
    return found


def figures(
    scope: Scope, codes=CARD_CODES, summary: dict | None = None, disclosed=None
) -> list[Figure]:
    goal = targets(policy_for(scope.site or (scope.staff.site if scope.staff else None)))
    found = all_rates(codes, scope, summary, disclosed)
    return [
        Figure(
            code,
            LABELS[code],
            found[code],
            float(goal[code]) if code in goal else None,
            DEFINITIONS[code],
        )
        for code in codes
    ]


@dataclass
class UnitRow:
    key: int
    site: Site
    own_only: bool  # the root's own cases (not its subtree)
    rates: dict
    handling_days: float | None

    @property
    def drill(self) -> str:
        return f"by=unit&key={self.key}"


def unit_rows(
    scope: Scope, children: list[Site], codes=RANK_CODES + ["disclosure"], disclosed=None
) -> list[UnitRow]:
    """One row per child unit (rolled up) plus the root's own row, with each rate."""
    by_code = all_rates_by(codes, scope, "unit", children, handling=True, disclosed=disclosed)
    days = by_code["_handling"]
    units = [(scope.site, True)] + [(c, False) for c in children]
    return [
        UnitRow(
            site.pk,
            site,
            own,
            {code: by_code[code].get(site.pk, Rate(0, 0)) for code in codes},
            days.get(site.pk),
        )
        for site, own in units
    ]


def ranked(rows: list[UnitRow], code: str) -> list[UnitRow]:
    """Best first; units with nothing to count last."""
    return sorted(
        rows,
        key=lambda r: (r.rates[code].value is None, -(r.rates[code].value or 0), r.site.code),
    )


def trends(scope: Scope) -> dict:
    """Monthly values of the trend figures over the twelve months to the period's end."""
    period = trend_period(scope.period)
    wide = scope.narrowed(period=period)
    months = months_of(period)
    by_code = all_rates_by(TREND_CODES, wide, "month")
    series = {code: [by_code[code].get(m, Rate(0, 0)) for m in months] for code in TREND_CODES}
    return {"months": months, "series": series, "period": period}


def group_table(scope: Scope, by: str, codes=None) -> tuple[list, dict]:
    """Rows (key, rates by code) for a breakdown, with the volumes of completed cases."""
    codes = codes or [c for c in CARD_CODES if c != "disclosure"]
    handling = by in metrics.GROUP_FIELDS["cases"] or by == "month"
    by_code = all_rates_by(codes, scope, by, handling=handling)
    days = by_code.pop("_handling", {})
    keys = set()
    for values in by_code.values():
        keys |= set(values)
    return sorted(keys, key=lambda k: (k is None, str(k))), {"rates": by_code, "days": days}


def key_labels(by: str, keys) -> dict:
    """Display names for group keys (one query for the lot)."""
    from bangban.cases.models import Channel
    from bangban.catalogue.models import ItemCategory, ServiceItem
    from bangban.staff.models import StaffMember

    keys = [k for k in keys if k is not None]
    if by in ("site", "unit"):
        return dict(Site.objects.filter(pk__in=keys).values_list("pk", "name"))
    if by == "agent":
        return {
            s.pk: f"{s.name}（{s.site.name}）"
            for s in StaffMember.objects.filter(pk__in=keys).select_related("site")
        }
    if by == "item":
        return dict(ServiceItem.objects.filter(pk__in=keys).values_list("pk", "name"))
    if by == "category":
        return dict(ItemCategory.objects.filter(pk__in=keys).values_list("pk", "name"))
    if by == "channel":
        return dict(Channel.choices)
    if by == "month":
        return {k: f"{k:%Y年%m月}" for k in keys}
    return {}


def agents_with_cases(scope: Scope):
    from bangban.staff.models import StaffMember

    return StaffMember.objects.filter(
        Q(pk__in=metrics.scoped_cases(scope).values("agent_id"))
    ).select_related("site")
