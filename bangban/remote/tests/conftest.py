from datetime import time

import pytest

from bangban.cases.access import Actor
from bangban.clients.pii import protect
from bangban.remote.models import DutyShift


class Citizen:
    """A citizen who proved a mobile on the portal (what ``PortalIdentity`` carries)."""

    def __init__(self, mobile: str):
        self.mobile_cipher, self.mobile_hash, self.mobile_masked = protect("mobile", mobile)


@pytest.fixture
def citizen():
    return Citizen("13812345678")  # the world's 张三


@pytest.fixture
def rota(world):
    """Every day 8:00-18:00: the town agent at the town centre, the county agent at the county."""
    for staff in (world.town_agent, world.county_agent):
        for weekday in range(1, 8):
            DutyShift.objects.create(
                site=staff.site, staff=staff, weekday=weekday, start=time(8), end=time(18)
            )
    return world


def staff(member):
    return Actor.of_staff(member)
