"""Reads about staff that several pages need."""

from django.db.models import Count, Q

from bangban.network.models import Site
from bangban.network.staffing import MIN_AGENTS_PER_SITE


def sites_short_of_agents(sites=None):
    """Sites with fewer than two active agents, each annotated with ``active_agents``."""
    sites = Site.objects.filter(is_active=True) if sites is None else sites
    return sites.annotate(
        active_agents=Count("staff", filter=Q(staff__is_active=True, staff__is_agent=True))
    ).filter(active_agents__lt=MIN_AGENTS_PER_SITE)
