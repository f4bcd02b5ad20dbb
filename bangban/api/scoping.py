"""A site-tied token (``Actor.only_site``) on the records that are not cases.

Cases and clients are narrowed by ``bangban.cases.access`` itself. The other areas' access
functions take a staff member (``visits.services.visits_for``, ``oversight.access``…): their
rows are narrowed here, after those functions, by the site each row belongs to, so a
site-tied token sees no more of them than of the cases.
"""

from __future__ import annotations

from django.db.models import QuerySet

from bangban.cases.access import Actor
from bangban.network.models import under_q


def within_site(actor: Actor, rows: QuerySet, field: str = "site") -> QuerySet:
    """``rows`` whose site (``field``, a lookup to a Site) is the actor's only site or below."""
    if actor.only_site is None:
        return rows
    return rows.filter(under_q(actor.only_site.path, field))
