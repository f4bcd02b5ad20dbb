"""The workbench's remote-help pages: the flow through the pages, access (404), and the
number of queries of each page, pinned (the citizen's: portal/tests/test_remote_call.py)."""

import pytest
from django.test import Client as Browser

from bangban.cases.tests.helpers import open_case
from bangban.remote.models import HelpRequest, HelpSession, RequestState
from bangban.remote.services import help_answer, help_ask

from .conftest import staff

pytestmark = pytest.mark.django_db


def signed_in(member) -> Browser:
    browser = Browser()
    browser.force_login(member.user)
    return browser


def test_an_agent_asks_from_the_case_page_and_the_town_answers_from_the_queue(rota):
    world = rota
    case = open_case(world)
    agent = signed_in(world.agent_a)
    page = agent.get(f"/work/cases/{case.number}/").content.decode()
    assert "远程求助" in page
    response = agent.post("/work/remote/ask/", {"case": case.number, "question": "怎么填"})
    request = HelpRequest.objects.get()
    assert response.url == f"/work/remote/asked/{request.pk}/"
    assert "正在呼叫城关镇便民服务中心" in agent.get(response.url).content.decode()
    town = signed_in(world.town_agent)
    assert "怎么填" in town.get("/work/remote/queue/").content.decode()
    answered = town.post(f"/work/remote/queue/{request.pk}/answer/")
    session = HelpSession.objects.get()
    assert answered.url == f"/work/remote/sessions/{session.pk}/live/"
    panel = agent.get(f"/work/cases/{case.number}/").content.decode()
    assert f"/work/remote/sessions/{session.pk}/" in panel


def test_an_agent_asks_from_the_consultation_page(rota):
    from bangban.consultations.services import consultation_record

    world = rota
    consultation = consultation_record(
        staff=world.agent_a, client_name="张三", contact="13812345678", channel="visit", content="?"
    )
    agent = signed_in(world.agent_a)
    assert "远程求助" in agent.get(f"/work/desk/consultations/{consultation.pk}/").content.decode()
    agent.post("/work/remote/ask/", {"consultation": consultation.pk, "question": "答不上"})
    assert HelpRequest.objects.get().consultation == consultation


def test_the_record_page_is_404_for_who_may_not_see_the_case(rota):
    world = rota
    case = open_case(world)
    session = help_answer(
        world.town_agent, help_ask(staff(world.agent_a), question="？", case=case)
    )
    assert signed_in(world.agent_a2).get(f"/work/remote/sessions/{session.pk}/").status_code == 200
    assert signed_in(world.agent_b).get(f"/work/remote/sessions/{session.pk}/").status_code == 404
    assert (
        signed_in(world.agent_b).get(f"/work/remote/sessions/{session.pk}/live/").status_code == 404
    )
    # a colleague may read the record, but only the two parties join the live session
    assert (
        signed_in(world.agent_a2).get(f"/work/remote/sessions/{session.pk}/live/").status_code
        == 404
    )


def test_the_coordinator_manages_the_rota(rota):
    world = rota
    coordinator = signed_in(world.coordinator)
    bad = coordinator.post(
        "/work/remote/rota/",
        {"staff": world.agent_a.pk, "weekday": "1", "start": "18:00", "end": "09:00"},
    )
    assert "结束时间应晚于开始时间" in bad.content.decode()
    coordinator.post(
        "/work/remote/rota/",
        {"staff": world.agent_a.pk, "weekday": "1", "start": "09:00", "end": "12:00"},
    )
    assert "村A代办员" in coordinator.get("/work/remote/rota/").content.decode()
    refused = signed_in(world.agent_a).post(
        "/work/remote/rota/",
        {"staff": world.agent_a.pk, "weekday": "2", "start": "09:00", "end": "12:00"},
    )
    assert refused.status_code == 403


@pytest.mark.parametrize(
    "address, most",
    [("/work/remote/queue/", 9), ("/work/remote/sessions/", 8), ("/work/remote/rota/", 9)],
)
def test_the_pages_read_a_bounded_number_of_queries(
    rota, django_assert_max_num_queries, address, most
):
    world = rota
    for member in (world.agent_a, world.agent_b, world.agent_a2):
        request = help_ask(staff(member), question="？", case=open_case(world, agent=member))
        if member != world.agent_a2:
            help_answer(world.town_agent, request)
    coordinator = signed_in(world.coordinator)
    coordinator.get(address)  # warm the session
    with django_assert_max_num_queries(most):
        assert coordinator.get(address).status_code == 200


def test_the_case_panel_is_one_query(rota, django_assert_max_num_queries):
    from bangban.remote.templatetags.remote_tags import remote_panel

    world = rota
    case = open_case(world)
    for _ in range(3):
        request = help_ask(staff(world.agent_a), question="？", case=case)
        help_answer(world.town_agent, request)
        request.state = RequestState.CANCELLED
        request.save()
    with django_assert_max_num_queries(1):
        assert len(remote_panel(case=case)) == 3
