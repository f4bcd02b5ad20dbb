"""The API's list of cases (``GET /api/cases``): one query for a page of plain rows, written
as JSON at once, and exactly the answer the declared schema (``CaseList``) would give."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from ninja.responses import NinjaJSONEncoder

from bangban.api.cases import CaseListPage, summary
from bangban.api.pagination import encode_cursor
from bangban.apiauth.testing import ApiClient
from bangban.cases.models import Case
from bangban.cases.schemas import CaseList
from bangban.cases.tests.helpers import open_case, to_handling

pytestmark = pytest.mark.django_db


def as_ninja_answers(cases, next_after=None):
    """What ninja writes for these cases through the declared schema, from model instances."""
    today = timezone.localdate()
    body = {
        "items": [summary(case, today) for case in cases],
        "next_after": next_after,
        "next_cursor": encode_cursor("cases", next_after) if next_after else None,
    }
    page = CaseListPage.model_validate(body).model_dump()
    return json.loads(json.dumps(page, cls=NinjaJSONEncoder))


def test_the_list_answers_what_ninja_would_for_its_schema(world):
    plain = open_case(world)
    overdue = open_case(world)
    to_handling(overdue, world.agent_a)
    Case.objects.filter(pk=overdue.pk).update(due_on=timezone.localdate() - timedelta(days=3))
    without_agent = open_case(world, service_type="assist")
    Case.objects.filter(pk=without_agent.pk).update(agent=None, external_number="ZW-1")
    world.citizen.is_elderly = True  # a priority client (特殊群体)
    world.citizen.save()
    cases = Case.objects.select_related("site", "agent", "client").order_by("-pk")
    expected = as_ninja_answers(list(cases))

    answer = ApiClient(world.agent_a).get("/cases")

    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/json; charset=utf-8"
    assert answer.json() == expected
    assert CaseListPage.model_validate(answer.json())  # the declared schema, as the fuzz checks
    assert CaseList.model_validate(answer.json())  # next_after as before
    listed = {item["number"]: item for item in answer.json()["items"]}
    assert listed[overdue.number]["overdue"] is True
    assert listed[plain.number]["overdue"] is False
    assert listed[without_agent.number]["agent_name"] is None
    assert listed[plain.number]["client"]["is_priority"] is True


def test_a_page_and_the_next_after_are_what_ninja_would_answer(world):
    cases = [open_case(world) for _ in range(3)]
    first = ApiClient(world.agent_a).get("/cases", limit=2).json()
    newest = Case.objects.select_related("site", "agent", "client").order_by("-pk")
    assert first == as_ninja_answers(list(newest[:2]), next_after=cases[1].pk)


@pytest.mark.parametrize(("persona", "budget"), [("agent_a", 4), ("coordinator", 5)])
def test_the_list_is_one_query_for_its_page_and_reads_no_encrypted_column(
    world, persona, budget, django_assert_max_num_queries
):
    """Signed in: the session (read from the database here; from the cache with Redis), the
    user, the staff member (a coordinator: its covered sites), then one query for the page
    however many cases it holds; the client's encrypted fields are never read (the list
    shows them masked)."""
    staff = getattr(world, persona)
    for _ in range(12):
        open_case(world)
    browser = Browser()
    browser.force_login(staff.user)
    browser.get("/api/cases")
    with django_assert_max_num_queries(budget), CaptureQueriesContext(connection) as seen:
        answer = browser.get("/api/cases", {"limit": 50})
    assert len(answer.json()["items"]) == 12
    assert not [q["sql"] for q in seen if "_cipher" in q["sql"]]
