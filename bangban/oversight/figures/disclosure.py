"""信息公开透明度 (seed 000 §5 b, §8.1.2 五公开): a snapshot as of now, counted per site × item.

A site × item pair is disclosed when the item is published and offered at the site, its
current guide has every element a client needs (legal basis, conditions, process, fees,
promised limit, channels, at least one material), and the site's 五公开 is complete: its
agents are on the page (at least one active agent), with address and enquiry phone. The
complaint phone falls back to the 12345 hotline on the public page, and duties, processes
and rules are the same fixed texts for every site (``bangban.catalogue.disclosure``), so
those are always published.

One query with correlated counts per site, whatever the size of the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from bangban.catalogue.models import ItemVersion, Material, ServiceItem
from bangban.network.models import Site
from bangban.staff.models import StaffMember

from . import rollup
from .metrics import Rate, Scope

GUIDE_FIELDS = {
    "legal_basis": "设定依据",
    "conditions": "受理条件",
    "process": "办理流程",
    "fees": "收费标准",
}


def complete_guide_q(
    prefix: str = "current_version__", version_ref: str = "current_version_id"
) -> Q:
    """A published item's current guide has every element (on ServiceItem by default)."""
    q = Q()
    for name in GUIDE_FIELDS:
        q &= ~Q(**{f"{prefix}{name}": ""})
    q &= ~Q(**{f"{prefix}channels": []})
    q &= Q(Exists(Material.objects.filter(version_id=OuterRef(version_ref))))
    return q


def _offered_here():
    site_rows = ItemVersion.sites.through.objects.filter(
        itemversion_id=OuterRef("current_version_id")
    )
    return ServiceItem.objects.filter(is_published=True).filter(
        ~Exists(site_rows) | Exists(site_rows.filter(site_id=OuterRef(OuterRef("pk"))))
    )


def _count(items) -> Coalesce:
    rows = items.order_by().values("is_published").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def five_public_q() -> Q:
    agents = StaffMember.objects.filter(site_id=OuterRef("pk"), is_active=True, is_agent=True)
    return Q(Exists(agents)) & ~Q(address="") & ~Q(phone="")


def scoped_sites(scope: Scope):
    sites = Site.objects.filter(is_active=True)
    if scope.staff is not None:
        sites = sites.filter(_oversight_q(scope.staff))
    if scope.site is not None:
        sites = (
            sites.filter(path__startswith=scope.site.path)
            if scope.rollup
            else sites.filter(pk=scope.site.pk)
        )
    return sites


def _oversight_q(staff) -> Q:
    """Sites this person oversees (the same rule as ``access.site_q``, on Site itself)."""
    from ..access import site_paths

    rules = Q(pk__in=[])
    for path in site_paths(staff):
        rules |= Q(path__startswith=path)
    if staff.is_agent or staff.is_liaison:
        rules |= Q(pk=staff.site_id)
    return rules


@dataclass
class SiteDisclosure:
    site: Site
    offered: int
    complete: int
    five_public: bool

    @property
    def rate(self) -> Rate:
        return Rate(self.complete if self.five_public else 0, self.offered)


def site_disclosures(scope: Scope) -> list[SiteDisclosure]:
    """Each site of the scope with what it offers and discloses: one query, kept under the
    catalogue's version and ``names`` (``rollup.remembered``, live: sites and staff saved)."""

    def read() -> list[SiteDisclosure]:
        rows = (
            scoped_sites(scope)
            .annotate(
                _offered=_count(_offered_here()),
                _complete=_count(_offered_here().filter(complete_guide_q())),
                _five=Exists(Site.objects.filter(pk=OuterRef("pk")).filter(five_public_q())),
            )
            .order_by("path")
        )
        return [SiteDisclosure(s, s._offered, s._complete, s._five) for s in rows]

    site = scope.site
    where = (site.pk, site.path, scope.rollup) if site is not None else None
    return rollup.remembered("disclosure", (getattr(scope.staff, "pk", None), where), read, True)


def disclosure_rate(scope: Scope, rows: list[SiteDisclosure] | None = None) -> Rate:
    """``rows``: the scope's ``site_disclosures``, when read already (the dashboard)."""
    total = Rate(0, 0)
    for row in site_disclosures(scope) if rows is None else rows:
        total = total + row.rate
    return total


def disclosure_by_site(
    scope: Scope, children=None, rows: list[SiteDisclosure] | None = None
) -> dict:
    """{site id: Rate}; with ``children``, rolled up into each child unit (root: own row)."""
    result: dict = {}
    for row in site_disclosures(scope) if rows is None else rows:
        key = row.site.pk
        if children is not None:
            key = next((c.pk for c in children if row.site.path.startswith(c.path)), None)
            if key is None:
                key = scope.site.pk if scope.site is not None else row.site.pk
        result[key] = result.get(key, Rate(0, 0)) + row.rate
    return result


def incomplete_items(site: Site, limit: int = 200):
    """Items offered at ``site`` whose guide is incomplete (for the drill-down page)."""
    from bangban.catalogue.selectors import items_offered_at

    return (
        items_offered_at(site)
        .exclude(complete_guide_q())
        .select_related("current_version", "department")
        .prefetch_related("current_version__materials")
        .order_by("code")[:limit]
    )


def missing_guide_fields(version) -> list[str]:
    missing = [label for name, label in GUIDE_FIELDS.items() if not getattr(version, name)]
    if not version.channels:
        missing.append("办理渠道")
    if not list(version.materials.all()):  # prefetched
        missing.append("申请材料")
    return missing


def missing_five_public(site: Site) -> list[str]:
    missing = []
    if not StaffMember.objects.filter(site=site, is_active=True, is_agent=True).exists():
        missing.append("在岗帮办代办员信息")
    for name, label in (("address", "地址"), ("phone", "咨询电话")):
        if not getattr(site, name):
            missing.append(label)
    return missing
