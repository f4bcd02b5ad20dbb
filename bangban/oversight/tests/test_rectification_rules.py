"""Who may do what to a bad-review rectification, in which status — one rule, used by the
services (which refuse the rest) and by the rectification page (which shows only these
forms)."""

import re

import pytest

from bangban.cases.access import Actor
from bangban.oversight.models import Rectification, RectificationStatus
from bangban.oversight.records import services
from bangban.oversight.records.rectification_rules import (
    APPEAL,
    COMPLETE,
    DECIDE,
    RATE,
    STATUS_FOR,
    rectification_actions,
    refusal,
)

from .test_rectification_loop import bad_review, verify

S = RectificationStatus

# status → who may do what. The rectification belongs to agent_a (who handled the case);
# the coordinator and the supervisor manage the county and everything below it; agent_a2
# works at the same village but neither owns the rectification nor manages the site.
RULE = {
    S.VERIFYING: {"owner": set(), "coordinator": set(), "supervisor": set(), "colleague": set()},
    S.DECIDING: {
        "owner": {DECIDE},
        "coordinator": {DECIDE},
        "supervisor": {DECIDE},
        "colleague": set(),
    },
    S.RECTIFYING: {
        "owner": {COMPLETE},
        "coordinator": {COMPLETE},
        "supervisor": {COMPLETE},
        "colleague": set(),
    },
    S.APPEALING: {  # reviewed by whoever manages the site, never by the owner
        "owner": set(),
        "coordinator": {APPEAL},
        "supervisor": {APPEAL},
        "colleague": set(),
    },
    S.AWAITING_RATING: {  # a return visit records the client's rating; not the owner
        "owner": set(),
        "coordinator": {RATE},
        "supervisor": {RATE},
        "colleague": set(),
    },
    S.CLOSED: {"owner": set(), "coordinator": set(), "supervisor": set(), "colleague": set()},
}


def people(world):
    return {
        "owner": world.agent_a,
        "coordinator": world.coordinator,
        "supervisor": world.supervisor,
        "colleague": world.agent_a2,
    }


@pytest.fixture
def rectification(world):
    r = bad_review(world)
    verify(world, r)
    assert r.owner == world.agent_a
    return r


def in_status(r: Rectification, status) -> Rectification:
    Rectification.objects.filter(pk=r.pk).update(status=status)
    r.refresh_from_db()
    return r


def test_who_may_do_what_in_which_status(world, rectification):
    assert set(RULE) == set(S.values)
    for status, allowed in RULE.items():
        r = in_status(rectification, status)
        for role, staff in people(world).items():
            assert rectification_actions(staff, r) == allowed[role], (status, role)


def test_a_manager_who_handled_the_case_may_not_record_the_rating(world, rectification):
    world.agent_a.is_coordinator = True  # now manages its own village too
    world.agent_a.save()
    assert rectification_actions(world.agent_a, in_status(rectification, S.DECIDING)) == {DECIDE}
    assert rectification_actions(world.agent_a, in_status(rectification, S.APPEALING)) == set()
    assert rectification_actions(world.agent_a, in_status(rectification, S.AWAITING_RATING)) == (
        set()
    )


def test_nobody_off_duty_and_nobody_unknown_may_act(world, rectification):
    world.agent_a.is_active = False
    world.agent_a.save()
    for status in S.values:
        r = in_status(rectification, status)
        assert rectification_actions(world.agent_a, r) == set(), status
        assert rectification_actions(None, r) == set(), status


CALLS = {
    DECIDE: lambda r, staff: services.rectification_decide(
        rectification=r, staff=staff, outcome="immediate", measures="当场致歉"
    ),
    COMPLETE: lambda r, staff: services.rectification_complete(
        rectification=r, staff=staff, result="已整改"
    ),
    APPEAL: lambda r, staff: services.rectification_appeal_decide(
        rectification=r, staff=staff, decision="rejected", note="情况属实"
    ),
    RATE: lambda r, staff: services.rectification_client_rate(
        rectification=r, actor=Actor.of_staff(staff), level=4
    ),
}


def test_the_services_refuse_exactly_what_the_rule_does_not_allow(world, rectification):
    for status in S.values:
        for staff in people(world).values():
            r = in_status(rectification, status)
            allowed = rectification_actions(staff, r)
            for action, call in CALLS.items():
                if action in allowed:
                    continue
                with pytest.raises(services.OversightRefused) as refused:
                    call(r, staff)
                assert refused.value.message == refusal(staff, r, action).message
                assert Rectification.objects.get(pk=r.pk).status == status
    # and each allowed action goes through
    for action, call in CALLS.items():
        r = in_status(rectification, STATUS_FOR[action])
        call(r, world.coordinator)
        assert r.status != STATUS_FOR[action], action


def forms_on_page(client, staff, r) -> set[str]:
    client.force_login(staff.user)
    response = client.get(f"/oversight/rectifications/{r.pk}/")
    assert response.status_code == 200
    return set(re.findall(rf'action="/oversight/rectifications/{r.pk}/(\w+)/"', response.text))


def test_the_page_shows_exactly_the_forms_the_rule_allows(client, world, rectification):
    for status, allowed in RULE.items():
        r = in_status(rectification, status)
        for role, staff in people(world).items():
            assert forms_on_page(client, staff, r) == allowed[role], (status, role)
