"""The scheduled job that terminates suspended cases whose resumption period lapsed."""

import pytest
from django.utils import timezone

from bangban.cases.models import CaseEvent
from bangban.cases.tasks import lapse_due_cases
from bangban.cases.tests.helpers import SIGNED, act, open_case, to_handling
from bangban.cases.workflow import State
from bangban.workdays.services import current_calendar

pytestmark = pytest.mark.django_db


def suspended(world, agent=None):
    agent = agent or world.agent_a
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
        resumption_days=5,
    )
    return case


def on(monkeypatch, day):
    monkeypatch.setattr(timezone, "localdate", lambda *a: day)


def test_a_suspended_case_past_its_resumption_deadline_is_terminated_by_the_system(
    world, monkeypatch
):
    case = suspended(world)
    after = current_calendar().add_workdays(case.resumption_due_on, 1)
    on(monkeypatch, after)
    assert lapse_due_cases() == 1
    case.refresh_from_db()
    assert case.state == State.TERMINATED
    assert case.reason_code == "resumption_lapsed" and case.reason_text == "续办期限届满"
    last = CaseEvent.objects.filter(case=case).latest("seq")
    assert (last.event, last.from_state, last.to_state) == ("lapse", "suspended", "terminated")
    assert last.actor_kind == "system" and last.actor_name == "系统"
    assert last.actor_staff is None


def test_a_case_still_within_its_resumption_period_is_untouched(world, monkeypatch):
    case = suspended(world)
    on(monkeypatch, case.resumption_due_on)  # the last day to resume
    assert lapse_due_cases() == 0
    case.refresh_from_db()
    assert case.state == State.SUSPENDED
    assert CaseEvent.objects.filter(case=case, event="lapse").count() == 0


def test_only_the_lapsed_cases_are_terminated_and_a_second_run_finds_nothing(world, monkeypatch):
    lapsed = suspended(world)
    on(monkeypatch, current_calendar().add_workdays(lapsed.resumption_due_on, -3))
    fresh = suspended(world, agent=world.agent_b)
    on(monkeypatch, current_calendar().add_workdays(lapsed.resumption_due_on, 1))
    assert lapse_due_cases() == 1
    assert lapse_due_cases() == 0
    lapsed.refresh_from_db()
    fresh.refresh_from_db()
    assert (lapsed.state, fresh.state) == (State.TERMINATED, State.SUSPENDED)


def test_a_case_the_guard_refuses_is_logged_and_skipped(world, monkeypatch, caplog):
    case = suspended(world)
    # The job is asked about a later day than the guard's today: the guard refuses.
    assert lapse_due_cases(today=current_calendar().add_workdays(case.resumption_due_on, 1)) == 0
    case.refresh_from_db()
    assert case.state == State.SUSPENDED
    assert "续办期限尚未届满" in caplog.text and case.number in caplog.text


def test_the_periodic_task_runs_the_same_sweep(world, monkeypatch):
    from bangban.cases.tasks import lapse_suspended_cases

    case = suspended(world)
    on(monkeypatch, current_calendar().add_workdays(case.resumption_due_on, 1))
    lapse_suspended_cases.call_local()
    case.refresh_from_db()
    assert case.state == State.TERMINATED


def test_a_lapsed_case_gets_the_termination_slip_issued_by_the_system_unsigned(world, monkeypatch):
    """seed 000 §10.2.5.2 超过续办期限的，视为服务终止; §10.2.6 终止的……填写《办结（终止）单》."""
    from bangban.documents.models import CaseDocument

    case = suspended(world)
    on(monkeypatch, current_calendar().add_workdays(case.resumption_due_on, 1))
    assert lapse_due_cases() == 1
    lapse = CaseEvent.objects.get(case=case, event="lapse")
    slip = CaseDocument.objects.get(case=case, kind="termination_slip")
    assert lapse.details["document"] == slip.number and slip.number.startswith("ZJ-")
    assert "signed" not in lapse.details  # nobody signed: the system issued it
    assert slip.confirmation is None and slip.issued_by is None
    assert slip.fields["issued_by"] == "系统"
    specific = slip.fields["specific"]
    assert specific["terminated"] and specific["lapsed"] and specific["unsigned"]
    assert specific["reason_label"] == "续办期满自动终止"
    due = case.resumption_due_on
    assert f"续办期限（{due.year}年{due.month}月{due.day}日）" in specific["reason"]
