"""Replies due, end to end: the consultations area's job (``consultations/jobs.py``) asks
through the core's port, the notifications area writes the messages. On a frozen clock
across National Day 2026, run twice every day: the second run writes nothing."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bangban.consultations import jobs, tasks
from bangban.consultations.services import consultation_escalate, consultation_record
from bangban.notifications.models import Notice
from bangban.notifications.tests.helpers import Clock
from bangban.workdays.services import current_calendar

pytestmark = pytest.mark.django_db


def days(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def run_twice(clock, day, job) -> int:
    """Run the job twice on ``day``; the second run must find nothing to do."""
    clock.set(day)
    first = job()
    assert job() == 0, f"second run on {day} did something"
    return first


def notices(staff, template):
    return list(
        Notice.objects.filter(staff=staff, message__template_key=template)
        .order_by("id")
        .values_list("body", flat=True)
    )


def record_two(world):
    asked = consultation_record(
        staff=world.agent_a,
        client_name="王五",
        contact="13700002222",
        channel="phone",
        content="开饭店需要哪些许可？",
    )
    escalated = consultation_record(
        staff=world.agent_a,
        client_name="赵六",
        contact="13700003333",
        channel="visit",
        content="施工许可的条件",
    )
    consultation_escalate(consultation=escalated, staff=world.agent_a, department=world.housing)
    return asked, escalated


def test_consultation_replies_due_on_the_first_working_day_after_the_holiday(world, monkeypatch):
    clock = Clock(monkeypatch, date(2026, 9, 30))
    asked, escalated = record_two(world)
    assert asked.reply_due_on == escalated.reply_due_on == date(2026, 10, 8)

    written = {
        d: run_twice(clock, d, jobs.replies_due) for d in days(date(2026, 9, 30), date(2026, 10, 9))
    }
    assert {d: n for d, n in written.items() if n} == {
        date(2026, 10, 8): 3,  # agent_a twice (two consultations), the housing liaison once
        date(2026, 10, 9): 3,
    }
    bodies = notices(world.agent_a, "staff.consultation_due")
    assert sum("须于今日（2026年10月8日）答复" in b for b in bodies) == 2
    assert sum("已超过答复期限2026年10月8日仍未答复" in b for b in bodies) == 2
    assert len(notices(world.liaison_housing, "staff.consultation_due")) == 2
    assert not Notice.objects.filter(staff=world.liaison_market).exists()


def test_the_task_checks_the_calendar_once_per_run(world, monkeypatch):
    clock = Clock(monkeypatch, date(2026, 9, 30))
    record_two(world)
    clock.set(date(2026, 10, 8))
    current_calendar()  # built and kept by the process: a run only checks its fingerprint
    with CaptureQueriesContext(connection) as run:
        tasks.consultation_replies_due()  # through huey (immediate under pytest)
    calendar = [q for q in run.captured_queries if "workdays_" in q["sql"]]
    assert len(calendar) == 1  # the fingerprint's one query, not one per consultation
    assert len(notices(world.agent_a, "staff.consultation_due")) == 2
