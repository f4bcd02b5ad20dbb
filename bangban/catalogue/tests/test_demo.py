"""The demo catalogue: data files in the catalogue's own Excel format, loaded through the
administrator's import, with what the pages need."""

import io

import pytest
from django.core.management import call_command

from bangban.catalogue import demo, selectors
from bangban.catalogue.excel import export_workbook, import_workbook
from bangban.catalogue.models import Bundle, ItemVersion, ServiceItem, VersionStatus
from bangban.network import demo as network_demo

DEMO_CODES = (
    "CL-001 CL-002 CL-003 FG-001 FG-002 GA-001 GA-002 GA-003 GA-004 MZ-001 MZ-002 MZ-003 "
    "MZ-004 MZ-005 MZ-006 MZ-007 MZ-008 RS-001 RS-002 RS-003 RS-004 RS-005 RS-006 SCJG-001 "
    "SCJG-002 SCJG-003 SCJG-004 SCJG-005 SCJG-006 SCJG-007 SCJG-008 SW-001 SW-002 TYJR-001 "
    "WJ-001 WJ-002 WJ-003 WJ-004 WL-001 WL-002 YB-001 YB-002 YB-003 ZJ-001 ZJ-002 ZJ-003 "
    "ZJ-004 ZRZY-001 ZRZY-002 ZRZY-003 ZRZY-004 ZRZY-005 ZRZY-006"
).split()


@pytest.fixture
def loaded(db):
    county = network_demo.load()
    return demo.load(county)


def test_the_demo_files_load_through_the_catalogue_import_command(db, capsys):
    network_demo.load()
    for path in demo.FILES:
        call_command("catalogue_import", str(path))
    out = capsys.readouterr().out
    assert "新增事项 1 个，发布新版本 1 个" in out  # the food licence before 2023
    assert "新增事项 52 个，发布新版本 52 个，未变化 0 个。保存草稿 1 个" in out
    assert "发布一件事新版本 3 个" in out and "草稿 WJ-003 第1版（待发布）" in out
    assert list(ServiceItem.objects.values_list("code", flat=True)) == DEMO_CODES
    assert list(ServiceItem.objects.filter(is_published=False).values_list("code", flat=True)) == [
        "WJ-003"
    ]
    assert ItemVersion.objects.get(item__code="WJ-003").status == VersionStatus.DRAFT


def test_the_demo_catalogue_exported_and_imported_again_is_unchanged(loaded):
    buffer = io.BytesIO()
    assert export_workbook(buffer) == len(DEMO_CODES) - 1  # the draft is not exported
    buffer.seek(0)
    result = import_workbook(buffer)
    assert result.created_items == result.new_versions == result.new_bundle_versions == []
    assert len(result.unchanged) == len(DEMO_CODES) - 1


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
