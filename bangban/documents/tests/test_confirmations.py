"""The client confirms by a signature drawn on a screen or by a one-time SMS code."""

import base64
import datetime as dt
import hashlib
import io
import logging
import math
import re

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw

from bangban.cases.access import Actor
from bangban.cases.models import CaseEvent, Confirmation
from bangban.cases.tests.helpers import act, open_case, review_all, to_handling
from bangban.cases.workflow import State, TransitionRefused
from bangban.documents import confirmations, signatures
from bangban.documents.kinds import Kind
from bangban.documents.models import CaseDocument, ConfirmationCode
from bangban.documents.services import document_render

from .pdf import image_count, text

pytestmark = pytest.mark.django_db


def drawn(blank=False) -> str:
    """A canvas export: a few strokes on white, as the signature pad posts it."""
    image = Image.new("RGBA", (600, 240), "white")
    if not blank:
        pen = ImageDraw.Draw(image)
        for start, end, height, turns in ((40, 300, 55, 2.5), (320, 560, 45, 3.5)):
            points = [
                (
                    x,
                    125
                    + height * math.sin((x - start) / (end - start) * turns * math.pi)
                    - (x - start) * 0.12,
                )
                for x in range(start, end, 4)
            ]
            pen.line(points, fill="black", width=5, joint="curve")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def reviewed(world, **kw):
    case = open_case(world, **kw)
    act(case, world.agent_a, "start_review")
    review_all(case, world.agent_a)
    return case


def sign(case, world, form, **kw):
    return confirmations.confirm_with_signature(
        case=case, form=form, actor=Actor.of_staff(world.agent_a), data_url=drawn(), **kw
    )


def test_acceptance_waits_for_the_entrustment_and_a_screen_signature_satisfies_it(world):
    case = reviewed(world)
    with pytest.raises(TransitionRefused, match="代办服务委托书"):
        act(case, world.agent_a, "accept")
    confirmation = sign(case, world, "entrustment")
    act(case, world.agent_a, "accept")
    assert case.state == State.ACCEPTED
    assert confirmation.method == "signature" and confirmation.signer == "张三"


def test_the_signature_is_stored_hashed_into_the_timeline_and_placed_on_the_pdf(world):
    case = reviewed(world)
    confirmation = sign(case, world, "entrustment")
    confirmation.refresh_from_db()
    # encrypted at rest: the stored file is no PNG; read back, it is the signed image
    assert confirmation.signature.name.endswith(".png.enc")
    assert not confirmation.signature.read().startswith(b"\x89PNG")
    png = signatures.signature_bytes(confirmation.signature)
    assert png.startswith(b"\x89PNG") and hashlib.sha256(png).hexdigest() == (
        confirmation.signature_sha256
    )
    event = CaseEvent.objects.get(case=case, event="confirm")
    assert event.details["confirmation"]["signature_sha256"] == confirmation.signature_sha256
    assert event.details["confirmation_id"] == confirmation.pk
    # signing the entrustment issues its signed version, with the image on it
    document = document_render(CaseDocument.objects.get(case=case, kind=Kind.ENTRUSTMENT))
    assert document.confirmation == confirmation and document.reason == "服务对象签字确认"
    assert image_count(document) == 1
    assert "在屏幕上手写签名确认" in text(document)


def test_a_signature_given_before_an_event_is_placed_on_the_form_the_event_issues(world):
    case = open_case(world)
    to_handling(case, world.agent_a)
    signed = sign(case, world, "suspension_slip")
    act(case, world.agent_a, "suspend", reason_code="client_pause")
    document = document_render(CaseDocument.objects.get(case=case, kind=Kind.SUSPENSION_SLIP))
    assert document.confirmation == signed and image_count(document) == 1
    signed.refresh_from_db()
    assert signed.used  # one signature, one suspension


def test_a_blank_or_foreign_signature_is_refused(world):
    case = reviewed(world)
    actor = Actor.of_staff(world.agent_a)
    with pytest.raises(TransitionRefused, match="未检测到签名笔迹"):
        confirmations.confirm_with_signature(
            case=case, form="entrustment", actor=actor, data_url=drawn(blank=True)
        )
    with pytest.raises(TransitionRefused, match="格式不正确"):
        confirmations.confirm_with_signature(
            case=case, form="entrustment", actor=actor, data_url="data:image/svg+xml;base64,AAAA"
        )
    with pytest.raises(TransitionRefused, match="无法识别"):
        confirmations.confirm_with_signature(
            case=case,
            form="entrustment",
            actor=actor,
            data_url="data:image/png;base64,bm90YXBuZw==",
        )
    assert not Confirmation.objects.filter(case=case).exists()


def test_an_agent_of_another_village_cannot_record_a_signature(world):
    case = reviewed(world)
    with pytest.raises(TransitionRefused, match="没有权限"):
        confirmations.confirm_with_signature(
            case=case, form="entrustment", actor=Actor.of_staff(world.agent_b), data_url=drawn()
        )


def sent_code(caplog) -> str:
    messages = [r.getMessage() for r in caplog.records if r.name == "bangban.sms"]
    assert messages, "no SMS logged"
    return re.search(r"验证码 (\d{6})", messages[-1]).group(1)


def test_the_sms_code_flow_confirms_the_form(world, caplog):
    caplog.set_level(logging.INFO, logger="bangban.sms")
    case = reviewed(world)
    actor = Actor.of_staff(world.agent_a)
    record = confirmations.sms_code_send(case=case, form="entrustment", actor=actor)
    message = [r.getMessage() for r in caplog.records if r.name == "bangban.sms"][-1]
    assert "13812345678" in message and "代办服务委托书" in message  # to the client's mobile
    code = sent_code(caplog)
    assert code not in record.code_hash and record.phone_masked == "138****5678"
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(TransitionRefused, match="还可尝试 4 次"):
        confirmations.sms_code_verify(case=case, form="entrustment", actor=actor, code=wrong)
    confirmation = confirmations.sms_code_verify(
        case=case, form="entrustment", actor=actor, code=code
    )
    assert confirmation.method == "sms_code" and confirmation.sms_phone == "138****5678"
    record.refresh_from_db()
    assert record.closed and record.confirmation == confirmation and record.attempts == 2
    act(case, world.agent_a, "accept")  # the guard reads the SMS confirmation
    document = document_render(CaseDocument.objects.get(case=case, kind=Kind.ENTRUSTMENT))
    assert "通过短信验证码确认" in text(document)
    with pytest.raises(TransitionRefused, match="先发送验证码"):  # a code works once
        confirmations.sms_code_verify(case=case, form="entrustment", actor=actor, code=code)


def test_five_wrong_codes_void_the_code(world, caplog):
    caplog.set_level(logging.INFO, logger="bangban.sms")
    case = reviewed(world)
    actor = Actor.of_staff(world.agent_a)
    confirmations.sms_code_send(case=case, form="application", actor=actor)
    code = sent_code(caplog)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        with pytest.raises(TransitionRefused, match="不正确"):
            confirmations.sms_code_verify(case=case, form="application", actor=actor, code=wrong)
    with pytest.raises(TransitionRefused, match="次数过多"):
        confirmations.sms_code_verify(case=case, form="application", actor=actor, code=wrong)
    with pytest.raises(TransitionRefused, match="先发送验证码"):
        confirmations.sms_code_verify(case=case, form="application", actor=actor, code=code)
    assert not Confirmation.objects.filter(case=case).exists()


def test_a_code_expires_after_ten_minutes(world, caplog, monkeypatch):
    caplog.set_level(logging.INFO, logger="bangban.sms")
    case = reviewed(world)
    actor = Actor.of_staff(world.agent_a)
    confirmations.sms_code_send(case=case, form="entrustment", actor=actor)
    code = sent_code(caplog)
    later = timezone.now() + dt.timedelta(minutes=10, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    with pytest.raises(TransitionRefused, match="已过期"):
        confirmations.sms_code_verify(case=case, form="entrustment", actor=actor, code=code)
    assert ConfirmationCode.objects.get(case=case).closed


def test_a_new_code_waits_a_minute_and_replaces_the_old_one(world, caplog, monkeypatch):
    caplog.set_level(logging.INFO, logger="bangban.sms")
    case = reviewed(world)
    actor = Actor.of_staff(world.agent_a)
    confirmations.sms_code_send(case=case, form="entrustment", actor=actor)
    first = sent_code(caplog)
    with pytest.raises(TransitionRefused, match="秒后再重新发送"):
        confirmations.sms_code_send(case=case, form="entrustment", actor=actor)
    later = timezone.now() + dt.timedelta(seconds=61)
    monkeypatch.setattr(timezone, "now", lambda: later)
    confirmations.sms_code_send(case=case, form="entrustment", actor=actor)
    second = sent_code(caplog)
    assert ConfirmationCode.objects.filter(case=case, closed=False).count() == 1
    if first != second:
        with pytest.raises(TransitionRefused, match="不正确"):
            confirmations.sms_code_verify(case=case, form="entrustment", actor=actor, code=first)
    confirmations.sms_code_verify(case=case, form="entrustment", actor=actor, code=second)


def test_no_code_without_a_registered_mobile_or_for_another_village(world):
    case = reviewed(world)
    with pytest.raises(TransitionRefused, match="没有权限"):
        confirmations.sms_code_send(
            case=case, form="entrustment", actor=Actor.of_staff(world.agent_b)
        )
    case.client.mobile_cipher = ""
    case.client.save(update_fields=["mobile_cipher"])
    with pytest.raises(TransitionRefused, match="未登记手机号码"):
        confirmations.sms_code_send(
            case=case, form="entrustment", actor=Actor.of_staff(world.agent_a)
        )


def test_at_most_five_codes_an_hour_for_one_form(world, monkeypatch):
    """The one rate limit, whichever face sends: once a minute and five an hour per form."""
    case = reviewed(world)
    actor = Actor.of_staff(world.agent_a)
    start = timezone.now()
    for minute in range(confirmations.MAX_PER_HOUR):
        at = start + dt.timedelta(minutes=2 * minute)
        monkeypatch.setattr(timezone, "now", lambda at=at: at)
        confirmations.sms_code_send(case=case, form="entrustment", actor=actor)
    later = start + dt.timedelta(minutes=2 * confirmations.MAX_PER_HOUR)
    monkeypatch.setattr(timezone, "now", lambda: later)
    with pytest.raises(TransitionRefused, match="发送次数过多"):
        confirmations.sms_code_send(case=case, form="entrustment", actor=actor)
    # the client, online, is held to the same count
    with pytest.raises(TransitionRefused, match="发送次数过多"):
        confirmations.sms_code_send(
            case=case, form="entrustment", actor=Actor.of_client(case.client)
        )
    monkeypatch.setattr(timezone, "now", lambda: start + dt.timedelta(minutes=61))
    confirmations.sms_code_send(case=case, form="entrustment", actor=actor)


def test_a_signature_is_encrypted_at_rest_and_placed_plain_on_the_pdf(world, media_root):
    case = reviewed(world)
    confirmation = sign(case, world, "entrustment")
    confirmation.refresh_from_db()
    [on_disk] = [p for p in media_root.rglob("*.enc") if p.is_file()]
    assert on_disk.name == confirmation.signature.name.rsplit("/", 1)[-1]
    assert b"PNG" not in on_disk.read_bytes() and b"IHDR" not in on_disk.read_bytes()
    document = document_render(CaseDocument.objects.get(case=case, kind=Kind.ENTRUSTMENT))
    assert image_count(document) == 1  # the form embeds the decrypted image


def test_a_signature_stored_before_encryption_is_still_placed_on_the_pdf(world, media_root):
    from django.core.files.base import ContentFile

    case = reviewed(world)
    confirmation = sign(case, world, "entrustment")
    confirmation.refresh_from_db()
    png = signatures.signature_bytes(confirmation.signature)
    confirmation.signature.save("old-plain.png", ContentFile(png), save=True)
    assert signatures.signature_bytes(confirmation.signature) == png
    document = CaseDocument.objects.get(case=case, kind=Kind.ENTRUSTMENT)
    assert document.fields["confirmation"]["signature"].endswith(".png.enc")
    document.fields["confirmation"]["signature"] = confirmation.signature.name
    document.sha256 = ""  # made again, from the plain file
    assert image_count(document_render(document)) == 1
