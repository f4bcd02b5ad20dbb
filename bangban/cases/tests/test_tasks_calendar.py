"""A run of the lapse job checks the working-day calendar once, not once per case."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bangban.cases.models import Case
from bangban.cases.tasks import lapse_due_cases, lapse_suspended_cases
from bangban.cases.workflow import State
from bangban.workdays.services import current_calendar

from .helpers import SIGNED, act, open_case, to_handling

pytestmark = pytest.mark.django_db

CALENDAR_TABLES = ("workdays_calendaryear", "workdays_holidayoverride")


def calendar_queries(captured: CaptureQueriesContext) -> int:
    """Queries that read the calendar's tables (checking its fingerprint takes one)."""
    return sum(
        any(table in query["sql"] for table in CALENDAR_TABLES)
        for query in captured.captured_queries
    )


def suspended_cases(world, monkeypatch, count: int) -> list[Case]:
    cases = []
    for i in range(count):
        agent = (world.agent_a, world.agent_b)[i % 2]
        case = open_case(world, agent=agent)
        to_handling(case, agent)
        act(
            case,
            agent,
            "suspend",
            reason_code="fees_unpaid",
            fee_amount="120",
            fee_payee="收费窗口",
            confirmation=SIGNED,
        )
        cases.append(case)
    after = current_calendar().add_workdays(cases[-1].resumption_due_on, 1)
    monkeypatch.setattr(timezone, "localdate", lambda *a: after)
    return cases


def test_a_run_over_several_cases_checks_the_calendar_fingerprint_once(world, monkeypatch):
    cases = suspended_cases(world, monkeypatch, 3)
    current_calendar()  # built and kept by the process: a run only checks its fingerprint
    with CaptureQueriesContext(connection) as run:
        lapse_suspended_cases()  # through huey (immediate under pytest), as the scheduler does
    assert calendar_queries(run) == 1
    lapsed = Case.objects.filter(pk__in=[c.pk for c in cases], state=State.TERMINATED)
    assert lapsed.count() == 3


def test_the_plain_function_outside_a_run_checks_for_every_case(world, monkeypatch):
    """What the scope saves: without it each case's transition checks the calendar again."""
    suspended_cases(world, monkeypatch, 3)
    current_calendar()
    with CaptureQueriesContext(connection) as run:
        assert lapse_due_cases() == 3
    assert calendar_queries(run) == 3  # one per case
