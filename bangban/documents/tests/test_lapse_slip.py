"""The termination slip the system issues when a resumption period lapses (seed 000
§10.2.5.2 超过续办期限的，视为服务终止；服务对象应按照代办服务流程重新提出代办委托;
§10.2.6 终止的……填写《办结（终止）单》)."""

import pytest
from django.utils import timezone

from bangban.cases.access import SYSTEM, Actor
from bangban.cases.models import Confirmation, ConfirmationMethod
from bangban.cases.tests.helpers import SIGNED, act, open_case, to_handling
from bangban.documents.kinds import Kind
from bangban.documents.services import document_correct, document_render
from bangban.workdays.services import current_calendar

from .cases import issued, newest
from .pdf import squeeze, text

pytestmark = pytest.mark.django_db


def lapsed(world, monkeypatch):
    agent = world.agent_a
    case = open_case(world)
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
    after = current_calendar().add_workdays(case.resumption_due_on, 1)
    monkeypatch.setattr(timezone, "localdate", lambda *a: after)
    act(case, SYSTEM, "lapse")
    return case, newest(case, Kind.TERMINATION_SLIP)


def test_the_slip_states_the_lapse_and_that_nobody_had_to_sign(world, monkeypatch):
    case, slip = lapsed(world, monkeypatch)
    printed = text(document_render(slip))
    due = case.resumption_due_on
    for expected in (
        "办结（终止）单",
        slip.number,
        case.number,
        "终止原因",
        "续办期满自动终止",
        f"续办期限（{due.year}年{due.month}月{due.day}日）",
        "视为服务终止",
        "重新提出代办委托",
        newest(case, Kind.SUSPENSION_SLIP).number,
        "无需服务对象签字确认",
        "请服务对象持本单领回",
    ):
        assert squeeze(expected) in printed, expected
    # not the words of a termination agreed in person with the materials handed back
    assert "经双方认可" not in printed and "服务对象签字确认：" not in printed


def test_a_signature_given_earlier_for_another_slip_is_not_printed_on_it(world, monkeypatch):
    agent = world.agent_a
    case = open_case(world)
    to_handling(case, agent)
    act(
        case,
        agent,
        "confirm",
        form="completion_slip",
        confirmation={"method": ConfirmationMethod.SMS_CODE, "signer": "张三"},
    )
    act(case, agent, "suspend", reason_code="client_pause", confirmation=SIGNED, resumption_days=5)
    after = current_calendar().add_workdays(case.resumption_due_on, 1)
    monkeypatch.setattr(timezone, "localdate", lambda *a: after)
    act(case, SYSTEM, "lapse")
    assert Confirmation.objects.filter(case=case, form="completion_slip").exists()
    slip = newest(case, Kind.TERMINATION_SLIP)
    assert slip.confirmation is None and slip.fields["confirmation"] is None
    assert "通过短信验证码确认" not in text(document_render(slip))


def test_a_correction_of_the_slip_still_says_it_was_issued_by_the_system(world, monkeypatch):
    case, slip = lapsed(world, monkeypatch)
    corrected = document_correct(
        document=slip, actor=Actor.of_staff(world.agent_a), reason="服务对象姓名有误"
    )
    assert corrected.fields["specific"] == slip.fields["specific"]
    assert "无需服务对象签字确认" in text(document_render(corrected))


def test_a_termination_by_staff_is_still_signed_for(world):
    case, slip = issued(world, Kind.TERMINATION_SLIP)
    assert slip.confirmation is not None
    assert "unsigned" not in slip.fields["specific"] and "lapsed" not in slip.fields["specific"]
    printed = text(slip)
    assert "无需服务对象签字确认" not in printed and "服务对象签字确认" in printed
