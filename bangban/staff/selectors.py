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


def may_use_admin(user) -> bool:
    """The 管理后台 is for active ``is_staff`` accounts holding any admin permission (a
    superuser holds them all); anyone else would only meet a refusal there. The one rule
    the workbench's navigation and every page's header link read."""
    if user is None or not user.is_authenticated or not user.is_active or not user.is_staff:
        return False
    return user.is_superuser or bool(user.get_all_permissions())
