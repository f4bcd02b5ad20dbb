"""Ratings given off the platform (issue 14, item 3): on the paper evaluation form (seed 003
第十四条, 附件4), on the window's 评价器 (seed 000 §8.2.1) or on a return visit (第十五条),
each entered with its channel through the ``evaluate`` event — never by the staff member
who handled the case — and the printed form shows 回访人 and 回访日期."""

import pytest

from bangban.cases.access import Actor
from bangban.cases.workflow import TransitionRefused
from bangban.documents.kinds import KINDS, Kind
from bangban.documents.rendering import render_html
from bangban.documents.services import document_issue_on_demand
from bangban.oversight.models import Evaluation, ReturnVisit
from bangban.oversight.records.services import (
    evaluation_submit,
    return_visit_record,
    return_visits_plan_random,
)

from .helpers import completed_case

PAGE = "/oversight/ratings/new/"


def test_seam_a_paper_form_or_window_device_rating_is_entered_with_its_channel(
    client, world, django_assert_max_num_queries
):
    paper_case = completed_case(world)
    device_case = completed_case(world)
    client.force_login(world.coordinator.user)
    with django_assert_max_num_queries(12):
        page = client.get(PAGE).content.decode()
    assert "纸质评价表" in page and "窗口评价器" in page
    for label in ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]:
        assert f'value="{label}"' in page

    client.post(
        PAGE,
        {"case_number": paper_case.number, "channel": "paper_form", "level": "满意"},
    )
    client.post(
        PAGE,
        {"case_number": device_case.number, "channel": "window_device", "level": "非常满意"},
    )
    paper = Evaluation.objects.get(case=paper_case)
    device = Evaluation.objects.get(case=device_case)
    assert (paper.channel, paper.level, paper.recorded_by) == ("paper_form", 4, world.coordinator)
    assert (device.channel, device.level) == ("window_device", 5)
    event = paper_case.events.get(event="evaluate")
    assert event.details["channel"] == "paper_form" and event.actor_staff == world.coordinator

    # 一事一评: a second sheet for the same case is refused, in Chinese.
    again = client.post(
        PAGE,
        {"case_number": paper_case.number, "channel": "paper_form", "level": "不满意"},
        follow=True,
    )
    assert "只评价一次" in again.content.decode()
    assert Evaluation.objects.filter(case=paper_case).count() == 1


def test_the_handling_agent_may_not_enter_a_paper_or_device_rating(world):
    case = completed_case(world)
    world.agent_a.is_coordinator = True
    world.agent_a.save()
    world.agent_a.covered_sites.add(world.village_a)
    for channel in ("paper_form", "window_device"):
        with pytest.raises(TransitionRefused, match="办理该办件的工作人员"):
            evaluation_submit(
                case=case, actor=world.agent_a, level=5, indicators={}, comment="", channel=channel
            )
    # and a client on the portal cannot claim a paper form
    with pytest.raises(TransitionRefused, match="协调员录入"):
        evaluation_submit(
            case=case,
            actor=Actor.of_client(world.citizen),
            level=5,
            indicators={},
            comment="",
            channel="paper_form",
        )
    assert not Evaluation.objects.exists()


def test_seam_the_evaluation_form_prints_the_visitor_and_the_visit_date(world):
    case = completed_case(world)
    blank = document_issue_on_demand(
        case=case, kind=Kind.EVALUATION.value, actor=Actor.of_staff(world.agent_a)
    )
    assert blank.fields["specific"]["visitor"] == ""
    [visit] = return_visits_plan_random(staff=world.coordinator, count=1)
    return_visit_record(
        visit=visit,
        staff=world.coordinator,
        method="phone",
        outcome="satisfied",
        notes="服务对象表示满意",
        level=4,
    )
    printed = document_issue_on_demand(
        case=case, kind=Kind.EVALUATION.value, actor=Actor.of_staff(world.agent_a)
    )
    specific = printed.fields["specific"]
    visited = visit.visited_at
    day = f"{visited.year}年{visited.month}月{visited.day}日"
    assert specific["visitor"] == "协调员老周" and specific["visited_on"] == day
    html = render_html(printed.fields, KINDS[Kind.EVALUATION].template)
    assert "<th>回访人</th><td>协调员老周</td>" in html
    assert f'<th class="narrow">回访日期</th><td>{day}</td>' in html


def test_the_evaluation_form_names_who_made_a_bad_reviews_required_return_visit(world):
    """The required visit after a bad review writes no case event; the form still prints
    回访人 and 回访日期 (oversight provides them to documents at start-up)."""
    case = completed_case(world)
    evaluation_submit(
        case=case,
        actor=Actor.of_client(case.client),
        level=1,
        indicators={},
        comment="等了很久",
        channel="portal",
    )
    visit = ReturnVisit.objects.get(case=case, kind="required")
    return_visit_record(
        visit=visit, staff=world.coordinator, method="phone", outcome="confirmed", notes="属实"
    )
    visit.refresh_from_db()
    printed = document_issue_on_demand(
        case=case, kind=Kind.EVALUATION.value, actor=Actor.of_staff(world.agent_a)
    )
    specific = printed.fields["specific"]
    day = f"{visit.visited_at.year}年{visit.visited_at.month}月{visit.visited_at.day}日"
    assert specific["visitor"] == "协调员老周" and specific["visited_on"] == day
