"""The notifications area behind the core's messaging port (``cases.messaging``): what other
areas send there reaches this area's gateway and outbox, set up at start-up."""

from datetime import date

import pytest
from django.test import override_settings

from bangban.cases import messaging
from bangban.notifications import outbox, sms
from bangban.notifications.models import Notice

pytestmark = pytest.mark.django_db


def test_ready_provides_the_gateway_and_the_outbox():
    assert messaging._sender == [sms.send_sms]
    assert messaging._notifier == [outbox.notify]


def test_an_sms_through_the_port_goes_out_through_the_gateway(caplog, gateway):
    assert messaging.send_sms("13812345678", "【帮办代办】验证码123456") == "console"
    assert "短信 → 13812345678：【帮办代办】验证码123456" in caplog.text
    with override_settings(SMS_BACKEND="http", SMS_URL=gateway.url, SMS_TOKEN="t"):
        assert messaging.send_sms("13812345678", "你好") == "gw-1"
    assert [(r["phone"], r["text"]) for r in gateway.requests] == [("13812345678", "你好")]


def test_the_gateway_s_refusal_is_the_port_s_error():
    assert sms.SmsError is messaging.SmsError
    with override_settings(SMS_BACKEND="http", SMS_URL="http://127.0.0.1:9/sms"):  # no one there
        with pytest.raises(messaging.SmsError, match="短信网关不可用"):
            messaging.send_sms("13812345678", "你好")


def test_a_message_through_the_port_is_written_once_with_its_dates_as_messages_write_them(
    world, no_delivery_on_commit
):
    message = {
        "template": "staff.consultation_due",
        "recipients": [world.agent_a],
        "context": {
            "client_name": "王五",
            "content": "开饭店需要哪些许可？",
            "reply_due_on": date(2026, 10, 8),
            "handled_by": world.agent_a.name,
            "overdue": False,
        },
        "dedupe": "consultation:due:1:2026-10-08",
        "ref": "consultation:1",
    }
    assert messaging.notify(**message) == 1
    assert messaging.notify(**message) == 0  # the same cause writes nothing twice
    [notice] = Notice.objects.filter(staff=world.agent_a)
    assert "须于今日（2026年10月8日）答复" in notice.body
    assert notice.message.ref == "consultation:1"
