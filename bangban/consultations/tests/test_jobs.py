"""Replies due (``jobs.replies_due``): who is asked to answer, on which days, and what the
messaging port is handed. The messages themselves, written by the notifications area, are
checked end to end in ``bangban/tests/test_consultation_reminders.py``."""

from datetime import date

import pytest

from bangban.cases import messaging
from bangban.consultations import jobs
from bangban.consultations.services import (
    consultation_escalate,
    consultation_record,
    consultation_reply,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def told(monkeypatch):
    """What the job hands the port (``cases.messaging.notify``), instead of the outbox."""
    calls = []

    def notifier(**message):
        calls.append(message)
        return len(message["recipients"])

    monkeypatch.setattr(messaging, "_notifier", [notifier])
    return calls


@pytest.fixture
def asked(world, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a: date(2026, 9, 30))
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
    assert asked.reply_due_on == escalated.reply_due_on == date(2026, 10, 8)
    return asked, escalated


def test_nobody_is_told_before_the_due_day_nor_on_a_holiday(asked, told):
    assert jobs.replies_due(date(2026, 9, 30)) == 0  # due later
    assert jobs.replies_due(date(2026, 10, 7)) == 0  # National Day, though nearly due
    assert told == []


def test_on_the_due_day_the_first_contact_and_the_department_s_liaisons_are_told(
    world, asked, told
):
    first, escalated = asked
    assert jobs.replies_due(date(2026, 10, 8)) == 3
    by_ref = {message["ref"]: message for message in told}
    assert set(by_ref) == {f"consultation:{first.pk}", f"consultation:{escalated.pk}"}
    mine = by_ref[f"consultation:{first.pk}"]
    assert mine["template"] == "staff.consultation_due"
    assert mine["recipients"] == [world.agent_a]
    assert mine["dedupe"] == f"consultation:due:{first.pk}:2026-10-08"
    assert mine["context"] == {
        "client_name": "王五",
        "content": "开饭店需要哪些许可？",
        "reply_due_on": date(2026, 10, 8),  # a date: the notifications area writes it
        "handled_by": world.agent_a.name,
        "overdue": False,
    }
    theirs = by_ref[f"consultation:{escalated.pk}"]
    assert theirs["recipients"] == [world.agent_a, world.liaison_housing]


def test_once_late_they_are_told_daily_until_it_is_answered(world, asked, told):
    first, escalated = asked
    assert jobs.replies_due(date(2026, 10, 9)) == 3
    assert {m["dedupe"] for m in told} == {
        f"consultation:overdue:{first.pk}:2026-10-09",
        f"consultation:overdue:{escalated.pk}:2026-10-09",
    }
    assert all(m["context"]["overdue"] for m in told)
    consultation_reply(consultation=first, staff=world.agent_a, answer="需要食品经营许可证")
    told.clear()
    assert jobs.replies_due(date(2026, 10, 10)) == 2  # the worked Saturday: one left
    assert [m["ref"] for m in told] == [f"consultation:{escalated.pk}"]


def test_the_port_says_so_when_no_area_provides_it(monkeypatch, asked):
    monkeypatch.setattr(messaging, "_notifier", [])
    with pytest.raises(RuntimeError, match="没有发送消息的应用"):
        jobs.replies_due(date(2026, 10, 8))
