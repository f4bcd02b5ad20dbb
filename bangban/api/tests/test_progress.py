"""Public progress lookup and evaluation: the case number and the client's phone, nothing else."""

import pytest
from django.core.cache import cache

from bangban.apiauth.testing import ApiClient
from bangban.cases.models import MaterialStatus
from bangban.cases.tests.helpers import (
    SIGNED,
    act,
    finish_items,
    open_case,
    review_all,
    to_handling,
)
from bangban.testing import make_resident_id

pytestmark = pytest.mark.django_db

NOT_FOUND = {"code": "not_found", "message": "办件不存在或手机号码不符"}


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def lookup(number, phone):
    return ApiClient().get("/progress", number=number, phone=phone)


def test_the_client_sees_the_current_step_and_past_steps_in_plain_words(world):
    case = open_case(world)
    to_handling(case, world.agent_a)
    response = lookup(case.number, "138-1234-5678")
    assert response.status_code == 200
    progress = response.json()
    assert progress["state_label"] == "承办中" and progress["client_name"] == "张*"
    assert progress["due_on"] == case.due_on.isoformat()
    assert [s["label"] for s in progress["steps"]] == ["提交申请", "开始预审", "受理", "开始承办"]
    text = response.content.decode()
    for personal in ("张三", "13812345678", "138****5678", make_resident_id(), "村A代办员"):
        assert personal not in text


def test_what_the_client_must_bring_is_listed_with_its_deadline(world):
    case = open_case(world)
    act(case, world.agent_a, "start_review")
    review_all(case, world.agent_a, 营业执照=MaterialStatus.MISSING)
    act(case, world.agent_a, "request_supplement")
    progress = lookup(case.number, "13812345678").json()
    assert progress["state_label"] == "待补正"
    assert progress["awaiting"] == [
        "请补充或补正以下材料：",
        "营业执照（缺少），获取途径：申请人自备",
    ]
    assert progress["awaiting_due_on"] == case.supplement_due_on.isoformat()


def test_a_wrong_phone_and_a_wrong_number_get_the_same_404(world):
    case = open_case(world)
    other = open_case(world)
    other.client = world.other_citizen
    other.save(update_fields=["client"])
    for number, phone in (
        (case.number, "13900001111"),  # the other citizen's phone
        (other.number, "13812345678"),  # the other citizen's case
        ("BJ-V1-2026-999999", "13812345678"),
        (case.number, "not a phone"),
    ):
        response = lookup(number, phone)
        assert response.status_code == 404 and response.json() == NOT_FOUND
    assert lookup(other.number, "13900001111").status_code == 200


def test_guessing_phones_at_speed_is_throttled(world):
    case = open_case(world)
    statuses = [lookup(case.number, f"1390000{i:04d}").status_code for i in range(31)]
    assert statuses[:30] == [404] * 30 and statuses[30] == 429
    assert lookup(case.number, "13812345678").json()["code"] == "throttled"


def test_the_client_evaluates_a_completed_case(world):
    case = open_case(world)
    body = {"number": case.number, "phone": "13812345678", "level": "非常满意", "comment": "很方便"}
    early = ApiClient().post("/progress/evaluation", body)
    assert early.status_code == 422 and early.json()["code"] == "wrong_state"
    to_handling(case, world.agent_a)
    finish_items(case, world.agent_a, {"SCJG": world.liaison_market})
    act(case, world.agent_a, "complete", confirmation=SIGNED)
    response = ApiClient().post("/progress/evaluation", body)
    assert response.status_code == 201
    assert response.json()["steps"][-1]["label"] == "服务评价"
    event = case.events.get(event="evaluate")
    assert event.actor_kind == "client" and event.details == {
        "level": "非常满意",
        "comment": "很方便",
    }
    bad = ApiClient().post("/progress/evaluation", {**body, "level": "还行"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "level"


def test_behind_the_proxy_each_caller_has_its_own_limit_and_cannot_forge_one(world, settings):
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    case = open_case(world)

    def from_address(address, phone, forged=""):
        api = ApiClient()
        api.headers |= {"X-Real-IP": address, "X-Forwarded-For": forged or address}
        return api.get("/progress", number=case.number, phone=phone).status_code

    # a guesser rotating forged X-Forwarded-For values is still one caller
    statuses = [from_address("203.0.113.7", f"1390000{i:04d}", f"10.0.{i}.1") for i in range(31)]
    assert statuses[30] == 429
    assert from_address("198.51.100.9", "13812345678") == 200  # another citizen is not blocked


# --- the lookup is one query, its steps cached by the case's version ----------------------


def test_the_lookup_answers_what_ninja_would_for_its_schema(world):
    from bangban.cases.schemas import ProgressOut
    from bangban.cases.selectors import progress

    case = open_case(world)
    act(case, world.agent_a, "start_review")
    review_all(case, world.agent_a, 营业执照=MaterialStatus.MISSING)
    act(case, world.agent_a, "request_supplement")
    for _ in range(2):  # cold, then from the cache
        answer = lookup(case.number, "13812345678")
        case.refresh_from_db()
        expected = ProgressOut.model_validate(progress(case)).model_dump(mode="json")
        assert answer.status_code == 200 and answer.json() == expected


def test_a_warm_lookup_is_one_query_with_no_session(world, django_assert_max_num_queries):
    case = open_case(world)
    to_handling(case, world.agent_a)
    with django_assert_max_num_queries(2):  # cold: the case, its public steps
        lookup(case.number, "13812345678")
    with django_assert_max_num_queries(1):  # warm: the case's row only
        answer = lookup(case.number, "13812345678")
    assert answer.status_code == 200
    assert "Cookie" not in answer.get("Vary", "") and not answer.cookies


def test_the_cached_steps_change_as_soon_as_the_case_changes(world):
    case = open_case(world)
    assert lookup(case.number, "13812345678").json()["steps"][-1]["label"] == "提交申请"
    act(case, world.agent_a, "start_review")
    progress = lookup(case.number, "13812345678").json()
    assert progress["state_label"] == "预审中"
    assert [s["label"] for s in progress["steps"]] == ["提交申请", "开始预审"]


def test_one_clients_cached_steps_are_never_shown_for_another_case(world):
    case = open_case(world)
    other = open_case(world)
    to_handling(other, world.agent_a)
    mine = lookup(case.number, "13812345678").json()
    theirs = lookup(other.number, "13812345678").json()
    assert mine["number"] == case.number and len(mine["steps"]) == 1
    assert theirs["number"] == other.number and len(theirs["steps"]) == 4
    assert lookup(case.number, "13900001111").json() == NOT_FOUND  # cached or not: same 404
