import pytest

from bangban.cases.access import Actor
from bangban.cases.models import CaseEvent
from bangban.cases.workflow import TransitionRefused
from bangban.oversight.models import (
    Evaluation,
    Rectification,
    RectificationStatus,
    ReturnVisit,
    ReturnVisitKind,
)
from bangban.oversight.records.services import evaluation_submit

from .helpers import completed_case


def test_a_client_evaluates_a_completed_case_once_on_the_timeline(world):
    case = completed_case(world)
    evaluation = evaluation_submit(
        case=case,
        actor=Actor.of_client(world.citizen),
        level=5,
        indicators={"efficiency": 5, "attitude": 4},
        comment="很好",
        channel="portal",
    )
    assert evaluation.level == 5
    assert evaluation.indicators == {"overall": 5, "efficiency": 5, "attitude": 4}
    assert evaluation.agent == world.agent_a and evaluation.site == world.village_a
    event = CaseEvent.objects.get(case=case, event="evaluate")
    assert event.details["level"] == 5 and event.details["channel"] == "portal"
    assert evaluation.event_seq == event.seq
    assert not Rectification.objects.exists()


def test_an_evaluation_is_refused_the_second_time_for_the_same_case(world):
    case = completed_case(world)
    client = Actor.of_client(world.citizen)
    evaluation_submit(case=case, actor=client, level=4, indicators={}, comment="", channel="sms")
    with pytest.raises(TransitionRefused, match="只评价一次"):
        evaluation_submit(
            case=case, actor=client, level=1, indicators={}, comment="", channel="portal"
        )
    assert Evaluation.objects.count() == 1


def test_the_handling_agent_cannot_evaluate_even_as_a_return_visit(world):
    case = completed_case(world)
    with pytest.raises(TransitionRefused):
        evaluation_submit(
            case=case, actor=world.agent_a, level=5, indicators={}, comment="", channel="portal"
        )
    world.agent_a.is_coordinator = True
    world.agent_a.save()
    world.agent_a.covered_sites.add(world.village_a)
    with pytest.raises(TransitionRefused, match="办理该办件的工作人员"):
        evaluation_submit(
            case=case,
            actor=world.agent_a,
            level=5,
            indicators={},
            comment="",
            channel="return_visit",
        )
    assert not Evaluation.objects.exists()


def test_a_coordinator_records_a_return_visit_rating_but_not_a_portal_one(world):
    case = completed_case(world)
    with pytest.raises(TransitionRefused, match="回访"):
        evaluation_submit(
            case=case, actor=world.coordinator, level=5, indicators={}, comment="", channel="portal"
        )
    evaluation = evaluation_submit(
        case=case,
        actor=world.coordinator,
        level=4,
        indicators={},
        comment="电话回访",
        channel="return_visit",
    )
    assert evaluation.recorded_by == world.coordinator and evaluation.real_name


def test_another_client_or_an_unfinished_case_cannot_be_evaluated(world):
    case = completed_case(world)
    with pytest.raises(TransitionRefused):
        evaluation_submit(
            case=case,
            actor=Actor.of_client(world.other_citizen),
            level=5,
            indicators={},
            comment="",
            channel="portal",
        )
    from bangban.cases.tests.helpers import open_case

    fresh = open_case(world)
    with pytest.raises(TransitionRefused, match="不能进行"):
        evaluation_submit(
            case=fresh,
            actor=Actor.of_client(world.citizen),
            level=5,
            indicators={},
            comment="",
            channel="portal",
        )


def test_invalid_levels_and_indicators_are_refused(world):
    case = completed_case(world)
    client = Actor.of_client(world.citizen)
    for level, indicators in [(0, {}), (6, {}), ("好", {}), (5, {"convenience": 5})]:
        with pytest.raises(TransitionRefused):
            evaluation_submit(
                case=case,
                actor=client,
                level=level,
                indicators=indicators,
                comment="",
                channel="portal",
            )


def test_a_bad_review_opens_a_rectification_owned_by_the_agent_with_a_required_visit(world):
    case = completed_case(world)
    evaluation = evaluation_submit(
        case=case,
        actor=Actor.of_client(world.citizen),
        level=1,
        indicators={},
        comment="态度差",
        channel="portal",
    )
    rectification = evaluation.rectification
    assert rectification.owner == world.agent_a
    assert rectification.status == RectificationStatus.VERIFYING
    visit = ReturnVisit.objects.get(rectification=rectification)
    assert visit.kind == ReturnVisitKind.REQUIRED and visit.due_on == rectification.due_on
