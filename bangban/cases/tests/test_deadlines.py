"""Deadlines through the real write path, across public holidays, with the clock paused.

The write path asks ``timezone.localdate()`` for "today" each time it is called, so the
tests walk the calendar by pointing it at the day each step happens.

The 2026 autumn as ``chinesecalendar`` (1.11) has the State Council schedule, checked
day by day in ``test_the_calendar_is_what_the_hand_counts_assume``:
  中秋节  Fri 25 – Sun 27 Sep, holiday
  国庆节  Thu 1 – Wed 7 Oct, holiday; Thu 8 Oct is an ordinary working day
  调休上班 Sun 20 Sep and Sat 10 Oct are working days
"""

from datetime import date

import pytest
from django.utils import timezone

from bangban.cases.models import MaterialStatus
from bangban.cases.services import case_deadline
from bangban.cases.workflow import State
from bangban.workdays.services import current_calendar

from .helpers import SIGNED, act, open_case, review_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_day(monkeypatch):
    """``on_day(d)`` makes ``d`` today for everything that asks ``timezone.localdate()``."""

    def set_today(day: date) -> None:
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)

    return set_today


def accept_on(world, on_day, day: date):
    on_day(day)
    case = open_case(world)  # proxy, 食品经营许可: 10 promised working days
    act(case, world.agent_a, "start_review")
    review_all(case, world.agent_a)
    act(case, world.agent_a, "accept", confirmation=SIGNED)
    act(case, world.agent_a, "start_handling")
    assert case.accepted_on == day and case.promised_days == 10
    return case


def test_the_calendar_is_what_the_hand_counts_assume():
    import chinese_calendar

    holidays = {date(2026, 9, d) for d in (25, 26, 27)} | {date(2026, 10, d) for d in range(1, 8)}
    for day in holidays:
        assert chinese_calendar.is_holiday(day), day
    for day in (date(2026, 9, 20), date(2026, 10, 10), date(2026, 10, 8)):
        assert chinese_calendar.is_workday(day), day
    assert date(2026, 9, 20).weekday() == 6 and date(2026, 10, 10).weekday() == 5
    assert chinese_calendar.get_holiday_detail(date(2026, 10, 1))[1] == "National Day"


def test_a_suspension_across_national_day_moves_the_deadline_by_its_working_days(world, on_day):
    # Accepted Thu 24 Sep; counting starts the next working day.
    #   Fri 25 – Sun 27 Sep 中秋节: skipped
    #   Mon 28 Sep  day 1
    #   Tue 29 Sep  suspended (fees unpaid): the pause starts today, so 29 Sep is not counted
    #   Resumed Mon 12 Oct: the pause is 29 Sep – Sun 11 Oct. Working days inside it:
    #   29, 30 Sep, Thu 8, Fri 9, Sat 10 Oct (调休上班) = 5, each pushing the due date by one;
    #   1–7 Oct (国庆节) and the weekends are not working days anyway.
    #   Mon 12 Oct day 2, 13 → 3, 14 → 4, 15 → 5, Fri 16 → 6, Mon 19 → 7, 20 → 8, 21 → 9,
    #   Thu 22 Oct day 10.  Due Thu 22 Oct 2026.
    # Check: without the pause, 28, 29, 30 Sep, 8, 9, 10, 12, 13, 14, 15 Oct → due Thu 15 Oct;
    #   15 Oct + 5 working days (16, 19, 20, 21, 22) = 22 Oct.
    case = accept_on(world, on_day, date(2026, 9, 24))
    assert case.due_on == date(2026, 10, 15)

    on_day(date(2026, 9, 29))
    act(
        case,
        world.agent_a,
        "suspend",
        reason_code="fees_unpaid",
        fee_amount="120",
        fee_payee="收费窗口",
        confirmation=SIGNED,
    )
    assert case.state == State.SUSPENDED and case.paused_since == date(2026, 9, 29)
    # While suspended the date is provisional: paused from 29 Sep only so far (+1 day).
    assert case.due_on == date(2026, 10, 16)
    assert case_deadline(case).provisional

    on_day(date(2026, 10, 12))
    act(case, world.agent_a, "resume", confirmation=SIGNED)
    assert case.state == State.HANDLING and case.paused_since is None
    assert case.due_on == date(2026, 10, 22)

    [pause] = case.pauses.all()
    assert (pause.start, pause.end) == (date(2026, 9, 29), date(2026, 10, 11))
    deadline = case_deadline(case)
    assert deadline.due_on == case.due_on and not deadline.provisional
    assert deadline.explanation.counted_days == (
        date(2026, 9, 28),
        *(date(2026, 10, d) for d in (12, 13, 14, 15, 16, 19, 20, 21, 22)),
    )
    text = "\n".join(deadline.explanation.lines())
    assert "2026-09-25 至 2026-09-27 中秋节（3 天）" in text
    assert "2026-10-01 至 2026-10-07 国庆节（7 天）" in text
    assert "调休上班：2026-10-10（周六）" in text
    assert "2026-09-29 至 2026-10-11，顺延 5 个工作日" in text
    assert "未及时缴纳行政事业性收费" in text
    assert "到期日：2026-10-22（周四）" in text


def test_a_supplement_pause_after_acceptance_moves_the_due_date(world, on_day):
    # Accepted Mon 2 Nov 2026 (no holiday near): 3, 4, 5, 6, 9, 10, 11, 12, 13, 16 Nov
    #   → due Mon 16 Nov.
    # Supplement requested Wed 4 Nov, brought Tue 10 Nov: paused 4 – 9 Nov, whose working
    #   days 4, 5, 6, 9 Nov (4) are not counted.
    #   Counted: 3, 10, 11, 12, 13, 16, 17, 18, 19, 20 Nov → due Fri 20 Nov (16 Nov + 4).
    case = accept_on(world, on_day, date(2026, 11, 2))
    assert case.due_on == date(2026, 11, 16)

    on_day(date(2026, 11, 4))
    review_all(case, world.agent_a, 营业执照=MaterialStatus.NEEDS_CORRECTION)
    act(case, world.agent_a, "request_supplement")
    assert case.state == State.AWAITING_SUPPLEMENT and case.paused_since == date(2026, 11, 4)
    assert case.supplement_due_on == current_calendar().add_workdays(date(2026, 11, 4), 5)

    on_day(date(2026, 11, 10))
    act(case, world.agent_a, "supplement", received=[case.materials.get(name="营业执照").pk])
    assert case.state == State.HANDLING and case.paused_since is None
    assert case.due_on == date(2026, 11, 20)
    assert "2026-11-04 至 2026-11-09，顺延 4 个工作日" in "\n".join(
        case_deadline(case).explanation.lines()
    )


def test_a_supplement_on_the_day_it_was_asked_for_stops_no_working_day(world, on_day):
    case = accept_on(world, on_day, date(2026, 11, 2))
    on_day(date(2026, 11, 4))
    review_all(case, world.agent_a, 营业执照=MaterialStatus.MISSING)
    act(case, world.agent_a, "request_supplement")
    act(case, world.agent_a, "supplement", received=[case.materials.get(name="营业执照").pk])
    assert case.due_on == date(2026, 11, 16) and not case.pauses.exists()


def test_a_supplement_pause_that_becomes_a_suspension_is_counted_once(world, on_day):
    # Accepted Mon 2 Nov → due 16 Nov. Supplement asked Wed 4 Nov; not brought, so the
    # case is suspended Mon 9 Nov (the supplement pause 4–8 Nov ends, the suspension
    # starts 9 Nov) and resumed Thu 12 Nov (suspension 9–11 Nov).
    # Working days paused: 4, 5, 6 Nov and 9, 10, 11 Nov = 6 → 16 Nov + 6 = Tue 24 Nov.
    case = accept_on(world, on_day, date(2026, 11, 2))
    on_day(date(2026, 11, 4))
    review_all(case, world.agent_a, 营业执照=MaterialStatus.MISSING)
    act(case, world.agent_a, "request_supplement")
    on_day(date(2026, 11, 9))
    act(case, world.agent_a, "suspend", reason_code="materials_overdue", confirmation=SIGNED)
    on_day(date(2026, 11, 12))
    act(case, world.agent_a, "resume", confirmation=SIGNED)
    spans = [(p.kind, p.start, p.end) for p in case.pauses.all()]
    assert spans == [
        ("supplement", date(2026, 11, 4), date(2026, 11, 8)),
        ("suspension", date(2026, 11, 9), date(2026, 11, 11)),
    ]
    assert case.due_on == date(2026, 11, 24)


def test_a_supplement_wait_is_not_explained_as_a_suspension(world, on_day):
    case = accept_on(world, on_day, date(2026, 11, 2))
    on_day(date(2026, 11, 4))
    review_all(case, world.agent_a, 营业执照=MaterialStatus.MISSING)
    act(case, world.agent_a, "request_supplement")
    open_lines = case_deadline(case).explanation.lines()
    on_day(date(2026, 11, 10))
    act(case, world.agent_a, "supplement", received=[case.materials.get(name="营业执照").pk])
    closed_lines = case_deadline(case).explanation.lines()
    assert not any("中止" in line or "续办" in line for line in open_lines + closed_lines)
