"""Writes to the catalogue: drafting, publishing and withdrawing guides and bundles.

Every change of a version's state goes through here, inside one transaction, with the
owning item (or bundle) row locked so two editors cannot publish at the same time. A
published version is never edited: a change is a new draft, and publishing it retires the
previous version, which stays in the database for the cases opened under it.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from .bundles import CycleError, schedule
from .models import (
    Bundle,
    BundleEntry,
    BundleVersion,
    FormField,
    ItemVersion,
    Material,
    ServiceItem,
    VersionStatus,
)

GUIDE_FIELDS = (
    "legal_basis",
    "conditions",
    "process",
    "fees",
    "statutory_limit_days",
    "promised_limit_days",
    "is_immediate",
    "channels",
    "offers_assist",
    "offers_proxy",
)
MATERIAL_FIELDS = (
    "position",
    "name",
    "kind",
    "required",
    "form",
    "copies",
    "accept_with_gaps",
    "commitment_allowed",
    "blank_form",
    "sample",
    "obtain_from",
    "note",
)
# A new item's first draft: 《中华人民共和国行政许可法》第四十二条 gives twenty days when
# no other limit is set; the editor replaces these with the item's own figures.
BLANK_GUIDE = {"statutory_limit_days": 20, "promised_limit_days": 20, "channels": ["window"]}


def _next_number(versions) -> int:
    return (versions.aggregate(top=Max("number"))["top"] or 0) + 1


def _refuse_second_draft(owner_name: str, versions) -> None:
    draft = versions.filter(status=VersionStatus.DRAFT).first()
    if draft is not None:
        raise ValidationError(
            f"「{owner_name}」已有未发布的草稿（第{draft.number}版），请先发布或删除该草稿。"
        )


# ---------------------------------------------------------------------------- items


@transaction.atomic
def item_version_draft(*, item: ServiceItem) -> ItemVersion:
    """Open a new draft of an item's guide.

    1. Lock the item; refuse if a draft is already open (one draft at a time).
    2. Copy the guide fields, sites, materials (files included) and form fields of the current
       published version, or of the latest version if none is published.
    3. Number it one above the highest number so far.
    """
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    _refuse_second_draft(item.name, item.versions)
    source = item.current_version or item.versions.order_by("-number").first()
    number = _next_number(item.versions)
    if source is None:
        return ItemVersion.objects.create(item=item, number=number, **BLANK_GUIDE)
    draft = ItemVersion.objects.create(
        item=item, number=number, **{field: getattr(source, field) for field in GUIDE_FIELDS}
    )
    draft.sites.set(source.sites.all())
    Material.objects.bulk_create(
        Material(version=draft, **{field: getattr(material, field) for field in MATERIAL_FIELDS})
        for material in source.materials.all()
    )
    FormField.objects.bulk_create(  # 一表申请: the guide's application form fields
        FormField(version=draft, kind_id=f.kind_id, required=f.required, position=f.position)
        for f in source.form_fields.all()
    )
    return draft


@transaction.atomic
def item_version_publish(*, version: ItemVersion) -> ItemVersion:
    """Publish a draft; the item's previous published version is retired.

    1. Lock the item and reload the version; only a draft can be published.
    2. Validate the guide (promised limit within the statutory limit, channels, 帮办/代办).
    3. Retire the version published so far, then publish this one and make it current.
    """
    item = ServiceItem.objects.select_for_update().get(pk=version.item_id)
    fresh = ItemVersion.objects.get(pk=version.pk)
    if not fresh.is_draft:
        raise ValidationError(
            f"只能发布草稿版本；第{fresh.number}版当前为{fresh.get_status_display()}。"
        )
    fresh.full_clean()
    now = timezone.now()
    for previous in item.versions.filter(status=VersionStatus.PUBLISHED):
        previous.status, previous.retired_at = VersionStatus.RETIRED, now
        previous.save(update_fields=["status", "retired_at"])
    fresh.status, fresh.published_at = VersionStatus.PUBLISHED, now
    fresh.save(update_fields=["status", "published_at"])
    item.current_version, item.is_published = fresh, True
    item.save(update_fields=["current_version", "is_published", "updated_at"])
    version.status, version.published_at = fresh.status, fresh.published_at
    return fresh


@transaction.atomic
def item_unpublish(*, item: ServiceItem) -> None:
    """Withdraw an item from the catalogue: its current version is retired.

    Refused while a published bundle still contains the item, because that bundle's
    guide and promised limit would no longer hold.
    """
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    in_bundles = Bundle.objects.filter(
        is_published=True, current_version__entries__item=item
    ).values_list("name", flat=True)
    if in_bundles:
        raise ValidationError(
            f"「{item.name}」属于已发布的一件事（{'、'.join(in_bundles)}），请先调整一件事。"
        )
    now = timezone.now()
    for current in item.versions.filter(status=VersionStatus.PUBLISHED):
        current.status, current.retired_at = VersionStatus.RETIRED, now
        current.save(update_fields=["status", "retired_at"])
    item.current_version, item.is_published = None, False
    item.save(update_fields=["current_version", "is_published", "updated_at"])


# -------------------------------------------------------------------------- bundles


def _dependency_problems(entries: list[BundleEntry], edges: dict[int, set[int]]) -> list[str]:
    """Cycle check over entries of one version; ``edges`` maps entry pk → its prerequisites."""
    names = {entry.pk: entry.item.name for entry in entries}
    try:
        schedule((pk, 0, edges.get(pk, ())) for pk in names)
    except CycleError as error:
        return [
            "前置事项形成循环："
            + " → ".join(names[pk] for pk in error.cycle)
            + "，无法确定办理顺序。"
        ]
    except ValueError:
        return ["前置事项必须是同一版本中的事项。"]
    return []


def bundle_version_problems(version: BundleVersion) -> list[str]:
    """Everything that stops a bundle version from being published, in Chinese."""
    entries = list(
        version.entries.select_related("item")
        .prefetch_related("depends_on")
        .order_by("position", "id")
    )
    if not entries:
        return ["一件事至少应包含一个事项。"]
    problems = [
        f"「{entry.item.name}」尚未发布，不能纳入一件事。"
        for entry in entries
        if not entry.item.is_published
    ]
    edges = {entry.pk: {dep.pk for dep in entry.depends_on.all()} for entry in entries}
    return problems + _dependency_problems(entries, edges)


@transaction.atomic
def bundle_entry_add(
    *, version: BundleVersion, item: ServiceItem, depends_on: Iterable[BundleEntry] = ()
) -> BundleEntry:
    """Append an item to a draft bundle version, after the entries it depends on."""
    position = (version.entries.aggregate(top=Max("position"))["top"] or 0) + 1
    entry = BundleEntry.objects.create(bundle_version=version, item=item, position=position)
    depends_on = list(depends_on)
    if depends_on:
        bundle_entry_set_depends_on(entry=entry, depends_on=depends_on)
    return entry


@transaction.atomic
def bundle_entry_set_depends_on(*, entry: BundleEntry, depends_on: Iterable[BundleEntry]) -> None:
    """Replace an entry's prerequisites; refused across versions and when it makes a cycle."""
    depends_on = list(depends_on)
    version = BundleVersion.objects.select_for_update().get(pk=entry.bundle_version_id)
    if not version.is_draft:
        raise ValidationError("已发布或已停用的版本不可修改；如需调整，请生成新版本草稿。")
    if any(dep.bundle_version_id != version.pk for dep in depends_on):
        raise ValidationError("前置事项必须是同一版本中的事项。")
    entries = list(version.entries.select_related("item").prefetch_related("depends_on"))
    edges = {e.pk: {dep.pk for dep in e.depends_on.all()} for e in entries}
    edges[entry.pk] = {dep.pk for dep in depends_on}
    problems = _dependency_problems(entries, edges)
    if problems:
        raise ValidationError(problems)
    entry.depends_on.set(depends_on)


@transaction.atomic
def bundle_version_draft(*, bundle: Bundle) -> BundleVersion:
    """Open a new draft of a bundle, copying the entries and their dependencies."""
    bundle = Bundle.objects.select_for_update().get(pk=bundle.pk)
    _refuse_second_draft(bundle.name, bundle.versions)
    source = bundle.current_version or bundle.versions.order_by("-number").first()
    draft = BundleVersion.objects.create(bundle=bundle, number=_next_number(bundle.versions))
    if source is None:
        return draft
    old_entries = list(source.entries.prefetch_related("depends_on"))
    copies = {
        old.pk: BundleEntry.objects.create(
            bundle_version=draft, item_id=old.item_id, position=old.position
        )
        for old in old_entries
    }
    for old in old_entries:
        deps = [copies[dep.pk] for dep in old.depends_on.all()]
        if deps:
            copies[old.pk].depends_on.set(deps)
    return draft


@transaction.atomic
def bundle_version_publish(*, version: BundleVersion) -> BundleVersion:
    """Publish a draft bundle version; the previous one is retired.

    1. Lock the bundle and reload the version; only a draft can be published.
    2. Every item must be published and the dependencies must not loop.
    3. Retire the version published so far, publish this one and make it current.
    """
    bundle = Bundle.objects.select_for_update().get(pk=version.bundle_id)
    fresh = BundleVersion.objects.get(pk=version.pk)
    if not fresh.is_draft:
        raise ValidationError(
            f"只能发布草稿版本；第{fresh.number}版当前为{fresh.get_status_display()}。"
        )
    problems = bundle_version_problems(fresh)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    for previous in bundle.versions.filter(status=VersionStatus.PUBLISHED):
        previous.status, previous.retired_at = VersionStatus.RETIRED, now
        previous.save(update_fields=["status", "retired_at"])
    fresh.status, fresh.published_at = VersionStatus.PUBLISHED, now
    fresh.save(update_fields=["status", "published_at"])
    bundle.current_version, bundle.is_published = fresh, True
    bundle.save(update_fields=["current_version", "is_published"])
    version.status, version.published_at = fresh.status, fresh.published_at
    return fresh


@transaction.atomic
def bundle_unpublish(*, bundle: Bundle) -> None:
    """Withdraw a bundle: its current version is retired."""
    bundle = Bundle.objects.select_for_update().get(pk=bundle.pk)
    now = timezone.now()
    for current in bundle.versions.filter(status=VersionStatus.PUBLISHED):
        current.status, current.retired_at = VersionStatus.RETIRED, now
        current.save(update_fields=["status", "retired_at"])
    bundle.current_version, bundle.is_published = None, False
    bundle.save(update_fields=["current_version", "is_published"])
