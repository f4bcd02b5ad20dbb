"""The 值班表 and whom a request rings: the one home of "who is on duty" and of the ladder.

- ``on_duty(site, at)``: the active staff with a shift at ``site`` covering ``at`` (a dated
  shift, or a weekly one on that weekday).
- ``ladder(site, citizen)``: the sites a request rings in turn, nearest first: the sites
  above the asker's (a village station's town centre, then the county centre); a citizen
  rings the county centre. After the last site come the coordinators covering the
  asker's site (``ring_site`` empty).
- ``target_seconds(site)``: the answering target of the site's county centre
  (``HelpPolicy``; ``DEFAULT_TARGET_SECONDS`` without one).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from bangban.network.models import Site
from bangban.staff.models import StaffMember

from .models import DEFAULT_TARGET_SECONDS, DutyShift, HelpPolicy


def shifts_at(moment: datetime) -> Q:
    """The shifts covering ``moment`` (county time), as a filter on ``DutyShift``."""
    local = timezone.localtime(moment)
    day = Q(date=local.date()) | Q(date__isnull=True, weekday=local.isoweekday())
    return day & Q(start__lte=local.time(), end__gt=local.time())


def on_duty(site, moment: datetime) -> QuerySet[StaffMember]:
    """Who answers at ``site`` now: active staff with a shift there covering ``moment``."""
    shifts = DutyShift.objects.filter(shifts_at(moment), site=site)
    return StaffMember.objects.filter(is_active=True, pk__in=shifts.values("staff_id"))


def is_on_duty(staff, moment: datetime) -> bool:
    return DutyShift.objects.filter(shifts_at(moment), staff=staff, site_id=staff.site_id).exists()


def ladder(site: Site, *, citizen: bool) -> list[Site]:
    """The sites a request from ``site`` rings in turn, nearest first (see the module)."""
    paths = site.lineage_paths()  # the county's first
    if citizen:
        wanted = paths[:1]
    else:
        wanted = [p for p in paths if p != site.path][::-1] or [site.path]
    found = {s.path: s for s in Site.objects.filter(path__in=wanted)}
    return [found[p] for p in wanted if p in found]


def target_seconds(site: Site) -> int:
    county_path = site.lineage_paths()[0]
    policy = HelpPolicy.objects.filter(centre__path=county_path).only("target_seconds").first()
    return policy.target_seconds if policy else DEFAULT_TARGET_SECONDS


def recording_enabled(site: Site) -> bool:
    county_path = site.lineage_paths()[0]
    return HelpPolicy.objects.filter(centre__path=county_path, recording_enabled=True).exists()


def may_manage_rota(staff, site: Site) -> bool:
    """Coordinators covering ``site`` manage its 值班表."""
    return bool(staff and staff.is_active and staff.covers(site))
