"""Emergency plans (seed 000 §6.5 应急预案): a register per site, drills, a yearly review
reminder to the plan's owner, and one page showing the covered sites with no current plan."""

from __future__ import annotations

from datetime import date

import pytest

from bangban.preparedness import services
from bangban.preparedness.models import PlanKind
from bangban.testing import travel_to

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)


def _plan(world, site, reviewed_on, owner=None):
    with travel_to(TODAY):
        return services.plan_register(
            world.coordinator,
            site=site,
            kind=PlanKind.PEAK,
            title=f"{site.name}高峰期预案",
            owner=owner or world.coordinator,
            steps="增开窗口；启用取号",
            contacts="老周 13800000000",
            reviewed_on=reviewed_on,
        )


def test_plans_page_shows_the_sites_without_a_current_plan(
    world, client, django_assert_max_num_queries
):
    _plan(world, world.village_a, date(2025, 6, 1))  # current until 2026-06-01
    _plan(world, world.village_b, date(2025, 1, 10))  # review was due 2026-01-10: lapsed
    client.force_login(world.coordinator.user)
    with travel_to(TODAY), django_assert_max_num_queries(12):
        page = client.get("/work/preparedness/").content.decode()
    missing = page.split('id="missing"')[1].split("</ul>")[0]
    for site in (world.county, world.town, world.town2, world.village_b):
        assert site.name in missing
    assert world.village_a.name not in missing


def test_everyone_on_duty_reads_their_own_sites_plans_and_nobody_elses(world, client):
    plan = _plan(world, world.village_b, date(2025, 6, 1), owner=world.agent_b)
    client.force_login(world.agent_b.user)
    assert client.get(f"/work/preparedness/plans/{plan.pk}/").status_code == 200
    client.force_login(world.agent_a.user)
    assert client.get(f"/work/preparedness/plans/{plan.pk}/").status_code == 404
    assert "高峰期预案" not in client.get("/work/preparedness/").content.decode()


def test_only_the_coordinator_records_a_drill(world, client):
    plan = _plan(world, world.village_b, date(2025, 6, 1), owner=world.agent_b)
    client.force_login(world.agent_b.user)
    with travel_to(TODAY):
        client.post(
            f"/work/preparedness/plans/{plan.pk}/",
            {"held_on": "2026-03-01", "participants": "村B", "findings": "取号机不足"},
        )
    assert not plan.drills.exists()
    client.force_login(world.coordinator.user)
    with travel_to(TODAY):
        client.post(
            f"/work/preparedness/plans/{plan.pk}/",
            {"held_on": "2026-03-01", "participants": "村B", "findings": "取号机不足"},
        )
    assert plan.drills.get().findings == "取号机不足"
