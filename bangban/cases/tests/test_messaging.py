"""The messaging port (``cases.messaging``): the area provided at start-up gets what is sent;
with none provided, sending is a loud mistake, never a message silently dropped."""

import pytest

from bangban.cases import messaging


def test_what_is_sent_goes_to_the_provided_sender_and_notifier(monkeypatch):
    sent, written = [], []
    monkeypatch.setattr(messaging, "_sender", [])
    monkeypatch.setattr(messaging, "_notifier", [])
    messaging.provide_sms_sender(lambda phone, text: sent.append((phone, text)) or "id-1")
    messaging.provide_notifier(lambda **message: written.append(message) or 2)
    assert messaging.send_sms("13812345678", "你好") == "id-1"
    assert messaging.notify(template="t", recipients=["a", "b"], context={}, dedupe="d") == 2
    assert sent == [("13812345678", "你好")]
    assert written == [
        {"template": "t", "recipients": ["a", "b"], "context": {}, "dedupe": "d", "ref": ""}
    ]


def test_nothing_provided_is_said_loudly(monkeypatch):
    monkeypatch.setattr(messaging, "_sender", [])
    monkeypatch.setattr(messaging, "_notifier", [])
    with pytest.raises(RuntimeError, match="没有发送短信的应用"):
        messaging.send_sms("13812345678", "你好")
    with pytest.raises(RuntimeError, match="没有发送消息的应用"):
        messaging.notify(template="t", recipients=[], context={}, dedupe="d")
