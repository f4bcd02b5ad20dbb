"""Shared steps of the workbench tests: sign a persona in, open and move cases."""

import pytest

from bangban.cases.access import Actor
from bangban.cases.models import MaterialStatus
from bangban.cases.services import case_submit, case_transition

SIGNED = {"method": "paper", "signer": "张三"}
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def signed_in(client):
    """``signed_in(staff)``: the test client, signed in as that persona."""

    def sign_in(staff):
        client.force_login(staff.user)
        return client

    return sign_in


def open_case(world, *, agent=None, site=None, items=None, service_type="proxy", channel="window"):
    agent = agent or world.agent_a
    return case_submit(
        actor=Actor.of_staff(agent),
        client=world.citizen,
        service_type=service_type,
        channel=channel,
        site=site or agent.site,
        item_versions=[i.current_version for i in (items or [world.food])],
    )


def act(case, staff, event, **details):
    return case_transition(case=case, event=event, actor=Actor.of_staff(staff), **details)


def review_all(case, agent, **overrides):
    checks = [
        {"material_id": m.pk, "status": overrides.get(m.name, MaterialStatus.RECEIVED)}
        for m in case.materials.all()
    ]
    act(case, agent, "pre_review", checks=checks)


def accepted(case, agent):
    act(case, agent, "start_review")
    review_all(case, agent)
    act(case, agent, "accept", confirmation=SIGNED)
    return case


def handling(case, agent):
    accepted(case, agent)
    act(case, agent, "start_handling")
    return case
