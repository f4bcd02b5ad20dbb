"""The cases API, as another government platform would use it with its token."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from bangban.apiauth.testing import ApiClient
from bangban.cases.models import Case, CaseEvent
from bangban.cases.selectors import deadline_status
from bangban.cases.services import case_deadline, case_transition
from bangban.cases.tests.helpers import SIGNED, open_case, to_handling
from bangban.cases.workflow import State
from bangban.testing import make_resident_id
from bangban.workdays.services import current_calendar

pytestmark = pytest.mark.django_db


def known_client(world) -> dict:
    """The citizen as the desk names them: by the ID card in hand (matched, never rewritten)."""
    return {"kind": "person", "name": world.citizen.name, "id_number": make_resident_id()}


def submit(api, world, **overrides):
    body = {
        "client": known_client(world),
        "service_type": "proxy",
        "channel": "window",
        "items": ["SCJG-001"],
        **overrides,
    }
    response = api.post("/cases", body)
    assert response.status_code == 201, response.json()
    return response.json()


def test_the_openapi_schema_is_served_with_every_path(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/cases",
        "/api/cases/{number}",
        "/api/cases/{number}/events",
        "/api/cases/{number}/timeline",
        "/api/cases/{number}/materials",
        "/api/clients",
        "/api/clients/{client_id}/reveal",
        "/api/consultations",
        "/api/consultations/{consultation_id}/escalate",
        "/api/consultations/{consultation_id}/reply",
        "/api/consultations/{consultation_id}/to-case",
        "/api/progress",
    ):
        assert path in paths
    detail = paths["/api/cases/{number}"]["get"]
    assert detail["tags"] == ["办件"]
    assert set(detail["responses"]) >= {"200", "401", "404"}
    schemes = response.json()["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"} in schemes.values()
    assert client.get("/api/docs").status_code == 200


def test_a_platform_walks_a_proxy_case_from_application_to_archive(world):
    agent, liaison = ApiClient(world.agent_a), ApiClient(world.liaison_market)
    case = submit(agent, world)
    number = case["number"]
    assert case["state"] == "received" and case["version"] == 0
    assert "start_review" in {e["event"] for e in case["allowed_events"]}

    assert agent.event(number, "start_review", 0).status_code == 201
    materials = agent.get(f"/cases/{number}/materials").json()["materials"]
    checks = [{"material_id": m["id"], "status": "received"} for m in materials]
    assert agent.event(number, "pre_review", checks=checks).status_code == 201
    accepted = agent.event(number, "accept", confirmation=SIGNED)
    assert accepted.status_code == 201, accepted.json()
    assert accepted.json()["to_state"] == "accepted"
    assert accepted.json()["details"]["signed"] == "代办服务委托书"
    assert agent.event(number, "start_handling").json()["state_label"] == "承办中"

    detail = agent.get(f"/cases/{number}").json()
    deadline = detail["deadline"]
    assert deadline["promised_days"] == 10 and deadline["status"] == "ok"
    assert deadline["workdays_left"] == 10 and deadline["lines"][-1].startswith("到期日")
    item_id = detail["items"][0]["id"]
    assert agent.event(number, "file_with_department", case_item_id=item_id).status_code == 201
    step = liaison.event(
        number, "department_step", case_item_id=item_id, status="approved", result="JY123"
    )
    assert step.status_code == 201, step.json()
    assert agent.get(f"/cases/{number}").json()["items"][0]["status_label"] == "已出结果"

    assert agent.event(number, "complete", confirmation=SIGNED).status_code == 201
    delivered = agent.event(number, "deliver", method="in_person", confirmation=SIGNED)
    assert delivered.status_code == 201, delivered.json()
    archived = agent.event(number, "archive")
    assert archived.json()["state"] == "archived"

    timeline = agent.get(f"/cases/{number}/timeline").json()
    assert [e["event"] for e in timeline] == [
        "submit",
        "start_review",
        "pre_review",
        "accept",
        "start_handling",
        "file_with_department",
        "department_step",
        "complete",
        "deliver",
        "archive",
    ]
    assert timeline[0]["label"] == "提交申请"
    assert timeline[6]["actor_name"] == "市场监管对接人"
    assert timeline[-1]["from_state_label"] == "已交付"
    assert timeline[-1]["to_state_label"] == "已归档"
    assert Case.objects.get(number=number).state == State.ARCHIVED


def test_a_bundle_and_a_new_client_can_be_submitted_in_one_call(world):
    agent = ApiClient(world.agent_a)
    new_client = {
        "kind": "person",
        "name": "王小明",
        "id_number": make_resident_id("11010519700101003"),
        "mobile": "13700001234",
    }
    case = submit(agent, world, client=new_client, items=[], bundle="B-FOOD")
    assert [i["department"]["code"] for i in case["items"]] == ["SCJG", "ZJ"]
    assert case["client"]["name"] == "王小明"
    assert case["client"]["mobile_masked"] == "137****1234"


def test_another_villages_agent_gets_404_for_every_case_url(world):
    number = submit(ApiClient(world.agent_a), world)["number"]
    other = ApiClient(world.agent_b)
    for path in (f"/cases/{number}", f"/cases/{number}/timeline", f"/cases/{number}/materials"):
        response = other.get(path)
        assert response.status_code == 404
        assert response.json() == {"code": "not_found", "message": "办件不存在"}
    response = other.post(
        f"/cases/{number}/events",
        {"event": "note", "expected_version": 0, "details": {"text": "x"}},
    )
    assert response.status_code == 404
    assert other.get("/cases").json()["items"] == []
    assert ApiClient(world.county_agent).get(f"/cases/{number}").status_code == 404


def test_submitting_for_a_site_one_does_not_work_at_is_refused(world):
    response = ApiClient(world.agent_a).post(
        "/cases",
        {
            "client_id": world.citizen.pk,
            "service_type": "proxy",
            "site": "V2",
            "items": ["SCJG-001"],
        },
    )
    assert response.status_code == 422
    assert response.json() == {"code": "forbidden", "message": "您不能为西湖村便民服务站登记办件"}
    liaison = ApiClient(world.liaison_market).post(
        "/cases", {"client_id": world.citizen.pk, "service_type": "proxy", "items": ["SCJG-001"]}
    )
    assert liaison.status_code == 422 and liaison.json()["code"] == "forbidden"
    assert not Case.objects.exists()


def test_a_stale_expected_version_answers_409_and_changes_nothing(world):
    agent = ApiClient(world.agent_a)
    number = submit(agent, world)["number"]
    assert agent.event(number, "start_review", 0).status_code == 201
    response = agent.event(number, "note", 0, text="基于旧页面的记录")
    assert response.status_code == 409
    assert response.json() == {
        "code": "conflict",
        "message": "该办件已被他人更新，请刷新页面后重试",
    }
    assert CaseEvent.objects.filter(case__number=number, event="note").count() == 0


def test_a_refused_transition_answers_422_with_the_reason_in_chinese(world):
    agent = ApiClient(world.agent_a)
    number = submit(agent, world)["number"]
    response = agent.event(number, "complete", 0)
    assert response.status_code == 422
    assert response.json() == {
        "code": "wrong_state",
        "message": "办件当前为“已申请（待处理）”，不能进行“办结”",
    }
    agent.event(number, "start_review", 0)
    response = ApiClient(world.coordinator).event(number, "refuse", 1, reason="x")
    assert response.status_code == 422 and response.json()["code"] == "forbidden"


def test_an_event_body_is_checked_against_that_events_own_schema(world):
    """The details an event takes are its row's schema (cases.details): a missing reason
    or an unknown event is bad input (400, naming the field), before any rule is asked."""
    agent = ApiClient(world.agent_a)
    number = submit(agent, world)["number"]
    agent.event(number, "start_review", 0)
    missing = agent.event(number, "refuse", 1, reason="  ")
    assert missing.status_code == 400
    assert missing.json()["errors"] == [{"field": "details.reason", "message": "不能为空"}]
    unknown = agent.event(number, "fly", 1)
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["field"] == "event"
    assert "不是状态表中的操作" in unknown.json()["errors"][0]["message"]
    ranged = agent.event(number, "request_supplement", 1, days=61)
    assert ranged.json()["errors"] == [{"field": "details.days", "message": "不能大于 60"}]
    assert Case.objects.get(number=number).version == 1  # nothing was written


def test_bad_input_answers_400_json_naming_the_fields(world, client):
    agent = ApiClient(world.agent_a)
    number = submit(agent, world)["number"]
    response = agent.post(
        f"/cases/{number}/events",
        {
            "event": "pre_review",
            "expected_version": "new",
            "details": {"checks": [{"material_id": 1, "status": "lost"}], "colour": "red"},
        },
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"].startswith("请求参数有误：expected_version（须为整数）")
    assert {e["field"] for e in body["errors"]} == {
        "expected_version",
        "details.checks[0].status",
        "details.colour",
    }
    broken = client.post(
        f"/api/cases/{number}/events",
        "{not json",
        content_type="application/json",
        headers=agent.headers,
    )
    assert broken.status_code == 400 and broken.json()["code"] == "invalid"
    assert (
        agent.get("/cases", limit=1000).json()["message"] == "请求参数有误：limit（不能大于 100）"
    )
    missing = agent.post(
        "/cases", {"client_id": world.citizen.pk, "service_type": "proxy", "items": ["NO-SUCH"]}
    )
    assert missing.status_code == 400 and missing.json()["message"] == "事项不存在：NO-SUCH"
    bad_client = agent.post(
        "/cases",
        {
            "client": {"kind": "person", "name": "某人", "id_number": "123"},
            "service_type": "assist",
            "items": ["SCJG-001"],
        },
    )
    assert bad_client.status_code == 400
    assert bad_client.json()["errors"][0]["field"] == "id_number"


def test_no_or_bad_credentials_answer_401(world, client):
    response = client.get("/api/cases")
    assert response.status_code == 401
    assert response.json() == {"code": "unauthorized", "message": "请先登录"}
    response = client.get("/api/cases", headers={"Authorization": "Bearer bb_guessed"})
    assert response.json() == {"code": "unauthorized", "message": "令牌无效"}


def test_a_staff_session_works_and_unsafe_calls_need_the_csrf_token(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.agent_a.user)
    assert browser.get("/api/cases").status_code == 200
    response = browser.post(
        "/api/cases",
        {"client_id": world.citizen.pk, "service_type": "proxy", "items": ["SCJG-001"]},
        content_type="application/json",
    )
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert Case.objects.count() == 0


def test_lists_and_details_show_client_data_masked(world):
    agent = ApiClient(world.agent_a)
    number = submit(agent, world)["number"]
    for response in (agent.get("/cases"), agent.get(f"/cases/{number}")):
        text = response.content.decode()
        assert make_resident_id() not in text and "13812345678" not in text
        assert "110105********002X" in text and "138****5678" in text


def test_the_list_filters_and_pages_by_keyset(world):
    cases = [open_case(world) for _ in range(5)]
    handled = cases[0]
    to_handling(handled, world.agent_a)
    handled.accepted_on -= timedelta(days=60)  # accepted two months ago: long overdue
    handled.due_on = case_deadline(handled).due_on
    handled.save(update_fields=["accepted_on", "due_on"])
    agent = ApiClient(world.agent_a)
    first = agent.get("/cases", limit=2).json()
    assert [c["id"] for c in first["items"]] == [cases[4].pk, cases[3].pk]
    second = agent.get("/cases", limit=2, after=first["next_after"]).json()
    third = agent.get("/cases", limit=2, after=second["next_after"]).json()
    assert [c["id"] for c in second["items"] + third["items"]] == [c.pk for c in cases[2::-1]]
    assert third["next_after"] is None
    assert [c["number"] for c in agent.get("/cases", overdue=True).json()["items"]] == [
        handled.number
    ]
    assert len(agent.get("/cases", overdue=False).json()["items"]) == 4
    assert len(agent.get("/cases", state="handling", site="V1").json()["items"]) == 1
    assert agent.get("/cases", service_type="assist").json()["items"] == []
    assert len(agent.get("/cases", q=handled.number).json()["items"]) == 1
    assert agent.get(f"/cases/{handled.number}").json()["deadline"]["status"] == "overdue"


@pytest.mark.parametrize(
    ("limit", "left", "status"),
    [
        (20, 4, "warning"),  # more than 2 days left, but no more than a fifth of the limit
        (20, 5, "ok"),
        (10, 2, "warning"),  # 2 days left is a warning whatever the limit
        (10, 3, "ok"),
    ],
)
def test_the_deadline_warning_follows_the_pages_rule(world, limit, left, status):
    calendar = current_calendar()
    today = timezone.localdate()
    case = open_case(world)
    to_handling(case, world.agent_a)
    case.promised_days = limit
    case.due_on = calendar.add_workdays(today, left)
    case.accepted_on = calendar.add_workdays(case.due_on, -limit)
    case.save(update_fields=["promised_days", "due_on", "accepted_on"])
    assert case_deadline(case).due_on == case.due_on
    assert deadline_status(case, today, calendar) == (status, left)  # what the pages show

    deadline = ApiClient(world.agent_a).get(f"/cases/{case.number}").json()["deadline"]
    assert (deadline["status"], deadline["workdays_left"]) == (status, left)
    assert deadline["status_label"] == {"ok": "正常", "warning": "即将到期"}[status]


def test_a_suspended_case_reports_the_days_frozen_when_its_clock_stopped(world):
    case = open_case(world)
    to_handling(case, world.agent_a)
    case_transition(
        case=case,
        event="suspend",
        actor=_actor(world.agent_a),
        reason_code="fees_unpaid",
        fee_amount="120",
        fee_payee="收费窗口",
        confirmation=SIGNED,
    )
    paused, frozen = deadline_status(case, timezone.localdate(), current_calendar())
    assert paused == "paused"
    deadline = ApiClient(world.agent_a).get(f"/cases/{case.number}").json()["deadline"]
    assert deadline["provisional"] and deadline["workdays_left"] == frozen
    assert (deadline["status"], deadline["status_label"]) == ("paused", "计时暂停")


def test_a_case_suspended_after_its_due_date_is_paused_not_overdue(world):
    calendar = current_calendar()
    today = timezone.localdate()
    case = open_case(world)
    to_handling(case, world.agent_a)
    case.due_on = calendar.add_workdays(today, -3)
    case.accepted_on = calendar.add_workdays(case.due_on, -case.promised_days)
    case.save(update_fields=["due_on", "accepted_on"])
    assert case_deadline(case).due_on == case.due_on
    agent = ApiClient(world.agent_a)
    assert agent.get(f"/cases/{case.number}").json()["deadline"]["status"] == "overdue"

    case_transition(
        case=case,
        event="suspend",
        actor=_actor(world.agent_a),
        reason_code="fees_unpaid",
        fee_amount="120",
        fee_payee="收费窗口",
        confirmation=SIGNED,
    )
    paused, frozen = deadline_status(case, today, calendar)  # as the pages show it
    assert paused == "paused" and frozen < 0  # it stopped after its due date
    deadline = agent.get(f"/cases/{case.number}").json()["deadline"]
    assert (deadline["status"], deadline["status_label"]) == ("paused", "计时暂停")
    assert deadline["workdays_left"] == frozen


def test_the_openapi_schema_lists_every_deadline_status(client):
    schemas = client.get("/api/openapi.json").json()["components"]["schemas"]
    status = schemas["DeadlineOut"]["properties"]["status"]
    assert status["enum"] == ["ok", "warning", "overdue", "paused"]
    assert "paused 计时暂停" in status["description"]


@pytest.mark.parametrize("persona", ["agent_a", "coordinator", "liaison_market", "supervisor"])
def test_the_list_costs_the_same_queries_for_3_cases_as_for_30(
    world, persona, django_assert_num_queries, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = ApiClient(getattr(world, persona))

    def filed_case():  # a liaison sees a case once an item is filed with its department
        case = open_case(world)
        to_handling(case, world.agent_a)
        item = case.items.get()
        case_transition(
            case=case,
            event="file_with_department",
            actor=_actor(world.agent_a),
            case_item_id=item.pk,
        )

    for _ in range(3):
        filed_case()
    api.get("/cases")  # the token's "last used" is written once; measure after it
    with CaptureQueriesContext(connection) as few:
        assert len(api.get("/cases", limit=100).json()["items"]) == 3
    for _ in range(27):
        filed_case() if persona == "liaison_market" else open_case(world)
    with django_assert_max_num_queries(3):
        assert len(api.get("/cases", limit=100).json()["items"]) == 30
    with django_assert_num_queries(len(few)):
        api.get("/cases", limit=100)


def test_the_detail_lists_only_the_events_the_table_allows_this_person(world):
    case = open_case(world)
    to_handling(case, world.agent_a)
    item = case.items.get()
    case_transition(
        case=case, event="file_with_department", actor=_actor(world.agent_a), case_item_id=item.pk
    )
    as_liaison = ApiClient(world.liaison_market).get(f"/cases/{case.number}").json()
    assert {e["event"] for e in as_liaison["allowed_events"]} == {
        "department_step",
        "expedite_reply",
        "note",
    }
    as_agent = ApiClient(world.agent_a).get(f"/cases/{case.number}").json()
    complete = next(e for e in as_agent["allowed_events"] if e["event"] == "complete")
    assert complete["signs"] == "办结（终止）单"
    assert ApiClient(world.supervisor).get(f"/cases/{case.number}").json()["allowed_events"] == []


def _actor(staff):
    from bangban.cases.access import Actor

    return Actor.of_staff(staff)


def test_a_relay_names_the_receiving_site_by_its_code(world):
    village, town = ApiClient(world.agent_a), ApiClient(world.town_agent)
    number = submit(village, world)["number"]
    assert town.get(f"/cases/{number}").status_code == 404
    sent = village.event(number, "relay_out", to_site="T1", note="需镇级办理，材料已收齐")
    assert sent.status_code == 201 and sent.json()["details"]["to_site"] == "城关镇便民服务中心"
    pending = town.get(f"/cases/{number}").json()
    assert pending["relay_to_site"] == {"code": "T1", "name": "城关镇便民服务中心"}
    assert {e["event"] for e in pending["allowed_events"]} == {"relay_accept", "relay_return"}
    assert town.event(number, "relay_accept").status_code == 201
    assert town.get(f"/cases/{number}").json()["site"]["code"] == "T1"
    unknown = town.event(number, "relay_out", to_site="NOWHERE", note="x")
    assert unknown.status_code == 422
    assert unknown.json()["message"] == "请选择其他在用的服务机构作为接收方"
