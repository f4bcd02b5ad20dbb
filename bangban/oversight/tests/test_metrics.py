"""Each metric on hand-built case sets with known answers."""

from datetime import date

import pytest

from bangban.cases.access import Actor
from bangban.cases.models import Confirmation
from bangban.cases.services import case_submit
from bangban.cases.tests.helpers import SIGNED, act, finish_items, open_case, to_handling
from bangban.consultations.models import Consultation
from bangban.oversight.figures import metrics, rollup
from bangban.oversight.figures.jobs import count_new_events
from bangban.oversight.figures.metrics import Period, Rate, Scope
from bangban.oversight.records.services import evaluation_submit

from .helpers import at, completed_case, liaisons

NOV = Period(date(2026, 11, 1), date(2026, 11, 30))
TODAY = date(2026, 11, 22)


def scope(world, who=None, **kw):
    return Scope(
        actor=Actor.of_staff(who or world.supervisor),
        period=kw.pop("period", NOV),
        site=kw.pop("site", world.county),
        today=kw.pop("today", TODAY),
        **kw,
    )


def late_case(world, agent=None):
    # food: 10 working days; accepted Mon 2 Nov → due Mon 16 Nov; completed Fri 20 Nov
    return completed_case(world, agent=agent, accepted=date(2026, 11, 2), on=date(2026, 11, 20))


def quick_case(world, agent=None):
    return completed_case(world, agent=agent, accepted=date(2026, 11, 2), on=date(2026, 11, 5))


def suspended_case(world):
    """Accepted 2 Nov, suspended 4–10 Nov (5 working days), completed 20 Nov: due 23 Nov."""
    agent = world.agent_a
    with at(date(2026, 11, 2)):
        case = open_case(world)
        to_handling(case, agent)
    with at(date(2026, 11, 4)):
        act(case, agent, "suspend", reason_code="client_pause", confirmation=SIGNED)
    with at(date(2026, 11, 11)):
        act(case, agent, "resume", confirmation=SIGNED)
    with at(date(2026, 11, 20)):
        finish_items(case, agent, liaisons(world))
        act(case, agent, "complete", confirmation=SIGNED)
    case.refresh_from_db()
    return case


def test_every_metric_is_empty_without_cases(world):
    s = scope(world)
    for code in metrics.METRICS:
        assert metrics.rate(code, s) == Rate(0, 0)
        assert metrics.rate(code, s).value is None
    assert metrics.timely(s).value is None
    assert metrics.handling_days(s) is None
    assert set(metrics.volumes(s).values()) == {0}
    assert metrics.suspensions_by_reason(s) == []


def test_on_time_rate_counts_completed_cases_against_their_due_date(world):
    quick_case(world)
    quick_case(world)
    late = late_case(world)
    assert late.due_on == date(2026, 11, 16)
    r = metrics.rate("on_time", scope(world))
    assert (r.met, r.total, r.value) == (2, 3, 66.7)
    missed = metrics.drill_rows("on_time", scope(world), "missed")
    assert list(missed.values_list("pk", flat=True)) == [late.pk]


def test_on_time_rate_is_zero_when_all_are_overdue(world):
    late_case(world)
    late_case(world)
    assert metrics.rate("on_time", scope(world)) == Rate(0, 2)


def test_suspension_time_is_excluded_from_the_clock_and_the_handling_time(world):
    case = suspended_case(world)
    count_new_events()  # the net working days are the job's per-case facts
    assert case.due_on == date(2026, 11, 23)
    assert metrics.rate("on_time", scope(world)) == Rate(1, 1)
    # 14 working days from 2 to 20 November, 5 of them suspended
    assert metrics.handling_days(scope(world)) == 9.0
    quick_case(world)  # 3 working days
    count_new_events()
    assert metrics.handling_days(scope(world)) == 6.0
    assert metrics.suspensions_by_reason(scope(world)) == [
        ("client_pause", "服务对象提出暂停委托代办服务", 1)
    ]
    behind = metrics.reason_rows("suspension", "client_pause", scope(world))
    assert list(behind) == [case]


def test_a_period_only_counts_cases_completed_inside_it(world):
    quick_case(world)
    october = Period(date(2026, 10, 1), date(2026, 10, 31))
    assert metrics.rate("on_time", scope(world, period=october)) == Rate(0, 0)


def test_satisfaction_counts_the_top_three_levels_and_leaves_out_upheld_appeals(world):
    for level in (5, 4, 3, 2, 1):
        case = quick_case(world)
        with at(date(2026, 11, 6)):
            evaluation_submit(
                case=case,
                actor=Actor.of_client(world.citizen),
                level=level,
                indicators={},
                comment="",
                channel="portal",
            )
    count_new_events()
    assert metrics.rate("satisfaction", scope(world)) == Rate(3, 5)
    from bangban.oversight.models import Evaluation
    from bangban.oversight.records.messages import evaluation_recounted

    upheld = Evaluation.objects.get(level=1)
    Evaluation.objects.filter(pk=upheld.pk).update(excluded=True)
    # as the appeal service does: 6 Nov is a rolled-up day, counted again by the job
    evaluation_recounted(upheld.pk, upheld.case_id)
    count_new_events()
    assert metrics.rate("satisfaction", scope(world)) == Rate(3, 4)
    # both real-name bad reviews await their return visit
    assert metrics.rate("return_visits", scope(world)) == Rate(0, 2)


def test_response_rate_allows_one_working_day_for_online_applications(world):
    client = Actor.of_client(world.citizen)

    def portal_case(day):
        with at(day):
            return case_submit(
                actor=client,
                client=world.citizen,
                service_type="proxy",
                channel="online",
                site=world.village_a,
                item_versions=[world.food.current_version],
            )

    friday = portal_case(date(2026, 11, 13))
    with at(date(2026, 11, 16)):  # Monday: the next working day
        act(friday, world.agent_a, "start_review")
    monday = portal_case(date(2026, 11, 9))
    with at(date(2026, 11, 11)):  # Wednesday: two working days later
        act(monday, world.agent_a, "start_review")
    portal_case(date(2026, 11, 17))  # never answered: missed
    portal_case(date(2026, 11, 20))  # Friday, still inside its window on Sunday 22nd
    with at(date(2026, 11, 18)):
        open_case(world)  # at the desk: answered when registered
    count_new_events()  # the first response's working day is a per-case fact
    r = metrics.rate("response", scope(world))
    assert (r.met, r.total) == (2, 4)


def test_resolution_rate_and_termination_reasons(world):
    quick_case(world)
    with at(date(2026, 11, 10)):
        terminated = open_case(world)
        act(terminated, world.agent_a, "terminate", reason_code="client_withdrew")
        refused = open_case(world)
        act(refused, world.agent_a, "start_review")
        act(refused, world.agent_a, "refuse", reason="不属于帮办代办范围")
    assert metrics.rate("resolution", scope(world)) == Rate(1, 3)
    assert metrics.terminations_by_reason(scope(world)) == [
        ("client_withdrew", "委托人书面提出终止委托", 1)
    ]
    v = metrics.volumes(scope(world))
    assert (v["completed"], v["terminated"], v["refused"], v["submitted"]) == (1, 1, 1, 3)


def test_record_completeness_needs_every_signed_form(world):
    suspended = suspended_case(world)
    quick = quick_case(world)
    count_new_events()  # whether every signed form is on file is a per-case fact
    assert metrics.rate("records", scope(world)) == Rate(2, 2)
    # as if imported without them (signed forms cannot be deleted once documents cite them)
    Confirmation.objects.filter(case=suspended, form="suspension_slip").update(form="application")
    Confirmation.objects.filter(case=quick, form="completion_slip").update(form="application")
    # rows changed without an event: the per-case facts are rebuilt by hand
    from bangban.oversight.figures.facts import refresh_facts

    assert refresh_facts(rebuild=True) == 2
    rollup.refresh_rollup()  # and their rolled days counted again (as oversight_facts does)
    assert metrics.rate("records", scope(world)) == Rate(0, 2)


def _consultation(world, day, **kw):
    with at(day):
        return Consultation.objects.create(
            site=world.village_a,
            handled_by=world.agent_a,
            client_name="王五",
            channel="visit",
            content="问",
            **kw,
        )


def test_timely_handling_of_consultations(world):
    from django.utils import timezone

    from .helpers import ZONE

    def moment(day):
        return timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 15), ZONE)

    _consultation(world, date(2026, 11, 2), status="answered", answer="答")
    _consultation(
        world,
        date(2026, 11, 2),
        status="replied",
        reply_due_on=date(2026, 11, 3),
        replied_at=moment(date(2026, 11, 3)),
    )
    _consultation(
        world,
        date(2026, 11, 2),
        status="replied",
        reply_due_on=date(2026, 11, 3),
        replied_at=moment(date(2026, 11, 4)),
    )
    _consultation(world, date(2026, 11, 5), status="escalated", reply_due_on=date(2026, 11, 6))
    _consultation(world, date(2026, 11, 20), status="pending", reply_due_on=date(2026, 11, 23))
    count_new_events()  # the working-day table (when a due day ends) is the job's
    assert metrics.rate("timely_consultations", scope(world)) == Rate(2, 4)


def test_breakdowns_roll_villages_up_into_their_town(world):
    quick_case(world)  # village A, under town T1
    late_case(world, agent=world.agent_b)  # village B, under town T1
    quick_case(world, agent=world.county_agent)  # the county centre itself
    children = [world.town, world.town2]
    by_unit = metrics.rate_by("on_time", scope(world), "unit", children)
    assert by_unit == {world.town.pk: Rate(1, 2), world.county.pk: Rate(1, 1)}
    by_agent = metrics.rate_by("on_time", scope(world), "agent")
    assert by_agent[world.agent_b.pk] == Rate(0, 1)
    by_month = metrics.rate_by("on_time", scope(world), "month")
    assert by_month == {date(2026, 11, 1): Rate(2, 3)}
    by_item = metrics.rate_by("on_time", scope(world), "item")
    assert by_item == {world.food.pk: Rate(2, 3)}
    town_rows = metrics.drill_rows(
        "on_time", scope(world), "missed", by="unit", key=world.town.pk, children=children
    )
    assert town_rows.count() == 1
    town_only = scope(world, site=world.town)
    assert metrics.rate("on_time", town_only) == Rate(1, 2)
    assert metrics.rate("on_time", scope(world, site=world.town, rollup=False)) == Rate(0, 0)


def test_a_village_agent_sees_only_the_cases_it_may_open(world):
    quick_case(world)
    late_case(world, agent=world.agent_b)
    s = scope(world, who=world.agent_a)
    assert metrics.rate("on_time", s) == Rate(1, 1)
    assert metrics.rate_by("on_time", s, "agent") == {world.agent_a.pk: Rate(1, 1)}


@pytest.mark.parametrize("by", ["unit", "site", "agent", "item", "category", "channel", "month"])
def test_every_breakdown_of_every_metric_runs(world, by):
    quick_case(world)
    for code in metrics.METRICS:
        metrics.rate_by(code, scope(world), by, [world.town, world.town2])


def test_every_list_behind_a_figure_holds_exactly_its_met_and_missed_rows(world):
    from django.utils import timezone

    from bangban.oversight.records.services import complaint_submit

    from .helpers import ZONE

    quick_case(world)
    late = late_case(world, agent=world.agent_b)
    suspended_case(world)
    with at(date(2026, 11, 10)):
        act(open_case(world), world.agent_a, "terminate", reason_code="client_withdrew")
    with at(date(2026, 11, 21)):
        evaluation_submit(
            case=late,
            actor=Actor.of_client(world.citizen),
            level=1,
            indicators={},
            comment="",
            channel="portal",
        )
    replied = timezone.make_aware(timezone.datetime(2026, 11, 4, 15), ZONE)
    _consultation(world, date(2026, 11, 2), status="answered", answer="答")
    _consultation(
        world,
        date(2026, 11, 2),
        status="replied",
        reply_due_on=date(2026, 11, 3),
        replied_at=replied,
    )
    _consultation(world, date(2026, 11, 5), status="escalated", reply_due_on=date(2026, 11, 6))
    with at(date(2026, 11, 3)):
        complaint_submit(
            channel="phone", complainant_name="王", contact="13812345678", content="慢", case=late
        )
    count_new_events()
    s = scope(world)
    for code in metrics.METRICS:
        r = metrics.rate(code, s)
        assert r.total, code  # every figure has rows here
        parts = {"all": r.total, "met": r.met, "missed": r.missed}
        for part, expected in parts.items():
            assert metrics.drill_rows(code, s, part).count() == expected, (code, part)


def test_a_trend_month_counts_what_that_month_alone_counts(world, settings):
    """By month, consultations and complaints are grouped by their local month in one
    query: each month equals the figure of that month alone, a consultation registered at
    00:30 on 1 November (16:30 UTC on 31 October) in November, the 23:30 one in October."""
    from django.utils import timezone

    from .helpers import ZONE

    settings.OVERSIGHT_ROLLUP = False
    early = timezone.make_aware(timezone.datetime(2026, 11, 1, 0, 30), ZONE)
    first = _consultation(world, date(2026, 10, 31), status="answered", answer="答")
    Consultation.objects.filter(pk=first.pk).update(created_at=early)
    late = timezone.make_aware(timezone.datetime(2026, 10, 31, 23, 30), ZONE)
    second = _consultation(world, date(2026, 10, 31), status="answered", answer="答")
    Consultation.objects.filter(pk=second.pk).update(created_at=late)
    _consultation(world, date(2026, 11, 2), status="answered", answer="答")
    _consultation(world, date(2026, 11, 5), status="escalated", reply_due_on=date(2026, 11, 6))
    count_new_events()
    period = metrics.Period(date(2026, 9, 1), date(2026, 11, 22))
    codes = ["timely_consultations", "timely_complaints"]
    by_month = metrics.rates_by(codes, scope(world, period=period), "month")
    for month, after in (
        (date(2026, 9, 1), date(2026, 9, 30)),
        (date(2026, 10, 1), date(2026, 10, 31)),
        (date(2026, 11, 1), date(2026, 11, 22)),
    ):
        alone = metrics.rates(codes, scope(world, period=metrics.Period(month, after)))
        for code in codes:
            assert by_month[code].get(month, Rate(0, 0)) == alone[code], (code, month)
    assert by_month["timely_consultations"][date(2026, 10, 1)] == Rate(1, 1)
    assert by_month["timely_consultations"][date(2026, 11, 1)] == Rate(2, 3)
