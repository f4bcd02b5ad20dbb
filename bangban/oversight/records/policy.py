"""Each county centre's limits and targets, with the standards' values as defaults.

Targets: seed 000 §5 (on time 100 %, disclosure 100 %, timely handling of consultations
and complaints 100 %, satisfaction ≥ 95 %, complete records); every real-name bad review
visited (100 %). Limits: a bad review is verified by a return visit within 1 working day
and, when rectified by a deadline, within 5 working days; a complainant is contacted
within 1 working day, a simple complaint closed within 5 and a complex one within 15. A
centre changes them in the admin (监督评价参数); a site uses its county centre's row.

The centre also picks its rating scale (``rating_scale``: GB/T 39734's five levels, or seed
003 附件4's four mapped onto them, ``bangban.cases.ratings``); ``rating_scale_key`` is what
the records hand the core at start-up, so the SMS, the portal, the paper form and the API
offer the same levels.
"""

from __future__ import annotations

from decimal import Decimal

from bangban.network.models import Site

from ..models import CentrePolicy


def county_of(site: Site) -> Site:
    """The county centre above (or at) ``site``, from its path: one query at most."""
    if site.parent_id is None:
        return site
    root_id = int(site.path.split("/")[0])
    return Site.objects.get(pk=root_id)


def policy_for(site: Site | None) -> CentrePolicy:
    """The centre's policy row, or an unsaved one holding the defaults."""
    if site is None:
        return CentrePolicy()
    root_id = int(site.path.split("/")[0]) if site.path else site.pk
    return CentrePolicy.objects.filter(centre_id=root_id).first() or CentrePolicy(centre_id=root_id)


def rating_scale_key(site: Site | None) -> str:
    """The key of the rating scale ``site``'s centre offers (``cases.ratings.SCALES``)."""
    return policy_for(site).rating_scale


def targets(policy: CentrePolicy) -> dict[str, Decimal]:
    """Target (per cent) of each metric that has one, keyed by metric code."""
    return {
        "on_time": policy.target_on_time,
        "disclosure": policy.target_disclosure,
        "timely": policy.target_timely,
        "timely_consultations": policy.target_timely,
        "timely_complaints": policy.target_timely,
        "satisfaction": policy.target_satisfaction,
        "return_visits": policy.target_return_visit,
        "records": policy.target_records,
    }
