"""Bundles: entries, dependencies, cycle rejection and the promised limit."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from bangban.catalogue import selectors, services
from bangban.catalogue.models import Bundle, BundleVersion, VersionStatus

from . import factories


@pytest.fixture
def restaurant_items(dept, county):
    tax = factories.department(county, "SW", "县税务局")
    return {
        "licence": factories.published_item(
            "SCJG-001", "个体工商户设立登记", dept=dept, is_immediate=True, promised_limit_days=0
        ),
        "food": factories.published_item(
            "SCJG-005", "食品经营许可", dept=dept, promised_limit_days=5
        ),
        "drainage": factories.published_item(
            "ZJ-002", "排水许可", dept=dept, statutory_limit_days=15, promised_limit_days=8
        ),
        "tax": factories.published_item("SW-001", "税务信息确认", dept=tax, promised_limit_days=1),
    }


def test_the_bundle_limit_is_the_longest_chain(restaurant_items):
    i = restaurant_items
    bundle = factories.bundle(
        items_and_deps=[(i["licence"], []), (i["food"], [0]), (i["drainage"], [0]), (i["tax"], [1])]
    )
    plan = selectors.bundle_plan(bundle.current_version)
    assert plan.total_days == 8
    assert [p.entry.item.code for p in plan.entries] == ["SCJG-001", "SCJG-005", "ZJ-002", "SW-001"]
    assert [(p.start, p.finish) for p in plan.entries] == [(0, 0), (0, 5), (0, 8), (5, 6)]


def test_a_dependency_cycle_is_rejected(restaurant_items):
    i = restaurant_items
    bundle = Bundle.objects.create(code="X", name="循环")
    version = services.bundle_version_draft(bundle=bundle)
    a = services.bundle_entry_add(version=version, item=i["licence"])
    b = services.bundle_entry_add(version=version, item=i["food"], depends_on=[a])
    c = services.bundle_entry_add(version=version, item=i["tax"], depends_on=[b])
    with pytest.raises(ValidationError, match="循环"):
        services.bundle_entry_set_depends_on(entry=a, depends_on=[c])
    with pytest.raises(ValidationError, match="循环"):
        services.bundle_entry_set_depends_on(entry=a, depends_on=[a])
    assert list(a.depends_on.all()) == []


def test_publishing_rejects_a_cycle_that_slipped_in(restaurant_items):
    i = restaurant_items
    bundle = Bundle.objects.create(code="X", name="循环")
    version = services.bundle_version_draft(bundle=bundle)
    a = services.bundle_entry_add(version=version, item=i["licence"])
    b = services.bundle_entry_add(version=version, item=i["food"], depends_on=[a])
    a.depends_on.add(b)  # bypassing the service, as a careless script might
    with pytest.raises(ValidationError, match="循环"):
        services.bundle_version_publish(version=version)
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT


def test_dependencies_must_stay_within_one_version(restaurant_items):
    i = restaurant_items
    other = services.bundle_version_draft(bundle=Bundle.objects.create(code="Y", name="另一个"))
    foreign = services.bundle_entry_add(version=other, item=i["licence"])
    version = services.bundle_version_draft(bundle=Bundle.objects.create(code="X", name="本件"))
    entry = services.bundle_entry_add(version=version, item=i["food"])
    with pytest.raises(ValidationError, match="同一版本"):
        services.bundle_entry_set_depends_on(entry=entry, depends_on=[foreign])


def test_an_unpublished_item_cannot_join_a_published_bundle(dept):
    draft = factories.draft_item(dept=dept)
    version = services.bundle_version_draft(bundle=Bundle.objects.create(code="X", name="x"))
    services.bundle_entry_add(version=version, item=draft.item)
    with pytest.raises(ValidationError, match="尚未发布"):
        services.bundle_version_publish(version=version)


def test_an_empty_bundle_cannot_be_published(db):
    version = services.bundle_version_draft(bundle=Bundle.objects.create(code="X", name="x"))
    with pytest.raises(ValidationError, match="至少"):
        services.bundle_version_publish(version=version)


def test_a_new_bundle_version_copies_entries_and_retires_the_old(restaurant_items):
    i = restaurant_items
    bundle = factories.bundle(items_and_deps=[(i["licence"], []), (i["food"], [0])])
    first = bundle.current_version
    draft = services.bundle_version_draft(bundle=bundle)
    copied = list(draft.entries.order_by("position"))
    assert [e.item_id for e in copied] == [i["licence"].pk, i["food"].pk]
    assert list(copied[1].depends_on.all()) == [copied[0]]
    services.bundle_entry_add(version=draft, item=i["tax"], depends_on=[copied[1]])
    services.bundle_version_publish(version=draft)
    first.refresh_from_db()
    bundle.refresh_from_db()
    assert first.status == VersionStatus.RETIRED
    assert first.entries.count() == 2
    assert bundle.current_version == draft
    assert selectors.bundle_plan(draft).total_days == 6


def test_entries_of_a_published_bundle_are_frozen(restaurant_items):
    i = restaurant_items
    bundle = factories.bundle(items_and_deps=[(i["licence"], []), (i["food"], [])])
    first, second = bundle.current_version.entries.order_by("position")
    with pytest.raises(ValidationError), transaction.atomic():
        second.depends_on.add(first)
    with pytest.raises(ValidationError):
        first.delete()
    with pytest.raises(ValidationError):
        services.bundle_entry_add(version=bundle.current_version, item=i["tax"])


def test_unpublishing_a_bundle_retires_its_version(restaurant_items):
    bundle = factories.bundle(items_and_deps=[(restaurant_items["licence"], [])])
    services.bundle_unpublish(bundle=bundle)
    bundle.refresh_from_db()
    assert not bundle.is_published
    assert BundleVersion.objects.get(bundle=bundle).status == VersionStatus.RETIRED
