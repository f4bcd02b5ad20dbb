"""The API's case detail keeps its version-keyed part in the cache: never stale, never another's."""

import json

import pytest
from ninja.responses import NinjaJSONEncoder

from bangban.apiauth.testing import ApiClient
from bangban.cases.access import Actor, get_case_for
from bangban.cases.clients import client_correct
from bangban.cases.schemas import CaseDetail
from bangban.cases.services import case_transition
from bangban.cases.tests.helpers import open_case, to_handling

pytestmark = pytest.mark.django_db


def events(answer) -> set[str]:
    return {e["event"] for e in answer["allowed_events"]}


def test_the_cached_detail_changes_as_soon_as_the_case_changes(world):
    case = open_case(world)
    agent = ApiClient(world.agent_a)
    first = agent.get(f"/cases/{case.number}").json()
    assert first["state"] == "received" and "start_review" in events(first)
    case_transition(case=case, event="start_review", actor=Actor.of_staff(world.agent_a))
    again = agent.get(f"/cases/{case.number}").json()
    assert again["version"] == case.version and "start_review" not in events(again)


def test_another_viewer_never_gets_the_first_viewers_cached_detail(world):
    case = open_case(world)
    as_agent = ApiClient(world.agent_a).get(f"/cases/{case.number}").json()
    as_coordinator = ApiClient(world.coordinator).get(f"/cases/{case.number}").json()
    assert events(as_agent) != events(as_coordinator)
    for stranger in (world.agent_b, world.town_agent, world.liaison_market):
        assert ApiClient(stranger).get(f"/cases/{case.number}").status_code == 404


def test_a_client_correction_shows_in_the_detail_at_once(world):
    case = open_case(world)
    agent = ApiClient(world.agent_a)
    agent.get(f"/cases/{case.number}")
    client_correct(
        staff=world.agent_a, client=case.client, field="mobile", value="13900001111", reason="核实"
    )
    assert "139****1111" in agent.get(f"/cases/{case.number}").content.decode()


def test_the_detail_answers_what_ninja_would_for_its_schema(world):
    """The GET is written as JSON at once; it must be what ninja writes for ``CaseDetail``:
    dates, instants (checked materials, the deadline), the department and the sites included."""
    from bangban.api.cases import detail

    case = open_case(world, bundle=True)
    to_handling(case, world.agent_a)
    actor = Actor.of_staff(world.agent_a)
    built = detail(actor, get_case_for(actor, case.number))
    through_schema = CaseDetail.model_validate(built).model_dump()
    expected = json.loads(json.dumps(through_schema, cls=NinjaJSONEncoder))

    answer = ApiClient(world.agent_a).get(f"/cases/{case.number}")

    assert answer["Content-Type"] == "application/json; charset=utf-8"
    assert answer.json() == expected
    body = answer.json()
    assert body["deadline"]["due_on"] and body["accepted_on"]
    assert any(m["checked_at"] for m in body["materials"])
    assert all(i["department"]["name"] for i in body["items"])
    assert body["site"]["code"] == world.agent_a.site.code


def test_the_detail_is_bounded_cold_and_warm(world, django_assert_max_num_queries):
    case = open_case(world)
    agent = ApiClient(world.agent_a)
    with django_assert_max_num_queries(9):
        assert agent.get(f"/cases/{case.number}").status_code == 200
    with django_assert_max_num_queries(6):
        assert agent.get(f"/cases/{case.number}").status_code == 200


def test_the_progress_lookup_is_two_queries_and_touches_no_session(
    client, world, django_assert_max_num_queries
):
    case = open_case(world)
    with django_assert_max_num_queries(2):
        answer = client.get("/api/progress", {"number": case.number, "phone": "13812345678"})
    assert answer.status_code == 200 and "sessionid" not in answer.cookies
    assert "Cookie" not in answer.get("Vary", "")
