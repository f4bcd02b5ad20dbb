"""The change counters: every change to a case bumps the sites that see it, in its transaction."""

import pytest

from bangban.cases.access import Actor
from bangban.cases.changes import version_of
from bangban.cases.services import case_submit, case_transition
from bangban.cases.workflow import TransitionRefused

pytestmark = pytest.mark.django_db


def _open(world, agent):
    return case_submit(
        actor=Actor.of_staff(agent),
        client=world.citizen,
        service_type="proxy",
        channel="window",
        site=agent.site,
        item_versions=[world.food.current_version],
    )


def test_opening_and_relaying_a_case_bump_every_site_that_sees_it(world):
    town, village = version_of(site_id=world.town.pk), version_of(site_id=world.village_b.pk)
    county = version_of(covered_paths=[world.county.path])
    case = _open(world, world.agent_b)
    assert version_of(site_id=world.village_b.pk) != village
    assert version_of(site_id=world.town.pk) == town  # not on the case's path yet
    village = version_of(site_id=world.village_b.pk)
    case_transition(
        case=case,
        event="relay_out",
        actor=Actor.of_staff(world.agent_b),
        to_site=world.town.code,
        note="需到镇里办理",
    )
    assert version_of(site_id=world.town.pk) != town  # the receiving site
    assert version_of(site_id=world.village_b.pk) != village  # the sending site
    assert version_of(covered_paths=[world.county.path]) != county  # the sites below


def test_a_refused_change_bumps_nothing(world):
    case = _open(world, world.agent_a)
    before = version_of(site_id=world.village_a.pk)
    with pytest.raises(TransitionRefused):
        case_transition(case=case, event="relay_accept", actor=Actor.of_staff(world.agent_a))
    assert version_of(site_id=world.village_a.pk) == before
