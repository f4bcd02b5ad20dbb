"""The assist and proxy flows of seed 000 §10 and seed 001 §10, walked clause by clause."""

from datetime import date

import pytest
from django.utils import timezone

from bangban.cases.delivery import opened as opened_delivery
from bangban.cases.hashchain import verify_chain
from bangban.cases.models import Case, CaseEvent, CaseRelay, ItemStatus, MaterialStatus
from bangban.cases.services import audit_key
from bangban.cases.workflow import State, TransitionRefused
from bangban.testing import travel_to
from bangban.workdays.rules import ONE_DAY
from bangban.workdays.services import current_calendar

from .helpers import SIGNED, accept, act, finish_items, open_case, review_all, to_handling

pytestmark = pytest.mark.django_db


def liaisons(world):
    return {"SCJG": world.liaison_market, "ZJ": world.liaison_housing}


def states(case):
    return list(
        CaseEvent.objects.filter(case=case).order_by("seq").values_list("to_state", flat=True)
    )


def test_assist_flow_runs_from_application_to_archive(world):
    # 10.1.2 申请 — 10.1.3 受理 — 10.1.4 承办 — 10.1.5 办结 — 10.1.6 归档
    case = open_case(world, service_type="assist")
    assert case.state == State.RECEIVED and case.agent == world.agent_a
    act(case, world.agent_a, "start_review")
    review_all(case, world.agent_a)
    accept_event = act(case, world.agent_a, "accept", confirmation=SIGNED)
    assert accept_event.details["document"].startswith("SL-V1-")
    assert accept_event.details["signed"] == "帮办申请表"
    assert case.accepted_on == timezone.localdate()
    assert case.due_on == current_calendar().add_workdays(case.accepted_on, 10)
    act(case, world.agent_a, "start_handling")
    finish_items(case, world.agent_a, liaisons(world))
    act(case, world.agent_a, "complete", confirmation=SIGNED)
    act(case, world.agent_a, "deliver", method="in_person", confirmation=SIGNED)
    act(case, world.agent_a, "archive")
    case.refresh_from_db()
    assert case.state == State.ARCHIVED
    assert states(case)[-3:] == [State.COMPLETED, State.DELIVERED, State.ARCHIVED]


def test_acceptance_needs_the_signed_application_form(world):
    case = open_case(world, service_type="assist")
    act(case, world.agent_a, "start_review")
    review_all(case, world.agent_a)
    with pytest.raises(TransitionRefused, match="帮办申请表"):
        act(case, world.agent_a, "accept")
    act(case, world.agent_a, "confirm", form="application", confirmation=SIGNED)
    act(case, world.agent_a, "accept")
    assert case.state == State.ACCEPTED


def test_proxy_acceptance_needs_the_signed_entrustment(world):
    case = open_case(world, service_type="proxy")
    act(case, world.agent_a, "start_review")
    review_all(case, world.agent_a)
    with pytest.raises(TransitionRefused, match="代办服务委托书"):
        act(case, world.agent_a, "accept")


def test_needs_assessment_comes_before_pre_review_in_the_proxy_flow(world):
    case = open_case(world)
    act(case, world.agent_a, "start_assessment", needs="老人行动不便，需全程代办")
    act(case, world.agent_a, "start_review")
    assert case.needs == "老人行动不便，需全程代办" and case.state == State.REVIEWING


def test_refusal_needs_a_written_reason_and_issues_a_notice(world):
    case = open_case(world)
    act(case, world.agent_a, "start_review")
    with pytest.raises(TransitionRefused, match="书面理由"):
        act(case, world.agent_a, "refuse")
    event = act(case, world.agent_a, "refuse", reason="申请事项不属于帮办代办范围")
    assert case.state == State.REFUSED and event.details["document"].startswith("BY-")
    act(case, world.agent_a, "archive")
    assert case.state == State.ARCHIVED


def test_one_time_notice_lists_everything_missing_and_supplement_is_checked_against_it(world):
    case = open_case(world)
    act(case, world.agent_a, "start_review")
    review_all(
        case,
        world.agent_a,
        营业执照=MaterialStatus.MISSING,
        食品经营许可申请书=MaterialStatus.NEEDS_CORRECTION,
    )
    event = act(case, world.agent_a, "request_supplement")
    notice = case.notices.get()
    assert event.details["document"] == notice.number
    assert {n["name"] for n in notice.needed} == {"营业执照", "食品经营许可申请书"}
    assert {a["name"] for a in notice.accepted} == {"食品安全管理制度", "场所平面图"}
    license_id = case.materials.get(name="营业执照").pk
    with pytest.raises(TransitionRefused, match="食品经营许可申请书"):
        act(case, world.agent_a, "supplement", received=[license_id])
    form_id = case.materials.get(name="食品经营许可申请书").pk
    act(case, world.agent_a, "supplement", received=[license_id, form_id])
    assert case.state == State.REVIEWING  # before acceptance a supplement returns to pre-review


def test_supplement_after_acceptance_returns_to_handling_and_pauses_the_clock(world):
    with travel_to(date(2026, 11, 2)):  # a Monday: accepted, and a supplement asked, that day
        case = open_case(world)
        to_handling(case, world.agent_a)
        assert case.due_on == date(2026, 11, 16)  # 10 working days from Tuesday
        review_all(case, world.agent_a, 营业执照=MaterialStatus.NEEDS_CORRECTION)
        act(case, world.agent_a, "request_supplement")
        today = timezone.localdate()
        assert case.paused_since == today
    later = current_calendar().add_workdays(today, 3)  # supplied on Thursday
    with travel_to(later):
        act(case, world.agent_a, "supplement", received=[case.materials.get(name="营业执照").pk])
    assert case.state == State.HANDLING and case.paused_since is None
    # paused from the request to the day before the supplement; the clock had not started on
    # the acceptance day, so the working days lost are Tuesday and Wednesday: two days added
    paused = current_calendar().workdays_between(today, later - ONE_DAY)
    assert paused == 2
    assert case.due_on == current_calendar().add_workdays(date(2026, 11, 16), paused)
    assert case.due_on == date(2026, 11, 18)


def test_suspension_then_resumption_within_the_period(world):
    case = open_case(world)
    to_handling(case, world.agent_a)
    with pytest.raises(TransitionRefused, match="代办服务中止单"):
        act(
            case,
            world.agent_a,
            "suspend",
            reason_code="fees_unpaid",
            fee_amount="120",
            fee_payee="收费窗口",
        )
    with pytest.raises(TransitionRefused, match="中止原因"):
        act(case, world.agent_a, "suspend", reason_code="bored", confirmation=SIGNED)
    event = act(
        case,
        world.agent_a,
        "suspend",
        reason_code="fees_unpaid",
        fee_amount="120",
        fee_payee="收费窗口",
        confirmation=SIGNED,
    )
    assert case.state == State.SUSPENDED and case.resumption_due_on
    assert event.details["signed"] == "代办服务中止单"
    with pytest.raises(TransitionRefused, match="续办委托书"):
        act(case, world.agent_a, "resume")
    act(case, world.agent_a, "resume", confirmation=SIGNED)
    assert case.state == State.HANDLING and case.resumption_due_on is None


def test_suspension_lapses_into_termination_after_the_resumption_period(world, monkeypatch):
    from bangban.cases.access import SYSTEM

    case = open_case(world)
    to_handling(case, world.agent_a)
    act(
        case,
        world.agent_a,
        "suspend",
        reason_code="materials_overdue",
        confirmation=SIGNED,
        resumption_days=5,
    )
    with pytest.raises(TransitionRefused, match="尚未届满"):
        act(case, SYSTEM, "lapse")
    after = current_calendar().add_workdays(case.resumption_due_on, 1)
    monkeypatch.setattr(timezone, "localdate", lambda *a: after)
    with pytest.raises(TransitionRefused, match="超过续办期限"):
        act(case, world.agent_a, "resume", confirmation=SIGNED)
    act(case, SYSTEM, "lapse")
    assert case.state == State.TERMINATED and case.reason_code == "resumption_lapsed"


def test_assist_cases_cannot_be_suspended(world):
    case = open_case(world, service_type="assist")
    to_handling(case, world.agent_a)
    with pytest.raises(TransitionRefused, match="仅适用于代办"):
        act(
            case,
            world.agent_a,
            "suspend",
            reason_code="fees_unpaid",
            fee_amount="120",
            fee_payee="收费窗口",
            confirmation=SIGNED,
        )


def test_termination_for_a_seed_reason_after_acceptance_needs_the_signed_slip(world):
    case = open_case(world)
    to_handling(case, world.agent_a)
    with pytest.raises(TransitionRefused, match="办结（终止）单"):
        act(case, world.agent_a, "terminate", reason_code="client_withdrew")
    act(case, world.coordinator, "terminate", reason_code="client_withdrew", confirmation=SIGNED)
    assert case.state == State.TERMINATED and case.reason_text == "委托人书面提出终止委托"


def test_other_termination_reason_needs_text(world):
    case = open_case(world)
    with pytest.raises(TransitionRefused, match="具体说明"):
        act(case, world.agent_a, "terminate", reason_code="other")
    act(case, world.agent_a, "terminate", reason_code="other", reason="重复申请")
    assert case.state == State.TERMINATED


def test_assist_turns_into_proxy_with_a_signed_entrustment(world):
    case = open_case(world, service_type="assist")
    to_handling(case, world.agent_a)
    with pytest.raises(TransitionRefused, match="代办服务委托书"):
        act(case, world.agent_a, "convert_to_proxy")
    act(case, world.agent_a, "convert_to_proxy", confirmation=SIGNED)
    assert case.service_type == "proxy"
    act(case, world.agent_a, "suspend", reason_code="client_pause", confirmation=SIGNED)
    assert case.state == State.SUSPENDED


def test_item_without_proxy_service_cannot_be_accepted_as_proxy(world):
    case = open_case(world, items=[world.assist_only])
    act(case, world.agent_a, "start_review")
    review_all(case, world.agent_a)
    with pytest.raises(TransitionRefused, match="未开通代办"):
        act(case, world.agent_a, "accept", confirmation=SIGNED)


def test_relay_from_village_to_town_to_county_keeps_one_case(world):
    case = open_case(world)
    act(case, world.agent_a, "start_review")
    with pytest.raises(TransitionRefused, match="移交说明"):
        act(case, world.agent_a, "relay_out", to_site=world.town.code)
    act(case, world.agent_a, "relay_out", to_site=world.town.code, note="材料已收齐，需镇级办理")
    with pytest.raises(TransitionRefused, match="待对方接收"):
        act(case, world.agent_a, "accept", confirmation=SIGNED)
    act(case, world.town_agent, "relay_accept")
    assert case.site == world.town and case.agent == world.town_agent
    act(case, world.town_agent, "relay_out", to_site=world.county.code, note="涉及县级审批")
    act(case, world.county_agent, "relay_return", reason="材料不全，请镇里先补齐")
    assert case.site == world.town and case.relay_to_site is None
    act(case, world.town_agent, "relay_out", to_site=world.county.code, note="已补齐")
    act(case, world.county_agent, "relay_accept")
    assert case.site == world.county
    assert Case.objects.filter(client=world.citizen).count() == 1
    hops = list(
        CaseRelay.objects.filter(case=case).values_list(
            "from_site__code", "to_site__code", "status"
        )
    )
    assert hops == [("V1", "T1", "accepted"), ("T1", "C", "returned"), ("T1", "C", "accepted")]
    with pytest.raises(TransitionRefused, match="没有权限"):
        act(case, world.agent_a, "note", text="原承办人不能再操作")


def test_bundle_with_two_departments_completes_when_both_have_results(world):
    case = open_case(world, bundle=True)
    assert [ci.department.code for ci in case.items.all()] == ["SCJG", "ZJ"]
    to_handling(case, world.agent_a)
    assert case.promised_days == 17  # food licence 10 then building permit 7, which depends on it
    food, building = case.items.all()
    act(case, world.agent_a, "file_with_department", case_item_id=food.pk)
    act(
        case,
        world.liaison_market,
        "department_step",
        case_item_id=food.pk,
        status="approved",
        result="JY123",
    )
    with pytest.raises(TransitionRefused, match="建筑工程施工许可证核发"):
        act(case, world.agent_a, "complete", confirmation=SIGNED)
    with pytest.raises(TransitionRefused, match="没有权限"):  # not yet handed to housing
        act(
            case,
            world.liaison_housing,
            "department_step",
            case_item_id=building.pk,
            status="approved",
        )
    act(case, world.agent_a, "file_with_department", case_item_id=building.pk)
    with pytest.raises(TransitionRefused, match="本部门"):
        act(
            case, world.liaison_market, "department_step", case_item_id=building.pk, status="denied"
        )
    act(case, world.agent_a, "expedite", case_item_id=building.pk, message="企业急于开业，请加快")
    expedite = case.expedites.get()
    act(case, world.liaison_housing, "expedite_reply", expedite_id=expedite.pk, reply="明日出证")
    act(
        case,
        world.liaison_housing,
        "department_step",
        case_item_id=building.pk,
        status="approved",
        result="SG456",
    )
    act(case, world.agent_a, "complete", confirmation=SIGNED)
    assert case.state == State.COMPLETED
    assert set(case.items.values_list("status", flat=True)) == {ItemStatus.APPROVED}


def test_filing_with_a_department_needs_the_items_required_materials(world):
    case = open_case(world)
    act(case, world.agent_a, "start_review")
    review_all(case, world.agent_a, 食品安全管理制度=MaterialStatus.DEFERRED)
    act(case, world.agent_a, "accept", confirmation=SIGNED)
    item = case.items.get()
    act(
        case, world.agent_a, "file_with_department", case_item_id=item.pk
    )  # 容缺 is allowed for this one
    assert case.items.get().status == ItemStatus.FILED


def test_deferring_a_material_that_does_not_allow_gaps_is_refused(world):
    case = open_case(world)
    act(case, world.agent_a, "start_review")
    with pytest.raises(TransitionRefused, match="不允许容缺"):
        review_all(case, world.agent_a, 营业执照=MaterialStatus.DEFERRED)


def test_delivery_by_post_needs_address_carrier_and_tracking_number(world):
    case = open_case(world)
    to_handling(case, world.agent_a)
    finish_items(case, world.agent_a, liaisons(world))
    act(case, world.agent_a, "complete", confirmation=SIGNED)
    with pytest.raises(TransitionRefused, match="快递单号"):
        act(case, world.agent_a, "deliver", method="post", address="青山村1号", carrier="EMS")
    act(
        case,
        world.agent_a,
        "deliver",
        method="post",
        address="青山村1号",
        carrier="EMS",
        tracking_no="EA123",
    )
    # the address is stored encrypted (``cases.delivery``) and reads back whole
    assert opened_delivery(case.delivery) == {
        "address": "青山村1号",
        "carrier": "EMS",
        "tracking_no": "EA123",
        "licence_no": "",
        "recipient": "",
    }


def test_every_step_is_on_a_verifiable_timeline(world):
    case = open_case(world)
    accept(case, world.agent_a)
    events = list(case.events.order_by("seq"))
    assert [e.event for e in events] == ["submit", "start_review", "pre_review", "accept"]
    assert (
        verify_chain(
            [_chained(e) for e in events],
            expected_count=case.event_count,
            expected_last=case.last_event_hash,
            key=audit_key(),
        )
        == []
    )


def _chained(event):
    from bangban.cases.hashchain import ChainedEvent

    return ChainedEvent(
        str(event.seq),
        event.seq,
        event.prev_hash,
        event.hash,
        event.chain_content(event.case.number),
        event.seal,
    )
