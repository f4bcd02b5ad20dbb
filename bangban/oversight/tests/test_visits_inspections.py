from datetime import date

import pytest

from bangban.oversight.models import Evaluation, ReturnVisitKind
from bangban.oversight.records import selectors
from bangban.oversight.records.services import (
    OversightRefused,
    finding_rectified,
    inspection_record,
    return_visit_record,
    return_visits_plan_random,
)
from bangban.oversight.tasks import flag_overdue

from .helpers import at, completed_case


def test_a_coordinator_plans_random_visits_and_records_the_rating_heard(world):
    done = completed_case(world)
    completed_case(world, agent=world.agent_b)
    visits = return_visits_plan_random(staff=world.coordinator, count=5)
    assert {v.kind for v in visits} == {ReturnVisitKind.RANDOM}
    assert len(visits) == 2
    assert return_visits_plan_random(staff=world.coordinator, count=5) == []  # not twice
    visit = next(v for v in visits if v.case_id == done.pk)
    return_visit_record(
        visit=visit,
        staff=world.coordinator,
        method="phone",
        outcome="satisfied",
        notes="服务对象表示满意",
        level=5,
    )
    evaluation = Evaluation.objects.get(case=done)
    assert evaluation.channel == "return_visit" and evaluation.recorded_by == world.coordinator
    assert list(selectors.return_visits_due(world.coordinator)) == [
        v for v in visits if v.case_id != done.pk
    ]


def test_only_coordinators_plan_random_visits(world):
    with pytest.raises(OversightRefused):
        return_visits_plan_random(staff=world.agent_a)


def test_a_supervisor_records_an_inspection_with_a_deadline_for_each_problem(world):
    inspection = inspection_record(
        inspector=world.supervisor,
        site=world.village_a,
        inspected_on=date(2026, 11, 2),
        summary="例行检查",
        findings=[
            {"item": "area", "compliant": True},
            {"item": "ledgers", "compliant": False, "finding": "台账未按日登记"},
        ],
    )
    problem = inspection.findings.get(item="ledgers")
    assert problem.deadline_on == date(2026, 11, 9)  # 5 working days
    assert inspection.findings.get(item="area").deadline_on is None
    assert list(selectors.overdue_findings(date(2026, 11, 10))) == [problem]
    with at(date(2026, 11, 10)):
        assert flag_overdue(date(2026, 11, 10))["findings"] == 1
    finding_rectified(finding=problem, staff=world.agent_a, result="已补登台账")
    assert not selectors.overdue_findings(date(2026, 11, 10)).exists()


def test_inspections_are_refused_without_the_role_or_the_facts(world):
    with pytest.raises(OversightRefused):
        inspection_record(
            inspector=world.coordinator,
            site=world.village_a,
            inspected_on=date(2026, 11, 2),
            summary="",
            findings=[{"item": "area", "compliant": True}],
        )
    with pytest.raises(OversightRefused):
        inspection_record(
            inspector=world.supervisor,
            site=world.village_a,
            inspected_on=date(2026, 11, 2),
            summary="",
            findings=[{"item": "team", "compliant": False}],
        )
    with pytest.raises(OversightRefused):
        inspection_record(
            inspector=world.supervisor,
            site=world.village_a,
            inspected_on=date(2026, 11, 2),
            summary="",
            findings=[{"item": "nonsense", "compliant": True}],
        )
