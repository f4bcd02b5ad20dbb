"""A consultation turned into a case is handled: its result is the application (seed 000
§10.1.1.1 登记……处理结果; §10.1.1.2 1个工作日内予以答复), in the same transaction."""

from datetime import date, datetime, time
from unittest.mock import patch
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from bangban.cases.access import Actor
from bangban.cases.models import Case
from bangban.cases.workflow import TransitionRefused
from bangban.consultations import services
from bangban.consultations.models import ConsultationStatus
from bangban.consultations.selectors import is_timely, overdue_consultations, replies_due
from bangban.consultations.services import (
    consultation_escalate,
    consultation_record,
    consultation_to_case,
)
from bangban.oversight.figures import metrics
from bangban.oversight.figures.jobs import count_new_events
from bangban.oversight.figures.metrics import Period, Rate, Scope

pytestmark = pytest.mark.django_db

ZONE = ZoneInfo("Asia/Shanghai")
# Mon 2 Nov 2026: a reply asked for that day is due on Tue 3 Nov (one working day).
ASKED = date(2026, 11, 2)
DUE = date(2026, 11, 3)
LATE = date(2026, 11, 4)


def at(day: date, hour: int = 10):
    moment = timezone.make_aware(datetime.combine(day, time(hour)), ZONE)
    return patch("django.utils.timezone.now", return_value=moment)


def pending(world, **overrides):
    fields = {
        "staff": world.agent_a,
        "client_name": "张三",
        "contact": "13812345678",
        "channel": "visit",
        "content": "开饭店要办哪些证？",
        "item": world.food,
    }
    return consultation_record(**{**fields, **overrides})


def to_case(world, consultation, staff=None):
    return consultation_to_case(
        consultation=consultation,
        staff=staff or world.agent_a,
        client=world.citizen,
        service_type="proxy",
    )


def test_a_pending_consultation_turned_into_a_case_is_replied_with_the_case_number(world):
    consultation = pending(world)
    assert consultation.status == ConsultationStatus.PENDING
    # not the first-contact person: another agent of the same site opens the case
    case = to_case(world, consultation, staff=world.agent_a2)
    assert consultation.status == ConsultationStatus.REPLIED  # the caller's object too
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.REPLIED
    assert consultation.answer == f"已转为代办申请，办件编号 {case.number}"
    assert consultation.replied_by == world.agent_a2 and consultation.replied_at is not None
    assert Case.objects.get(consultation=consultation) == case
    assert list(replies_due(staff=world.agent_a)) == []
    assert list(replies_due(staff=world.coordinator)) == []


def test_an_escalated_consultation_leaves_the_departments_list_once_a_case_is_opened(world):
    consultation = pending(world)
    consultation_escalate(consultation=consultation, staff=world.agent_a, department=world.market)
    assert list(replies_due(staff=world.liaison_market)) == [consultation]
    case = to_case(world, consultation)
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.REPLIED
    assert case.number in consultation.answer
    assert list(replies_due(staff=world.liaison_market)) == []
    assert list(overdue_consultations(today=date(2099, 1, 1))) == []


def test_a_consultation_answered_on_the_spot_keeps_its_answer(world):
    consultation = pending(world, answer="可代办，材料清单已一次性告知")
    to_case(world, consultation)
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.ANSWERED
    assert consultation.answer == "可代办，材料清单已一次性告知"
    assert consultation.replied_by == world.agent_a


def test_the_case_and_the_consultation_change_together_or_not_at_all(world, monkeypatch):
    consultation = pending(world)

    def broken(*args, **kwargs):
        raise RuntimeError("数据库写入失败")

    monkeypatch.setattr(services, "_record_conversion", broken)
    with pytest.raises(RuntimeError):
        to_case(world, consultation)
    assert not Case.objects.filter(consultation=consultation).exists()
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.PENDING


def test_a_refused_application_leaves_the_consultation_awaiting_its_reply(world):
    consultation = pending(world)
    with pytest.raises(TransitionRefused, match="服务类型无效"):
        consultation_to_case(
            consultation=consultation,
            staff=world.agent_a,
            client=world.citizen,
            service_type="neither",
        )
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.PENDING and consultation.answer == ""


def _rate(world):
    count_new_events()  # the figures job keeps the working-day table a due day ends by
    scope = Scope(
        actor=Actor.of_staff(world.supervisor),
        period=Period(date(2026, 11, 1), date(2026, 11, 30)),
        site=world.county,
        today=date(2026, 11, 22),
    )
    return metrics.rate("timely_consultations", scope)


def test_a_consultation_turned_into_a_case_within_its_reply_day_is_handled_in_time(world):
    with at(ASKED):
        consultation = pending(world)
    assert consultation.reply_due_on == DUE
    with at(DUE, hour=16):
        to_case(world, consultation)
    consultation.refresh_from_db()
    assert is_timely(consultation) is True
    assert _rate(world) == Rate(1, 1)


def test_a_consultation_turned_into_a_case_after_its_reply_day_counts_as_late(world):
    with at(ASKED):
        consultation = pending(world)
    with at(LATE):
        to_case(world, consultation)
    consultation.refresh_from_db()
    assert is_timely(consultation) is False
    assert _rate(world) == Rate(0, 1)
