"""The bad-review loop: from a 非常不满意 to closure, every branch, and overdue flags."""

from datetime import date

import pytest

from bangban.cases.access import SYSTEM, Actor
from bangban.oversight.figures import jobs, metrics
from bangban.oversight.models import (
    Evaluation,
    RectificationStatus,
    ReturnVisit,
    UncountedChange,
)
from bangban.oversight.records import selectors
from bangban.oversight.records.services import (
    OversightRefused,
    evaluation_submit,
    rectification_appeal_decide,
    rectification_client_rate,
    rectification_complete,
    rectification_decide,
    return_visit_record,
)
from bangban.oversight.tasks import flag_overdue, flag_overdue_rectifications

from .helpers import at, completed_case


def bad_review(world, level=1, day=date(2026, 11, 2)):
    case = completed_case(world, accepted=date(2026, 10, 26), on=date(2026, 10, 30))
    with at(day):
        evaluation = evaluation_submit(
            case=case,
            actor=Actor.of_client(world.citizen),
            level=level,
            indicators={"attitude": 1},
            comment="态度很差，跑了三趟",
            channel="portal",
        )
    return evaluation.rectification


def verify(world, rectification, outcome="confirmed", day=date(2026, 11, 3)):
    visit = ReturnVisit.objects.get(rectification=rectification, visited_at__isnull=True)
    with at(day):
        return_visit_record(
            visit=visit, staff=world.coordinator, method="phone", outcome=outcome, notes="属实"
        )
    rectification.refresh_from_db()


def test_a_very_dissatisfied_review_is_rectified_by_a_deadline_and_closed(world):
    r = bad_review(world)
    assert r.status == RectificationStatus.VERIFYING
    assert r.owner == world.agent_a
    assert r.due_on == date(2026, 11, 3)  # the verifying visit: 1 working day
    # the owner cannot skip the verifying visit
    with pytest.raises(OversightRefused):
        rectification_decide(
            rectification=r, staff=world.agent_a, outcome="immediate", measures="x"
        )
    verify(world, r)
    assert r.status == RectificationStatus.DECIDING and r.verified_at
    with at(date(2026, 11, 4)):  # Wednesday
        rectification_decide(
            rectification=r, staff=world.agent_a, outcome="deadline", measures="重新梳理告知单"
        )
    assert r.status == RectificationStatus.RECTIFYING
    assert r.deadline_on == date(2026, 11, 11)  # 5 working days, in the ledger
    with at(date(2026, 11, 10)):
        rectification_complete(rectification=r, staff=world.agent_a, result="告知单已修订")
    assert r.status == RectificationStatus.AWAITING_RATING
    # someone else's client cannot rate it
    with pytest.raises(OversightRefused):
        rectification_client_rate(
            rectification=r, actor=Actor.of_client(world.other_citizen), level=5
        )
    with at(date(2026, 11, 12)):
        rectification_client_rate(
            rectification=r, actor=Actor.of_client(world.citizen), level=4, comment="改进了"
        )
    assert r.status == RectificationStatus.CLOSED and r.client_level == 4
    scope = metrics.Scope(
        actor=Actor.of_staff(world.supervisor),
        period=metrics.Period(date(2026, 11, 1), date(2026, 11, 30)),
        site=world.county,
        today=date(2026, 11, 22),
    )
    assert metrics.rate("return_visits", scope) == metrics.Rate(1, 1)
    assert not selectors.overdue_rectifications(date(2026, 11, 22)).exists()


def test_an_immediate_fix_and_an_explanation_go_straight_to_the_client(world):
    r = bad_review(world)
    verify(world, r)
    rectification_decide(
        rectification=r, staff=world.agent_a, outcome="immediate", measures="当场致歉"
    )
    assert r.status == RectificationStatus.AWAITING_RATING and r.rectified_at
    r2 = bad_review(world, level=2)
    verify(world, r2)
    with pytest.raises(OversightRefused):
        rectification_decide(rectification=r2, staff=world.agent_a, outcome="explain")
    rectification_decide(
        rectification=r2, staff=world.agent_a, outcome="explain", measures="法定材料不能减免"
    )
    assert r2.status == RectificationStatus.AWAITING_RATING


def test_an_upheld_appeal_takes_the_review_out_of_the_satisfaction_rate(world):
    r = bad_review(world)
    november = metrics.Scope(
        actor=Actor.of_staff(world.supervisor),
        period=metrics.Period(date(2026, 11, 1), date(2026, 11, 30)),
        site=world.county,
        today=date(2026, 11, 22),
    )
    jobs.count_new_events()  # 2 November goes into the daily roll-up
    assert metrics.rate("satisfaction", november) == metrics.Rate(0, 1)
    verify(world, r, outcome="not_confirmed")
    rectification_decide(
        rectification=r,
        staff=world.agent_a,
        outcome="appeal",
        appeal_reason="审批部门时限，非本人原因",
    )
    assert r.status == RectificationStatus.APPEALING
    with pytest.raises(OversightRefused):  # never the owner
        rectification_appeal_decide(
            rectification=r, staff=world.agent_a, decision="upheld", note="x"
        )
    rectification_appeal_decide(
        rectification=r, staff=world.supervisor, decision="upheld", note="经核实为误评"
    )
    assert r.status == RectificationStatus.CLOSED
    assert Evaluation.objects.get(pk=r.evaluation_id).excluded
    # no case event: the records published it, and the figures left a change to count
    assert UncountedChange.objects.filter(case_id=r.case_id, event__isnull=True).exists()
    # 2 November is already in the daily roll-up: the appeal reaches it when the job runs
    assert metrics.rate("satisfaction", november) == metrics.Rate(0, 1)
    jobs.count_new_events()
    assert metrics.rate("satisfaction", november) == metrics.Rate(0, 0)


def test_a_rejected_appeal_goes_back_to_choosing_a_course(world):
    r = bad_review(world)
    verify(world, r)
    rectification_decide(rectification=r, staff=world.agent_a, outcome="appeal", appeal_reason="x")
    rectification_appeal_decide(
        rectification=r, staff=world.coordinator, decision="rejected", note="情况属实"
    )
    assert r.status == RectificationStatus.DECIDING and not r.outcome


def test_an_unreachable_client_gets_another_visit_the_next_working_day(world):
    r = bad_review(world)
    verify(world, r, outcome="unreachable", day=date(2026, 11, 6))  # a Friday
    assert r.status == RectificationStatus.VERIFYING
    assert r.due_on == date(2026, 11, 9)
    assert ReturnVisit.objects.filter(rectification=r, visited_at__isnull=True).count() == 1


def test_an_anonymous_bad_review_is_verified_from_the_record(world):
    case = completed_case(world)
    evaluation = evaluation_submit(
        case=case, actor=SYSTEM, level=1, indicators={}, comment="", channel="window_device"
    )
    assert not evaluation.real_name
    r = evaluation.rectification
    assert r.status == RectificationStatus.DECIDING
    assert not ReturnVisit.objects.exists()


def test_the_handling_agent_cannot_make_the_verifying_visit(world):
    r = bad_review(world)
    world.agent_a.is_coordinator = True
    world.agent_a.save()
    visit = ReturnVisit.objects.get(rectification=r)
    with pytest.raises(OversightRefused):
        return_visit_record(
            visit=visit, staff=world.agent_a, method="phone", outcome="confirmed", notes=""
        )


def test_an_overdue_rectification_is_flagged_once(world):
    r = bad_review(world)  # verifying visit due 3 November
    verify(world, r)
    with at(date(2026, 11, 4)):
        rectification_decide(
            rectification=r, staff=world.agent_a, outcome="deadline", measures="整改"
        )
    assert list(selectors.overdue_rectifications(date(2026, 11, 11))) == []
    assert list(selectors.overdue_rectifications(date(2026, 11, 12))) == [r]
    with at(date(2026, 11, 12)):
        assert flag_overdue(date(2026, 11, 12)) == {"rectifications": 1, "findings": 0}
        assert flag_overdue(date(2026, 11, 12)) == {"rectifications": 0, "findings": 0}
    r.refresh_from_db()
    assert r.flagged_at is not None
    assert flag_overdue_rectifications.call_local() == {"rectifications": 0, "findings": 0}
