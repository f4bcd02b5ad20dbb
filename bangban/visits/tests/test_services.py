"""The visits area on its own: its models keep the portal's tables, and booking needs no
portal — any caller that proved a mobile number will do."""

from dataclasses import dataclass
from datetime import time, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from bangban.clients import pii
from bangban.visits import services
from bangban.visits.models import Appointment, HomeVisitRequest, TimeSlot

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Caller:
    mobile_hash: str
    mobile_masked: str
    mobile_cipher: str

    @classmethod
    def of(cls, mobile: str) -> "Caller":
        cipher, lookup, masked = pii.protect("mobile", mobile)
        return cls(lookup, masked, cipher)


def test_the_models_keep_the_portal_s_tables():
    assert TimeSlot._meta.db_table == "portal_timeslot"
    assert Appointment._meta.db_table == "portal_appointment"
    assert HomeVisitRequest._meta.db_table == "portal_homevisitrequest"
    assert {"portal_timeslot", "portal_appointment", "portal_homevisitrequest"} <= set(
        connection.introspection.table_names()
    )


def test_a_caller_books_and_asks_for_a_home_visit_without_the_portal(world, monkeypatch):
    monkeypatch.setattr(services, "send_sms", lambda phone, text, **kw: "test")
    me = Caller.of("13812345678")
    day = timezone.localdate() + timedelta(days=1)
    slot = services.slots_open(site=world.village_a, day=day, times=[(time(9), time(10))])[0]
    made = services.appointment_book(slot=slot, identity=me, name="张三", purpose="开饭店")
    assert list(services.upcoming_of(me)) == [made]
    slot.refresh_from_db()
    assert slot.booked == 1
    visit = services.home_visit_request(
        identity=me,
        site=world.village_a,
        name="王奶奶",
        address="东街12号",
        is_elderly=True,
        is_disabled=False,
        needs="办理高龄津贴",
        preferred_times="工作日上午",
    )
    assert visit in services.home_visits_for(world.coordinator)
