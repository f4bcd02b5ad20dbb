"""Messages are written by the case write path, in its transaction, once per event."""

import pytest
from django.db import transaction

from bangban.cases.models import CaseEvent, MaterialStatus
from bangban.cases.tests.helpers import (
    SIGNED,
    act,
    finish_items,
    open_case,
    review_all,
    to_handling,
)
from bangban.cases.workflow import State, TransitionRefused
from bangban.notifications import events, outbox
from bangban.notifications.models import (
    DeliveryMode,
    Message,
    MessageState,
    MessageTemplate,
    Notice,
    StaffPreference,
)
from bangban.notifications.selectors import messages_for_case

from .helpers import template_row

pytestmark = pytest.mark.django_db


def sms_to_client(case):
    return list(
        Message.objects.filter(case=case, recipient_kind="client")
        .order_by("id")
        .values_list("template_key", flat=True)
    )


def test_submitting_a_case_writes_the_received_sms_with_the_submit_event(world):
    case = open_case(world)
    message = Message.objects.get(case=case)
    assert message.template_key == "client.received"
    assert message.event == CaseEvent.objects.get(case=case, event="submit")
    assert (message.channel, message.state, message.client) == ("sms", "queued", world.citizen)
    assert message.address_masked == world.citizen.mobile_masked
    assert case.number in message.body and "食品经营许可" in message.body
    assert message.body.startswith("【帮办代办】张三")


def test_a_refused_transition_writes_no_message(world):
    case = open_case(world)
    before = Message.objects.count()
    with pytest.raises(TransitionRefused):
        act(case, world.agent_a, "accept", confirmation=SIGNED)  # still 'received'
    with pytest.raises(TransitionRefused):
        act(case, world.agent_b, "start_review")  # another village's agent
    assert Message.objects.count() == before


def test_a_transition_rolled_back_by_its_caller_leaves_neither_event_nor_message(world):
    case = open_case(world)
    act(case, world.agent_a, "start_review")
    review_all(case, world.agent_a, 营业执照=MaterialStatus.MISSING)
    with pytest.raises(RuntimeError), transaction.atomic():
        act(case, world.agent_a, "request_supplement")
        assert Message.objects.filter(template_key="client.one_time_notice").count() == 1
        raise RuntimeError("the page failed after the transition")
    assert not Message.objects.filter(template_key="client.one_time_notice").exists()
    assert not CaseEvent.objects.filter(case=case, event="request_supplement").exists()
    case.refresh_from_db()
    assert case.state == State.REVIEWING


def test_if_writing_the_messages_fails_the_case_change_is_undone_too(world, monkeypatch):
    case = open_case(world)
    act(case, world.agent_a, "start_review")
    review_all(case, world.agent_a)

    def write_then_fail(case, event, details):
        outbox.enqueue(
            template="client.accepted",
            recipients=[case.client],
            context={},
            dedupe=f"event:{event.pk}",
            case=case,
            event=event,
        )
        raise OSError("disk full")

    monkeypatch.setitem(events.BUILDERS, "accept", write_then_fail)
    with pytest.raises(OSError):
        act(case, world.agent_a, "accept", confirmation=SIGNED)
    case.refresh_from_db()
    assert case.state == State.REVIEWING and case.accepted_on is None
    assert not Message.objects.filter(template_key="client.accepted").exists()


def test_one_event_never_produces_a_message_twice(world):
    case = open_case(world)
    event = CaseEvent.objects.get(case=case, event="submit")
    assert Message.objects.filter(event=event).count() == 1
    outbox.enqueue_for_event(case, event)
    outbox.enqueue_for_event(case, event)
    assert Message.objects.filter(event=event).count() == 1


def test_delivery_is_asked_for_after_commit_and_not_for_a_refusal(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        case = open_case(world)
    assert outbox.schedule_delivery in callbacks
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(TransitionRefused):
            act(case, world.agent_a, "complete", confirmation=SIGNED)
    assert callbacks == []


def test_a_client_who_opted_out_of_sms_gets_a_skipped_row_saying_why(world):
    world.citizen.sms_opt_in = False
    world.citizen.save()
    case = open_case(world)
    message = Message.objects.get(case=case)
    assert message.state == MessageState.SKIPPED
    assert message.last_error == "服务对象选择不接收短信"
    assert "未发送（服务对象选择不接收短信）" in message.state_line


def test_the_proxy_flow_tells_the_client_each_step_in_order(world):
    case = open_case(world)
    act(case, world.agent_a, "start_review")
    review_all(case, world.agent_a, 营业执照=MaterialStatus.MISSING)
    act(case, world.agent_a, "request_supplement")
    notice = Message.objects.get(template_key="client.one_time_notice")
    assert "营业执照" in notice.body and "GZ-V1-" in notice.body
    assert f"{case.supplement_due_on.month}月{case.supplement_due_on.day}日" in notice.body
    item_material = case.materials.get(name="营业执照")
    act(case, world.agent_a, "supplement", received=[item_material.pk])
    act(case, world.agent_a, "accept", confirmation=SIGNED)
    accepted = Message.objects.get(template_key="client.accepted")
    assert "承诺10个工作日内办结" in accepted.body
    assert f"{case.due_on.month}月{case.due_on.day}日" in accepted.body
    act(case, world.agent_a, "start_handling")
    act(
        case,
        world.agent_a,
        "suspend",
        reason_code="fees_unpaid",
        fee_amount="120",
        fee_payee="收费窗口",
        confirmation=SIGNED,
        resumption_days=5,
    )
    suspended = Message.objects.get(template_key="client.suspended")
    assert "未及时缴纳行政事业性收费" in suspended.body
    assert f"{case.resumption_due_on.month}月{case.resumption_due_on.day}日前" in suspended.body
    act(case, world.agent_a, "resume", confirmation=SIGNED)
    finish_items(case, world.agent_a, {"SCJG": world.liaison_market})
    act(case, world.agent_a, "complete", confirmation=SIGNED)
    act(
        case,
        world.agent_a,
        "deliver",
        method="post",
        address="青山村1号",
        carrier="EMS",
        tracking_no="EA123",
    )
    act(case, world.agent_a, "archive")
    assert sms_to_client(case) == [
        "client.received",
        "client.one_time_notice",
        "client.accepted",
        "client.suspended",
        "client.progress",
        "client.completed",
        "client.delivered",
        "client.evaluation_invite",  # at delivery; archiving does not invite again
    ]
    delivered = Message.objects.get(template_key="client.delivered")
    assert "已通过邮寄寄出，EMS运单号EA123" in delivered.body
    lines = [m.state_line for m in messages_for_case(case)]
    assert lines[0] == "短信 → 张三：待发送"


def test_a_terminated_case_is_invited_to_evaluate_when_archived(world):
    case = open_case(world)
    act(case, world.agent_a, "terminate", reason_code="client_withdrew")
    act(case, world.agent_a, "archive")
    assert sms_to_client(case) == [
        "client.received",
        "client.terminated",
        "client.evaluation_invite",
    ]
    assert "委托人书面提出终止委托" in Message.objects.get(template_key="client.terminated").body


def test_the_termination_sms_names_the_case_reason_slip_and_that_the_client_may_apply_again(
    world,
):
    # seed 000 §10.2.6: a termination is written on the 办结（终止）单; §10.2.5.2: the client
    # applies again through the normal procedure
    world.agent_a.site.phone = "0512-66001234"
    world.agent_a.site.save()
    case = open_case(world, service_type="assist")
    act(case, world.agent_a, "terminate", reason_code="conditions_unmet")
    slip = CaseEvent.objects.get(case=case, event="terminate").details["document"]
    assert slip
    [sms] = Message.objects.filter(case=case, template_key="client.terminated")
    assert sms.body == (
        f"【帮办代办】张三，您的“食品经营许可”（{case.number}）帮办服务已终止，"
        "原因：事项在办理过程中不具备办结条件。"
        f"办结（终止）单号{slip}。"
        "已交材料请到东街社区便民服务站领回。"
        "如仍需办理，可重新申请帮办，咨询电话0512-66001234。"
    )


def test_the_termination_sms_leaves_out_a_missing_slip_and_phone():
    from bangban.notifications import catalog, rendering

    body = rendering.render(
        catalog.spec("client.terminated").body,
        {
            "client_name": "张三",
            "title": "食品经营许可",
            "service_type": "代办",
            "case_number": "V1-2026-0001",
            "reason": "续办期限届满",
            "document": "",
            "site_name": "东街社区便民服务站",
            "site_phone": "",
        },
    )
    assert body == (
        "【帮办代办】张三，您的“食品经营许可”（V1-2026-0001）代办服务已终止，"
        "原因：续办期限届满。已交材料请到东街社区便民服务站领回。如仍需办理，可重新申请代办。"
    )


def test_a_hand_over_notifies_the_receiving_sites_agents_not_the_sender(world):
    case = open_case(world)
    act(case, world.agent_a, "relay_out", to_site=world.town.code, note="需镇级办理")
    notice = Notice.objects.get(staff=world.town_agent)
    assert notice.case == case and "待接收移交" in notice.title and "需镇级办理" in notice.body
    assert notice.message.state == MessageState.SENT and notice.read_at is None
    assert not Notice.objects.filter(staff=world.agent_a).exists()
    act(case, world.town_agent, "relay_return", reason="本镇不办理此事项")
    returned = Notice.objects.get(staff=world.agent_a)
    assert "本镇不办理此事项" in returned.body


def test_an_expedite_reaches_the_departments_liaisons_and_the_reply_the_asker(world):
    case = open_case(world)
    to_handling(case, world.agent_a)
    item = case.items.get()
    act(case, world.agent_a, "file_with_department", case_item_id=item.pk)
    act(case, world.agent_a, "expedite", case_item_id=item.pk, message="企业急于开业，请加快")
    asked = Notice.objects.get(staff=world.liaison_market)
    assert "企业急于开业" in asked.body
    assert not Notice.objects.filter(staff=world.liaison_housing).exists()
    act(
        case,
        world.liaison_market,
        "expedite_reply",
        expedite_id=case.expedites.get().pk,
        reply="明日出证",
    )
    assert "明日出证" in Notice.objects.get(staff=world.agent_a).body


def test_a_portal_application_tells_the_sites_agents(world):
    from bangban.cases.access import Actor
    from bangban.cases.services import case_submit

    case = case_submit(
        actor=Actor.of_client(world.citizen),
        client=world.citizen,
        service_type="assist",
        channel="online",
        site=world.village_a,
        item_versions=[world.food.current_version],
    )
    told = set(Notice.objects.filter(case=case).values_list("staff_id", flat=True))
    assert told == {world.agent_a.pk, world.agent_a2.pk}


def test_staff_preferences_add_email_at_once_or_hold_it_for_the_digest(world):
    world.town_agent.user.email = "town@example.cn"
    world.town_agent.user.save()
    world.town_agent.phone = "13700001111"
    world.town_agent.save()
    StaffPreference.objects.create(staff=world.town_agent, by_email=True, by_sms=True)
    case = open_case(world)
    act(case, world.agent_a, "relay_out", to_site=world.town.code, note="需镇级办理")
    rows = dict(Message.objects.filter(staff=world.town_agent).values_list("channel", "state"))
    assert rows == {"notice": "sent", "email": "queued", "sms": "queued"}
    assert Message.objects.get(staff=world.town_agent, channel="email").address_masked == (
        "t***@example.cn"
    )
    world.agent_a.user.email = "a@example.cn"
    world.agent_a.user.save()
    StaffPreference.objects.create(staff=world.agent_a, mode=DeliveryMode.DIGEST)
    act(case, world.town_agent, "relay_return", reason="本镇不办理此事项")
    rows = dict(Message.objects.filter(staff=world.agent_a).values_list("channel", "state"))
    assert rows == {"notice": "sent", "email": "held"}


def test_an_edited_template_is_used_and_a_disabled_one_sends_nothing(world):
    template = template_row("client.received")
    template.body = "【帮办代办】{{ client_name }}：{{ case_number }}已收到。"
    template.save()
    first = open_case(world)
    assert Message.objects.get(case=first).body == f"【帮办代办】张三：{first.number}已收到。"
    template.is_active = False
    template.save()
    second = open_case(world)
    assert not Message.objects.filter(case=second).exists()


def test_a_template_broken_outside_the_admin_falls_back_to_the_default(world):
    template_row("client.received")
    MessageTemplate.objects.filter(key="client.received").update(body="{% if %}")
    case = open_case(world)
    body = Message.objects.get(case=case).body
    assert "代办申请已收到" in body and case.number in body
