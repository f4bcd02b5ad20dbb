"""Finding items and bundles from everyday words, pinyin, initials and a wrong character."""

import pytest

from bangban.catalogue import demo, search
from bangban.catalogue.selectors import published_items
from bangban.network import demo as network_demo


@pytest.fixture
def catalogue(db):
    network_demo.load()
    from bangban.network.models import Site

    demo.load(Site.objects.get(code="C01"))


def codes(query):
    items = [i.code for i in search.search_items(published_items(), query)]
    bundles = [b.code for b in search.search_bundles(query)]
    return items, bundles


@pytest.mark.parametrize("query", ["开饭店", "kaifandian", "kfd", "KaiFanDian", "kai fan dian"])
def test_everyday_words_pinyin_and_initials_find_the_restaurant_bundle_and_food_licence(
    catalogue, query
):
    items, bundles = codes(query)
    assert bundles[0] == "KYFD"
    assert "SCJG-005" in items  # 食品经营许可
    assert "SCJG-001" in items  # 营业执照


@pytest.mark.parametrize("query", ["开饭点", "开钣店"])
def test_a_wrong_character_still_finds_the_restaurant(catalogue, query):
    items, bundles = codes(query)
    assert "KYFD" in bundles
    assert "SCJG-005" in items


def test_a_sentence_is_cut_into_words(catalogue):
    items, bundles = codes("我想开个饭店")
    assert "KYFD" in bundles and "SCJG-005" in items


def test_the_item_name_in_pinyin_finds_it_first(catalogue):
    items, _ = codes("shipinjingyingxuke")
    assert items[0] == "SCJG-005"


def test_codes_are_still_found(catalogue):
    assert codes("SCJG-005")[0] == ["SCJG-005"]
    assert codes("kyfd")[1] == ["KYFD"]


def test_nonsense_finds_nothing(catalogue):
    assert codes("不存在的说法") == ([], [])
    assert codes("zzqqxx") == ([], [])


def test_the_index_is_rebuilt_when_the_catalogue_changes(catalogue):
    from bangban.catalogue.models import ServiceItem

    assert codes("打铁铺")[0] == []
    item = ServiceItem.objects.get(code="SCJG-005")
    item.keywords += " 打铁铺"
    item.save()
    assert codes("打铁铺")[0] == ["SCJG-005"]


def test_searching_the_catalogue_page_uses_few_queries(
    client, catalogue, django_assert_max_num_queries
):
    client.get("/items/", {"q": "开饭店"})  # build the index once
    with django_assert_max_num_queries(11):  # 11th: the synonym table's fingerprint
        response = client.get("/items/", {"q": "kfd"})
    text = response.content.decode()
    assert "开饭店一件事" in text and "食品经营许可" in text
