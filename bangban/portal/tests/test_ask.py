"""在线咨询 (issue 14, "Consultations both ways"): a citizen asks online, sees the reply
deadline, and the answer reaches them by SMS and on their page (seed 000 §10.1.1)."""

import re

import pytest
from django.conf import settings

from bangban.consultations.models import Consultation, ConsultationStatus
from bangban.consultations.selectors import replies_due
from bangban.consultations.services import consultation_escalate, consultation_reply
from bangban.notifications.delivery import deliver_due_messages
from bangban.notifications.models import Message, MessageState
from bangban.workdays.services import current_calendar

from .conftest import sign_in

pytestmark = pytest.mark.django_db
MOBILE = "13812345678"


def ask(client, world, **more):
    data = {
        "client_name": "张阿姨",
        "site": world.village_a.code,
        "content": "给孙子办出生医学证明要带什么？",
        **more,
    }
    return client.post("/ask/", data)


@pytest.fixture
def texts(monkeypatch):
    sent = []

    def fake_send(phone, text):
        sent.append((phone, text))
        return "test"

    def gateway(phone, text, idempotency_key=""):
        return fake_send(phone, text)

    monkeypatch.setattr("bangban.cases.messaging.send_sms", fake_send)
    # the answer goes through the outbox, whose delivery worker calls the gateway
    monkeypatch.setattr("bangban.notifications.delivery.send_sms", gateway)
    return sent


def test_asking_needs_the_phone_proven_by_code_first(client):
    response = client.get("/ask/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_seam_citizens_ask_a_question_online(client, world):
    sign_in(client, MOBILE)
    form = client.get("/ask/").content.decode()
    assert "您想咨询的问题" in form and "1 个工作日内" in form
    response = ask(client, world)
    consultation = Consultation.objects.get()
    assert response.status_code == 302
    assert response["Location"].startswith("/ask/")
    assert consultation.channel == "online"
    assert consultation.status == ConsultationStatus.PENDING
    assert consultation.site == world.village_a
    assert consultation.handled_by.site == world.village_a and consultation.handled_by.is_agent
    assert consultation.contact_masked == "138****5678"
    # it is in the agent's list of replies due, and in the citizen's own list
    assert consultation in replies_due(staff=consultation.handled_by)
    mine = client.get("/ask/").content.decode()
    assert "给孙子办出生医学证明" in mine and "待答复" in mine


def test_an_empty_question_is_refused_in_words(client, world):
    sign_in(client, MOBILE)
    response = ask(client, world, content="")
    assert "您想咨询的问题" in response.content.decode() and "错误" in response.content.decode()
    assert not Consultation.objects.exists()


def test_asking_is_throttled_by_phone(client, world):
    sign_in(client, MOBILE)
    for _ in range(5):
        ask(client, world)
    response = ask(client, world)
    assert response.status_code == 422
    assert "每天最多在线咨询 5 次" in response.content.decode()
    assert Consultation.objects.count() == 5


def test_asking_is_throttled_by_address(client, world, monkeypatch):
    from bangban.portal.views import ask as ask_view

    monkeypatch.setattr(ask_view, "ASKS_PER_ADDRESS_PER_HOUR", 1)
    sign_in(client, MOBILE)
    ask(client, world)
    sign_in(client, "13900001111")
    response = ask(client, world)
    assert response.status_code == 422 and "提交太频繁" in response.content.decode()


def test_seam_reply_deadline_shown_to_the_citizen(client, world):
    sign_in(client, MOBILE)
    page_url = ask(client, world)["Location"]
    consultation = Consultation.objects.get()
    due = current_calendar().add_workdays(consultation.created_at.date(), 1)
    assert consultation.reply_due_on == due
    page = client.get(page_url).content.decode()
    assert f"我们会在 <strong>{due.year}年{due.month}月{due.day}日</strong> 前答复您" in page


def test_seam_answer_reaches_the_client_by_sms_and_page(client, world, texts):
    sign_in(client, MOBILE)
    page_url = ask(client, world)["Location"]
    consultation = Consultation.objects.get()
    consultation_escalate(
        consultation=consultation, staff=consultation.handled_by, department=world.market
    )
    texts.clear()  # the sign-in code
    consultation_reply(
        consultation=consultation,
        staff=world.liaison_market,
        answer="带出生医学证明申领表、父母身份证和户口本到医院办理。",
    )
    # written to the outbox, which staff see and which retries; sent by the delivery job
    queued = Message.objects.get(template_key="client.consultation_answered")
    assert queued.case is None and queued.ref == f"consultation:{consultation.pk}"
    assert queued.address_masked == "138****5678" and queued.state == MessageState.QUEUED
    deliver_due_messages()
    [(phone, text)] = texts
    assert phone == MOBILE
    assert "带出生医学证明申领表" in text
    link = re.search(r"(https?://\S+)", text).group(1)
    assert link == settings.PUBLIC_URL.rstrip("/") + page_url
    consultation.refresh_from_db()
    assert consultation.answer_sms_at is not None

    # the personal link opens the page with no sign-in
    client.logout()
    page = client.get(page_url).content.decode()
    assert "带出生医学证明申领表、父母身份证和户口本到医院办理。" in page
    assert "答复" in page


def test_a_forged_link_finds_nothing(client, world):
    sign_in(client, MOBILE)
    page_url = ask(client, world)["Location"]
    pk = Consultation.objects.get().pk
    assert client.get(f"/ask/{pk + 1}.{page_url.split('.')[-1]}").status_code == 404
    assert client.get(f"/ask/{pk}/").status_code == 404


def test_seam_answer_sms_is_retried_from_the_outbox(client, world, monkeypatch):
    """The gateway refuses: the answer is kept, and its SMS waits in the outbox for the
    next attempt instead of being dropped."""
    from bangban.cases import messaging

    def refuse(phone, text, idempotency_key=""):
        raise messaging.SmsError("网关不可用")

    sign_in(client, MOBILE)
    page_url = ask(client, world)["Location"]
    monkeypatch.setattr("bangban.notifications.delivery.send_sms", refuse)
    consultation = Consultation.objects.get()
    consultation_reply(consultation=consultation, staff=consultation.handled_by, answer="可以办理")
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.REPLIED
    assert deliver_due_messages().retrying == 1
    message = Message.objects.get(template_key="client.consultation_answered")
    assert message.state == MessageState.QUEUED and message.attempts == 1
    assert "可以办理" in message.body and "网关不可用" in message.last_error
    assert "可以办理" in client.get(page_url).content.decode()


def test_a_landline_contact_gets_no_answer_sms(world):
    from bangban.consultations.services import consultation_record

    consultation = consultation_record(
        staff=world.agent_a,
        client_name="李四",
        contact="0571-88886666",
        channel="phone",
        content="问营业执照",
    )
    consultation_reply(consultation=consultation, staff=world.agent_a, answer="可以办理")
    consultation.refresh_from_db()
    assert consultation.answer_sms_at is None
    assert not Message.objects.filter(template_key="client.consultation_answered").exists()


def test_the_ask_pages_cost_a_bounded_number_of_queries(
    client, world, django_assert_max_num_queries
):
    sign_in(client, MOBILE)
    for _ in range(3):
        page_url = ask(client, world)["Location"]
    with django_assert_max_num_queries(8):
        client.get("/ask/")
    with django_assert_max_num_queries(6):
        client.get(page_url)


def test_seam_answer_sms_is_the_administrators_template(client, world):
    """The answer SMS is the catalogue's 咨询答复, which the administrator may edit."""
    from bangban.notifications.models import MessageTemplate

    template = MessageTemplate.objects.get(key="client.consultation_answered")
    template.body = "【帮办代办】{{ client_name }}：{{ answer }}（{{ page_url }}）"
    template.save()
    sign_in(client, MOBILE)
    page_url = ask(client, world)["Location"]
    consultation = Consultation.objects.get()
    consultation_reply(consultation=consultation, staff=consultation.handled_by, answer="可以办理")
    message = Message.objects.get(template_key="client.consultation_answered")
    assert message.body == (
        f"【帮办代办】张阿姨：可以办理（{settings.PUBLIC_URL.rstrip('/')}{page_url}）"
    )
