"""响应率 of remote help (seed 004: 提升帮办代办响应率; issue 17): answered / asked.

Counted from the remote area's requests asked in the period at the scope's site and below,
in one query: how many were asked, how many a person answered live (a call-back is not an
answer), how many within the centre's target (``HelpRequest.target_seconds``, kept on
each request as it was when asked), and the mean waiting time of those answered. Read
live (no roll-up): the requests of a period are few and the query uses their
(site, asked_at) index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Avg, Count, F, Q
from django.utils import timezone

from bangban.network.models import under_q
from bangban.remote.models import HelpRequest

DEFINITION = (
    "远程帮办响应率 = 有人接听的远程求助数 ÷ 远程求助总数（统计期内发起，含本级及下级机构）；"
    "目标内接听 = 等待时长不超过接听目标（默认 60 秒）的接听数；平均响应时间 = 接听前的平均等待秒数。"
    "留言回电的不计为接听。"
)


@dataclass(frozen=True)
class RemoteHelpFigure:
    asked: int
    answered: int
    within_target: int
    mean_wait_seconds: int | None

    @property
    def rate(self) -> float | None:
        return round(100 * self.answered / self.asked, 1) if self.asked else None

    @property
    def within_target_rate(self) -> float | None:
        return round(100 * self.within_target / self.asked, 1) if self.asked else None


def remote_help_figure(scope) -> RemoteHelpFigure | None:
    """The scope's figure (one query); None without a site."""
    if scope.site is None:
        return None
    zone = timezone.get_current_timezone()
    start = datetime.combine(scope.period.start, time.min, tzinfo=zone)
    end = datetime.combine(scope.period.end + timedelta(days=1), time.min, tzinfo=zone)
    found = HelpRequest.objects.filter(
        under_q(scope.site.path, "site"), asked_at__gte=start, asked_at__lt=end
    ).aggregate(
        asked=Count("pk"),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        within=Count(
            "pk", filter=Q(answered_at__isnull=False, wait_seconds__lte=F("target_seconds"))
        ),
        mean=Avg("wait_seconds", filter=Q(answered_at__isnull=False)),
    )
    mean = found["mean"]
    return RemoteHelpFigure(
        asked=found["asked"],
        answered=found["answered"],
        within_target=found["within"],
        mean_wait_seconds=round(mean) if mean is not None else None,
    )
