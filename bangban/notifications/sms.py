"""Sending one SMS through the configured gateway.

``send_sms(phone, text)`` is the one entry point. ``NotificationsConfig.ready()`` provides it
to the core's port (``cases.messaging.send_sms``), through which the other areas send; the
error it raises is the port's (``cases.messaging.SmsError``). The "console" backend
(embedded mode) writes the message to the ``bangban.sms`` log, where a one-time code can be
read; the "http" backend posts JSON to ``SMS_URL`` with a bearer token. Callers that must
not lose a message go through the outbox (``outbox.enqueue``), not straight here.

The gateway contract (``http``): ``POST SMS_URL`` with ``{"phone", "text", "id"}`` and the
headers ``Authorization: Bearer SMS_TOKEN`` and ``Idempotency-Key: <id>``; it answers
``{"ok": true, "id": "<its message id>"}`` or ``{"ok": false, "error": "…"}``. The outbox
passes the same key on every attempt of one message, so a gateway that honours it sends a
message once even when the worker died after the gateway accepted it and tries again.
"""

import json
import logging
import urllib.request

from django.conf import settings

from bangban.cases.messaging import SmsError

log = logging.getLogger("bangban.sms")


def send_sms(phone: str, text: str, *, idempotency_key: str = "") -> str:
    """Send ``text`` to ``phone``; returns the gateway's message id (or "console").

    ``idempotency_key``: the same for every attempt of one message (the outbox gives one);
    the gateway sends a message with a key it has seen once, and answers its first id.
    """
    backend = settings.SMS_BACKEND
    if backend == "console":
        log.info("短信 → %s：%s", phone, text)
        return "console"
    if backend == "http":
        return _send_http(phone, text, idempotency_key)
    raise SmsError(f"未知的短信通道：{backend}")


def _send_http(phone: str, text: str, idempotency_key: str = "") -> str:
    payload = {"phone": phone, "text": text}
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {settings.SMS_TOKEN}",
    }
    if idempotency_key:
        payload["id"] = idempotency_key
        headers["Idempotency-Key"] = idempotency_key
    body = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(settings.SMS_URL, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            answer = json.loads(response.read() or b"{}")
    except (OSError, ValueError) as error:
        raise SmsError(f"短信网关不可用：{error}") from error
    if not answer.get("ok", True):
        raise SmsError(f"短信网关拒绝：{answer.get('error', '未说明原因')}")
    return str(answer.get("id", ""))
