"""Reads of the catalogue that pages (and the case workflow) share.

Each returns a queryset with its related rows joined or prefetched, so a page makes the
same few queries whether the catalogue holds ten items or ten thousand.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from bangban.network.models import Site

from .bundles import schedule
from .models import BundleEntry, BundleVersion, ItemVersion, ServiceItem

MAX_QUERY_LENGTH = 50  # the longest query a search page reads (bangban.catalogue.search too)


def published_items() -> QuerySet[ServiceItem]:
    return ServiceItem.objects.filter(is_published=True).select_related(
        "category", "department", "current_version"
    )


def items_offered_at(
    site: Site, items: QuerySet[ServiceItem] | None = None
) -> QuerySet[ServiceItem]:
    """Published items whose current version is offered at ``site``.

    A version with no sites listed is offered everywhere; otherwise only at the sites
    listed. Two ``EXISTS`` subqueries, so no duplicate rows and no ``DISTINCT``.
    """
    items = published_items() if items is None else items
    site_rows = ItemVersion.sites.through.objects.filter(
        itemversion_id=OuterRef("current_version_id")
    )
    return items.filter(~Exists(site_rows) | Exists(site_rows.filter(site_id=site.pk)))


def item_with_guide(items: QuerySet[ServiceItem]) -> QuerySet[ServiceItem]:
    """Items with their current guide, its materials and its sites loaded."""
    return items.prefetch_related(
        "current_version__materials",
        Prefetch("current_version__sites", queryset=Site.objects.order_by("path")),
    )


def version_with_guide(versions: QuerySet[ItemVersion]) -> QuerySet[ItemVersion]:
    return versions.select_related("item__category", "item__department").prefetch_related(
        "materials", Prefetch("sites", queryset=Site.objects.order_by("path"))
    )


@dataclass(frozen=True)
class PlannedEntry:
    entry: BundleEntry
    days: int
    start: int
    finish: int
    available: bool  # the item is published, so its promised limit is known


@dataclass(frozen=True)
class BundlePlan:
    entries: list[PlannedEntry]
    total_days: int


def bundle_plan(version: BundleVersion) -> BundlePlan:
    """The entries of a bundle version in order, each with its start and finish day.

    The total is the bundle's promised limit: the longest chain of prerequisites,
    counted in each item's current promised limit (see ``bundles.critical_path_days``).
    """
    entries = list(
        version.entries.select_related("item__current_version", "item__department")
        .prefetch_related(
            Prefetch("depends_on", queryset=BundleEntry.objects.select_related("item"))
        )
        .order_by("position", "id")
    )

    def days(entry: BundleEntry) -> int:
        current = entry.item.current_version if entry.item.is_published else None
        return current.promised_limit_days if current else 0

    timing = schedule((e.pk, days(e), [d.pk for d in e.depends_on.all()]) for e in entries)
    planned = [
        PlannedEntry(e, days(e), *timing[e.pk], available=e.item.is_published) for e in entries
    ]
    return BundlePlan(planned, max((p.finish for p in planned), default=0))
