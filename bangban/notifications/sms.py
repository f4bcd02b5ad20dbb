"""Sending one SMS through the configured gateway.

``send_sms(phone, text)`` is the one entry point. The "console" backend (embedded mode)
writes the message to the ``bangban.sms`` log, where a one-time code can be read; the
"http" backend posts JSON to ``SMS_URL`` with a bearer token. Callers that must not lose a
message go through the outbox (notifications issue), not straight here.
"""

import json
import logging
import urllib.request

from django.conf import settings

log = logging.getLogger("bangban.sms")


class SmsError(Exception):
    pass


def send_sms(phone: str, text: str) -> str:
    """Send ``text`` to ``phone``; returns the gateway's message id (or "console")."""
    backend = settings.SMS_BACKEND
    if backend == "console":
        log.info("短信 → %s：%s", phone, text)
        return "console"
    if backend == "http":
        return _send_http(phone, text)
    raise SmsError(f"未知的短信通道：{backend}")


def _send_http(phone: str, text: str) -> str:
    body = json.dumps({"phone": phone, "text": text}, ensure_ascii=False).encode()
    request = urllib.request.Request(
        settings.SMS_URL,
        data=body,
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {settings.SMS_TOKEN}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            answer = json.loads(response.read() or b"{}")
    except (OSError, ValueError) as error:
        raise SmsError(f"短信网关不可用：{error}") from error
    if not answer.get("ok", True):
        raise SmsError(f"短信网关拒绝：{answer.get('error', '未说明原因')}")
    return str(answer.get("id", ""))
