"""One confirmation service: a client who confirms a form online gets exactly what a client
who confirms it at the desk gets — the same confirmation record and the same signed form.

The portal's page and the desk both call ``bangban.documents.confirmations``; before they
did, the portal's confirmation left the SMS details out of the record and issued no signed
代办服务委托书.
"""

import json
import re

import pytest

from bangban.cases.access import Actor
from bangban.cases.models import CaseEvent, Confirmation
from bangban.cases.tests.helpers import act, open_case, review_all
from bangban.documents import confirmations
from bangban.documents.kinds import Kind
from bangban.documents.models import CaseDocument, ConfirmationCode
from bangban.documents.services import document_render
from bangban.documents.tests.pdf import text

from .conftest import sign_in

pytestmark = pytest.mark.django_db

MOBILE = "13812345678"  # the world's citizen, 张三
FORM = "entrustment"


def reviewed(world):
    """A proxy case pre-reviewed and waiting for the client to confirm the entrustment."""
    case = open_case(world)
    act(case, world.agent_a, "start_review")
    review_all(case, world.agent_a)
    return case


def confirm_online(client, case, sms) -> Confirmation:
    sign_in(client, MOBILE)
    url = f"/my/cases/{case.number}/confirm/{FORM}/"
    assert "发送验证码" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    page = client.get(url).content.decode()
    assert "138****5678" in page and "10分钟内有效" in page
    done = client.post(url, {"code": sms.last_code(MOBILE)})
    assert done.status_code == 302, done.content.decode()
    return Confirmation.objects.get(case=case, form=FORM)


def confirm_at_desk(world, case, sms) -> Confirmation:
    agent = Actor.of_staff(world.agent_a)
    confirmations.sms_code_send(case=case, form=FORM, actor=agent)
    return confirmations.sms_code_verify(
        case=case, form=FORM, actor=agent, code=sms.last_code(MOBILE)
    )


def record(confirmation: Confirmation) -> dict:
    """Every field of the record except its id, its case and its times."""
    skip = {"id", "case", "at", "sms_sent_at"}
    return {
        f.name: getattr(confirmation, f.attname)
        for f in Confirmation._meta.concrete_fields
        if f.name not in skip
    }


def signed_form(case) -> CaseDocument:
    return document_render(CaseDocument.objects.get(case=case, kind=Kind.ENTRUSTMENT))


def without_numbers_and_times(document: CaseDocument, value: str) -> str:
    value = value.replace(document.case.number, "<办件编号>").replace(document.number, "<文书编号>")
    value = re.sub(
        r"\d{4}-\d{2}-\d{2}(T|\s*)\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2})?", "<时刻>", value
    )
    return value


def fields(document: CaseDocument) -> dict:
    """The stored fields of the signed form, its number, issue time and record id set aside."""
    kept = {k: v for k, v in document.fields.items() if k not in {"number", "issued_at"}}
    kept["confirmation"] = {k: v for k, v in kept["confirmation"].items() if k != "id"}
    return json.loads(without_numbers_and_times(document, json.dumps(kept, ensure_ascii=False)))


def test_a_portal_and_a_desk_confirmation_give_the_same_record_and_signed_form(
    client, world, sms, media
):
    online_case, desk_case = reviewed(world), reviewed(world)
    online = confirm_online(client, online_case, sms)
    desk = confirm_at_desk(world, desk_case, sms)

    # the same confirmation record: form, method, signer, the phone the code went to
    assert record(online) == record(desk)
    assert record(online)["method"] == "sms_code" and record(online)["sms_phone"] == "138****5678"
    assert record(online)["signer"] == "张三"
    assert online.sms_sent_at and desk.sms_sent_at  # when the code was sent, both ways
    for case, confirmation in ((online_case, online), (desk_case, desk)):
        code = ConfirmationCode.objects.get(case=case, form=FORM)
        assert code.closed and code.confirmation_id == confirmation.pk

    # the same event, differing only in who took the confirmation
    online_event = CaseEvent.objects.get(case=online_case, event="confirm")
    desk_event = CaseEvent.objects.get(case=desk_case, event="confirm")
    assert online_event.actor_kind != desk_event.actor_kind
    assert online_event.details["confirmation"].keys() == desk_event.details["confirmation"].keys()

    # the same signed 代办服务委托书: issued by the system on the confirm event, same fields
    online_form, desk_form = signed_form(online_case), signed_form(desk_case)
    for document, confirmation, event in (
        (online_form, online, online_event),
        (desk_form, desk, desk_event),
    ):
        assert document.confirmation_id == confirmation.pk and document.event_id == event.pk
        assert document.issued_by_id is None and document.reason == "服务对象签字确认"
        assert document.version == 1 and len(document.sha256) == 64
    assert fields(online_form) == fields(desk_form)
    assert fields(online_form)["confirmation"]["method"] == "sms_code"

    # and the PDFs read the same, the signed-by-SMS line included
    online_text = without_numbers_and_times(online_form, text(online_form))
    assert online_text == without_numbers_and_times(desk_form, text(desk_form))
    assert "通过短信验证码确认" in online_text


def test_a_code_sent_at_the_desk_is_the_one_the_portal_checks(client, world, sms, media):
    """One code per form of a case: the portal and the desk see and close the same one."""
    case = reviewed(world)
    confirmations.sms_code_send(case=case, form=FORM, actor=Actor.of_staff(world.agent_a))
    sign_in(client, MOBILE)
    url = f"/my/cases/{case.number}/confirm/{FORM}/"
    refused = client.post(url).content.decode()  # a second code within the minute
    assert "秒后再重新发送" in refused
    wrong = "000000" if sms.last_code(MOBILE) != "000000" else "111111"
    assert "还可尝试 4 次" in client.post(url, {"code": wrong}).content.decode()
    assert client.post(url, {"code": sms.last_code(MOBILE)}).status_code == 302
    assert CaseDocument.objects.filter(case=case, kind=Kind.ENTRUSTMENT).count() == 1
