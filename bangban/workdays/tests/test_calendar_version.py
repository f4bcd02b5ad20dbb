"""Every process sees an administrator's change on its next request, and an unchanged
calendar costs a request no query when the cache is shared (Redis).

Each test plays two processes: "this worker" (the admin's) and "another worker", whose
process-wide calendar was built before the change and who runs in a fresh context (no
scope, no transaction of its own). The cache stands for Redis, which both would share.
"""

import contextvars
from datetime import date

import pytest
from django.core.cache import cache

from bangban.workdays import services
from bangban.workdays.models import CalendarYear, HolidayOverride
from bangban.workdays.rules import unknown_year_warning
from bangban.workdays.services import calendar_warnings, current_calendar

pytestmark = pytest.mark.django_db

DAY = date(2026, 10, 8)  # a Thursday, a working day in the package
NOV_2026 = date(2026, 11, 22)


@pytest.fixture
def shared_cache(monkeypatch):
    """The default cache counts as shared by every process, as Redis is."""
    monkeypatch.setattr(services, "_shared_cache", lambda: True)
    monkeypatch.setattr(services, "_cached", None)
    cache.delete(services.VERSION_KEY)
    # an earlier test's save inside its (never committed) test transaction leaves the mark
    token = services._uncommitted.set(False)
    yield
    services._uncommitted.reset(token)


def in_another_worker(built_there, ask):
    """``ask()`` as a worker whose process built ``built_there`` earlier would run it."""
    services._cached = built_there
    return contextvars.Context().run(ask)


def test_with_a_shared_cache_an_unchanged_calendar_costs_no_query(
    shared_cache, django_assert_num_queries
):
    first = current_calendar()
    with django_assert_num_queries(0):
        assert current_calendar() is first
        assert in_another_worker(services._cached, current_calendar) is first


def test_an_override_entered_in_the_admin_takes_effect_on_the_next_request_in_every_process(
    shared_cache, admin_client, django_capture_on_commit_callbacks
):
    assert current_calendar().is_workday(DAY)
    other_worker = services._cached
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/workdays/holidayoverride/add/",
            {"date": "2026-10-08", "is_workday": "False", "name": "台风停工", "note": ""},
        )
    assert response.status_code == 302, response.content.decode()
    assert not in_another_worker(other_worker, current_calendar).is_workday(DAY)
    assert not current_calendar().is_workday(DAY)

    # and deleting it in the admin gives the day back, everywhere
    other_worker = services._cached
    override = HolidayOverride.objects.get(date=DAY)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"/admin/workdays/holidayoverride/{override.pk}/delete/", {"post": "yes"})
    assert in_another_worker(other_worker, current_calendar).is_workday(DAY)


def test_a_year_entered_in_the_admin_silences_its_warning_in_every_process(
    shared_cache, admin_client, django_capture_on_commit_callbacks
):
    assert calendar_warnings(today=NOV_2026) == [unknown_year_warning(2027)]
    other_worker = services._cached
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/admin/workdays/calendaryear/add/", {"year": "2027", "note": ""})
    assert CalendarYear.objects.filter(year=2027).exists()
    assert in_another_worker(other_worker, lambda: calendar_warnings(today=NOV_2026)) == []


def test_a_write_that_sends_no_signal_is_seen_within_the_recheck_interval(
    shared_cache, monkeypatch
):
    assert current_calendar().is_workday(DAY)
    other_worker = services._cached
    HolidayOverride.objects.bulk_create(
        [HolidayOverride(date=DAY, is_workday=False, name="台风停工")]
    )
    later = services.time.monotonic() + services.RECHECK_SECONDS
    monkeypatch.setattr(services.time, "monotonic", lambda: later)
    assert not in_another_worker(other_worker, current_calendar).is_workday(DAY)


def test_a_calendar_built_inside_an_unfinished_transaction_is_checked_again(shared_cache):
    """A save not yet committed (it may be rolled back) never sets the process's calendar
    under the current token: the next check reads the tables again."""
    current_calendar()
    HolidayOverride.objects.create(date=DAY, is_workday=False, name="台风停工")
    assert not current_calendar().is_workday(DAY)  # this transaction sees its own change
    assert services._cached.token is None


def test_a_lost_cache_falls_back_to_the_tables(shared_cache, django_assert_num_queries):
    assert current_calendar().is_workday(DAY)
    other_worker = services._cached
    HolidayOverride.objects.bulk_create(
        [HolidayOverride(date=DAY, is_workday=False, name="台风停工")]
    )
    cache.clear()  # Redis restarted: a new token, so every process checks the tables
    assert not in_another_worker(other_worker, current_calendar).is_workday(DAY)


def test_with_a_per_process_cache_every_check_reads_the_tables(django_assert_num_queries):
    """Embedded (LocMem): a token bumped by one worker never reaches another, so each check
    is the one-query fingerprint."""
    assert not services._shared_cache()
    assert current_calendar().is_workday(DAY)
    other_worker = services._cached
    with django_assert_num_queries(1):
        current_calendar()
    HolidayOverride.objects.bulk_create(
        [HolidayOverride(date=DAY, is_workday=False, name="台风停工")]
    )
    assert not in_another_worker(other_worker, current_calendar).is_workday(DAY)
