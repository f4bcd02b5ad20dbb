"""The consultations API: first contact records, escalates, the department replies, one click to a case."""

import pytest

from bangban.apiauth.testing import ApiClient
from bangban.cases.models import Case
from bangban.testing import make_resident_id

pytestmark = pytest.mark.django_db

QUESTION = {
    "client_name": "张三",
    "contact": "138 1234 5678",
    "channel": "visit",
    "content": "开饭店要办哪些证？",
    "item": "SCJG-001",
}


def record(api, **overrides):
    response = api.post("/consultations", {**QUESTION, **overrides})
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_consultation_is_recorded_with_a_masked_contact_and_a_reply_deadline(world):
    consultation = record(ApiClient(world.agent_a))
    assert consultation["status"] == "pending" and consultation["reply_due_on"]
    assert consultation["contact_masked"] == "138****5678"
    assert consultation["handled_by_name"] == "村A代办员"
    assert consultation["item"] == {"code": "SCJG-001", "name": "食品经营许可"}
    assert "13812345678" not in str(consultation)
    answered = record(ApiClient(world.agent_a), answer="需办理食品经营许可")
    assert answered["status_label"] == "已当场答复"


def test_escalation_to_the_department_and_the_liaisons_reply(world):
    agent, liaison = ApiClient(world.agent_a), ApiClient(world.liaison_market)
    consultation = record(agent)
    path = f"/consultations/{consultation['id']}"
    assert liaison.post(f"{path}/reply", {"answer": "x"}).status_code == 404  # not yet theirs
    escalated = agent.post(f"{path}/escalate", {"department": "SCJG"})
    assert escalated.status_code == 200 and escalated.json()["department"]["code"] == "SCJG"
    assert [c["id"] for c in liaison.get("/consultations").json()["items"]] == [consultation["id"]]
    replied = liaison.post(f"{path}/reply", {"answer": "需营业执照和食品经营许可"})
    assert replied.status_code == 200
    assert replied.json()["status"] == "replied"
    assert replied.json()["replied_by_name"] == "市场监管对接人"
    again = agent.post(f"{path}/reply", {"answer": "再答一次"})
    assert again.status_code == 422 and again.json()["code"] == "wrong_status"


def test_bad_consultation_input_answers_400(world):
    agent = ApiClient(world.agent_a)
    response = agent.post("/consultations", {**QUESTION, "contact": "12345"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "contact"
    unknown = agent.post("/consultations", {**QUESTION, "item": "NO-SUCH"})
    assert unknown.status_code == 400 and unknown.json()["message"] == "事项不存在：NO-SUCH"
    consultation = record(agent)
    department = agent.post(f"/consultations/{consultation['id']}/escalate", {"department": "X"})
    assert department.status_code == 400


def test_the_register_is_the_sites_own_and_bounded(world):
    for n in range(3):
        record(ApiClient(world.agent_a), content=f"问题{n}")
    record(ApiClient(world.agent_b), content="西湖村的问题")
    page = ApiClient(world.agent_a).get("/consultations", limit=2).json()
    assert [c["content"] for c in page["items"]] == ["问题2", "问题1"]
    rest = ApiClient(world.agent_a).get("/consultations", after=page["next_after"]).json()
    assert [c["content"] for c in rest["items"]] == ["问题0"] and rest["next_after"] is None
    assert ApiClient(world.agent_a).get("/consultations", limit=101).status_code == 400
    other = ApiClient(world.agent_b).get("/consultations").json()["items"]
    assert [c["content"] for c in other] == ["西湖村的问题"]


def test_a_consultation_becomes_a_case_in_one_call_and_only_once(world):
    agent = ApiClient(world.agent_a)
    consultation = record(agent, channel="phone")
    path = f"/consultations/{consultation['id']}/to-case"
    citizen = {"kind": "person", "name": "张三", "id_number": make_resident_id()}
    body = {"client": citizen, "service_type": "assist"}
    response = agent.post(path, body)
    assert response.status_code == 201, response.json()
    case = response.json()
    assert case["channel"] == "phone" and case["items"][0]["item_code"] == "SCJG-001"
    assert Case.objects.get(number=case["number"]).consultation_id == consultation["id"]
    listed = agent.get("/consultations").json()["items"][0]
    assert listed["case_number"] == case["number"]
    assert listed["status"] == "replied" and case["number"] in listed["answer"]
    twice = agent.post(path, body)
    assert twice.status_code == 422 and twice.json()["code"] == "already_converted"
    assert ApiClient(world.agent_b).post(path, body).status_code == 404
