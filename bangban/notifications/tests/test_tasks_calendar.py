"""Each run of a notifications job checks the working-day calendar once, and only that run."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from huey.api import TaskWrapper

from bangban.cases.tests.helpers import open_case, to_handling
from bangban.notifications import jobs, tasks
from bangban.notifications.models import Notice
from bangban.workdays.models import HolidayOverride
from bangban.workdays.services import current_calendar

from .helpers import Clock

pytestmark = pytest.mark.django_db

CALENDAR_TABLES = ("workdays_calendaryear", "workdays_holidayoverride")


def calendar_queries(captured: CaptureQueriesContext) -> int:
    """Queries that read the calendar's tables (checking its fingerprint takes one)."""
    return sum(
        any(table in query["sql"] for table in CALENDAR_TABLES)
        for query in captured.captured_queries
    )


RUNS = {  # each task, and what it calls to do its work
    "deliver_soon": "deliver_due_messages",
    "deliver_messages": "deliver_due_messages",
    "scan_deadlines": "jobs.scan_deadlines",
    "remind_clients": "jobs.remind_clients",
    "calendar_warning": "jobs.calendar_warning",
    "send_digests": "jobs.send_digests",
    "daily_rollups": "jobs.daily_rollups",
}


def test_the_list_above_names_every_task_of_the_area():
    found = {name for name, value in vars(tasks).items() if isinstance(value, TaskWrapper)}
    assert found == set(RUNS)


@pytest.mark.parametrize(("task", "work"), RUNS.items())
def test_every_job_run_checks_the_calendar_once_however_often_its_work_asks(
    monkeypatch, task, work
):
    asked = []

    def per_case_work():  # as a job would that asks for the calendar for each case
        asked.extend(current_calendar() for _ in range(3))
        return SimpleNamespace()

    owner, _, name = work.rpartition(".")
    monkeypatch.setattr(jobs if owner else tasks, name, per_case_work)
    current_calendar()  # built and kept by the process: a run only checks its fingerprint
    with CaptureQueriesContext(connection) as run:
        getattr(tasks, task)()  # through huey (immediate under pytest), as the scheduler does
    assert len(asked) == 3  # the work ran, asking three times
    assert calendar_queries(run) == 1


def test_a_holiday_saved_between_two_runs_is_seen_by_the_second(world, monkeypatch):
    clock = Clock(monkeypatch, date(2026, 9, 18))  # accepted: due on 2026-10-09
    cases = [open_case(world, agent=agent) for agent in (world.agent_a, world.agent_b)]
    for case in cases:
        to_handling(case, case.agent)
    clock.set(date(2026, 9, 29))  # 3 working days left: no warning yet

    warned = Notice.objects.filter(message__template_key="staff.deadline_warning")
    tasks.scan_deadlines()  # through huey (which keeps no result of a periodic task)
    assert not warned.exists()
    # Saved as by the admin's process: no signal reaches this one to drop a kept calendar.
    HolidayOverride.objects.bulk_create(
        [HolidayOverride(date=date(2026, 9, 30), is_workday=False, name="台风停工")]
    )
    tasks.scan_deadlines()  # now 2 working days left: each handler is warned
    assert sorted(n.staff_id for n in warned) == sorted([world.agent_a.pk, world.agent_b.pk])
    assert all("剩余2" in n.body for n in warned)
