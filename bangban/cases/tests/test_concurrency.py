"""Two staff acting on one case at once: exactly one wins, the other is told to reload.

``case_transition`` locks the case row (``SELECT … FOR UPDATE``) and compares the version
the actor saw, inside one transaction. The threaded tests need real row locks and real
commits, so they run on PostgreSQL only (SQLite serialises whole transactions, which
proves nothing about the lock); the sequential version check runs on both.
"""

import threading
import time

import pytest
from django.db import connection, transaction

from bangban.cases.access import Actor
from bangban.cases.audit import verify_all
from bangban.cases.models import Case, CaseEvent
from bangban.cases.services import CaseConflict, case_transition
from bangban.cases.workflow import State, TransitionRefused

from .helpers import act, open_case, to_handling

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and concurrent commits need PostgreSQL"
)


def run_together(*calls, timeout: float = 30):
    """Run each call in its own thread, released at the same moment; return their outcomes.

    An outcome is ("ok", result) or ("error", exception). Each thread closes its own
    database connection, as a request worker would.
    """
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout)
            outcomes[index] = ("ok", call())
        except Exception as error:  # noqa: BLE001 - the outcome is what the test checks
            outcomes[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert all(not thread.is_alive() for thread in threads), "a thread hung"
    return outcomes


def transition_as(staff, case_pk, event, **details):
    """What a request does: load the case afresh in its own connection, then act."""
    return lambda: case_transition(
        case=Case.objects.get(pk=case_pk), event=event, actor=Actor.of_staff(staff), **details
    )


def state_of(case):
    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.state,
        fresh.version,
        fresh.event_count,
        CaseEvent.objects.filter(case=case).count(),
    )


@pytest.mark.django_db(transaction=True)
@needs_postgres
def test_two_simultaneous_start_reviews_one_wins_the_other_conflicts(world):
    case = open_case(world)
    _, version, count, _ = state_of(case)
    outcomes = run_together(
        transition_as(world.agent_a, case.pk, "start_review", expected_version=version),
        transition_as(world.agent_a2, case.pk, "start_review", expected_version=version),
    )
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["error", "ok"], outcomes
    [error] = [value for kind, value in outcomes if kind == "error"]
    assert isinstance(error, CaseConflict) and "请刷新" in error.message
    assert state_of(case) == (State.REVIEWING, version + 1, count + 1, count + 1)
    assert verify_all().ok


@pytest.mark.django_db(transaction=True)
@needs_postgres
def test_refuse_and_start_review_at_once_leave_one_consistent_outcome(world):
    case = open_case(world)
    act(case, world.agent_a, "start_assessment")
    _, version, count, _ = state_of(case)
    outcomes = run_together(
        transition_as(world.agent_a, case.pk, "refuse", expected_version=version, reason="重复"),
        transition_as(world.agent_a2, case.pk, "start_review", expected_version=version),
    )
    winners = [value for kind, value in outcomes if kind == "ok"]
    losers = [value for kind, value in outcomes if kind == "error"]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert isinstance(losers[0], CaseConflict)
    state, new_version, new_count, stored = state_of(case)
    assert state == winners[0].to_state
    assert (new_version, new_count, stored) == (version + 1, count + 1, count + 1)


@pytest.mark.django_db(transaction=True)
@needs_postgres
def test_without_a_version_the_loser_is_refused_by_the_state_it_now_sees(world):
    case = open_case(world)
    _, version, count, _ = state_of(case)
    outcomes = run_together(
        transition_as(world.agent_a, case.pk, "start_review"),
        transition_as(world.agent_a2, case.pk, "start_review"),
    )
    errors = [value for kind, value in outcomes if kind == "error"]
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], TransitionRefused) and errors[0].code == "wrong_state"
    assert state_of(case) == (State.REVIEWING, version + 1, count + 1, count + 1)


@pytest.mark.django_db(transaction=True)
@needs_postgres
def test_the_second_writer_waits_for_the_first_to_commit_then_conflicts(world):
    """Deterministic order: A holds the row lock while B tries; B must wait, then see A's write."""
    case = open_case(world)
    _, version, count, _ = state_of(case)
    a_has_lock = threading.Event()
    a_commits_after = []  # a moment A still held the lock: B cannot have returned before it

    def first():
        with transaction.atomic():
            result = transition_as(
                world.agent_a, case.pk, "start_review", expected_version=version
            )()
            a_has_lock.set()
            time.sleep(0.5)  # B is now blocked on the row lock
            a_commits_after.append(time.monotonic())
        return result

    def second():
        assert a_has_lock.wait(10)
        try:
            return transition_as(
                world.agent_a2, case.pk, "start_review", expected_version=version
            )()
        finally:
            second.returned_at = time.monotonic()

    outcomes = run_together(first, second)
    assert outcomes[0][0] == "ok", outcomes
    assert outcomes[1][0] == "error" and isinstance(outcomes[1][1], CaseConflict), outcomes
    assert second.returned_at > a_commits_after[0]
    assert state_of(case) == (State.REVIEWING, version + 1, count + 1, count + 1)


@pytest.mark.django_db(transaction=True)
@needs_postgres
def test_many_simultaneous_notes_all_land_in_one_unbroken_chain(world):
    """Events that keep the state do not conflict without a version: none is lost."""
    case = open_case(world)
    to_handling(case, world.agent_a)
    # filed, so that the department's liaison has a role on the case and may write too
    act(case, world.agent_a, "file_with_department", case_item_id=case.items.get().pk)
    _, version, count, _ = state_of(case)
    writers = [world.agent_a, world.agent_a2, world.coordinator, world.liaison_market] * 2
    outcomes = run_together(
        *(transition_as(w, case.pk, "note", text=f"日志{i}") for i, w in enumerate(writers))
    )
    assert [kind for kind, _ in outcomes] == ["ok"] * len(writers), outcomes
    n = len(writers)
    assert state_of(case) == (State.HANDLING, version + n, count + n, count + n)
    assert sorted(e.seq for e in CaseEvent.objects.filter(case=case)) == list(
        range(1, count + n + 1)
    )
    assert verify_all().ok


# --- the version check, one after the other (SQLite and PostgreSQL) ------------------


@pytest.mark.django_db
def test_a_stale_version_is_a_conflict_and_writes_nothing(world):
    case = open_case(world)
    seen = case.version  # what the second agent's page showed
    act(case, world.agent_a, "start_review")
    before = state_of(case)
    with pytest.raises(CaseConflict) as conflict:
        case_transition(
            case=Case.objects.get(pk=case.pk),
            event="refuse",
            actor=Actor.of_staff(world.agent_a2),
            expected_version=seen,
            reason="重复申请",
        )
    assert conflict.value.code == "conflict" and "刷新" in conflict.value.message
    assert state_of(case) == before


@pytest.mark.django_db
def test_the_current_version_is_accepted_and_bumped(world):
    case = open_case(world)
    event = case_transition(
        case=case,
        event="start_review",
        actor=Actor.of_staff(world.agent_a),
        expected_version=case.version,
    )
    assert event.seq == 2 and case.version == 1
    assert Case.objects.get(pk=case.pk).version == 1


@pytest.mark.django_db
def test_a_stale_object_in_hand_does_not_overwrite_a_newer_row(world):
    """The caller's copy is old; the write path locks and reads the row, so nothing is lost."""
    case = open_case(world)
    stale = Case.objects.get(pk=case.pk)
    act(case, world.agent_a, "start_assessment", needs="需全程代办")
    act(stale, world.agent_a2, "start_review")
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.state == State.REVIEWING and fresh.needs == "需全程代办"
    assert fresh.version == 2 and fresh.event_count == 3
