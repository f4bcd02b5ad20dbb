"""One calendar check per request: a staff page pays the fingerprint once, never a stale one."""

from datetime import date

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bangban.workbench.tests.conftest import accepted, open_case
from bangban.workdays.models import HolidayOverride
from bangban.workdays.services import calendar_scope, current_calendar

pytestmark = pytest.mark.django_db

MIDDLEWARE = "bangban.workdays.middleware.calendar_scope_middleware"


def _fingerprint_checks(queries: list[str]) -> int:
    # Each fingerprint check is one query naming the years; building reads only overrides.
    return sum('"workdays_calendaryear"' in sql for sql in queries)


def test_inside_a_scope_the_tables_are_checked_once(django_assert_num_queries):
    current_calendar()  # built for this database's tables, so later checks only compare
    with calendar_scope():
        with django_assert_num_queries(1):  # the fingerprint; the process already built it
            current_calendar()
            first = current_calendar()
        with django_assert_num_queries(0):
            assert current_calendar() is first
    with django_assert_num_queries(1):  # outside a scope, every call checks
        current_calendar()


def test_nested_scopes_share_the_outer_one(django_assert_num_queries):
    current_calendar()
    with calendar_scope():
        current_calendar()
        with calendar_scope(), django_assert_num_queries(0):
            current_calendar()
        with django_assert_num_queries(0):
            current_calendar()


def test_an_override_saved_inside_the_scope_is_seen_inside_it():
    day = date(2026, 10, 8)
    with calendar_scope():
        assert current_calendar().is_workday(day)
        override = HolidayOverride.objects.create(date=day, is_workday=False, name="台风停工")
        assert not current_calendar().is_workday(day)
        override.delete()
        assert current_calendar().is_workday(day)


def _home_queries(world) -> list[str]:
    """The SQL of the workbench home for agent A, asked for a second time."""
    client = Client()  # a client loads the middleware on its first request
    client.force_login(world.agent_a.user)
    client.get("/work/")  # warm up: the session, the process's calendar
    # Read inside the block: the next request clears the connection's query log.
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/work/").status_code == 200
        return [q["sql"] for q in queries.captured_queries]


def test_a_staff_page_checks_the_calendar_once_per_request(world):
    accepted(open_case(world), world.agent_a)
    without = [m for m in settings.MIDDLEWARE if m != MIDDLEWARE]
    assert len(without) == len(settings.MIDDLEWARE) - 1
    with override_settings(MIDDLEWARE=without):
        unscoped = _home_queries(world)
    scoped = _home_queries(world)
    assert _fingerprint_checks(unscoped) >= 2  # the view and the base template's warnings
    assert _fingerprint_checks(scoped) == 1
    assert len(unscoped) - len(scoped) == _fingerprint_checks(unscoped) - 1


def test_an_override_saved_between_two_requests_is_seen_by_the_second(client, world):
    case = accepted(open_case(world), world.agent_a)
    calendar = current_calendar()
    today = timezone.localdate()
    left = calendar.workdays_between(today, case.due_on)
    client.force_login(world.agent_a.user)
    assert f"剩 {left} 个工作日" in client.get("/work/").content.decode()

    # Saved by another worker: no signal reaches this process, only the tables change.
    HolidayOverride.objects.bulk_create(
        [HolidayOverride(date=calendar.next_workday(today), is_workday=False, name="台风停工")]
    )
    assert f"剩 {left - 1} 个工作日" in client.get("/work/").content.decode()
