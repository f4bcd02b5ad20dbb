"""Remote help (issue 17): ask → ring → answer → chat and photos → end → the record."""

import io
from datetime import date, timedelta

import pytest
from PIL import Image

from bangban.cases.access import Actor
from bangban.cases.tests.helpers import open_case
from bangban.remote import rota as duty
from bangban.remote.access import get_session_for, queue_for, sessions_visible_to
from bangban.remote.models import HelpSession, Outcome, RequestState
from bangban.remote.services import (
    RemoteRefused,
    help_answer,
    help_ask,
    help_call_back,
    help_call_back_done,
    help_cancel,
    help_escalate_due,
    may_join,
    photo_to_case_material,
    session_end,
    session_message,
    session_photo,
    wait_for,
)
from bangban.testing import travel_to

from .conftest import Citizen, staff

pytestmark = pytest.mark.django_db

A_TUESDAY = date(2026, 3, 10)


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "JPEG")
    return out.getvalue()


def test_a_village_agent_asks_the_town_answers_and_the_case_keeps_the_record(rota):
    world = rota
    case = open_case(world)
    with travel_to(A_TUESDAY, 10):
        request = help_ask(staff(world.agent_a), question="营业执照经营范围怎么填？", case=case)
        assert request.ring_site == world.town  # the station's town centre rings first
        assert list(queue_for(world.town_agent)) == [request]
        assert list(queue_for(world.county_agent)) == []

    with travel_to(A_TUESDAY, 10):
        import time_machine

        with time_machine.travel(request.asked_at + timedelta(seconds=35), tick=False):
            assert wait_for(request).waited_seconds == 35
            session = help_answer(world.town_agent, request)
        with time_machine.travel(request.asked_at + timedelta(seconds=40), tick=False):
            session_message(session, sender_actor=staff(world.agent_a), text="这里要怎么写？")
            session_message(session, sender_actor=staff(world.town_agent), text="照目录选填")
            session_photo(
                session, sender_actor=staff(world.agent_a), content=jpeg(), name="执照.jpg"
            )
        with time_machine.travel(request.asked_at + timedelta(seconds=35 + 300), tick=False):
            session_end(session, by_actor=staff(world.town_agent), outcome=Outcome.ANSWERED)

    request.refresh_from_db()
    record = HelpSession.objects.get(pk=session.pk)
    assert request.state == RequestState.ANSWERED and request.wait_seconds == 35
    assert record.duration_seconds == 300 and record.outcome == Outcome.ANSWERED
    assert record.case == case and record.ended_by == "镇代办员"
    assert [m.text for m in record.messages.all()] == ["这里要怎么写？", "照目录选填"]
    assert record.photos.get().kind == "JPEG"
    assert list(queue_for(world.town_agent)) == []


def test_an_answered_request_cannot_be_answered_twice(rota):
    world = rota
    request = help_ask(staff(world.town_agent), question="这个事项县里能办吗？")
    assert request.ring_site == world.county
    help_answer(world.county_agent, request)
    with pytest.raises(RemoteRefused, match="已由县代办员接听"):
        help_answer(world.coordinator, request)


def test_only_the_agents_of_the_ringing_site_or_a_coordinator_answer(rota):
    world = rota
    request = help_ask(staff(world.agent_a), question="怎么办？")
    with pytest.raises(RemoteRefused, match="不在您值守的队列中"):
        help_answer(world.agent_b, request)
    assert help_answer(world.coordinator, request).expert == world.coordinator


def test_only_the_two_parties_join_a_live_session(rota):
    world = rota
    request = help_ask(staff(world.agent_a), question="怎么办？")
    session = help_answer(world.town_agent, request)
    assert may_join(staff(world.agent_a), session)
    assert may_join(staff(world.town_agent), session)
    assert not may_join(staff(world.agent_a2), session)
    assert not may_join(staff(world.coordinator), session)
    with pytest.raises(RemoteRefused, match="不是本次远程帮办的参与人"):
        session_message(session, sender_actor=staff(world.agent_a2), text="我也来")


def test_a_citizen_rings_the_county_centre_and_asks_again_without_ringing_twice(rota, citizen):
    world = rota
    request = help_ask(
        citizen, question="老人怎么办社保卡？", item=world.food, site=world.village_a
    )
    assert request.ring_site == world.county
    assert request.asker_mobile_masked.endswith("5678")
    again = help_ask(citizen, question="还在吗", item=world.food, site=world.village_a)
    assert again.pk == request.pk
    session = help_answer(world.county_agent, request)
    assert may_join(citizen, session)
    assert not may_join(Citizen("13900001111"), session)


def test_a_citizen_asks_only_about_their_own_case(rota, citizen):
    world = rota
    case = open_case(world)
    request = help_ask(citizen, question="材料还缺什么？", case=case)
    assert request.site == case.site
    with pytest.raises(RemoteRefused, match="本人的办件"):
        help_ask(Citizen("13900001111"), question="看看别人的", case=case)


def test_an_agent_asks_only_about_a_case_they_may_see(rota):
    world = rota
    case = open_case(world)
    with pytest.raises(RemoteRefused, match="本人可查看的办件"):
        help_ask(staff(world.agent_b), question="？", case=case)


def test_escalation_after_the_target_on_a_frozen_clock(rota):
    """Nobody answers within a minute: the town → the county → the coordinators."""
    import time_machine

    world = rota
    with travel_to(A_TUESDAY, 10) as start:
        with time_machine.travel(start, tick=False):
            request = help_ask(staff(world.agent_a), question="急事")
        with time_machine.travel(request.asked_at + timedelta(seconds=59), tick=False):
            assert help_escalate_due() == 0
            assert not wait_for(request).over_target
        with time_machine.travel(request.asked_at + timedelta(seconds=60), tick=False):
            assert help_escalate_due() == 1
        request.refresh_from_db()
        assert (request.state, request.ring_site, request.level) == (
            RequestState.ESCALATED,
            world.county,
            1,
        )
        assert list(queue_for(world.town_agent)) == []
        assert list(queue_for(world.county_agent)) == [request]
        with time_machine.travel(request.asked_at + timedelta(seconds=119), tick=False):
            assert help_escalate_due() == 0  # a new minute from the escalation
        with time_machine.travel(request.asked_at + timedelta(seconds=120), tick=False):
            assert help_escalate_due() == 1
            request.refresh_from_db()
            wait = wait_for(request)
        assert request.ring_site is None and request.level == 2  # the coordinators now
        assert wait.ringing == "协调员" and wait.waited_seconds == 120
        assert list(queue_for(world.county_agent)) == []
        assert list(queue_for(world.coordinator)) == [request]
        with time_machine.travel(request.asked_at + timedelta(seconds=600), tick=False):
            assert help_escalate_due() == 0  # nothing above the coordinators
            session = help_answer(world.coordinator, request)
    request.refresh_from_db()
    assert request.wait_seconds == 600 and session.expert == world.coordinator


def test_the_target_is_the_county_centres_own(rota):
    from bangban.remote.models import HelpPolicy

    world = rota
    HelpPolicy.objects.create(centre=world.county, target_seconds=90)
    assert duty.target_seconds(world.village_a) == 90
    assert help_ask(staff(world.agent_a), question="？").target_seconds == 90


def test_the_wait_is_told_honestly_when_nobody_is_on_duty(world):
    with travel_to(A_TUESDAY, 10):
        request = help_ask(staff(world.agent_a), question="？")
        wait = wait_for(request)
    assert wait.on_duty == 0
    assert "现在没有值班人员在线" in wait.sentence and "回电" in wait.sentence


def test_on_duty_follows_the_rota_by_weekday_date_and_hour(rota):
    world = rota
    from datetime import datetime, time

    from bangban.remote.models import DutyShift
    from bangban.testing import COUNTY_ZONE

    at_ten = datetime(2026, 3, 10, 10, tzinfo=COUNTY_ZONE)
    at_seven = datetime(2026, 3, 10, 7, tzinfo=COUNTY_ZONE)
    assert list(duty.on_duty(world.town, at_ten)) == [world.town_agent]
    assert list(duty.on_duty(world.town, at_seven)) == []
    DutyShift.objects.create(
        site=world.town, staff=world.agent_a, date=date(2026, 3, 10), start=time(6), end=time(9)
    )
    assert list(duty.on_duty(world.town, at_seven)) == [world.agent_a]


def test_call_back_shows_in_the_queue_and_is_closed_by_the_one_who_calls(rota, citizen):
    world = rota
    request = help_ask(citizen, question="等不及了", item=world.food, site=world.village_a)
    help_call_back(citizen, request, number="13700002222")
    assert request.state == RequestState.CALL_BACK and request.callback_masked.endswith("2222")
    assert list(queue_for(world.county_agent)) == [request]
    with pytest.raises(RemoteRefused, match="不能再接听"):
        help_answer(world.county_agent, request)
    with pytest.raises(RemoteRefused, match="回电结果"):
        help_call_back_done(world.county_agent, request, note=" ")
    help_call_back_done(world.county_agent, request, note="已电话说明所需材料")
    request.refresh_from_db()
    assert request.state == RequestState.CALLED_BACK
    assert request.called_back_by == world.county_agent
    assert list(queue_for(world.county_agent)) == []


def test_a_call_back_without_a_number_uses_the_proven_mobile(rota, citizen):
    world = rota
    request = help_ask(citizen, question="？", site=world.village_a)
    help_call_back(citizen, request)
    assert request.callback_masked == request.asker_mobile_masked


def test_the_asker_may_hang_up_before_anyone_answers(rota, citizen):
    world = rota
    request = help_ask(citizen, question="？", site=world.village_a)
    with pytest.raises(RemoteRefused):
        help_cancel(Citizen("13900001111"), request)
    help_cancel(citizen, request)
    assert request.state == RequestState.CANCELLED
    assert list(queue_for(world.county_agent)) == []


def test_ending_twice_changes_nothing_and_call_back_outcome_queues_a_call_back(rota):
    world = rota
    request = help_ask(staff(world.agent_a), question="？", case=open_case(world))
    session = help_answer(world.town_agent, request)
    session_end(session, by_actor=staff(world.agent_a), outcome=Outcome.CALL_BACK)
    session_end(session, by_actor=staff(world.town_agent), outcome=Outcome.ANSWERED)
    session.refresh_from_db()
    request.refresh_from_db()
    assert session.outcome == Outcome.CALL_BACK and session.ended_by == "村A代办员"
    assert request.state == RequestState.CALL_BACK
    assert request.callback_masked == world.citizen.mobile_masked  # the case's client
    with pytest.raises(RemoteRefused, match="已结束"):
        session_message(session, sender_actor=staff(world.agent_a), text="还在吗")


def test_a_photo_becomes_a_case_material_only_with_recorded_consent(rota):
    world = rota
    case = open_case(world)
    request = help_ask(staff(world.agent_a), question="？", case=case)
    session = help_answer(world.town_agent, request)
    photo = session_photo(session, sender_actor=staff(world.agent_a), content=jpeg(), name="a.jpg")
    material = case.materials.first()
    with pytest.raises(RemoteRefused, match="须经服务对象同意"):
        photo_to_case_material(photo, staff=world.agent_a, consent=False, material=material)
    photo_to_case_material(photo, staff=world.agent_a, consent=True, material=material)
    photo.refresh_from_db()
    material.refresh_from_db()
    assert photo.material == material and photo.consent_recorded_by == world.agent_a
    assert material.file


def test_a_photo_that_is_not_an_image_is_refused_in_chinese(rota):
    world = rota
    session = help_answer(world.town_agent, help_ask(staff(world.agent_a), question="？"))
    with pytest.raises(RemoteRefused, match="无法识别该文件的内容"):
        session_photo(session, sender_actor=staff(world.agent_a), content=b"hello", name="a.jpg")


def test_the_record_is_visible_only_to_those_who_may_see_its_case(rota):
    world = rota
    case = open_case(world)
    session = help_answer(
        world.town_agent, help_ask(staff(world.agent_a), question="？", case=case)
    )
    for allowed in (world.agent_a, world.agent_a2, world.town_agent, world.coordinator):
        assert get_session_for(Actor.of_staff(allowed), session.pk) == session
    for denied in (world.agent_b, world.liaison_housing):
        with pytest.raises(Exception, match="不存在"):
            get_session_for(Actor.of_staff(denied), session.pk)
    assert list(sessions_visible_to(Actor.of_client(world.citizen))) == [session]
    assert list(sessions_visible_to(Actor.of_client(world.other_citizen))) == []
