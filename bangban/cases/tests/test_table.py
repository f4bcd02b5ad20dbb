"""Every transition not in the state table is refused, for every state.

First the table alone (pure, every state against every event), then the real write path:
a case driven into each state refuses every event the table does not allow from it and
is left exactly as it was.
"""

import pytest

from bangban.cases.access import Actor
from bangban.cases.models import Case, CaseEvent, MaterialStatus
from bangban.cases.services import case_transition
from bangban.cases.transitions import TRANSITIONS, check_table, events_from, transition_for
from bangban.cases.workflow import ServiceType, State, TransitionRefused

from .helpers import SIGNED, accept, act, finish_items, open_case, review_all, to_handling

ALL_ROLES = frozenset(role for t in TRANSITIONS for role in t.roles)
EVENTS = [t.event for t in TRANSITIONS]
PAIRS = [(state, t.event) for state in State for t in TRANSITIONS]

# --- the table alone -----------------------------------------------------------------


@pytest.mark.parametrize(("state", "event"), PAIRS, ids=[f"{s}-{e}" for s, e in PAIRS])
def test_an_event_is_allowed_exactly_from_its_source_states(state, event):
    transition = transition_for(event)
    service_type = next(iter(sorted(transition.service_types)))
    if state in transition.sources:
        assert check_table(event, state, service_type, transition.roles) is transition
    else:
        with pytest.raises(TransitionRefused) as refused:
            check_table(event, state, service_type, ALL_ROLES)
        assert refused.value.code == "wrong_state"


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("service_type", list(ServiceType))
def test_events_from_a_state_are_exactly_the_table_rows(state, service_type):
    allowed = {t.event for t in events_from(state, service_type, ALL_ROLES)}
    rows = {t.event for t in TRANSITIONS if state in t.sources and service_type in t.service_types}
    assert allowed == rows


@pytest.mark.parametrize("state", list(State))
def test_events_from_a_state_offer_a_role_only_its_own_rows(state):
    for role in ALL_ROLES:
        offered = {t.event for t in events_from(state, ServiceType.PROXY, {role})}
        assert offered == {
            t.event
            for t in TRANSITIONS
            if state in t.sources and ServiceType.PROXY in t.service_types and role in t.roles
        }
    assert events_from(state, ServiceType.PROXY, {"supervisor"}) == []
    assert events_from(state, ServiceType.PROXY, set()) == []


def test_every_state_is_a_source_or_target_of_some_row():
    touched = {s for t in TRANSITIONS for s in t.sources} | {t.target for t in TRANSITIONS}
    assert set(State) <= touched


def test_an_unknown_event_is_refused():
    with pytest.raises(TransitionRefused) as refused:
        check_table("teleport", State.RECEIVED, ServiceType.PROXY, ALL_ROLES)
    assert refused.value.code == "unknown_event" and "teleport" in refused.value.message


def test_a_proxy_only_event_is_refused_for_an_assist_case():
    with pytest.raises(TransitionRefused) as refused:
        check_table("suspend", State.HANDLING, ServiceType.ASSIST, {"agent"})
    assert refused.value.code == "wrong_service_type"


@pytest.mark.parametrize(
    ("roles", "event", "state"),
    [
        ({"client"}, "accept", State.REVIEWING),
        ({"liaison"}, "accept", State.REVIEWING),
        ({"supervisor"}, "note", State.HANDLING),
        ({"receiver"}, "accept", State.REVIEWING),
        ({"agent"}, "lapse", State.SUSPENDED),
        ({"agent"}, "relay_accept", State.RECEIVED),
        ({"coordinator"}, "accept", State.REVIEWING),
        ({"client"}, "terminate", State.HANDLING),
    ],
)
def test_a_role_without_the_row_is_refused(roles, event, state):
    with pytest.raises(TransitionRefused) as refused:
        check_table(event, state, ServiceType.PROXY, roles)
    assert refused.value.code == "forbidden" and "没有权限" in refused.value.message


# --- the real write path -------------------------------------------------------------


def drive_to(world, state: State) -> Case:
    """A proxy case of village A's agent, brought to ``state`` through the write path."""
    agent = world.agent_a
    case = open_case(world)
    if state == State.RECEIVED:
        return case
    if state == State.ASSESSING:
        act(case, agent, "start_assessment")
        return case
    if state in {State.REVIEWING, State.AWAITING_SUPPLEMENT, State.REFUSED}:
        act(case, agent, "start_review")
        if state == State.AWAITING_SUPPLEMENT:
            review_all(case, agent, 营业执照=MaterialStatus.MISSING)
            act(case, agent, "request_supplement")
        if state == State.REFUSED:
            act(case, agent, "refuse", reason="不属于帮办代办范围")
        return case
    if state == State.TERMINATED:
        act(case, agent, "terminate", reason_code="other", reason="重复申请")
        return case
    if state == State.ACCEPTED:
        accept(case, agent)
        return case
    to_handling(case, agent)
    if state == State.SUSPENDED:
        act(case, agent, "suspend", reason_code="client_pause", confirmation=SIGNED)
    if state in {State.COMPLETED, State.DELIVERED, State.ARCHIVED}:
        finish_items(case, agent, {"SCJG": world.liaison_market})
        act(case, agent, "complete", confirmation=SIGNED)
    if state in {State.DELIVERED, State.ARCHIVED}:
        act(case, agent, "deliver", method="electronic", licence_no="JY13301020000001")
    if state == State.ARCHIVED:
        act(case, agent, "archive")
    return case


def _snapshot(case: Case):
    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.state,
        fresh.version,
        fresh.event_count,
        fresh.last_event_hash,
        CaseEvent.objects.filter(case=case).count(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("state", list(State))
def test_a_case_in_each_state_refuses_every_event_the_table_does_not_allow(world, state):
    case = drive_to(world, state)
    assert case.state == state
    before = _snapshot(case)
    refused = [t.event for t in TRANSITIONS if state not in t.sources]
    assert refused, "every state refuses something"
    actors = [Actor.of_staff(world.agent_a), Actor.of_staff(world.coordinator)]
    for event in refused:
        for actor in actors:
            with pytest.raises(TransitionRefused) as error:
                case_transition(
                    case=case,
                    event=event,
                    actor=actor,
                    expected_version=before[1],
                    reason="测试",
                    reason_code="other",
                )
            assert error.value.code == "wrong_state", event
    assert _snapshot(case) == before


@pytest.mark.django_db
def test_a_drive_reaches_every_state(world):
    reached = {drive_to(world, state).state for state in State}
    assert reached == set(State)


@pytest.mark.django_db
def test_an_unknown_event_is_refused_by_the_write_path(world):
    case = open_case(world)
    before = _snapshot(case)
    with pytest.raises(TransitionRefused) as refused:
        act(case, world.agent_a, "teleport")
    assert refused.value.code == "unknown_event"
    assert _snapshot(case) == before


@pytest.mark.django_db
def test_a_citizen_cannot_accept_even_their_own_case(world):
    case = drive_to(world, State.REVIEWING)
    review_all(case, world.agent_a)
    before = _snapshot(case)
    with pytest.raises(TransitionRefused, match="没有权限") as refused:
        act(case, Actor.of_client(world.citizen), "accept", confirmation=SIGNED)
    assert refused.value.code == "forbidden"
    assert _snapshot(case) == before


@pytest.mark.django_db
def test_a_liaison_cannot_accept(world):
    case = drive_to(world, State.REVIEWING)
    review_all(case, world.agent_a)
    with pytest.raises(TransitionRefused, match="没有权限"):
        act(case, world.liaison_market, "accept", confirmation=SIGNED)
    assert Case.objects.get(pk=case.pk).state == State.REVIEWING


@pytest.mark.django_db
@pytest.mark.parametrize(
    "state", [State.RECEIVED, State.REVIEWING, State.HANDLING, State.SUSPENDED]
)
def test_a_supervisor_can_do_nothing(world, state):
    case = drive_to(world, state)
    before = _snapshot(case)
    for event in EVENTS:
        transition = transition_for(event)
        if state not in transition.sources or ServiceType.PROXY not in transition.service_types:
            continue
        with pytest.raises(TransitionRefused) as refused:
            act(case, world.supervisor, event, reason="督查", text="督查记录")
        assert refused.value.code == "forbidden", event
    assert _snapshot(case) == before
