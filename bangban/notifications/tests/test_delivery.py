"""The delivery worker: claims, sends, records once, retries with back-off, then gives up."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.test import override_settings

from bangban.cases.tests.helpers import act, open_case
from bangban.notifications import delivery, services
from bangban.notifications.delivery import claim, deliver_due_messages
from bangban.notifications.models import Message, MessageState, StaffPreference
from bangban.notifications.selectors import messages_for_case

from .helpers import Clock

pytestmark = pytest.mark.django_db

DOWN = {"SMS_BACKEND": "http", "SMS_URL": "http://127.0.0.1:9/sms"}  # nothing listens on 9


def received_sms(world):
    case = open_case(world)
    return case, Message.objects.get(case=case, template_key="client.received")


def test_a_queued_sms_is_sent_through_the_console_gateway_and_recorded_once(world, caplog):
    case, message = received_sms(world)
    report = deliver_due_messages()
    assert (report.sent, report.failed, report.retrying) == (1, 0, 0)
    message.refresh_from_db()
    assert message.state == MessageState.SENT and message.sent_at is not None
    assert (message.attempts, message.provider_id, message.claim_token) == (1, "console", "")
    assert "短信 → 13812345678：【帮办代办】张三" in caplog.text
    assert deliver_due_messages().sent == 0  # nothing left to send


def test_the_http_gateway_gets_the_same_idempotency_key_on_every_attempt(world, gateway):
    case, message = received_sms(world)
    with override_settings(SMS_BACKEND="http", SMS_URL=gateway.url, SMS_TOKEN="gw-token"):
        deliver_due_messages()
    message.refresh_from_db()
    [request] = gateway.requests
    assert request["id"] == request["idempotency_header"] == message.idempotency_key
    assert (request["phone"], request["authorization"]) == ("13812345678", "Bearer gw-token")
    assert message.provider_id == "gw-1" and message.state == MessageState.SENT


def test_failures_are_retried_with_exponential_back_off_then_fail_with_the_reason(
    world, monkeypatch
):
    clock = Clock(monkeypatch, date(2026, 9, 29))
    case, message = received_sms(world)
    waits = []
    with override_settings(OUTBOX_MAX_ATTEMPTS=4, **DOWN):
        for _ in range(3):
            assert deliver_due_messages().retrying == 1
            message.refresh_from_db()
            waits.append(message.next_attempt_at - clock.now)
            assert deliver_due_messages().retrying == 0  # not due again yet
            clock.now = message.next_attempt_at
        assert message.state == MessageState.QUEUED
        assert message.last_error.startswith("第3次发送失败：短信网关不可用")
        assert deliver_due_messages().failed == 1
    assert waits == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    message.refresh_from_db()
    assert message.state == MessageState.FAILED and message.attempts == 4
    assert message.last_error.startswith("第4次发送失败，已停止重试：短信网关不可用")
    clock.advance(days=1)
    assert deliver_due_messages().sent == 0  # a failed message stays failed
    [line] = [m.state_line for m in messages_for_case(case)]
    assert line.startswith("短信 → 张三：发送失败（第4次发送失败，已停止重试：短信网关不可用")


def test_a_gateway_that_comes_back_gets_the_message_on_the_next_attempt(world, monkeypatch):
    clock = Clock(monkeypatch, date(2026, 9, 29))
    case, message = received_sms(world)
    with override_settings(**DOWN):
        deliver_due_messages()
    clock.advance(minutes=1)
    assert deliver_due_messages().sent == 1
    message.refresh_from_db()
    assert (message.state, message.attempts, message.last_error) == ("sent", 2, "")


def test_the_back_off_is_capped():
    with override_settings(OUTBOX_RETRY_SECONDS=60, OUTBOX_RETRY_MAX_SECONDS=3600):
        assert delivery.backoff(1) == timedelta(seconds=60)
        assert delivery.backoff(6) == timedelta(seconds=1920)
        assert delivery.backoff(7) == timedelta(seconds=3600)
        assert delivery.backoff(20) == timedelta(seconds=3600)


def test_a_message_claimed_by_one_worker_is_not_claimed_by_another(world):
    case, message = received_sms(world)
    first = claim()
    assert [m.pk for m in first] == [message.pk]
    assert claim() == []
    assert deliver_due_messages().sent == 0  # the claim is not stale yet


def test_a_stuck_claim_is_taken_back_after_the_timeout_and_the_late_worker_cannot_record(
    world, monkeypatch
):
    clock = Clock(monkeypatch, date(2026, 9, 29))
    case, message = received_sms(world)
    [stuck] = claim()  # this worker then hangs
    clock.advance(seconds=299)
    assert deliver_due_messages().sent == 0
    clock.advance(seconds=2)
    report = deliver_due_messages()
    assert (report.reclaimed, report.sent) == (1, 1)
    message.refresh_from_db()
    assert (message.state, message.attempts) == ("sent", 2)
    sent_at = message.sent_at
    delivery._record_failure(stuck, "timeout", final=True)  # the hung worker wakes up
    delivery._record_sent(stuck, "late")
    message.refresh_from_db()
    assert (message.state, message.provider_id, message.sent_at) == ("sent", "console", sent_at)


def test_a_message_that_keeps_killing_its_worker_fails_after_its_attempts(world, monkeypatch):
    clock = Clock(monkeypatch, date(2026, 9, 29))
    case, message = received_sms(world)
    with override_settings(OUTBOX_MAX_ATTEMPTS=2):
        for _ in range(2):
            delivery.reclaim_stuck()
            assert claim()  # and the worker dies
            clock.advance(minutes=10)
        assert delivery.reclaim_stuck() == 1
    message.refresh_from_db()
    assert message.state == MessageState.FAILED
    assert "发送2次均中断" in message.last_error


def test_staff_email_is_sent_with_a_stable_message_id(world):
    world.town_agent.user.email = "town@example.cn"
    world.town_agent.user.save()
    case = open_case(world)
    act(case, world.agent_a, "relay_out", to_site=world.town.code, note="需镇级办理")
    deliver_due_messages()
    [email] = mail.outbox
    message = Message.objects.get(channel="email")
    assert email.to == ["town@example.cn"] and email.subject == f"待接收移交：{case.number}"
    assert email.extra_headers["Message-ID"] == f"<{message.idempotency_key}@bangban.local>"
    assert (
        message.state == MessageState.SENT
        and message.provider_id == email.extra_headers["Message-ID"]
    )


def test_a_client_who_opts_out_after_queueing_is_skipped_and_one_without_a_phone_fails(world):
    case, message = received_sms(world)
    world.citizen.sms_opt_in = False
    world.citizen.save()
    assert deliver_due_messages().skipped == 1
    message.refresh_from_db()
    assert (message.state, message.last_error) == ("skipped", "服务对象选择不接收短信")
    other = open_case(world)
    other_message = Message.objects.get(case=other)
    world.citizen.sms_opt_in = True
    world.citizen.mobile_cipher = ""
    world.citizen.save()
    Message.objects.filter(pk=other_message.pk).update(
        state=MessageState.QUEUED, next_attempt_at=other_message.created_at
    )
    assert deliver_due_messages().failed == 1
    other_message.refresh_from_db()
    assert other_message.last_error == "第1次发送失败，已停止重试：没有可用的手机号码"


def test_an_operator_can_put_failed_messages_back_in_the_queue(world, monkeypatch):
    Clock(monkeypatch, date(2026, 9, 29))
    case, message = received_sms(world)
    with override_settings(OUTBOX_MAX_ATTEMPTS=1, **DOWN):
        deliver_due_messages()
    message.refresh_from_db()
    assert message.state == MessageState.FAILED
    assert services.message_retry(message_ids=[message.pk]) == 1
    assert deliver_due_messages().sent == 1


def test_digest_staff_get_no_email_until_the_digest(world):
    world.agent_a.user.email = "a@example.cn"
    world.agent_a.user.save()
    StaffPreference.objects.create(staff=world.agent_a, mode="digest")
    case = open_case(world)
    act(case, world.agent_a, "relay_out", to_site=world.town.code, note="需镇级办理")
    act(case, world.town_agent, "relay_return", reason="本镇不办理")
    deliver_due_messages()
    assert mail.outbox == []
    assert Message.objects.get(staff=world.agent_a, channel="email").state == MessageState.HELD
