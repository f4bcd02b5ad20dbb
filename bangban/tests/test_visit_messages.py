"""Appointments and home visits send a confirmation when booked or scheduled and a reminder
the day before, each once (issue 14; ``visits.messages``, ``visits.tasks``). Every one goes
through the outbox from the catalogue's templates: to a registered client, or to the number a
caller known only by a mobile gave."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from bangban.cases.access import Actor
from bangban.cases.services import case_submit
from bangban.notifications.delivery import deliver_due_messages
from bangban.notifications.models import Message, MessageState, MessageTemplate, RecipientKind
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

    def fake_send(phone, text, idempotency_key=""):
        sent.append((phone, text))
        return "test"

    monkeypatch.setattr("bangban.notifications.delivery.send_sms", fake_send)
    monkeypatch.setattr("bangban.visits.services.send_sms", fake_send)  # the agent's SMS
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
    # both through the outbox: the stranger at the number given, the case's client as such
    assert [p for p, text in sms if "您已预约" in text and online.number in text] == ["13700002222"]
    confirmed = Message.objects.filter(template_key="client.appointment_confirmed")
    assert confirmed.count() == 2
    assert confirmed.get(client=world.citizen).state == MessageState.SENT
    assert "食品经营许可" in confirmed.get(client=world.citizen).body
    stranger = confirmed.get(recipient_kind=RecipientKind.MOBILE)
    assert stranger.address_masked == "137****2222" and stranger.state == MessageState.SENT

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
        deliver_due_messages()
    reminders = [text for _, text in sms[before:]]
    assert len(reminders) == 3
    assert any("提醒您：您预约了" in t for t in reminders)
    assert any("提醒您：帮办代办员村A代办员" in t for t in reminders)
    assert Message.objects.filter(template_key="client.appointment_reminder").count() == 2
    assert Message.objects.filter(template_key="client.home_visit_reminder").count() == 1
    for appointment in Appointment.objects.all():
        assert appointment.confirmation_sent_at and appointment.reminder_sent_at


def test_seam_visit_sms_from_catalogue_templates_retried(world, monkeypatch):
    """The home-visit texts are the administrator's templates, sent through the outbox: an
    edited text is the one sent, and a gateway that refuses leaves it queued for a retry."""
    from bangban.cases.messaging import SmsError

    template = MessageTemplate.objects.get(key="client.home_visit_confirmed")
    template.body = "【帮办代办】{{ agent_name }}将于{{ visit_time }}上门（{{ number }}）。"
    template.save()
    attempts = []

    def down(phone, text, idempotency_key=""):
        attempts.append((phone, text))
        raise SmsError("网关不可用")

    monkeypatch.setattr("bangban.notifications.delivery.send_sms", down)
    monkeypatch.setattr("bangban.visits.services.send_sms", lambda *a, **k: "agent")
    visit = booking.home_visit_request(
        identity=STRANGER,
        site=world.village_a,
        name="王五",
        address="东街12号",
        groups={"elderly"},
        needs="高龄津贴",
        preferred_times="上午",
    )
    when = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=3), time(15)))
    booking.home_visit_schedule(
        visit=visit, staff=world.coordinator, agent=world.agent_a, scheduled_for=when
    )
    assert messages.confirm_visit(visit.pk)
    assert deliver_due_messages().retrying == 1
    message = Message.objects.get(template_key="client.home_visit_confirmed")
    assert (
        message.body
        == f"【帮办代办】村A代办员将于{when.month}月{when.day}日 15:00上门（{visit.number}）。"
    )
    assert message.state == MessageState.QUEUED and "网关不可用" in message.last_error
    assert attempts == [("13700002222", message.body)]

    # declined requests are told the reason the same way
    other = booking.home_visit_request(
        identity=STRANGER,
        site=world.village_a,
        name="王五",
        address="东街12号",
        groups={"elderly"},
        needs="问社保",
        preferred_times="下午",
    )
    booking.home_visit_decline(visit=other, staff=world.coordinator, reply="可电话办理")
    declined = Message.objects.get(template_key="client.home_visit_declined")
    assert declined.body == f"【帮办代办】您的上门服务申请（{other.number}）：可电话办理"
