"""Each scheduled job on a frozen clock across National Day 2026, run twice every day.

2026: 9-25…9-27 Mid-Autumn (9-20, a Sunday, is worked), 10-1…10-7 National Day, 10-10
(a Saturday) is worked. Every job is run twice each day and must do nothing the second
time; the jobs that speak to staff say nothing on a day off.
"""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection

from bangban.cases.models import CaseEvent, MaterialStatus
from bangban.cases.tasks import lapse_due_cases
from bangban.cases.tests.helpers import SIGNED, act, open_case, review_all, to_handling
from bangban.cases.workflow import State
from bangban.notifications import jobs
from bangban.notifications.delivery import deliver_due_messages
from bangban.notifications.models import JobMark, Message, MessageState, Notice, StaffPreference
from bangban.staff.models import StaffMember
from bangban.testing import _staff
from bangban.workdays.models import CalendarYear
from bangban.workdays.services import current_calendar

from .helpers import Clock

pytestmark = pytest.mark.django_db

HOLIDAY = [date(2026, 10, d) for d in range(1, 8)]


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


def test_deadline_warnings_and_overdue_notices_once_per_working_day(world, monkeypatch):
    accepted_on = current_calendar().add_workdays(date(2026, 10, 9), -10)
    clock = Clock(monkeypatch, accepted_on)
    case = open_case(world)
    to_handling(case, world.agent_a)
    assert (accepted_on, case.due_on) == (date(2026, 9, 18), date(2026, 10, 9))

    written = {
        d: run_twice(clock, d, jobs.scan_deadlines)
        for d in days(date(2026, 9, 29), date(2026, 10, 11))
    }

    assert written[date(2026, 9, 29)] == 0  # 3 working days left: not yet
    assert written[date(2026, 9, 30)] == 1
    assert all(written[d] == 0 for d in HOLIDAY)
    assert written[date(2026, 10, 8)] == written[date(2026, 10, 9)] == 1
    assert written[date(2026, 10, 10)] == 2  # the worked Saturday: overdue, agent + coordinator
    assert written[date(2026, 10, 11)] == 0  # Sunday
    warnings = notices(world.agent_a, "staff.deadline_warning")
    assert [w.split("剩余")[1][:1] for w in warnings] == ["2", "1", "0"]
    assert "将于2026年10月9日到期" in warnings[0]
    [overdue] = notices(world.agent_a, "staff.overdue")
    assert "已超期1个工作日" in overdue
    assert notices(world.coordinator, "staff.overdue") == [overdue]
    assert not Notice.objects.filter(staff=world.agent_b).exists()


def test_supplement_reminders_before_and_after_the_deadline_through_the_workflow(
    world, monkeypatch
):
    clock = Clock(monkeypatch, date(2026, 9, 28))
    case = open_case(world)
    act(case, world.agent_a, "start_review")
    review_all(case, world.agent_a, 营业执照=MaterialStatus.MISSING)
    act(case, world.agent_a, "request_supplement", days=2)
    assert case.supplement_due_on == date(2026, 9, 30)

    made = {
        d: run_twice(clock, d, jobs.remind_clients)
        for d in days(date(2026, 9, 28), date(2026, 10, 9))
    }

    assert {d: n for d, n in made.items() if n} == {date(2026, 9, 29): 1, date(2026, 10, 8): 1}
    reminders = CaseEvent.objects.filter(case=case, event="remind").order_by("seq")
    assert [(e.actor_name, e.details["kind"]) for e in reminders] == [
        ("系统", "due_soon"),
        ("系统", "overdue"),
    ]
    sms = list(
        Message.objects.filter(template_key="client.supplement_reminder")
        .order_by("id")
        .values_list("body", flat=True)
    )
    assert len(sms) == 2 and all("营业执照" in s and "2026年9月30日" in s for s in sms)
    assert "请按时提交" in sms[0] and "已过，请尽快提交" in sms[1]


def test_no_reminder_on_the_day_the_one_time_notice_went_out(world, monkeypatch):
    clock = Clock(monkeypatch, date(2026, 9, 29))
    case = open_case(world)
    act(case, world.agent_a, "start_review")
    review_all(case, world.agent_a, 营业执照=MaterialStatus.MISSING)
    act(case, world.agent_a, "request_supplement", days=1)
    assert case.supplement_due_on == date(2026, 9, 30)
    assert run_twice(clock, date(2026, 9, 29), jobs.remind_clients) == 0
    assert run_twice(clock, date(2026, 9, 30), jobs.remind_clients) == 1


def test_resumption_reminder_then_lapse_through_the_workflow_after_the_holiday(world, monkeypatch):
    clock = Clock(monkeypatch, date(2026, 9, 24))
    case = open_case(world)
    to_handling(case, world.agent_a)
    act(
        case,
        world.agent_a,
        "suspend",
        reason_code="fees_unpaid",
        fee_amount="120",
        fee_payee="收费窗口",
        confirmation=SIGNED,
        resumption_days=4,
    )
    assert case.resumption_due_on == date(2026, 10, 8)

    made = {
        d: run_twice(clock, d, jobs.remind_clients)
        for d in days(date(2026, 9, 25), date(2026, 10, 8))
    }
    assert {d: n for d, n in made.items() if n} == {date(2026, 9, 29): 1}  # 2 working days left
    [sms] = Message.objects.filter(template_key="client.resumption_reminder")
    assert "续办期限为2026年10月8日" in sms.body

    lapsed = {
        d: run_twice(clock, d, lapse_due_cases) for d in days(date(2026, 10, 1), date(2026, 10, 9))
    }
    assert {d: n for d, n in lapsed.items() if n} == {date(2026, 10, 9): 1}
    case.refresh_from_db()
    assert case.state == State.TERMINATED and case.reason_text == "续办期限届满"
    assert CaseEvent.objects.filter(case=case, event="lapse").count() == 1
    [terminated] = Message.objects.filter(template_key="client.terminated")
    assert "续办期限届满" in terminated.body and terminated.client_id == case.client_id
    slip = CaseEvent.objects.get(case=case, event="lapse").details["document"]
    # the client learns the case number, the slip the system issued, and to apply again
    assert f"（{case.number}）代办服务已终止，原因：续办期限届满。" in terminated.body
    assert f"办结（终止）单号{slip}" in terminated.body
    assert "如仍需办理，可重新申请代办" in terminated.body
    [notice] = notices(world.agent_a, "staff.case_lapsed")
    assert f"已由系统自动终止并出具办结（终止）单{slip}" in notice


def test_the_holiday_calendar_warning_reaches_administrators_once_a_week_in_december(
    world, monkeypatch
):
    admin = _staff("admin", world.county, is_administrator=True, name="系统管理员")
    clock = Clock(monkeypatch, date(2026, 11, 30))
    warned = {
        d: run_twice(clock, d, jobs.calendar_warning)
        for d in days(date(2026, 11, 30), date(2027, 1, 4))
    }
    # Mondays-to-Fridays of December weeks, once per ISO week; 2027-01-01 (not yet known to
    # be New Year's Day) falls in the week of 12-28 and is not warned again.
    assert [d for d, n in warned.items() if n] == [
        date(2026, 12, 1),
        date(2026, 12, 7),
        date(2026, 12, 14),
        date(2026, 12, 21),
        date(2026, 12, 28),
        date(2027, 1, 4),
    ]
    bodies = notices(admin, "staff.calendar_missing")
    assert len(bodies) == 6 and "2027年法定节假日安排尚未录入" in bodies[0]
    assert not Notice.objects.filter(staff=world.agent_a).exists()
    CalendarYear.objects.create(year=2027)
    assert run_twice(clock, date(2027, 1, 11), jobs.calendar_warning) == 0


def test_digests_bundle_held_messages_once_on_the_next_working_day(world, monkeypatch):
    clock = Clock(monkeypatch, date(2026, 9, 30))
    world.agent_a.user.email = "a@example.cn"
    world.agent_a.user.save()
    StaffPreference.objects.create(staff=world.agent_a, mode="digest")
    case = open_case(world)
    act(case, world.agent_a, "relay_out", to_site=world.town.code, note="需镇级办理")
    act(case, world.town_agent, "relay_return", reason="本镇不办理")
    held = Message.objects.filter(staff=world.agent_a, state=MessageState.HELD)
    assert held.count() == 1

    made = {
        d: run_twice(clock, d, jobs.send_digests)
        for d in days(date(2026, 10, 1), date(2026, 10, 8))
    }
    assert {d: n for d, n in made.items() if n} == {date(2026, 10, 8): 1}
    digest = Message.objects.get(template_key="staff.digest")
    assert digest.channel == "email" and digest.state == MessageState.QUEUED
    assert "2026年9月30日以来共有1条消息" in digest.body and case.number in digest.body
    assert not held.exists()
    assert (
        Message.objects.get(
            staff=world.agent_a, channel="email", template_key="staff.relay_returned"
        ).digest
        == digest
    )
    deliver_due_messages()
    digest.refresh_from_db()
    assert digest.state == MessageState.SENT
    [email] = mail.outbox
    assert email.to == ["a@example.cn"] and email.subject == "帮办代办消息汇总（1条）"


def test_daily_roll_ups_run_once_per_day_holiday_or_not(world, monkeypatch):
    clock = Clock(monkeypatch, date(2026, 10, 1))
    seen = []
    monkeypatch.setattr(jobs, "ROLLUPS", [])
    jobs.register_rollup(seen.append)
    for day in days(date(2026, 10, 1), date(2026, 10, 3)):
        assert run_twice(clock, day, jobs.daily_rollups) == 1
    assert seen == [date(2026, 9, 30), date(2026, 10, 1), date(2026, 10, 2)]
    assert JobMark.objects.filter(job="rollup").count() == 3


# --- two machines at once (real concurrent transactions: PostgreSQL) -----------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent commits need PostgreSQL")
def test_two_machines_running_the_same_jobs_at_once_do_everything_once(
    world, monkeypatch, no_delivery_on_commit
):
    from bangban.cases.tests.test_concurrency import run_together

    clock = Clock(monkeypatch, date(2026, 9, 28))
    waiting = open_case(world)
    act(waiting, world.agent_a, "start_review")
    review_all(waiting, world.agent_a, 营业执照=MaterialStatus.MISSING)
    act(waiting, world.agent_a, "request_supplement", days=2)
    clock.set(current_calendar().add_workdays(date(2026, 10, 9), -10))
    running = open_case(world)
    to_handling(running, world.agent_a)
    clock.set(date(2026, 9, 30))
    outcomes = run_together(
        jobs.remind_clients, jobs.remind_clients, jobs.scan_deadlines, jobs.scan_deadlines
    )
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    assert sorted(result for _, result in outcomes[:2]) == [0, 1]  # the JobMark decides
    assert CaseEvent.objects.filter(case=waiting, event="remind").count() == 1
    assert Message.objects.filter(template_key="client.supplement_reminder").count() == 1
    assert Message.objects.filter(template_key="staff.deadline_warning").count() == 1
    assert StaffMember.objects.count() > 0
