"""One-time codes sent by SMS to sign in to the portal (the demo platform's identity).

Only sign-in codes live here. A client who confirms a form online (the SMS confirmation
of an application form or entrustment) uses the documents area's confirmation service,
``bangban.documents.confirmations``, the same one the desk uses: one code validity, one
rate limit, one attempt limit, and the same confirmation record and signed form.

The code is six digits, stored only as a keyed hash, valid for ``CODE_MINUTES``, and dies
after ``MAX_ATTEMPTS`` wrong tries. Sending is rate-limited per phone (one a minute, a few an
hour) and per network address, so nobody can flood a phone with messages or try codes at
speed. The rows themselves are the counters: no second store to keep in step.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bangban.cases.messaging import SmsError, send_sms
from bangban.clients import pii
from bangban.clients.identity import IdentityError, validate_mobile

from .models import LoginCode

CODE_MINUTES = 5
MAX_ATTEMPTS = 5
RESEND_SECONDS = 60
MAX_PER_PHONE_PER_HOUR = 5
MAX_PER_ADDRESS_PER_HOUR = 20


class CodeRefused(Exception):
    """Why a code was not sent or not accepted, in a sentence a person can act on."""

    def __init__(self, message: str, code: str = "refused"):
        super().__init__(message)
        self.message = message
        self.code = code


def _keyed(kind: str, value: str) -> str:
    key = hashlib.sha256(("portal-otp:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def address_hash(ip: str) -> str:
    return _keyed("ip", ip or "")


def _code_hash(row_salt: str, code: str) -> str:
    return _keyed("code", f"{row_salt}:{code}")


def mobile_of(phone: str) -> str:
    try:
        return validate_mobile(phone)
    except IdentityError as error:
        raise CodeRefused(error.message, "mobile") from None


@dataclass(frozen=True)
class Sent:
    mobile_masked: str
    expires_at: object


LOGIN = "login"


def login_text(code: str) -> str:
    return f"【帮办代办】您的登录验证码为{code}，{CODE_MINUTES}分钟内有效。如非本人操作，请忽略本短信。"


@transaction.atomic
def code_send(*, phone: str, ip: str, now=None) -> Sent:
    """Make a code for this phone, send it by SMS, keep its hash.

    1. validate the number; 2. refuse if this phone or address asked too often;
    3. retire earlier unused codes of the phone; 4. store the new code's hash; 5. send.
    """
    now = now or timezone.now()
    mobile = mobile_of(phone)
    mobile_hash = pii.lookup("mobile", mobile)
    ip_hash = address_hash(ip)
    hour_ago = now - timedelta(hours=1)
    recent = LoginCode.objects.filter(mobile_hash=mobile_hash, created_at__gte=hour_ago)
    last = recent.filter(purpose=LOGIN).order_by("-created_at").first()
    if last and (now - last.created_at).total_seconds() < RESEND_SECONDS:
        wait = RESEND_SECONDS - int((now - last.created_at).total_seconds())
        raise CodeRefused(f"验证码已发送，请在{wait}秒后再重新获取", "too_soon")
    if recent.count() >= MAX_PER_PHONE_PER_HOUR:
        raise CodeRefused("该手机号码获取验证码次数过多，请一小时后再试", "phone_limit")
    if (
        LoginCode.objects.filter(ip_hash=ip_hash, created_at__gte=hour_ago).count()
        >= MAX_PER_ADDRESS_PER_HOUR
    ):
        raise CodeRefused("获取验证码过于频繁，请稍后再试", "address_limit")
    recent.filter(purpose=LOGIN, used_at__isnull=True).update(used_at=now)
    code = f"{secrets.randbelow(10**6):06d}"
    row = LoginCode.objects.create(
        purpose=LOGIN,
        mobile_hash=mobile_hash,
        code_hash="",
        ip_hash=ip_hash,
        created_at=now,
        expires_at=now + timedelta(minutes=CODE_MINUTES),
    )
    row.code_hash = _code_hash(str(row.pk), code)
    row.save(update_fields=["code_hash"])
    try:
        send_sms(mobile, login_text(code))
    except SmsError as error:
        raise CodeRefused("短信发送失败，请稍后再试", "sms_failed") from error
    return Sent(pii.protect("mobile", mobile)[2], row.expires_at)


WRONG = "验证码不正确"


def code_verify(*, phone: str, code: str, now=None) -> str:
    """The normalized mobile once ``code`` is right; CodeRefused otherwise (wrong, expired, used up).

    A wrong try is counted and committed before the refusal is raised, so that a thousand
    guesses cannot hide behind rolled-back transactions.
    """
    now = now or timezone.now()
    mobile = mobile_of(phone)
    code = "".join(ch for ch in str(code) if ch.isdigit())
    with transaction.atomic():
        row = (
            LoginCode.objects.select_for_update()
            .filter(mobile_hash=pii.lookup("mobile", mobile), purpose=LOGIN)
            .order_by("-created_at", "-pk")
            .first()
        )
        if row is None:
            raise CodeRefused("请先获取验证码", "no_code")
        if row.used_at is not None:
            if row.attempts >= MAX_ATTEMPTS:
                raise CodeRefused("验证码错误次数过多，请重新获取验证码", "attempts")
            raise CodeRefused("验证码已使用，请重新获取", "used")
        if now >= row.expires_at:
            raise CodeRefused("验证码已过期，请重新获取", "expired")
        right = hmac.compare_digest(row.code_hash, _code_hash(str(row.pk), code))
        if right:
            row.used_at = now
        else:
            row.attempts += 1
            if row.attempts >= MAX_ATTEMPTS:
                row.used_at = now  # this code is dead: a new one must be asked for
        row.save(update_fields=["attempts", "used_at"])
    if right:
        return mobile
    left = MAX_ATTEMPTS - row.attempts
    if left <= 0:
        raise CodeRefused("验证码错误次数过多，请重新获取验证码", "attempts")
    raise CodeRefused(f"{WRONG}，还可以再试{left}次", "wrong")
