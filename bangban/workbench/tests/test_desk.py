"""The front desk: a consultation in under a minute, the client found or registered, a case."""

import pytest

from bangban.cases.models import Case
from bangban.clients.models import Client
from bangban.consultations.models import Consultation, ConsultationStatus
from bangban.testing import make_resident_id

from .conftest import HTMX

pytestmark = pytest.mark.django_db

ORG_CODE = "91350100M000100Y43"  # a valid 统一社会信用代码 (GB 32100 example)


def record(client, world, **more):
    data = {
        "client_name": "王大爷",
        "contact": "13700001111",
        "channel": "visit",
        "content": "想开一家小饭店，要办什么证",
        "item": str(world.food.pk),
        **more,
    }
    return client.post("/work/desk/", data)


def test_a_walk_in_consultation_is_recorded_and_opens_the_case_form(signed_in, world):
    client = signed_in(world.agent_a)
    assert "咨询登记" in client.get("/work/desk/").content.decode()
    response = record(client, world, then="case")
    consultation = Consultation.objects.get()
    assert response["Location"] == f"/work/desk/consultations/{consultation.pk}/#open-case"
    assert consultation.handled_by == world.agent_a and consultation.site == world.village_a
    assert consultation.status == ConsultationStatus.PENDING and consultation.reply_due_on
    text = client.get(f"/work/desk/consultations/{consultation.pk}/").content.decode()
    assert "转为办件申请" in text and "食品经营许可" in text and "137****1111" in text


def test_answered_on_the_spot_and_refused_when_incomplete(signed_in, world):
    client = signed_in(world.agent_a)
    record(client, world, answer="当场告知所需材料", channel="phone")
    assert Consultation.objects.get().status == ConsultationStatus.ANSWERED
    response = record(client, world, contact="12345")
    assert response.status_code == 422
    assert "联系方式应为手机号码或固定电话" in response.content.decode()


def test_the_id_number_is_checked_as_it_is_typed(signed_in, world):
    client = signed_in(world.agent_a)
    check = "/work/desk/check-id/"
    wrong = client.get(check, {"kind": "person", "id_number": "110105194912310021"}, **HTMX)
    assert "校验位错误" in wrong.content.decode()
    short = client.get(check, {"kind": "person", "id_number": "1101051949"}, **HTMX)
    assert "应为18位，当前为10位" in short.content.decode()
    known = client.get(check, {"kind": "person", "id_number": make_resident_id()}, **HTMX)
    text = known.content.decode()  # registered, but with no case this desk may see
    assert "身份证号码有效" in text and "该证件号码已登记" in text and "张*" not in text
    new = client.get(check, {"kind": "person", "id_number": make_resident_id("11010519900101003")})
    assert "尚未登记" in new.content.decode()
    org = client.get(check, {"kind": "organisation", "id_number": ORG_CODE}).content.decode()
    assert "统一社会信用代码有效" in org


def test_items_are_found_by_words_typed(signed_in, world):
    client = signed_in(world.agent_a)
    text = client.get("/work/desk/items/", {"q": "食品"}, **HTMX).content.decode()
    assert "食品经营许可" in text and "建筑工程" not in text
    assert "没有找到" in client.get("/work/desk/items/", {"q": "不存在的"}).content.decode()


@pytest.mark.parametrize("query", ["spjyxk", "spjy", "shipinjingying", "食品经营许克"])
def test_the_desk_finds_items_by_pinyin_initials_and_a_wrong_character_as_the_portal_does(
    signed_in, world, query
):
    client = signed_in(world.agent_a)
    text = client.get("/work/desk/items/", {"q": query}, **HTMX).content.decode()
    assert "食品经营许可" in text and "建筑工程" not in text


def test_a_consultation_becomes_a_proxy_case_for_a_new_client(signed_in, world):
    client = signed_in(world.agent_a)
    record(client, world)
    consultation = Consultation.objects.get()
    response = client.post(
        f"/work/desk/consultations/{consultation.pk}/case/",
        {
            "kind": "person",
            "id_number": make_resident_id("33012219500101001"),
            "name": "王大爷",
            "mobile": "13700001111",
            "is_elderly": "1",
            "service_type": "proxy",
            "item": str(world.food.pk),
        },
    )
    case = Case.objects.get(consultation=consultation)
    assert response["Location"] == f"/work/cases/{case.number}/"
    assert case.service_type == "proxy" and case.site == world.village_a
    assert case.agent == world.agent_a and case.client.name == "王大爷" and case.client.is_elderly
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.REPLIED and case.number in consultation.answer
    again = client.get(f"/work/desk/consultations/{consultation.pk}/").content.decode()
    assert f'该咨询已转为办件 <a href="/work/cases/{case.number}/">' in again


def test_a_case_opened_by_another_agent_of_the_site_leaves_nothing_to_reply(signed_in, world):
    record(signed_in(world.agent_a), world)
    consultation = Consultation.objects.get()
    colleague = signed_in(world.agent_a2)
    colleague.post(
        f"/work/desk/consultations/{consultation.pk}/case/",
        {"kind": "person", "id_number": make_resident_id(), "service_type": "assist"},
    )
    case = Case.objects.get(consultation=consultation)
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.REPLIED
    assert consultation.replied_by == world.agent_a2 and case.number in consultation.answer
    home = signed_in(world.agent_a).get("/work/").content.decode()
    assert '待答复的咨询 <span class="count">0 件</span>' in home


def test_a_known_client_is_reused_not_overwritten(signed_in, world):
    client = signed_in(world.agent_a)
    record(client, world)
    consultation = Consultation.objects.get()
    clients = Client.objects.count()
    client.post(
        f"/work/desk/consultations/{consultation.pk}/case/",
        {
            "kind": "person",
            "id_number": make_resident_id(),
            "name": "别的名字",
            "service_type": "assist",
        },
    )
    case = Case.objects.get()
    assert case.client == world.citizen and Client.objects.count() == clients
    world.citizen.refresh_from_db()
    assert world.citizen.name == "张三"


def test_opening_a_case_refuses_with_reasons_in_chinese(signed_in, world):
    client = signed_in(world.agent_a)
    record(client, world)
    consultation = Consultation.objects.get()
    url = f"/work/desk/consultations/{consultation.pk}/case/"
    bad_id = client.post(url, {"kind": "person", "id_number": "110105194912310021", "name": "王"})
    assert bad_id.status_code == 422 and "校验位错误" in bad_id.content.decode()
    no_type = client.post(url, {"kind": "person", "name": "王大爷"})
    assert "服务类型无效" in no_type.content.decode()
    assert not Case.objects.exists()


def test_another_site_cannot_open_or_see_the_consultation(signed_in, world):
    record(signed_in(world.agent_a), world)
    consultation = Consultation.objects.get()
    other = signed_in(world.agent_b)
    assert other.get(f"/work/desk/consultations/{consultation.pk}/").status_code == 404
    response = other.post(
        f"/work/desk/consultations/{consultation.pk}/case/",
        {"kind": "person", "name": "王大爷", "service_type": "proxy"},
    )
    assert response.status_code == 404


def test_the_first_contact_answers_a_pending_consultation(signed_in, world):
    client = signed_in(world.agent_a)
    record(client, world)
    consultation = Consultation.objects.get()
    assert "王大爷" in client.get("/work/").content.decode()  # reply due, on the home
    client.post(f"/work/desk/consultations/{consultation.pk}/answer/", {"answer": "已电话答复"})
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.REPLIED


def test_the_desk_costs_a_bounded_number_of_queries(
    signed_in, world, django_assert_max_num_queries
):
    client = signed_in(world.agent_a)
    for _ in range(5):
        record(client, world)
    client.get("/work/desk/")
    with django_assert_max_num_queries(12):
        assert client.get("/work/desk/").status_code == 200
