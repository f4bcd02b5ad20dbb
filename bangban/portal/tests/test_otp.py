"""Signing in with a mobile number and a one-time SMS code: wrong, expired, used up, flooded."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bangban.portal import otp
from bangban.portal.identity import SESSION_KEY
from bangban.portal.models import LoginCode

pytestmark = pytest.mark.django_db
PHONE = "13812345678"


def send(ip="10.0.0.1", now=None, phone=PHONE):
    return otp.code_send(phone=phone, ip=ip, now=now)


def test_a_code_is_sent_by_sms_and_stored_only_as_a_hash(sms):
    sent = send()
    code = sms.last_code(PHONE)
    assert sent.mobile_masked == "138****5678"
    row = LoginCode.objects.get()
    assert code not in row.code_hash and PHONE not in row.mobile_hash
    assert otp.code_verify(phone=PHONE, code=code) == PHONE


def test_a_wrong_code_is_refused_and_counted(sms):
    send()
    with pytest.raises(otp.CodeRefused) as refused:
        otp.code_verify(phone=PHONE, code="000000" if sms.last_code() != "000000" else "111111")
    assert refused.value.code == "wrong"
    assert "还可以再试4次" in refused.value.message
    assert LoginCode.objects.get().attempts == 1  # kept although the refusal was raised


def test_a_code_dies_after_five_wrong_tries_even_the_right_one_then(sms):
    send()
    right = sms.last_code()
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(otp.MAX_ATTEMPTS - 1):
        with pytest.raises(otp.CodeRefused):
            otp.code_verify(phone=PHONE, code=wrong)
    with pytest.raises(otp.CodeRefused) as last:
        otp.code_verify(phone=PHONE, code=wrong)
    assert last.value.code == "attempts"
    with pytest.raises(otp.CodeRefused) as after:
        otp.code_verify(phone=PHONE, code=right)
    assert after.value.code == "attempts"


def test_an_expired_code_is_refused(sms):
    past = timezone.now() - timedelta(minutes=otp.CODE_MINUTES + 1)
    send(now=past)
    with pytest.raises(otp.CodeRefused) as refused:
        otp.code_verify(phone=PHONE, code=sms.last_code())
    assert refused.value.code == "expired"


def test_a_code_works_once(sms):
    send()
    code = sms.last_code()
    otp.code_verify(phone=PHONE, code=code)
    with pytest.raises(otp.CodeRefused) as again:
        otp.code_verify(phone=PHONE, code=code)
    assert again.value.code == "used"


def test_a_new_code_retires_the_old_one(sms):
    first_time = timezone.now() - timedelta(minutes=2)
    send(now=first_time)
    old = sms.last_code()
    send()
    new = sms.last_code()
    if old != new:
        with pytest.raises(otp.CodeRefused):
            otp.code_verify(phone=PHONE, code=old)
    assert otp.code_verify(phone=PHONE, code=new) == PHONE


def test_codes_are_rate_limited_per_phone(sms):
    now = timezone.now()
    send(now=now)
    with pytest.raises(otp.CodeRefused) as too_soon:
        send(now=now + timedelta(seconds=10))
    assert too_soon.value.code == "too_soon"
    for minute in range(1, otp.MAX_PER_PHONE_PER_HOUR):
        send(now=now + timedelta(minutes=minute * 2))
    with pytest.raises(otp.CodeRefused) as hourly:
        send(now=now + timedelta(minutes=30))
    assert hourly.value.code == "phone_limit"
    assert len(sms) == otp.MAX_PER_PHONE_PER_HOUR


def test_codes_are_rate_limited_per_address(sms):
    now = timezone.now()
    for n in range(otp.MAX_PER_ADDRESS_PER_HOUR):
        send(now=now, phone=f"1390000{n:04d}")
    with pytest.raises(otp.CodeRefused) as refused:
        send(now=now, phone="13700001111")
    assert refused.value.code == "address_limit"
    send(now=now, phone="13700001111", ip="10.0.0.2")  # another address is not held back


def test_a_number_that_is_not_a_mobile_is_refused(sms):
    with pytest.raises(otp.CodeRefused):
        send(phone="12345")
    assert sms == []


def test_signing_in_through_the_pages_keeps_no_phone_in_clear(client, sms):
    response = client.post("/login/", {"phone": PHONE, "next": "/my/"})
    assert response.status_code == 302 and response["Location"].startswith("/login/code/")
    assert PHONE not in str(dict(client.session))
    page = client.get(response["Location"])
    assert "138****5678" in page.content.decode()
    wrong = client.post(response["Location"], {"code": "99999x"})
    assert "验证码不正确" in wrong.content.decode()
    done = client.post(response["Location"], {"code": sms.last_code()})
    assert done.status_code == 302 and done["Location"] == "/my/"
    identity = client.session[SESSION_KEY]
    assert identity["mobile_masked"] == "138****5678" and PHONE not in str(identity)
    assert client.get("/my/").status_code == 200


def test_pages_of_one_s_own_need_a_sign_in(client):
    response = client.get("/my/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


def test_next_cannot_lead_off_site(client, sms):
    response = client.post("/login/", {"phone": PHONE, "next": "https://evil.example/"})
    assert "evil" not in response["Location"]
