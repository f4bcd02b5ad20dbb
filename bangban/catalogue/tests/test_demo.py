"""The demo catalogue loads through the services and shows what the pages need."""

import pytest

from bangban.catalogue import demo, selectors
from bangban.catalogue.models import Bundle, ItemVersion, ServiceItem, VersionStatus
from bangban.network import demo as network_demo


@pytest.fixture
def loaded(db):
    county = network_demo.load()
    return demo.load(county)


def test_the_demo_has_at_least_forty_published_items_with_real_materials(loaded):
    published = ServiceItem.objects.filter(is_published=True)
    assert published.count() >= 40
    for item in published.select_related("current_version").prefetch_related(
        "current_version__materials"
    ):
        materials = item.current_version.materials.all()
        assert 3 <= len(materials) <= 8, item.code
        assert item.current_version.legal_basis.startswith("《"), item.code
        assert item.keywords, item.code
    assert {i.category.code for i in published.select_related("category")} == {
        "investment_construction",
        "business_startup",
        "livelihood",
    }


def test_one_demo_item_has_a_retired_first_version(loaded):
    food = ServiceItem.objects.get(code="SCJG-005")
    statuses = dict(food.versions.values_list("number", "status"))
    assert statuses == {1: VersionStatus.RETIRED, 2: VersionStatus.PUBLISHED}
    assert ItemVersion.objects.get(item=food, number=1).materials.count() == 8


def test_the_demo_bundles_are_published_with_their_limits(loaded):
    assert set(Bundle.objects.filter(is_published=True).values_list("code", flat=True)) == {
        "KYFD",
        "XSECS",
        "CJRFW",
    }
    restaurant = Bundle.objects.get(code="KYFD")
    assert selectors.bundle_plan(restaurant.current_version).total_days == 5


def test_every_demo_page_opens(client, loaded):
    assert client.get("/items/").status_code == 200
    for code in ServiceItem.objects.filter(is_published=True).values_list("code", flat=True):
        assert client.get(f"/items/{code}/").status_code == 200, code
    for code in Bundle.objects.values_list("code", flat=True):
        assert client.get(f"/items/bundles/{code}/").status_code == 200, code
    assert "开饭店一件事" in client.get("/items/", {"q": "开饭店"}).content.decode()
