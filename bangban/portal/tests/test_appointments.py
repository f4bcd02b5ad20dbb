"""Window appointments: capacity, no double booking, cancel, reschedule; home visits."""

from datetime import datetime, time, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from bangban.portal.identity import PortalIdentity
from bangban.visits import services as booking
from bangban.visits.models import Appointment, AppointmentStatus, HomeVisitStatus, TimeSlot

from .conftest import sign_in

pytestmark = pytest.mark.django_db
ME = PortalIdentity.of_mobile("13812345678")
YOU = PortalIdentity.of_mobile("13900001111")
THEM = PortalIdentity.of_mobile("13700002222")


@pytest.fixture
def tomorrow():
    return timezone.localdate() + timedelta(days=1)


@pytest.fixture
def slot(world, tomorrow):
    return booking.slots_open(
        site=world.village_a, day=tomorrow, times=[(time(9), time(10))], capacity=2
    )[0]


@pytest.fixture
def other_slot(world, tomorrow):
    return booking.slots_open(
        site=world.village_a, day=tomorrow, times=[(time(10), time(11))], capacity=1
    )[0]


def book(slot, who=ME):
    return booking.appointment_book(slot=slot, identity=who, name="张三", purpose="开饭店")


def test_a_slot_takes_as_many_people_as_its_capacity_and_no_more(slot):
    book(slot, ME)
    book(slot, YOU)
    with pytest.raises(booking.BookingRefused) as full:
        book(slot, THEM)
    assert full.value.code == "full"
    slot.refresh_from_db()
    assert slot.booked == 2 == Appointment.objects.count()


def test_one_person_cannot_book_the_same_slot_twice(slot):
    book(slot)
    with pytest.raises(booking.BookingRefused) as twice:
        book(slot)
    assert twice.value.code == "duplicate"
    slot.refresh_from_db()
    assert slot.booked == 1


def test_the_database_itself_refuses_an_overbooked_slot_and_a_double_booking(slot):
    with pytest.raises(IntegrityError), transaction.atomic():
        TimeSlot.objects.filter(pk=slot.pk).update(booked=3)
    first = book(slot)
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(
            number="YY-X",
            slot=slot,
            name="张三",
            mobile_cipher=ME.mobile_cipher,
            mobile_hash=ME.mobile_hash,
            mobile_masked=ME.mobile_masked,
            purpose="再来一次",
        )
    assert first.status == AppointmentStatus.BOOKED


def test_cancelling_gives_the_place_back_once(slot):
    made = book(slot)
    booking.appointment_cancel(appointment=made)
    slot.refresh_from_db()
    assert slot.booked == 0
    with pytest.raises(booking.BookingRefused):
        booking.appointment_cancel(appointment=made)
    slot.refresh_from_db()
    assert slot.booked == 0
    book(slot)  # the same person may book it again after cancelling


def test_rescheduling_moves_the_place(slot, other_slot):
    made = book(slot)
    moved = booking.appointment_reschedule(appointment=made, slot=other_slot, identity=ME)
    slot.refresh_from_db()
    other_slot.refresh_from_db()
    assert (slot.booked, other_slot.booked) == (0, 1)
    assert moved.slot == other_slot
    made.refresh_from_db()
    assert made.status == AppointmentStatus.CANCELLED


def test_rescheduling_to_a_full_slot_keeps_the_old_place(slot, other_slot):
    book(other_slot, YOU)  # capacity 1: now full
    made = book(slot)
    with pytest.raises(booking.BookingRefused):
        booking.appointment_reschedule(appointment=made, slot=other_slot, identity=ME)
    made.refresh_from_db()
    slot.refresh_from_db()
    assert made.status == AppointmentStatus.BOOKED and slot.booked == 1


def test_a_slot_that_has_started_cannot_be_booked(world):
    today = timezone.localdate()
    slot = booking.slots_open(site=world.village_a, day=today, times=[(time(0), time(0, 30))])[0]
    with pytest.raises(booking.BookingRefused) as past:
        book(slot)
    assert past.value.code == "past"
    assert slot not in booking.slots_bookable(world.village_a)


def test_full_slots_are_not_offered(slot):
    book(slot, ME)
    book(slot, YOU)
    assert slot not in booking.slots_bookable(slot.site)


def test_booking_cancelling_and_rescheduling_through_the_pages(
    client, world, slot, other_slot, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        listing = client.get("/appointments/", {"site": "V1"})
    assert "09:00<small>余2个</small>" in listing.content.decode()
    assert client.get(f"/appointments/slots/{slot.pk}/").status_code == 302  # sign in first
    sign_in(client, "13812345678")
    response = client.post(
        f"/appointments/slots/{slot.pk}/", {"name": "张三", "purpose": "食品经营许可"}
    )
    assert response.status_code == 302
    made = Appointment.objects.get()
    my = client.get("/my/").content.decode()
    assert made.number in my and "改约时间" in my
    choices = client.get(f"/appointments/{made.number}/reschedule/").content.decode()
    assert f'value="{other_slot.pk}"' in choices and f'value="{slot.pk}"' not in choices
    client.post(f"/appointments/{made.number}/reschedule/", {"slot": other_slot.pk})
    moved = Appointment.objects.get(status=AppointmentStatus.BOOKED)
    assert moved.slot == other_slot
    client.post(f"/appointments/{moved.number}/cancel/")
    assert not Appointment.objects.filter(status=AppointmentStatus.BOOKED).exists()
    other_slot.refresh_from_db()
    assert other_slot.booked == 0


def test_nobody_cancels_another_person_s_appointment(client, slot):
    made = book(slot, YOU)
    sign_in(client, "13812345678")
    assert client.post(f"/appointments/{made.number}/cancel/").status_code == 404
    made.refresh_from_db()
    assert made.status == AppointmentStatus.BOOKED


# --- home visits ----------------------------------------------------------------------------


def ask(world, **overrides):
    data = dict(
        identity=ME,
        site=world.village_a,
        name="王奶奶",
        address="东街12号3楼",
        is_elderly=True,
        is_disabled=False,
        needs="办理高龄津贴",
        preferred_times="工作日上午",
    )
    data.update(overrides)
    return booking.home_visit_request(**data)


def test_home_visits_are_for_priority_clients(world):
    with pytest.raises(booking.BookingRefused) as refused:
        ask(world, is_elderly=False)
    assert refused.value.code == "not_priority"
    visit = ask(world)
    assert visit.address_masked != "东街12号3楼" and "东街12号3楼" not in visit.address_cipher


def test_a_coordinator_schedules_an_agent_and_the_person_is_told(
    world, sms, django_capture_on_commit_callbacks
):
    visit = ask(world)
    when = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=2), time(10)))
    with django_capture_on_commit_callbacks(execute=True):
        booking.home_visit_schedule(
            visit=visit, staff=world.coordinator, agent=world.agent_a, scheduled_for=when
        )
    visit.refresh_from_db()
    assert visit.status == HomeVisitStatus.SCHEDULED and visit.agent == world.agent_a
    assert any("村A代办员" in text and phone == "13812345678" for phone, text in sms)


def test_only_the_covering_coordinator_sees_a_request(world):
    visit = ask(world)
    assert visit in booking.home_visits_for(world.coordinator)
    assert not booking.home_visits_for(world.agent_a).exists()


def test_an_agent_of_another_village_cannot_be_sent(world):
    visit = ask(world)
    when = timezone.now() + timedelta(days=1)
    with pytest.raises(booking.BookingRefused):
        booking.home_visit_schedule(
            visit=visit, staff=world.coordinator, agent=world.agent_b, scheduled_for=when
        )


def test_home_visit_request_through_the_page_in_elder_steps(client, world):
    sign_in(client, "13812345678")
    client.cookies["elder"] = "1"
    first = client.post("/home-visit/", {"_step": 0, "name": "王奶奶", "priority": ["elderly"]})
    text = first.content.decode()
    assert "第 2 步，共 3 步" in text and "上门地址" in text and "错误" not in text
    second = client.post(
        "/home-visit/",
        {
            "_step": 1,
            "name": "王奶奶",
            "priority": ["elderly"],
            "site": "V1",
            "address": "东街12号",
        },
    )
    assert "第 3 步，共 3 步" in second.content.decode()
    done = client.post(
        "/home-visit/",
        {
            "_step": 2,
            "name": "王奶奶",
            "priority": ["elderly"],
            "site": "V1",
            "address": "东街12号",
            "needs": "高龄津贴",
            "preferred_times": "上午",
        },
    )
    assert done.status_code == 302
    assert "待安排" in client.get("/my/").content.decode()


def test_the_coordinator_schedules_in_the_workbench_not_here(client, world):
    """上门服务安排 moved to the workbench (``workbench/tests/test_visits.py``)."""
    visit = ask(world)
    client.force_login(world.coordinator.user)
    assert client.get("/home-visits/manage/").status_code == 404
    assert client.get(f"/home-visits/manage/{visit.number}/").status_code == 404


def test_the_first_days_come_first_and_the_rest_on_request(client, world):
    start = timezone.localdate() + timedelta(days=1)
    for offset in range(7):
        booking.slots_open(
            site=world.village_a, day=start + timedelta(days=offset), times=[(time(9), time(10))]
        )
    short = client.get("/appointments/", {"site": "V1"}).content.decode()
    last = start + timedelta(days=6)
    assert "查看更多日期" in short and f"{last.month}月{last.day}日" not in short
    full = client.get("/appointments/", {"site": "V1", "more": "1"}).content.decode()
    assert f"{last.month}月{last.day}日" in full and "查看更多日期" not in full
