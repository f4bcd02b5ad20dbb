"""The daily roll-up gives exactly the figures counted from the cases, and is brought up to
the cases by the figures job (``jobs.count_new_events``), which the tests call themselves:
under pytest a test's transaction never commits, so no job is queued on commit."""

from datetime import date

import pytest

from bangban.cases.access import Actor, sees_every_case_at, visible_cases
from bangban.cases.models import Case
from bangban.cases.services import case_submit
from bangban.cases.tests.helpers import act, open_case
from bangban.oversight.figures import dashboard, jobs, metrics, rollup, views
from bangban.oversight.models import DailyFigure, RollupState
from bangban.oversight.records.services import evaluation_submit
from bangban.workdays.models import HolidayOverride

from .helpers import at, completed_case
from .test_metrics import late_case, quick_case, scope, suspended_case

GROUPINGS = ["unit", "site", "agent", "month"]


def evaluate(case, level, day):
    with at(day):
        evaluation_submit(
            case=case,
            actor=Actor.of_client(case.client),
            level=level,
            indicators={},
            comment="",
            channel="portal",
        )


def mixed_cases(world):
    """October and November cases at every level, with reviews, ends of every kind, and one
    case of today (counted live)."""
    quick = quick_case(world)
    late = late_case(world, agent=world.agent_b)
    quick_case(world, agent=world.county_agent)
    suspended_case(world)
    completed_case(
        world, agent=world.town_agent, accepted=date(2026, 10, 12), on=date(2026, 10, 30)
    )
    with at(date(2026, 11, 10)):
        act(open_case(world), world.agent_a, "terminate", reason_code="client_withdrew")
        refused = open_case(world, agent=world.agent_a2)
        act(refused, world.agent_a2, "start_review")
        act(refused, world.agent_a2, "refuse", reason="不属于帮办代办范围")
    with at(date(2026, 11, 17)):
        open_case(world, agent=world.agent_b)  # running, overdue-free, no response needed
    evaluate(quick, 5, date(2026, 11, 6))
    evaluate(late, 1, date(2026, 11, 21))
    completed_case(world)  # today: after the roll-up's days
    jobs.count_new_events()  # as the job does after these commits


def all_figures(world, s):
    codes = list(metrics.METRICS)
    found = {
        "rates": metrics.rates(codes, s),
        "summary": metrics.case_summary(s, codes),
        "handling": metrics.handling_days(s),
    }
    for by in GROUPINGS:
        found[by] = metrics.rates_by(codes, s, by, [world.town, world.town2], handling=True)
    return found


def scopes(world):
    october_to_now = metrics.Period(date(2026, 10, 1), date(2026, 11, 30))
    return [
        scope(world, period=october_to_now),
        scope(world),  # November
        scope(world, period=metrics.Period(date(2026, 10, 20), date(2026, 11, 8))),
        scope(world, site=world.town, period=october_to_now),
        scope(world, site=world.town, rollup=False, period=october_to_now),
        scope(world, who=world.coordinator, period=october_to_now),
        scope(world, who=world.agent_a, site=world.village_a, period=october_to_now),
        scope(world, agent_id=world.agent_b.pk, period=october_to_now),
        scope(world, today=date(2026, 11, 18)),  # a view as of an earlier day
    ]


def test_every_figure_from_the_roll_up_equals_the_count_from_the_cases(world, settings):
    mixed_cases(world)
    settings.OVERSIGHT_ROLLUP = False
    counted = [all_figures(world, s) for s in scopes(world)]
    settings.OVERSIGHT_ROLLUP = True
    rolled = [all_figures(world, s) for s in scopes(world)]
    assert DailyFigure.objects.filter(day__lt=date(2026, 11, 19)).exists()
    # on Sunday 22nd, Thursday's applications may still be answered in time (by Friday's
    # count), so the roll-up holds the days before Thursday 19th
    assert RollupState.objects.get().through == date(2026, 11, 19)
    for s, expected, found in zip(scopes(world), counted, rolled, strict=True):
        assert found == expected, s
    # and the numbers are the known ones, not merely equal
    november = rolled[1]["rates"]
    assert november["on_time"] == metrics.Rate(4, 5)  # late_case is the one late
    assert november["satisfaction"] == metrics.Rate(1, 2)
    assert november["resolution"] == metrics.Rate(5, 7)  # one terminated, one refused


def test_the_roll_up_answers_only_scopes_it_can_count_exactly(world):
    mixed_cases(world)
    assert rollup.split(scope(world), "cases")[0] is not None
    narrow = [
        scope(world, item_id=world.food.pk),
        scope(world, channel="window"),
        scope(world, service_type="proxy"),
        scope(world, who=world.town_agent, site=world.town),  # an agent: not the villages below
        scope(world, who=world.liaison_market),  # a liaison sees filed cases only
    ]
    for s in narrow:
        assert rollup.split(s, "cases") == (None, s)
    assert rollup.split(scope(world), "consultations") == (None, scope(world))
    assert rollup.split(scope(world), "cases", "item") == (None, scope(world))


def test_a_change_to_an_old_case_reaches_the_rolled_figures_when_the_job_runs(world):
    quick_case(world)
    jobs.count_new_events()
    assert metrics.rate("on_time", scope(world)) == metrics.Rate(1, 1)
    assert RollupState.objects.get().through > date(2026, 11, 5)
    late_case(world, agent=world.agent_b)  # completed 20 Nov: a day still counted live
    assert metrics.rate("on_time", scope(world)) == metrics.Rate(1, 2)
    quick_case(world, agent=world.agent_b)  # completed 5 Nov, a rolled day, after the job ran
    # a page reads the rolled day as the job last counted it (and writes nothing)
    assert metrics.rate("on_time", scope(world)) == metrics.Rate(1, 2)
    jobs.count_new_events()
    assert metrics.rate("on_time", scope(world)) == metrics.Rate(2, 3)
    with at(date(2026, 11, 10)):  # a late change on a rolled day
        case = open_case(world, agent=world.agent_b)
        act(case, world.agent_b, "terminate", reason_code="client_withdrew")
    assert metrics.volumes(scope(world))["terminated"] == 0
    jobs.count_new_events()
    assert metrics.volumes(scope(world))["terminated"] == 1


def test_a_holiday_entry_rebuilds_the_roll_up(world, settings):
    with at(date(2026, 11, 9)):  # an online application on Monday
        case = case_submit(
            actor=Actor.of_client(world.citizen),
            client=world.citizen,
            service_type="proxy",
            channel="online",
            site=world.village_a,
            item_versions=[world.food.current_version],
        )
    with at(date(2026, 11, 11)):  # first answered on Wednesday: two working days later
        act(case, world.agent_a, "start_review")
    jobs.count_new_events()
    assert metrics.rate("response", scope(world)) == metrics.Rate(0, 1)
    # the county declares Tuesday a holiday after the fact: one working day, in time
    HolidayOverride.objects.create(date=date(2026, 11, 10), is_workday=False, name="调休")
    jobs.count_new_events()  # its periodic run sees a calendar it has not counted with
    assert metrics.rate("response", scope(world)) == metrics.Rate(1, 1)
    settings.OVERSIGHT_ROLLUP = False
    assert metrics.rate("response", scope(world)) == metrics.Rate(1, 1)


def test_the_dashboard_reads_the_roll_up_in_a_fixed_number_of_queries(
    world, django_assert_max_num_queries
):
    mixed_cases(world)
    s = scope(world, period=metrics.Period(date(2026, 1, 1), date(2026, 11, 30)))
    with django_assert_max_num_queries(45), rollup.reading():  # as a page view reads
        dashboard.figures(s, summary={})
        dashboard.unit_rows(s, [world.town, world.town2])
        dashboard.trends(s)


@pytest.mark.parametrize("subtree", [True, False])
def test_who_sees_every_case_of_a_site_agrees_with_visible_cases(world, subtree):
    for agent in (world.agent_a, world.agent_b, world.town_agent, world.county_agent):
        open_case(world, agent=agent)
    sites = [world.county, world.town, world.town2, world.village_a, world.village_b]
    people = [
        world.supervisor,
        world.coordinator,
        world.agent_a,
        world.town_agent,
        world.county_agent,
        world.liaison_market,
    ]
    for staff in people:
        seen = set(visible_cases(Actor.of_staff(staff)).values_list("pk", flat=True))
        for site in sites:
            cases = (
                Case.objects.filter(site__path__startswith=site.path)
                if subtree
                else (Case.objects.filter(site=site))
            )
            if sees_every_case_at(staff, site, subtree):
                assert set(cases.values_list("pk", flat=True)) <= seen, (staff.name, site.name)
    # and it is not generous: a town agent does not see its villages' cases
    assert not sees_every_case_at(world.town_agent, world.town, subtree=True)
    assert sees_every_case_at(world.town_agent, world.town, subtree=False)


@pytest.mark.parametrize("part", ["all", "met", "missed"])
def test_a_list_behind_a_number_counts_exactly_its_rows(client, world, part):
    mixed_cases(world)
    client.force_login(world.supervisor.user)
    period = "start=2026-10-01&end=2026-11-30"
    drills = [
        ("on_time", "", None),
        ("resolution", "", None),
        ("satisfaction", "", None),
        ("return_visits", "", None),
        ("records", "", None),
        ("response", "", None),
        ("on_time", "unit", world.town.pk),
        ("on_time", "agent", world.agent_b.pk),
        ("response", "month", "2026-10-01"),
    ]
    s = scope(world, period=metrics.Period(date(2026, 10, 1), date(2026, 11, 30)))
    children = [world.town, world.town2]
    for code, by, key in drills:
        query = f"{period}&part={part}" + (f"&by={by}&key={key}" if by else "")
        page = client.get(f"/oversight/list/{code}/?{query}").context["page"]
        rows = metrics.drill_rows(code, s, part, by, key, children if by == "unit" else ())
        assert page.paginator.count == rows.count(), (code, by, part)
        assert views._figure_count(code, s, part, by, key, children) is not None  # from the figure
