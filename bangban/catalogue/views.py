"""Public pages of the catalogue: the item list, service guides, bundles and the 五公开 pages.

Anyone may read them (seed 000 §5 b: disclosure 100 %). Every list is either paginated
or fetched in one query with its related rows joined, so the number of queries does not
grow with the catalogue.
"""

import hashlib
import json
from pathlib import Path
from urllib.parse import urlencode

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from bangban.catalogue import search
from bangban.downloads import open_or_404, private_file
from bangban.network.models import Site
from bangban.staff.models import StaffMember
from bangban.staff.selectors import MIN_AGENTS_PER_SITE, sites_short_of_agents

from . import disclosure, selectors
from .models import (
    Bundle,
    ItemCategory,
    ItemVersion,
    Material,
    VersionStatus,
    catalogue_version,
)

ITEMS_PER_PAGE = 20
BUNDLES_SHOWN = 12


def _active_site(code: str) -> Site:
    return get_object_or_404(Site.objects.select_related("parent"), code=code, is_active=True)


# Cached pages live a day at most; a catalogue write changes their key long before that.
PAGE_SECONDS = 24 * 3600


def _page_key(page: str, version: str, *parts: str) -> str:
    """A cache key for a public catalogue page: its name, the version and what it shows."""
    digest = hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()
    return f"catalogue:{page}:{version}:{digest}"


def item_list(request):
    """The item list and search (办事指南), its content cached by the catalogue's version.

    The cached part is the page's ``<main>``: it shows only the catalogue (items, their
    current guides, categories, bundles, synonyms for the ranking), the sites and the
    departments, all covered by the version token (``models.catalogue_version``), plus
    the query and filters, which are in the key. The header (display mode, sign-in state,
    CSRF token) is rendered fresh for each request, so one visitor's header is never
    served to another. A warm request makes one query: the version.
    """
    query = request.GET.get("q", "").strip()[: selectors.MAX_QUERY_LENGTH]
    category_code = request.GET.get("category", "")[:40]
    site_code = request.GET.get("site", "")[:40]
    page_number = request.GET.get("page", "")[:12]
    version = catalogue_version()
    key = body = None
    if version is not None:
        key = _page_key("items", version, query, category_code, site_code, page_number)
        body = cache.get(key)
    if body is None:
        body = _item_list_body(query, category_code, site_code, page_number, version)
        if key is not None:
            cache.set(key, body, PAGE_SECONDS)
    return render(request, "catalogue/item_list.html", {"body": mark_safe(body)})  # noqa: S308


def _item_list_body(
    query: str, category_code: str, site_code: str, page_number: str, version: str | None
) -> str:
    items = selectors.published_items().order_by("category__position", "code")
    category = site = None
    if category_code:
        category = get_object_or_404(ItemCategory, code=category_code)
        items = items.filter(category=category)
    if site_code:
        site = _active_site(site_code)
        items = selectors.items_offered_at(site, items)
    items = search.search_items(items, query, version)  # Chinese, pinyin, initials, typos
    page = Paginator(items, ITEMS_PER_PAGE).get_page(page_number)

    # Meta.ordering is not applied to aggregate queries, so order explicitly.
    categories = ItemCategory.objects.annotate(
        published=Count("items", filter=Q(items__is_published=True))
    ).order_by("position", "code")
    bundles = search.search_bundles(query, version)[:BUNDLES_SHOWN] if not category else []
    sites = Site.objects.filter(is_active=True).only("code", "name", "level", "path")
    # the page links keep the query and filters (only these: they are the cache key)
    filters = urlencode(
        [(k, v) for k, v in (("q", query), ("category", category_code), ("site", site_code)) if v]
    )
    return render_to_string(
        "catalogue/item_list_body.html",
        {
            "page": page,
            "query": query,
            "category": category,
            "site": site,
            "categories": categories,
            "bundles": bundles,
            "sites": sites,
            "filters": filters,
        },
    )


def item_detail(request, code):
    items = selectors.item_with_guide(selectors.published_items().filter(code=code))
    item = items.first()
    if item is None:
        raise Http404("未找到该事项或事项未发布")
    return _guide(request, item, item.current_version)


def item_version_detail(request, code, number):
    """A given version of a guide, e.g. the one a case was opened under.

    Retired versions stay readable (marked as such); drafts only for staff previewing.
    """
    versions = ItemVersion.objects.filter(item__code=code, number=number)
    if not request.user.is_staff:
        versions = versions.exclude(status=VersionStatus.DRAFT)
    version = selectors.version_with_guide(versions).first()
    if version is None:
        raise Http404("未找到该版本")
    return _guide(request, version.item, version)


def _guide(request, item, version):
    bundles = Bundle.objects.filter(is_published=True, current_version__entries__item=item).only(
        "code", "name"
    )
    return render(
        request,
        "catalogue/item_detail.html",
        {
            "item": item,
            "version": version,
            "is_current": version.pk == item.current_version_id,
            "materials": version.materials.all(),
            "sites": version.sites.all(),
            "bundles": bundles,
        },
    )


MATERIAL_FILES = {"blank_form": "空白表格", "sample": "示例样表"}


def material_file(request, pk, field):
    """A material's blank form or filled-in sample, readable wherever its guide is.

    Like the guide pages: published and retired versions for anyone, drafts only for staff
    previewing them. Served by this view because nothing under MEDIA_ROOT is public.
    """
    if field not in MATERIAL_FILES:
        raise Http404("文件不存在")
    materials = Material.objects.filter(pk=pk).exclude(**{field: ""})
    if not request.user.is_staff:
        materials = materials.exclude(version__status=VersionStatus.DRAFT)
    material = materials.first()
    if material is None:
        raise Http404("文件不存在")
    file = getattr(material, field)
    suffix = Path(file.name).suffix.lower()
    return private_file(
        open_or_404(file), filename=f"{material.name}（{MATERIAL_FILES[field]}）{suffix}"
    )


def bundle_detail(request, code):
    bundle = get_object_or_404(
        Bundle.objects.select_related("current_version", "lead_department"),
        code=code,
        is_published=True,
    )
    plan = selectors.bundle_plan(bundle.current_version)
    return render(request, "catalogue/bundle_detail.html", {"bundle": bundle, "plan": plan})


def disclosure_list(request):
    sites = list(Site.objects.filter(is_active=True).select_related("parent"))
    short = {site.pk: site.active_agents for site in sites_short_of_agents()}
    for site in sites:
        site.short_of_agents = site.pk in short
        site.active_agents = short.get(site.pk)
    return render(request, "catalogue/disclosure_list.html", {"sites": sites})


def disclosure_site(request, code):
    """The 五公开 page of one site (seed 000 §8.1.2 b)."""
    site = _active_site(code)
    agents = list(StaffMember.objects.active().agents().filter(site=site).order_by("name"))
    shortage = sites_short_of_agents(Site.objects.filter(pk=site.pk)).first()
    items = (
        selectors.items_offered_at(site)
        .order_by("category__position", "code")
        .only(
            "code",
            "name",
            "category__name",
            "category__position",
            "department__name",
            "current_version__offers_assist",
            "current_version__offers_proxy",
            "current_version__is_immediate",
            "current_version__promised_limit_days",
        )
    )
    return render(
        request,
        "catalogue/disclosure_site.html",
        {
            "site": site,
            "agents": agents,
            "agent_duties": sorted({a.duties.strip() for a in agents if a.duties.strip()}),
            "shortage": shortage,
            "min_agents": MIN_AGENTS_PER_SITE,
            "items": items,
            "standard_duties": disclosure.AGENT_DUTIES,
            "assist_steps": disclosure.ASSIST_STEPS,
            "proxy_steps": disclosure.PROXY_STEPS,
            "rules": disclosure.RULES,
        },
    )
