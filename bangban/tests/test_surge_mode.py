"""Surge mode (issue 19, seed 000 §8.1.1 办件高峰应急处理): a coordinator switches a site
into surge for a period; staff lent to it see its cases for the period only, its slots take
more people, its deadlines count the extended hours only when the county says so, the
portal shows the expected wait and the dashboard lists the surge."""

from __future__ import annotations

from datetime import date, time

import pytest

from bangban.cases.models import Case
from bangban.cases.tests.helpers import accept, open_case
from bangban.preparedness import services
from bangban.preparedness.services import PreparednessRefused
from bangban.testing import _staff, travel_to
from bangban.visits.models import TimeSlot
from bangban.visits.services import slots_open

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 3, 2)
SURGE_START, SURGE_END = date(2026, 3, 9), date(2026, 3, 15)  # Monday to Sunday


def _declare(world, **extra):
    return services.surge_declare(
        world.coordinator,
        site=world.village_b,
        starts_on=SURGE_START,
        ends_on=SURGE_END,
        reason="社保集中缴费",
        **extra,
    )


def test_the_temporary_access_ends_when_the_period_ends(world, client):
    with travel_to(MONDAY):
        case = open_case(world, agent=world.agent_b)
        surge = _declare(world)
        services.surge_assign(
            world.coordinator,
            surge,
            member_id=world.agent_a.pk,
            starts_on=SURGE_START,
            ends_on=date(2026, 3, 11),
        )
    client.force_login(world.agent_a.user)
    url = f"/work/cases/{case.number}/"
    with travel_to(date(2026, 3, 8)):
        assert client.get(url).status_code == 404  # not yet
    with travel_to(date(2026, 3, 10)):
        assert client.get(url).status_code == 200  # lent to the site: its cases
    with travel_to(date(2026, 3, 12)):
        assert client.get(url).status_code == 404  # the period ended: 404 again
    # the assignment stays on record
    assert surge.assignments.get().staff == world.agent_a


def test_only_someone_ever_lent_has_the_lent_rule_in_their_case_queries(world):
    """The rule costs the others nothing: their queries are as they were (the agent's
    ordered scan of its site's cases stays one index range)."""
    from bangban.cases.access import Actor, visible_cases
    from bangban.staff.models import StaffMember

    def reads_assignments(staff) -> bool:
        fresh = StaffMember.objects.select_related("site").get(pk=staff.pk)
        return "surgeassignment" in str(visible_cases(Actor.of_staff(fresh)).query)

    with travel_to(MONDAY):
        assert not reads_assignments(world.agent_a)
        assert not reads_assignments(world.coordinator)
        services.surge_assign(
            world.coordinator,
            _declare(world),
            member_id=world.agent_a.pk,
            starts_on=SURGE_START,
            ends_on=date(2026, 3, 11),
        )
        assert reads_assignments(world.agent_a)
    with travel_to(date(2026, 3, 12)):
        assert not reads_assignments(world.agent_a)  # its last day has passed


def test_only_staff_of_the_coordinators_own_sites_can_be_lent(world):
    from bangban.network.models import Site, SiteLevel

    elsewhere = Site.objects.create(name="邻县中心", code="Z", level=SiteLevel.COUNTY)
    stranger = _staff("stranger", elsewhere, is_agent=True)
    with travel_to(MONDAY):
        surge = _declare(world)
        with pytest.raises(PreparednessRefused, match="请选择您负责的其他机构"):
            services.surge_assign(
                world.coordinator,
                surge,
                member_id=stranger.pk,
                starts_on=SURGE_START,
                ends_on=SURGE_END,
            )
        with pytest.raises(PreparednessRefused, match="只有负责该机构的协调员"):
            services.surge_assign(
                world.agent_b,
                surge,
                member_id=world.agent_a.pk,
                starts_on=SURGE_START,
                ends_on=SURGE_END,
            )


def test_appointment_capacity_grows_in_the_surge_period(world):
    opening = [(time(9), time(10))]
    with travel_to(MONDAY):
        inside = slots_open(site=world.village_b, day=date(2026, 3, 10), times=opening)[0]
        outside = slots_open(site=world.village_b, day=date(2026, 3, 16), times=opening)[0]
        other_site = slots_open(site=world.village_a, day=date(2026, 3, 10), times=opening)[0]
        _declare(world, extra_places=3)
        later = slots_open(site=world.village_b, day=date(2026, 3, 12), times=opening)[0]
    capacities = dict(
        TimeSlot.objects.filter(pk__in=[inside.pk, outside.pk, other_site.pk]).values_list(
            "pk", "capacity"
        )
    )
    assert capacities == {inside.pk: 5, outside.pk: 2, other_site.pk: 2}
    assert later.capacity == 5  # a slot opened during the surge takes the extra places too


def _due_of_case_accepted_in_the_surge(world, agent):
    with travel_to(SURGE_START):
        case = open_case(world, agent=agent)
        accept(case, agent)
    return Case.objects.get(pk=case.pk).due_on


def test_deadlines_change_only_when_the_county_allows_it(world):
    town_coordinator = _staff("town_coord", world.town, is_coordinator=True)
    with travel_to(MONDAY):
        surge = _declare(world, extended_hours="周六、周日 9:00–17:00")
        # a town coordinator covers the site but is not the county
        assert not services.may_let_hours_count(town_coordinator, surge)
        with pytest.raises(PreparednessRefused, match="县级政务服务中心"):
            services.surge_let_hours_count(town_coordinator, surge)
    # without the county's word the weekend is not counted: 10 working days from 9 March
    assert _due_of_case_accepted_in_the_surge(world, world.agent_b) == date(2026, 3, 23)
    with travel_to(MONDAY):
        services.surge_let_hours_count(world.coordinator, surge)
    # with it, 14 and 15 March (the surge's weekend) count for the site's cases
    assert _due_of_case_accepted_in_the_surge(world, world.agent_b) == date(2026, 3, 19)
    # another site's deadline never moves
    assert _due_of_case_accepted_in_the_surge(world, world.agent_a) == date(2026, 3, 23)


def test_the_county_must_allow_it_before_the_surge_starts(world):
    with travel_to(MONDAY):
        surge = _declare(world)
    with travel_to(SURGE_START), pytest.raises(PreparednessRefused, match="开始之前"):
        services.surge_let_hours_count(world.coordinator, surge)


def test_the_portal_shows_the_expected_wait_at_a_site_in_surge(world, client):
    with travel_to(MONDAY):
        _declare(world, expected_wait_minutes=40)
        before = client.get("/appointments/", {"site": world.village_b.code})
    with travel_to(date(2026, 3, 10)):
        during = client.get("/appointments/", {"site": world.village_b.code})
        elsewhere = client.get("/appointments/", {"site": world.village_a.code})
    assert "预计等候约 40 分钟" not in before.content.decode()
    assert "预计等候约 40 分钟" in during.content.decode()
    assert "高峰期" not in elsewhere.content.decode()


def test_surge_periods_are_visible_on_the_dashboard(world, client):
    with travel_to(MONDAY):
        _declare(world)
    with travel_to(date(2026, 3, 10)):
        client.force_login(world.coordinator.user)
        page = client.get("/oversight/").content.decode()
    assert "社保集中缴费" in page and "2026-03-09 至 2026-03-15" in page
