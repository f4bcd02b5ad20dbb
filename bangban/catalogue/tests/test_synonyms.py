"""The guide learns everyday phrases from a table an administrator edits (issue 14, item 8).

People say 卖房子 and 看病报销; the catalogue says 不动产转移登记 and 门诊慢特病. The
table (``Synonym``, seeded by a migration) makes the phrase a keyword of the items its
meanings name, the earlier meanings first.
"""

import pytest

from bangban.catalogue import demo, search
from bangban.catalogue.models import Synonym, synonym_meanings
from bangban.catalogue.selectors import published_items
from bangban.network import demo as network_demo


@pytest.fixture
def catalogue(db):
    network_demo.load()
    from bangban.network.models import Site

    demo.load(Site.objects.get(code="C01"))


def item_codes(query):
    return [i.code for i in search.search_items(published_items(), query)]


def test_seam_everyday_phrases_miss(catalogue):
    """卖房子 must not put 施工许可 first, and 看病报销 must not put 临时救助 first."""
    sell = item_codes("卖房子")
    assert sell[0] == "ZRZY-005"  # 不动产转移登记（二手房买卖）
    assert sell.index("ZRZY-005") < sell.index("ZJ-001")  # 建筑工程施工许可证核发
    doctor = item_codes("看病报销")
    assert doctor[0] in {"YB-003", "YB-002"}  # 门诊慢特病待遇认定, 跨省异地就医备案
    assert "MZ-004" not in doctor[:1]  # 临时救助


def test_the_seeded_phrases_name_items_of_the_demo_catalogue(catalogue):
    """Every seeded phrase finds something in the demo catalogue, first the item it means."""
    firsts = {
        "办准生证": "WJ-002",  # 生育登记
        "开饭店": "SCJG-005",  # 食品经营许可
        "办残疾证": "CL-001",
        "领结婚证": "MZ-008",
    }
    for phrase, code in firsts.items():
        assert item_codes(phrase)[0] == code, phrase
    for synonym in Synonym.objects.all():
        if synonym.phrase != "退休" and synonym.phrase != "领养老金":
            assert item_codes(synonym.phrase), synonym.phrase


def test_a_phrase_the_administrator_adds_is_found_at_once(catalogue):
    assert item_codes("开小卖铺") == []
    Synonym.objects.create(phrase="开小卖铺", means="仅销售预包装食品备案、个体工商户设立登记")
    assert item_codes("开小卖铺")[:2] == ["SCJG-006", "SCJG-001"]


def test_a_switched_off_phrase_is_forgotten(catalogue):
    """Without the table the guide falls back to its words: the seam comes back."""
    Synonym.objects.update(is_active=False)
    assert item_codes("卖房子")[0] == "ZJ-001"  # 施工许可: what people got before
    assert item_codes("看病报销")[0] == "MZ-004"  # 临时救助
    entry = next(e for e in search.current_index().items if e.code == "ZRZY-005")
    assert "卖房子" not in entry.phrases


def test_meanings_are_split_on_spaces_and_commas():
    assert synonym_meanings("不动产转移登记、二手房 ，过户 二手房") == [
        "不动产转移登记",
        "二手房",
        "过户",
    ]


def test_the_admin_edits_the_table(admin_client, db):
    response = admin_client.get("/admin/catalogue/synonym/")
    assert response.status_code == 200
    assert "卖房子" in response.content.decode()
    response = admin_client.post(
        "/admin/catalogue/synonym/add/", {"phrase": "  ", "means": "", "is_active": "on"}
    )
    assert response.status_code == 200  # refused, in Chinese
    assert "请填写" in response.content.decode() or "这个字段是必填项" in response.content.decode()
