"""The public catalogue, guide, bundle and disclosure pages."""

import pytest
from django.urls import reverse

from bangban.catalogue import services
from bangban.catalogue.models import Bundle, ItemCategory
from bangban.staff.models import Employment

from . import factories


@pytest.fixture
def many_items(dept, town):
    """Sixty published items, a few limited to the town, with materials and site lists."""
    items = []
    livelihood = ItemCategory.objects.get(code="livelihood")
    for n in range(60):
        items.append(
            factories.published_item(
                f"X-{n:03d}",
                f"测试事项{n:03d}",
                dept=dept,
                cat=livelihood if n % 2 else None,
                keywords="办执照" if n == 7 else "",
                sites=[town] if n % 10 == 0 else (),
                materials=4,
            )
        )
    return items


def test_the_catalogue_lists_published_items_with_bounded_queries(
    client, many_items, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        response = client.get("/items/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "办事指南" in text and "共 60 项" in text
    assert "第 1 / 3 页" in text
    assert "民生事务" in text and "企业开办" in text


def test_unpublished_items_are_not_listed(client, dept):
    factories.draft_item("D-001", "草稿事项", dept=dept)
    factories.published_item("P-001", "已发布事项", dept=dept)
    text = client.get("/items/").content.decode()
    assert "已发布事项" in text and "草稿事项" not in text


def test_the_catalogue_searches_names_keywords_and_codes(client, many_items):
    assert "测试事项007" in client.get("/items/", {"q": "办执照"}).content.decode()
    assert "共 1 项" in client.get("/items/", {"q": "X-042"}).content.decode()
    assert "没有找到" in client.get("/items/", {"q": "不存在的说法"}).content.decode()


def test_the_catalogue_filters_by_category(client, many_items):
    text = client.get("/items/", {"category": "livelihood"}).content.decode()
    assert "共 30 项" in text


def test_the_catalogue_filters_by_site(
    client, many_items, county, town, django_assert_max_num_queries
):
    # Items without a site list are offered everywhere; … only in the town.
    with django_assert_max_num_queries(7):
        at_county = client.get("/items/", {"site": county.code}).content.decode()
    assert "共 54 项" in at_county
    assert "共 60 项" in client.get("/items/", {"site": town.code}).content.decode()
    assert client.get("/items/", {"site": "NOPE"}).status_code == 404


def test_the_guide_shows_the_current_version(client, dept, town, django_assert_max_num_queries):
    item = factories.published_item(
        "SCJG-005", "食品经营许可", dept=dept, sites=[town], materials=5
    )
    with django_assert_max_num_queries(5):
        response = client.get(reverse("catalogue:item-detail", args=["SCJG-005"]))
    assert response.status_code == 200
    text = response.content.decode()
    for expected in [
        "食品经营许可",
        "《食品经营许可申请书》",
        "《中华人民共和国食品安全法》第三十五条",
        "法定时限",
        "10个工作日",
        "承诺时限",
        "5个工作日",
        "承诺件",
        "可容缺",
        "非必需",
        "原件",
        "复印件",
        "窗口、网上",
        "县市场监督管理局",
        "城关镇便民服务中心",
        "帮办",
        "代办",
        "不收费",
    ]:
        assert expected in text, expected
    assert item.current_version.number == 1


def test_a_retired_version_stays_readable_and_is_marked(client, dept):
    item = factories.published_item("SCJG-005", dept=dept)
    draft = services.item_version_draft(item=item)
    draft.promised_limit_days = 3
    draft.save()
    services.item_version_publish(version=draft)
    old = client.get(reverse("catalogue:item-version", args=["SCJG-005", 1])).content.decode()
    assert "已停用的历史版本" in old and "5个工作日" in old
    assert "3个工作日" in client.get("/items/SCJG-005/").content.decode()


def test_drafts_are_hidden_from_the_public(client, dept, admin_client):
    factories.draft_item("D-001", dept=dept)
    assert client.get("/items/D-001/").status_code == 404
    assert client.get("/items/D-001/versions/1/").status_code == 404
    assert "草稿" in admin_client.get("/items/D-001/versions/1/").content.decode()


def test_the_bundle_page_shows_order_dependencies_and_total(
    client, dept, django_assert_max_num_queries
):
    licence = factories.published_item(
        "A", "个体工商户设立登记", dept=dept, is_immediate=True, promised_limit_days=0
    )
    food = factories.published_item("B", "食品经营许可", dept=dept, promised_limit_days=5)
    tax = factories.published_item("C", "税务信息确认", dept=dept, promised_limit_days=2)
    factories.bundle("KYFD", "开饭店一件事", [(licence, []), (food, [0]), (tax, [1])])
    with django_assert_max_num_queries(4):
        response = client.get(reverse("catalogue:bundle-detail", args=["KYFD"]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "开饭店一件事" in text
    assert "须先办结：个体工商户设立登记" in text
    assert "牵头部门" not in text  # none named yet
    assert "7个工作日" in text
    assert (
        text.index("个体工商户设立登记") < text.index("食品经营许可") < text.index("税务信息确认")
    )
    assert "开饭店一件事" in client.get("/items/").content.decode()


def test_the_disclosure_page_shows_the_five_disclosures(
    client, county, many_items, django_assert_max_num_queries
):
    factories.agent(
        county,
        "王静",
        employment=Employment.FULL_TIME,
        phone="13800001111",
        duties="负责企业开办帮办",
    )
    factories.agent(county, "李强", employment=Employment.PART_TIME)
    factories.agent(county, "离岗者", is_active=False)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("catalogue:disclosure-site", args=[county.code]))
    assert response.status_code == 200
    text = response.content.decode()
    for expected in [
        "五公开",
        "帮办代办员信息",
        "王静",
        "专职",
        "兼职",
        "岗位职责",
        "负责企业开办帮办",
        "帮办代办事项",
        "测试事项001",
        "咨询 → 申请 → 受理 → 承办 → 办结 → 归档",
        "咨询 → 委托 → 受理 → 承办 → 中止/续办 → 办结 → 归档",
        "首问负责制",
        "一次性告知制",
        "限时办结制",
        "全程无偿",
        "保密制度",
        "示范县人民路88号",
        "0571-88000001",
        "投诉电话",
        "12345",
        "办公时间",
    ]:
        assert expected in text, expected
    assert "13800001111" not in text  # personal phones stay private
    assert "离岗者" not in text
    assert "少于规定" not in text
    assert "测试事项000" not in text  # offered only in the town


def test_the_disclosure_page_warns_when_a_site_has_fewer_than_two_agents(client, county, town):
    factories.agent(town, "张敏")
    factories.agent(town, "离岗者", is_active=False)
    text = client.get(f"/disclosure/{town.code}/").content.decode()
    assert "现有 1 名，少于规定的 2 名" in text
    listing = client.get("/disclosure/").content.decode()
    assert "帮办代办员不足2名" in listing and town.name in listing


def test_the_disclosure_list_links_every_active_site(
    client, county, town, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        text = client.get("/disclosure/").content.decode()
    assert county.name in text and town.name in text
    assert f"/disclosure/{town.code}/" in text


def test_an_unknown_site_is_not_found(client, db):
    assert client.get("/disclosure/NOPE/").status_code == 404


def test_the_bundle_page_names_its_lead_department(client, dept):
    food = factories.published_item("B", "食品经营许可", dept=dept, promised_limit_days=5)
    bundle = factories.bundle("KYFD", "开饭店一件事", [(food, [])])
    Bundle.objects.filter(pk=bundle.pk).update(lead_department=dept)
    text = client.get(reverse("catalogue:bundle-detail", args=["KYFD"])).content.decode()
    assert f"牵头部门：<strong>{dept.name}</strong>" in text
