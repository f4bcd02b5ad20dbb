"""Published evaluation results (服务评价结果公开): per site and per staff member.

Seed 001 §12.1 (按照 GB/T 39734 的规定对帮办代办服务进行评价并公布结果) and seed 003
第十六条 (定期公布帮办代办工作情况 … 接受社会各界的监督): anyone may read, per month, how
many evaluations each site and each staff member received, on each level, and the
satisfaction rate, counted exactly as the dashboard's 满意率 (``definitions.METRICS``):
evaluations given in the month, those excluded after an upheld appeal left out. Staff are
named with their roles, as on the 五公开 page. No client, case or comment is shown.

An evaluation counts at the site and staff member who handled the case when it was given
(``Evaluation.site`` and ``agent``, the 承办机构 and 帮办代办员 it names). The days the
daily roll-up holds are summed from ``DailyEvaluationLevel`` (one query, per site and
staff member at once), the days it does not hold yet counted from the evaluations (one
more), then one query each for the sites' and the staff members' names; only reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone

from bangban.network.models import Site
from bangban.staff.models import StaffMember

from ..models import GOOD_LEVELS, Evaluation, Level
from . import rollup
from .definitions import METRICS, Period, Rate

FIRST_YEAR = 2000  # an earlier month shows this month's results
LEVELS = [(level.value, level.label) for level in sorted(Level, reverse=True)]
DEFINITION = (
    "统计口径：当月收到的服务评价，按评价时承办的服务机构和帮办代办员分别统计；满意率为"
    "“非常满意”“满意”“基本满意”占有效评价的比例（GB/T 39734），经申诉复核认定为误评或恶意差评的"
    "不计入满意率，但计入评价数。"
)


@dataclass
class Published:
    name: str
    detail: str  # a site's level, a staff member's roles and site
    levels: dict[int, int] = field(default_factory=dict)
    rate: Rate = field(default_factory=lambda: Rate(0, 0))

    @property
    def count(self) -> int:
        return sum(self.levels.values())

    @property
    def level_counts(self) -> list[int]:
        return [self.levels.get(value, 0) for value, _ in LEVELS]


def _columns() -> dict:
    """Named as ``DailyEvaluationLevel``'s columns, so rolled and live rows add up."""
    counted = Q(excluded=False)
    columns = {f"level_{value}": Count("pk", filter=Q(level=value)) for value, _ in LEVELS}
    columns["counted"] = Count("pk", filter=counted)
    columns["met"] = Count("pk", filter=counted & Q(level__in=GOOD_LEVELS))
    return columns


def _counts(period: Period, site: Site | None) -> tuple[dict, dict]:
    """({site id: counts}, {staff id: counts}) of the evaluations given in the period."""
    rolled, live = rollup.split_days(period, timezone.localdate())
    found = []
    if rolled is not None:
        found += list(rollup.evaluation_levels(rolled, site))
    if live is not None:
        start, end = live.bounds()
        evaluations = Evaluation.objects.filter(created_at__gte=start, created_at__lt=end)
        if site is not None:
            evaluations = evaluations.filter(site__path__startswith=site.path)
        found += list(evaluations.order_by().values("site_id", "agent_id").annotate(**_columns()))
    by_site: dict[int, dict] = {}
    by_staff: dict[int, dict] = {}
    for row in found:
        site_id, agent_id = row.pop("site_id"), row.pop("agent_id")
        for into, key in ((by_site, site_id), (by_staff, agent_id)):
            if key is None:
                continue
            counts = into.setdefault(key, dict.fromkeys(row, 0))
            for column, n in row.items():
                counts[column] += n or 0
    return by_site, by_staff


def _published(name: str, detail: str, row: dict) -> Published:
    return Published(
        name,
        detail,
        {value: row[f"level_{value}"] for value, _ in LEVELS},
        Rate(row["met"], row["counted"]),
    )


def evaluation_results(period: Period, site: Site | None = None) -> tuple[list, list]:
    """(per site, per staff member) for the evaluations given in the period."""
    by_site, by_staff = _counts(period, site)
    sites = [
        _published(s.name, s.get_level_display(), by_site[s.pk])
        for s in Site.objects.filter(pk__in=list(by_site)).order_by("path")
    ]
    staff = [
        _published(s.name, f"{s.title or s.role_labels}（{s.site.name}）", by_staff[s.pk])
        for s in StaffMember.objects.filter(pk__in=list(by_staff))
        .select_related("site")
        .order_by("site__path", "name")
    ]
    return sites, staff


def _month(text: str, today: date) -> date:
    try:
        month = date.fromisoformat(f"{text}-01") if text else None
    except ValueError:
        month = None
    if month is None or month > today or month.year < FIRST_YEAR:
        return today.replace(day=1)
    return month


def _month_period(month: date, today: date) -> Period:
    after = (month.replace(day=28) + timezone.timedelta(days=4)).replace(day=1)
    return Period(month, min(after - timezone.timedelta(days=1), today))


def published_page(request):
    """The public page: this month's (or ``?month=YYYY-MM``) results, per site and staff."""
    today = timezone.localdate()
    month = _month(request.GET.get("month", "").strip()[:7], today)
    period = _month_period(month, today)
    sites, staff = evaluation_results(period)
    previous = (month - timezone.timedelta(days=1)).replace(day=1)
    following = (month.replace(day=28) + timezone.timedelta(days=4)).replace(day=1)
    context = {
        "month": month,
        "period": period,
        "levels": LEVELS,
        "sites": sites,
        "staff": staff,
        "previous": previous,
        "following": following if following <= today else None,
        "definition": DEFINITION,
        "satisfaction": METRICS["satisfaction"].label,
    }
    return render(request, "oversight/published.html", context)
