"""What a person applies for online: one published item or one published bundle (一件事).

Both answer the same questions for the application steps: which service types are offered
(a bundle offers one when all its items do), and at which sites (a version with no sites
listed is offered everywhere; a bundle at the sites that offer every item of it).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch
from django.http import Http404

from bangban.catalogue.models import Bundle, ItemVersion, ServiceItem
from bangban.network.models import Site


@dataclass(frozen=True)
class Matter:
    kind: str  # "item" or "bundle"
    code: str
    name: str
    versions: tuple[ItemVersion, ...]
    bundle_version: object = None

    @property
    def url(self) -> str:
        if self.kind == "bundle":
            return f"/items/bundles/{self.code}/"
        return f"/items/{self.code}/"

    def service_types(self) -> list[str]:
        return [
            code
            for code in ("proxy", "assist")
            if all(v.offers_service(code) for v in self.versions)
        ]

    def sites(self) -> list[Site]:
        active = list(Site.objects.filter(is_active=True).order_by("path"))
        allowed = {site.pk for site in active}
        for version in self.versions:
            listed = {s.pk for s in version.sites.all()}
            if listed:
                allowed &= listed
        return [site for site in active if site.pk in allowed]

    def materials(self):
        for version in self.versions:
            yield from version.materials.all()


_SITES = Prefetch("sites", queryset=Site.objects.only("pk"))


def matter_for(kind: str, code: str) -> Matter:
    """The published item or bundle with this code; 404 for anything else."""
    if kind == "item":
        item = (
            ServiceItem.objects.filter(code=code, is_published=True)
            .select_related("current_version")
            .first()
        )
        if item is None or item.current_version is None:
            raise Http404("事项不存在或未发布")
        version = (
            ItemVersion.objects.filter(pk=item.current_version_id)
            .select_related("item")
            .prefetch_related(_SITES, "materials")
            .get()
        )
        return Matter("item", item.code, item.name, (version,))
    if kind == "bundle":
        bundle = (
            Bundle.objects.filter(code=code, is_published=True)
            .select_related("current_version")
            .first()
        )
        if bundle is None or bundle.current_version is None:
            raise Http404("一件事不存在或未发布")
        entries = bundle.current_version.entries.select_related("item").order_by("position", "id")
        version_ids = [e.item.current_version_id for e in entries]
        if not version_ids or None in version_ids:
            raise Http404("该一件事包含暂停办理的事项，请咨询帮办代办员")
        by_id = {
            v.pk: v
            for v in ItemVersion.objects.filter(pk__in=version_ids)
            .select_related("item")
            .prefetch_related(_SITES, "materials")
        }
        versions = tuple(by_id[pk] for pk in version_ids)
        return Matter("bundle", bundle.code, bundle.name, versions, bundle.current_version)
    raise Http404("申请类型无效")
