"""预约与上门 on the workbench (issue 14): appointments and home visits belong to cases,
staff record 已到场 / 未到场 / 已上门, and enter a request taken by phone."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from bangban.testing import travel_to
from bangban.visits import services as booking
from bangban.visits.models import (
    Appointment,
    AppointmentStatus,
    HomeVisitRequest,
    HomeVisitStatus,
    RequestChannel,
)

from .conftest import open_case

pytestmark = pytest.mark.django_db


def _slot(world, day, start=9):
    return booking.slots_open(
        site=world.village_a, day=day, times=[(time(start), time(start + 1))]
    )[0]


def test_seam_appointment_and_home_visit_tied_to_case_with_attended_no_show_visited(
    signed_in, world
):
    case = open_case(world)
    today = timezone.localdate()
    client = signed_in(world.agent_a)
    with travel_to(today - timedelta(days=1)):
        # booked by phone from the case: tied to it, the caller is the case's client
        first = booking.appointment_by_phone(
            staff=world.agent_a, slot=_slot(world, today), name="", mobile="", purpose="", case=case
        )
        other = booking.appointment_by_phone(
            staff=world.agent_a,
            slot=_slot(world, today, 10),
            name="王五",
            mobile="13700002222",
            purpose="问营业执照",
        )
    assert (first.case, first.name, first.mobile_hash) == (
        case,
        "张三",
        world.citizen.mobile_hash,
    )
    # an appointment booked without a case is linked by staff
    response = client.post(f"/work/visits/appointment/{other.number}/case/", {"case": case.number})
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.case == case

    with travel_to(today, 11):
        client = signed_in(world.agent_a)
        client.post(f"/work/visits/appointments/{first.number}/mark/", {"attended": "1"})
        client.post(f"/work/visits/appointments/{other.number}/mark/", {"attended": "0"})
    first.refresh_from_db()
    other.refresh_from_db()
    assert (first.status, first.marked_by) == (AppointmentStatus.ATTENDED, world.agent_a)
    assert other.status == AppointmentStatus.MISSED

    # a home visit for the case, scheduled, then recorded as visited by the agent who went
    visit = booking.home_visit_by_phone(
        staff=world.agent_a,
        site=world.village_a,
        name="",
        mobile="",
        address="东街12号",
        needs="",
        preferred_times="上午",
        groups={"elderly"},
        case=case,
    )
    assert visit.case == case and visit.needs == case.title
    when = timezone.make_aware(datetime.combine(today + timedelta(days=1), time(10)))
    booking.home_visit_schedule(
        visit=visit, staff=world.coordinator, agent=world.agent_a, scheduled_for=when
    )
    with travel_to(today + timedelta(days=1), 12):
        client = signed_in(world.agent_a)  # a new day, a new sign-in
        response = client.post(f"/work/visits/home/{visit.number}/done/", {"note": "材料已收"})
    assert response.status_code == 302 and response.url == "/work/visits/"
    visit.refresh_from_db()
    assert (visit.status, visit.visit_note) == (HomeVisitStatus.DONE, "材料已收")
    assert visit.visited_at is not None

    # the page shows them all with their case; another village's agent sees none of them
    page = client.get("/work/visits/").content.decode()
    assert first.number in page and visit.number in page and case.number in page
    other_page = signed_in(world.agent_b).get("/work/visits/").content.decode()
    assert first.number not in other_page and visit.number not in other_page
    assert (
        signed_in(world.agent_b)
        .post(f"/work/visits/appointments/{first.number}/mark/", {"attended": "0"})
        .status_code
        == 404
    )


def test_attendance_waits_for_the_slot_and_a_case_must_be_visible(signed_in, world):
    tomorrow = timezone.localdate() + timedelta(days=1)
    made = booking.appointment_by_phone(
        staff=world.agent_a,
        slot=_slot(world, tomorrow),
        name="王五",
        mobile="13700002222",
        purpose="问营业执照",
    )
    with pytest.raises(booking.BookingRefused, match="还没有开始"):
        booking.appointment_mark(appointment=made, staff=world.agent_a, attended=True)
    hidden = open_case(world, agent=world.agent_b)
    client = signed_in(world.agent_a)
    client.post(f"/work/visits/appointment/{made.number}/case/", {"case": hidden.number})
    made.refresh_from_db()
    assert made.case is None


def test_seam_phone_entered_request(signed_in, world, django_assert_max_num_queries):
    tomorrow = timezone.localdate() + timedelta(days=1)
    slot = _slot(world, tomorrow)
    client = signed_in(world.agent_a)
    response = client.post(
        "/work/visits/phone/appointment/",
        {"slot": slot.pk, "name": "王五", "mobile": "137 0000 2222", "purpose": "办食品经营许可"},
    )
    assert response.status_code == 302
    made = Appointment.objects.get()
    assert (made.channel, made.recorded_by, made.mobile_masked) == (
        RequestChannel.PHONE,
        world.agent_a,
        "137****2222",
    )
    slot.refresh_from_db()
    assert slot.booked == 1

    response = client.post(
        "/work/visits/phone/home-visit/",
        {
            "site": world.village_a.code,
            "name": "赵大爷",
            "mobile": "13600003333",
            "address": "西街5号",
            "needs": "高龄津贴申领",
            "preferred_times": "周三上午",
            "groups": ["elderly"],
        },
    )
    assert response.status_code == 302
    visit = HomeVisitRequest.objects.get()
    assert (visit.channel, visit.recorded_by, visit.status) == (
        RequestChannel.PHONE,
        world.agent_a,
        HomeVisitStatus.REQUESTED,
    )
    assert "西街5号" not in visit.address_cipher and visit.groups == ["老年人"]

    # a bad number is refused in Chinese and nothing is written
    refused = client.post(
        "/work/visits/phone/appointment/",
        {"slot": slot.pk, "name": "王五", "mobile": "12345", "purpose": "x"},
    )
    assert refused.status_code == 400 and "手机号码格式不正确" in refused.content.decode()
    assert Appointment.objects.count() == 1
    # the coordinator sees it to schedule; the page stays within bounded queries
    coordinator = signed_in(world.coordinator)
    with django_assert_max_num_queries(18):
        page = coordinator.get("/work/visits/").content.decode()
    assert visit.number in page and "安排或答复" in page and made.number in page
    # a liaison has no such page
    assert signed_in(world.liaison_market).get("/work/visits/").status_code == 403


def test_seam_coordinators_schedule_home_visits_in_the_workbench(
    signed_in, world, django_assert_max_num_queries
):
    """上门服务安排 is a workbench page: the coordinator's home links to it, it lists the
    requests of the covered sites (``visits.services.home_visits_for``), and scheduling there
    tells the person through the outbox. Agents may not schedule; the portal has no such page."""
    from bangban.notifications.models import Message

    visit = booking.home_visit_request(
        identity=booking.PhoneCaller.of("13700002222"),
        site=world.village_a,
        name="李奶奶",
        address="东街村12号",
        groups={"elderly"},
        needs="办理高龄津贴",
        preferred_times="工作日上午",
    )
    client = signed_in(world.coordinator)
    home = client.get("/work/").content.decode()
    assert 'href="/work/visits/home/"' in home
    with django_assert_max_num_queries(12):
        listing = client.get("/work/visits/home/")
    assert listing.status_code == 200 and visit.number in listing.content.decode()
    page = client.get(f"/work/visits/home/{visit.number}/").content.decode()
    assert "上门帮办代办员" in page and "不予安排" in page

    # a time that is not one is refused in Chinese, and nothing changes
    refused = client.post(
        f"/work/visits/home/{visit.number}/",
        {"action": "schedule", "agent": world.agent_a.pk, "scheduled_for": "明天"},
    )
    assert refused.status_code == 422 and "请填写上门时间" in refused.content.decode()
    visit.refresh_from_db()
    assert visit.status == HomeVisitStatus.REQUESTED

    when = timezone.localtime() + timedelta(days=2)
    done = client.post(
        f"/work/visits/home/{visit.number}/",
        {
            "action": "schedule",
            "agent": world.agent_a.pk,
            "scheduled_for": when.strftime("%Y-%m-%dT%H:%M"),
            "reply": "请备好身份证",
        },
    )
    assert done.status_code == 302 and done["Location"] == "/work/visits/home/"
    visit.refresh_from_db()
    assert visit.status == HomeVisitStatus.SCHEDULED and visit.agent == world.agent_a
    assert visit.handled_by == world.coordinator

    # an agent sees the visit on 预约与上门 but may not schedule
    agent = signed_in(world.agent_a)
    assert agent.get("/work/visits/home/").status_code == 403
    assert agent.get(f"/work/visits/home/{visit.number}/").status_code == 403
    # the portal's old coordinator pages are gone
    assert agent.get("/home-visits/manage/").status_code == 404
    assert not Message.objects.filter(template_key="client.home_visit_declined").exists()
