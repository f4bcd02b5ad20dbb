"""The clients API: registration, lookup by keyed hash, and recorded reveals."""

import pytest

from bangban.apiauth.testing import ApiClient
from bangban.cases.tests.helpers import open_case
from bangban.clients.models import PersonalDataAccess
from bangban.testing import make_resident_id

pytestmark = pytest.mark.django_db

ID_NUMBER = make_resident_id("11010519700101003")


def test_a_client_is_registered_and_shown_masked(world):
    response = ApiClient(world.agent_a).post(
        "/clients",
        {
            "kind": "person",
            "name": "王小明",
            "id_number": ID_NUMBER,
            "mobile": "137 0000 1234",
            "address": "浙江省杭州市西湖区文三路90号",
            "is_elderly": True,
        },
    )
    assert response.status_code == 201
    client = response.json()
    assert client["id_number_masked"] == ID_NUMBER[:6] + "********" + ID_NUMBER[-4:]
    assert client["mobile_masked"] == "137****1234"
    assert client["address_masked"] == "浙江省杭州市西湖区****"
    assert client["is_priority"] and client["kind_label"] == "自然人"
    assert ID_NUMBER not in response.content.decode()


def test_invalid_identity_answers_400_naming_each_field(world):
    response = ApiClient(world.agent_a).post(
        "/clients", {"kind": "organisation", "name": "某公司", "id_number": "91350100M000100Y44"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert {e["field"] for e in body["errors"]} == {"id_number", "legal_representative"}
    assert "请填写法定代表人" in body["message"]


def test_a_client_is_found_by_id_number_and_only_masked_data_returns(world):
    open_case(world)  # the client of a case agent A may see
    agent = ApiClient(world.agent_a)
    response = agent.get("/clients", id_number=make_resident_id())
    assert response.status_code == 200
    assert response.json()["id"] == world.citizen.pk
    assert make_resident_id() not in response.content.decode()
    missing = agent.get("/clients", id_number=ID_NUMBER)
    assert missing.status_code == 404 and missing.json()["message"] == "服务对象不存在"


def test_revealing_a_field_returns_it_in_full_and_records_who_and_why(world):
    case = open_case(world)
    agent = ApiClient(world.agent_a)
    body = {"field": "mobile", "reason": "电话通知补正材料", "case": case.number}
    response = agent.post(f"/clients/{world.citizen.pk}/reveal", body)
    assert response.status_code == 200
    assert response.json() == {"field": "mobile", "value": "13812345678"}
    access = PersonalDataAccess.objects.get()
    assert (access.staff, access.reason, access.case) == (world.agent_a, "电话通知补正材料", case)
    without_reason = agent.post(
        f"/clients/{world.citizen.pk}/reveal", {"field": "mobile", "reason": ""}
    )
    assert without_reason.status_code == 400


def test_a_client_without_a_visible_case_cannot_be_revealed(world):
    open_case(world)
    body = {"field": "id_number", "reason": "核对身份"}
    other = ApiClient(world.agent_b).post(f"/clients/{world.citizen.pk}/reveal", body)
    assert other.status_code == 404 and other.json()["message"] == "服务对象不存在"
    stranger = ApiClient(world.agent_a).post(f"/clients/{world.other_citizen.pk}/reveal", body)
    assert stranger.status_code == 404
    assert not PersonalDataAccess.objects.exists()
    allowed = ApiClient(world.agent_a).post(f"/clients/{world.citizen.pk}/reveal", body)
    assert allowed.json()["value"] == make_resident_id()
