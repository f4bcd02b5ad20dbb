"""Drafting and publishing guides: published versions are frozen, cases keep theirs."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from bangban.catalogue import services
from bangban.catalogue.models import ItemVersion, Material, VersionStatus

from . import factories


def test_publishing_the_first_version_publishes_the_item(dept):
    version = factories.draft_item("SCJG-005", dept=dept)
    services.item_version_publish(version=version)
    item = version.item
    item.refresh_from_db()
    assert item.is_published
    assert item.current_version == version
    assert version.status == VersionStatus.PUBLISHED
    assert version.published_at is not None


def test_a_new_draft_copies_the_guide_sites_and_materials(dept, town):
    item = factories.published_item(dept=dept, materials=4, sites=[town])
    draft = services.item_version_draft(item=item)
    assert draft.number == 2
    assert draft.status == VersionStatus.DRAFT
    assert draft.promised_limit_days == item.current_version.promised_limit_days
    assert list(draft.sites.all()) == [town]
    old = list(
        item.current_version.materials.values_list("name", "required", "form", "accept_with_gaps")
    )
    new = list(draft.materials.values_list("name", "required", "form", "accept_with_gaps"))
    assert new == old
    assert item.current_version.materials.count() == 4  # the original is untouched


def test_publishing_a_new_version_retires_the_old_one(dept):
    item = factories.published_item(dept=dept)
    first = item.current_version
    draft = services.item_version_draft(item=item)
    draft.promised_limit_days = 3
    draft.save()
    services.item_version_publish(version=draft)

    first.refresh_from_db()
    item.refresh_from_db()
    assert first.status == VersionStatus.RETIRED
    assert first.retired_at is not None
    assert item.current_version == draft
    assert ItemVersion.objects.filter(item=item, status=VersionStatus.PUBLISHED).count() == 1


def test_a_case_keeps_the_version_it_was_opened_under(dept):
    item = factories.published_item(dept=dept, materials=3)
    opened_under = item.current_version  # what a case stores
    draft = services.item_version_draft(item=item)
    draft.promised_limit_days = 2
    draft.save()
    draft.materials.filter(position=3).delete()
    services.item_version_publish(version=draft)

    kept = ItemVersion.objects.get(pk=opened_under.pk)
    assert kept.promised_limit_days == 5
    assert kept.materials.count() == 3
    assert kept.status == VersionStatus.RETIRED
    item.refresh_from_db()
    assert item.current_version.promised_limit_days == 2


def test_a_published_version_cannot_be_edited(dept):
    item = factories.published_item(dept=dept)
    version = item.current_version
    version.promised_limit_days = 1
    with pytest.raises(ValidationError):
        version.save()
    with pytest.raises(ValidationError):
        version.delete()
    version.refresh_from_db()
    assert version.promised_limit_days == 5


def test_materials_and_sites_of_a_published_version_are_frozen(dept, town):
    item = factories.published_item(dept=dept)
    version = item.current_version
    material = version.materials.first()
    material.name = "改过的名字"
    with pytest.raises(ValidationError):
        material.save()
    with pytest.raises(ValidationError):
        material.delete()
    with pytest.raises(ValidationError):
        Material.objects.create(version=version, name="新增材料")
    # Related managers change rows without a savepoint, so each attempt gets its own.
    with pytest.raises(ValidationError), transaction.atomic():
        version.sites.add(town)
    with pytest.raises(ValidationError), transaction.atomic():
        town.item_versions.add(version)
    assert version.materials.count() == 3 and version.sites.count() == 0


def test_only_one_draft_at_a_time(dept):
    item = factories.published_item(dept=dept)
    services.item_version_draft(item=item)
    with pytest.raises(ValidationError, match="草稿"):
        services.item_version_draft(item=item)


def test_a_version_cannot_be_published_twice(dept):
    item = factories.published_item(dept=dept)
    with pytest.raises(ValidationError, match="只能发布草稿"):
        services.item_version_publish(version=item.current_version)


def test_a_promised_limit_beyond_the_statutory_limit_is_refused(dept):
    version = factories.draft_item(dept=dept, statutory_limit_days=5, promised_limit_days=10)
    with pytest.raises(ValidationError) as raised:
        services.item_version_publish(version=version)
    assert "不能超过法定时限" in str(raised.value)
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT


@pytest.mark.parametrize(
    ("guide", "message"),
    [
        ({"is_immediate": True, "promised_limit_days": 3}, "即办件"),
        ({"is_immediate": False, "promised_limit_days": 0}, "承诺件"),
        ({"channels": []}, "办理渠道"),
        ({"channels": ["fax"]}, "未知的办理渠道"),
        ({"offers_assist": False, "offers_proxy": False}, "帮办、代办"),
    ],
)
def test_an_unsound_guide_is_refused(dept, guide, message):
    version = factories.draft_item(dept=dept, **guide)
    with pytest.raises(ValidationError, match=message):
        services.item_version_publish(version=version)


def test_an_item_without_versions_gets_a_blank_first_draft(dept):
    item = factories.draft_item(dept=dept).item
    item.versions.all().delete()
    draft = services.item_version_draft(item=item)
    assert draft.number == 1
    assert draft.materials.count() == 0


def test_unpublishing_retires_the_current_version(dept):
    item = factories.published_item(dept=dept)
    version = item.current_version
    services.item_unpublish(item=item)
    item.refresh_from_db()
    version.refresh_from_db()
    assert not item.is_published and item.current_version is None
    assert version.status == VersionStatus.RETIRED
    # A new draft starts from the latest version and can be published again.
    draft = services.item_version_draft(item=item)
    assert draft.number == 2 and draft.materials.count() == 3
    services.item_version_publish(version=draft)
    item.refresh_from_db()
    assert item.is_published


def test_an_item_in_a_published_bundle_cannot_be_unpublished(dept):
    item = factories.published_item(dept=dept)
    factories.bundle(items_and_deps=[(item, [])])
    with pytest.raises(ValidationError, match="开饭店一件事"):
        services.item_unpublish(item=item)


def test_a_version_knows_where_and_which_help_it_offers(dept, county, town):
    everywhere = factories.published_item(dept=dept).current_version
    in_town = factories.published_item(dept=dept, sites=[town], offers_proxy=False).current_version
    assert everywhere.is_offered_at(county) and everywhere.is_offered_at(town)
    assert in_town.is_offered_at(town) and not in_town.is_offered_at(county)
    assert in_town.offers_service("assist") and not in_town.offers_service("proxy")
