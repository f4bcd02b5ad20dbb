"""Consultations with first-contact responsibility (seed 000 §10.1.1, §10.2.1)."""

from datetime import date

import pytest
from django.utils import timezone

from bangban.cases.models import CaseEvent
from bangban.clients import pii
from bangban.consultations.models import ConsultationStatus
from bangban.consultations.selectors import (
    is_timely,
    overdue_consultations,
    replies_due,
    visible_consultations,
)
from bangban.consultations.services import (
    ConsultationInvalid,
    consultation_escalate,
    consultation_record,
    consultation_reply,
    consultation_to_case,
)
from bangban.workdays.services import current_calendar

pytestmark = pytest.mark.django_db

# 2026-10-01 to 10-07 are the National Day holidays: the working day after 09-30 is 10-08.
BEFORE_NATIONAL_DAY = date(2026, 9, 30)
FIRST_WORKDAY_AFTER = date(2026, 10, 8)


def on(monkeypatch, day):
    monkeypatch.setattr(timezone, "localdate", lambda *a: day)


def record(world, staff=None, **overrides):
    fields = {
        "staff": staff or world.agent_a,
        "client_name": "张三",
        "contact": "138 1234 5678",
        "channel": "visit",
        "content": "开饭店要办哪些证？",
    }
    return consultation_record(**{**fields, **overrides})


def escalated(world, monkeypatch, department=None):
    on(monkeypatch, BEFORE_NATIONAL_DAY)
    consultation = record(world)
    return consultation_escalate(
        consultation=consultation, staff=world.agent_a, department=department or world.market
    )


def test_a_consultation_answered_on_the_spot_is_owned_by_whoever_was_asked_first(world):
    consultation = record(world, answer="需办理食品经营许可，材料清单已一次性告知")
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.ANSWERED
    assert consultation.handled_by == world.agent_a
    assert consultation.site == world.village_a
    assert consultation.replied_by == world.agent_a and consultation.replied_at
    assert consultation.reply_due_on is None
    assert is_timely(consultation) is True


def test_the_contact_is_stored_encrypted_and_shown_masked(world):
    consultation = record(world)
    consultation.refresh_from_db()
    assert consultation.contact_masked == "138****5678"
    assert "13812345678" not in consultation.contact_cipher
    assert pii.reveal(consultation.contact_cipher) == "13812345678"


def test_a_landline_is_accepted_as_contact_and_masked(world):
    consultation = record(world, contact="（0571）8888 6666", channel="phone")
    assert pii.reveal(consultation.contact_cipher) == "0571-88886666"
    assert consultation.contact_masked == "057*****6666"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("contact", "12345", "联系方式应为手机号码或固定电话"),
        ("contact", "", "请填写服务对象的联系方式"),
        ("client_name", " ", "请填写服务对象姓名或名称"),
        ("content", "", "请填写咨询内容"),
        ("channel", "fax", "咨询方式应为来访、电话或网上"),
    ],
)
def test_an_incomplete_consultation_record_is_refused_in_chinese(world, field, value, message):
    with pytest.raises(ConsultationInvalid, match=message):
        record(world, **{field: value})


def test_a_consultation_not_answered_on_the_spot_is_pending_with_a_reply_due(world, monkeypatch):
    on(monkeypatch, BEFORE_NATIONAL_DAY)
    consultation = record(world)
    assert consultation.status == ConsultationStatus.PENDING
    assert consultation.reply_due_on == FIRST_WORKDAY_AFTER


def test_escalation_sets_a_reply_due_one_working_day_later_across_the_holiday(world, monkeypatch):
    consultation = escalated(world, monkeypatch)
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.ESCALATED
    assert consultation.department == world.market and consultation.escalated_at
    assert consultation.reply_due_on == current_calendar().add_workdays(BEFORE_NATIONAL_DAY, 1)
    assert consultation.reply_due_on == FIRST_WORKDAY_AFTER


def test_escalating_later_keeps_the_due_date_counted_from_the_first_contact(world, monkeypatch):
    on(monkeypatch, BEFORE_NATIONAL_DAY)
    consultation = record(world)
    on(monkeypatch, FIRST_WORKDAY_AFTER)
    consultation_escalate(consultation=consultation, staff=world.agent_a, department=world.market)
    assert consultation.reply_due_on == FIRST_WORKDAY_AFTER


def test_only_the_first_contact_person_or_a_covering_coordinator_may_escalate(world):
    consultation = record(world)
    for outsider in (world.agent_b, world.liaison_market):
        with pytest.raises(ConsultationInvalid, match="只有首问责任人或负责该机构的协调员"):
            consultation_escalate(
                consultation=consultation, staff=outsider, department=world.market
            )
    consultation_escalate(
        consultation=consultation, staff=world.coordinator, department=world.market
    )
    assert consultation.status == ConsultationStatus.ESCALATED


def test_a_consultation_answered_on_the_spot_cannot_be_escalated(world):
    consultation = record(world, answer="已当场答复")
    with pytest.raises(ConsultationInvalid, match="不能再转交部门"):
        consultation_escalate(
            consultation=consultation, staff=world.agent_a, department=world.market
        )


def test_the_liaison_of_the_department_records_the_reply(world, monkeypatch):
    consultation = escalated(world, monkeypatch)
    consultation_reply(
        consultation=consultation, staff=world.liaison_market, answer="需先办理营业执照"
    )
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.REPLIED
    assert consultation.answer == "需先办理营业执照"
    assert consultation.replied_by == world.liaison_market and consultation.replied_at
    assert is_timely(consultation) is True


def test_a_liaison_of_another_department_cannot_reply(world, monkeypatch):
    consultation = escalated(world, monkeypatch)
    with pytest.raises(ConsultationInvalid, match="只有首问责任人或转交部门的对接人员"):
        consultation_reply(
            consultation=consultation, staff=world.liaison_housing, answer="不归我们"
        )
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.ESCALATED and consultation.answer == ""


def test_the_first_contact_person_may_pass_the_answer_on_and_a_reply_is_given_once(
    world, monkeypatch
):
    consultation = escalated(world, monkeypatch)
    consultation_reply(consultation=consultation, staff=world.agent_a, answer="部门电话答复：可办")
    with pytest.raises(ConsultationInvalid, match="无需再答复"):
        consultation_reply(consultation=consultation, staff=world.liaison_market, answer="再答一次")


def test_overdue_consultations_are_those_escalated_and_unanswered_after_their_due_day(
    world, monkeypatch
):
    late = escalated(world, monkeypatch)
    answered = escalated(world, monkeypatch)
    consultation_reply(consultation=answered, staff=world.liaison_market, answer="可办")
    record(world, answer="当场答复")
    assert list(overdue_consultations(FIRST_WORKDAY_AFTER)) == []
    assert list(overdue_consultations(date(2026, 10, 9))) == [late]
    on(monkeypatch, date(2026, 10, 9))
    assert is_timely(late) is False
    consultation_reply(consultation=late, staff=world.liaison_market, answer="迟到的答复")
    assert is_timely(late) is False
    assert list(overdue_consultations(date(2026, 10, 9))) == []


def test_an_open_consultation_not_yet_due_counts_neither_way(world, monkeypatch):
    consultation = escalated(world, monkeypatch)
    assert is_timely(consultation) is None


def test_replies_due_lists_what_each_person_still_has_to_answer(world, monkeypatch):
    consultation = escalated(world, monkeypatch)
    record(world, answer="当场答复")
    assert list(replies_due(staff=world.liaison_market)) == [consultation]
    assert list(replies_due(staff=world.liaison_housing)) == []
    assert list(replies_due(staff=world.agent_a)) == [consultation]
    assert list(replies_due(staff=world.agent_b)) == []
    assert list(replies_due(staff=world.coordinator)) == [consultation]
    assert list(replies_due(site_paths=[world.town.path])) == [consultation]
    assert list(replies_due(site_paths=[world.town2.path])) == []


def test_the_register_is_visible_by_site_department_and_coverage(world, monkeypatch):
    consultation = escalated(world, monkeypatch)
    for staff in (world.agent_a, world.agent_a2, world.coordinator, world.liaison_market):
        assert list(visible_consultations(staff)) == [consultation]
    for staff in (world.agent_b, world.town_agent, world.liaison_housing):
        assert list(visible_consultations(staff)) == []


def test_a_consultation_becomes_a_case_with_one_action(world):
    consultation = record(world, channel="phone", item=world.food, answer="可代办")
    case = consultation_to_case(
        consultation=consultation, staff=world.agent_a, client=world.citizen, service_type="proxy"
    )
    assert case.consultation == consultation
    assert case.channel == "phone" and case.site == world.village_a
    assert case.agent == world.agent_a and case.title == "食品经营许可"
    first = CaseEvent.objects.filter(case=case).order_by("seq").first()
    assert first.event == "submit" and first.to_state == "received"
    with pytest.raises(ConsultationInvalid, match=f"该咨询已转为办件{case.number}"):
        consultation_to_case(
            consultation=consultation,
            staff=world.agent_a,
            client=world.citizen,
            service_type="proxy",
        )


def test_a_case_from_a_visit_comes_from_the_window_for_the_items_chosen(world):
    consultation = record(world, answer="可帮办")
    case = consultation_to_case(
        consultation=consultation,
        staff=world.agent_a2,
        client=world.citizen,
        service_type="assist",
        item_versions=[world.building.current_version],
    )
    assert case.channel == "window" and case.title == "建筑工程施工许可证核发"


def test_an_agent_of_another_site_cannot_turn_the_consultation_into_a_case(world):
    consultation = record(world, item=world.food, answer="可代办")
    with pytest.raises(ConsultationInvalid, match="只有该机构的帮办代办员"):
        consultation_to_case(
            consultation=consultation,
            staff=world.agent_b,
            client=world.citizen,
            service_type="proxy",
        )
