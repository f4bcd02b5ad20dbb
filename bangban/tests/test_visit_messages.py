"""Appointments and home visits send a confirmation when booked or scheduled and a reminder
the day before, each once (issue 14; ``visits.messages``, ``visits.tasks``). A registered
client's messages go through the outbox; a caller known only by a mobile gets them at once."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from bangban.cases.access import Actor
from bangban.cases.services import case_submit
from bangban.notifications.models import Message
from bangban.portal.identity import PortalIdentity
from bangban.testing import travel_to
from bangban.visits import messages
from bangban.visits import services as booking
from bangban.visits.models import Appointment

pytestmark = pytest.mark.django_db
STRANGER = PortalIdentity.of_mobile("13700002222")  # no client registered under it


@pytest.fixture
def sms(monkeypatch):
    sent: list[tuple[str, str]] = []

    def fake_send(phone, text):
        sent.append((phone, text))
        return "test"

    monkeypatch.setattr("bangban.visits.messages.send_sms", fake_send)
    monkeypatch.setattr("bangban.visits.services.send_sms", fake_send)
    return sent


def _case(world):
    return case_submit(
        actor=Actor.of_staff(world.agent_a),
        client=world.citizen,
        service_type="proxy",
        channel="phone",
        site=world.village_a,
        item_versions=[world.food.current_version],
    )


def test_seam_confirmation_and_reminder_sms(world, sms, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    day = today + timedelta(days=3)
    slot, later = booking.slots_open(
        site=world.village_a, day=day, times=[(time(9), time(10)), (time(10), time(11))]
    )
    case = _case(world)
    with django_capture_on_commit_callbacks(execute=True):
        online = booking.appointment_book(
            slot=slot, identity=STRANGER, name="王五", purpose="问营业执照"
        )
        booking.appointment_by_phone(
            staff=world.agent_a, slot=later, name="", mobile="", purpose="", case=case
        )
    # the stranger is told at once; the case's client through the outbox
    assert [p for p, text in sms if "您已预约" in text and online.number in text] == ["13700002222"]
    confirmed = Message.objects.filter(template_key="client.appointment_confirmed")
    assert confirmed.count() == 1 and confirmed.get().client == world.citizen
    assert "食品经营许可" in confirmed.get().body

    # a home visit: the confirmation goes when it is scheduled
    visit = booking.home_visit_request(
        identity=STRANGER,
        site=world.village_a,
        name="王五",
        address="东街12号",
        groups={"pregnant"},
        needs="生育登记",
        preferred_times="上午",
    )
    when = timezone.make_aware(datetime.combine(day, time(15)))
    with django_capture_on_commit_callbacks(execute=True):
        booking.home_visit_schedule(
            visit=visit, staff=world.coordinator, agent=world.agent_a, scheduled_for=when
        )
    assert any("上门服务申请" in text and "村A代办员" in text for _, text in sms)

    # nothing is sent twice: the same day's run finds nothing to do
    before = len(sms)
    assert messages.messages_due() == 0 and len(sms) == before

    # the day before: one reminder each, and a second run sends none
    with travel_to(day - timedelta(days=1), 9):
        assert messages.messages_due() == 3
        assert messages.messages_due() == 0
    reminders = [text for _, text in sms[before:]]
    assert len(reminders) == 2
    assert any("提醒您：您预约了" in t for t in reminders)
    assert any("提醒您：帮办代办员村A代办员" in t for t in reminders)
    assert Message.objects.filter(template_key="client.appointment_reminder").count() == 1
    for appointment in Appointment.objects.all():
        assert appointment.confirmation_sent_at and appointment.reminder_sent_at


def test_a_failed_confirmation_is_tried_again_by_the_task(world, monkeypatch):
    from bangban.cases.messaging import SmsError

    def down(phone, text):
        raise SmsError("网关不可用")

    monkeypatch.setattr("bangban.visits.messages.send_sms", down)
    slot = booking.slots_open(
        site=world.village_a,
        day=timezone.localdate() + timedelta(days=3),
        times=[(time(9), time(10))],
    )[0]
    made = booking.appointment_book(slot=slot, identity=STRANGER, name="王五", purpose="问")
    assert not messages.confirm_appointment(made.pk)
    made.refresh_from_db()
    assert made.confirmation_sent_at is None  # given back
    sent = []
    monkeypatch.setattr("bangban.visits.messages.send_sms", lambda p, t: sent.append(p))
    assert messages.messages_due() == 1 and sent == ["13700002222"]
