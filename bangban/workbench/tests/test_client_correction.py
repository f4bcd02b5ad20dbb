"""更正手机号码或地址 on the case page: who gets the form, what it refuses, the history, the SMS."""

import pytest

from bangban.clients import pii
from bangban.clients.models import ClientCorrection
from bangban.notifications import delivery
from bangban.notifications.models import Message, MessageState

from .conftest import HTMX, accepted, act, open_case

pytestmark = pytest.mark.django_db

FORM = "更正手机号码或地址"
TEMPLATE = "client.details_corrected"
MOBILE = {
    "field": "mobile",
    "value": "139 5555 0000",
    "reason": "服务对象更换手机号码，本人到场申请",
}


def url(case):
    return f"/work/cases/{case.number}/client/correct/"


def page(client, case):
    return client.get(f"/work/cases/{case.number}/")


def sms():
    return Message.objects.filter(template_key=TEMPLATE)


def test_the_form_corrects_the_mobile_and_the_history_shows_it_masked(signed_in, world):
    case = open_case(world)
    client = signed_in(world.agent_a)
    assert FORM in page(client, case).content.decode()
    text = client.post(url(case), MOBILE, **HTMX).content.decode()
    assert "已更正手机号码：138****5678 → 139****0000" in text
    assert "信息更正记录" in text and "服务对象更换手机号码，本人到场申请" in text
    assert "村A代办员" in text and "东街社区便民服务站" in text
    assert "13955550000" not in text and "13812345678" not in text
    world.citizen.refresh_from_db()
    assert pii.reveal(world.citizen.mobile_cipher) == "13955550000"
    correction = ClientCorrection.objects.get()
    assert (correction.staff, correction.old_masked, correction.new_masked) == (
        world.agent_a,
        "138****5678",
        "139****0000",
    )


def test_without_htmx_the_correction_redirects_with_a_message(signed_in, world):
    case = open_case(world)
    client = signed_in(world.agent_a)
    done = client.post(url(case), {**MOBILE, "field": "address", "value": "城关镇东街12号"})
    assert done.status_code == 302 and done["Location"] == f"/work/cases/{case.number}/"
    text = client.get(done["Location"]).content.decode()
    assert "已更正地址：未登记 → " in text and "信息更正记录" in text
    assert "城关镇东街12号" not in text  # shown masked only


def test_a_coordinator_covering_the_case_gets_the_form_too(signed_in, world):
    case = open_case(world)
    client = signed_in(world.coordinator)
    assert FORM in page(client, case).content.decode()
    assert client.post(url(case), MOBILE, **HTMX).status_code == 200
    assert ClientCorrection.objects.get().staff == world.coordinator


def test_liaison_and_supervisor_get_no_form_and_403_another_village_404(signed_in, world):
    case = accepted(open_case(world), world.agent_a)
    act(case, world.agent_a, "start_handling")
    item = case.items.get()
    act(case, world.agent_a, "file_with_department", case_item_id=item.pk)
    for persona in (world.liaison_market, world.supervisor):
        client = signed_in(persona)
        shown = page(client, case)
        assert shown.status_code == 200 and FORM not in shown.content.decode()
        assert client.post(url(case), MOBILE, **HTMX).status_code == 403
    other = signed_in(world.agent_b)
    assert page(other, case).status_code == 404
    assert other.post(url(case), MOBILE, **HTMX).status_code == 404
    assert not ClientCorrection.objects.exists() and not sms().exists()


def test_a_bad_or_huge_number_is_404_and_get_is_not_allowed(signed_in, world):
    case = open_case(world)
    client = signed_in(world.agent_a)
    for number in ("nope", "9" * 40, "-1", "C-2026-" + "1" * 300):
        assert client.post(f"/work/cases/{number}/client/correct/", MOBILE).status_code == 404
    assert client.get(url(case)).status_code == 405


def test_a_blank_reason_is_refused_in_chinese_next_to_the_field(signed_in, world):
    case = open_case(world)
    client = signed_in(world.agent_a)
    refused = client.post(url(case), {**MOBILE, "reason": "  "}, **HTMX)
    text = refused.content.decode()
    assert refused.status_code == 200
    assert 'id="correct-reason-error"' in text and "更正个人信息须填写理由" in text
    assert 'value="139 5555 0000"' in text  # what was typed is kept
    bad = client.post(url(case), {**MOBILE, "value": "12345"}).content.decode()
    assert 'id="correct-value-error"' in bad and "信息更正记录" not in bad
    same = client.post(url(case), {**MOBILE, "value": "13812345678"}, **HTMX).content.decode()
    assert "与登记的信息相同，无需更正" in same
    assert not ClientCorrection.objects.exists() and not sms().exists()
    world.citizen.refresh_from_db()
    assert world.citizen.mobile_masked == "138****5678"


def test_the_old_mobile_is_told_by_sms_without_the_new_number_in_full(
    signed_in, world, monkeypatch
):
    case = open_case(world)
    client = signed_in(world.agent_a)
    typed = {**MOBILE, "reason": "原号码13812345678停用，改为13955550000"}
    client.post(url(case), typed, **HTMX)
    message = sms().get()
    assert (message.client, message.state, message.address_masked) == (
        world.citizen,
        MessageState.QUEUED,
        "138****5678",
    )
    assert pii.reveal(message.to_cipher) == "13812345678"
    assert message.case is None and message.ref.startswith("client_correction:")
    assert message.body.startswith("【帮办代办】您登记的手机号码已于")
    assert "由东街社区便民服务站更正为139****0000" in message.body
    assert "如非本人申请" in message.body
    for full in ("13955550000", "13812345678", "1395555", "5550000"):
        assert full not in message.body
    sent = []
    monkeypatch.setattr(delivery, "send_sms", lambda *sms, **kw: sent.append(sms) or "x")
    delivery.deliver_due_messages()
    # the old number, though the client's is now the new one
    assert [phone for phone, text in sent if "更正" in text] == ["13812345678"]
    message.refresh_from_db()
    assert message.state == MessageState.SENT and message.to_cipher == ""
    shown = page(client, case).content.decode()
    assert "短信138****5678：已发送" in shown
    # the numbers typed into the reason are masked on the page too
    assert "原号码138****5678停用，改为139****0000" in shown and "13955550000" not in shown


def test_an_address_change_is_told_at_the_registered_mobile(signed_in, world, monkeypatch):
    case = open_case(world)
    signed_in(world.agent_a).post(
        url(case), {"field": "address", "value": "城关镇东街12号", "reason": "搬家"}, **HTMX
    )
    message = sms().get()
    assert message.address_masked == "138****5678" and message.to_cipher == ""
    assert "您登记的地址已于" in message.body and "城关镇东街12号" not in message.body
    sent = []
    monkeypatch.setattr(delivery, "send_sms", lambda *sms, **kw: sent.append(sms) or "x")
    delivery.deliver_due_messages()
    assert [phone for phone, text in sent if "更正" in text] == ["13812345678"]


def test_a_client_with_no_mobile_before_gets_a_skipped_row_not_an_sms_to_the_new_one(
    signed_in, world
):
    world.citizen.mobile_cipher = world.citizen.mobile_hash = world.citizen.mobile_masked = ""
    world.citizen.save()
    case = open_case(world)
    signed_in(world.agent_a).post(url(case), MOBILE, **HTMX)
    message = sms().get()
    assert message.state == MessageState.SKIPPED and message.last_error == "未登记手机号码"
    assert message.to_cipher == ""


def test_a_correction_made_elsewhere_the_api_tells_the_old_mobile_too(world):
    from bangban.cases.clients import client_correct

    open_case(world)
    client_correct(
        staff=world.agent_a,
        client=world.citizen,
        field="mobile",
        value="13955550000",
        reason="换号",
    )
    message = sms().get()
    assert message.address_masked == "138****5678" and "139****0000" in message.body
