"""The daily roll-up gives exactly the figures counted from the cases, and is brought up to
the cases by the figures job (``jobs.count_new_events``), which the tests call themselves:
under pytest a test's transaction never commits, so no job is queued on commit."""

from datetime import date

import pytest
from django.core.cache import cache

from bangban.cases.access import Actor, sees_every_case_at, visible_cases
from bangban.cases.models import Case
from bangban.cases.services import case_submit
from bangban.cases.tests.helpers import SIGNED, act, open_case, review_all, to_handling
from bangban.oversight.figures import dashboard, jobs, metrics, path, published, rollup, views
from bangban.oversight.models import (
    DailyEvaluationLevel,
    DailyFigure,
    DailyPathStep,
    DailyReasonCount,
    Evaluation,
    RollupState,
)
from bangban.oversight.records.messages import evaluation_recounted
from bangban.oversight.records.services import evaluation_submit
from bangban.testing import travel_to
from bangban.workdays.models import HolidayOverride

from .helpers import at, completed_case
from .test_metrics import late_case, quick_case, scope, suspended_case

GROUPINGS = ["unit", "site", "agent", "month"]
QUERIES_PER_DASHBOARD = 27  # 42, 33 (reasons, live days), 32 (path), 27 (evaluation levels, merged)


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
        "cards": metrics.summary(s, codes),  # the case and evaluation rows in one query
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
    late_case(world, agent=world.agent_b)  # completed 20 Nov: a live day
    # a page reads the live days as the job last counted them (and writes nothing)
    assert metrics.rate("on_time", scope(world)) == metrics.Rate(1, 1)
    jobs.count_new_events()
    assert metrics.rate("on_time", scope(world)) == metrics.Rate(1, 2)
    quick_case(world, agent=world.agent_b)  # completed 5 Nov, a rolled day, after the job ran
    # a page reads the rolled day as the job last counted it
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


# --- the reasons and the live days, from the roll-up alone (issue 15, 3) ----------------


def suspensions_and_terminations(world):
    """Suspensions and terminations of every reason on rolled and live days, one suspended
    at a village whose case was then relayed to its town (it counts where it was made, and
    only for a scope holding both sites, as counted from the events)."""
    with at(date(2026, 11, 2)):
        moved = open_case(world, agent=world.agent_b)
        to_handling(moved, world.agent_b)
    with at(date(2026, 11, 3)):
        act(
            moved,
            world.agent_b,
            "suspend",
            reason_code="fees_unpaid",
            fee_amount="50",
            fee_payee="县政务服务中心收费窗口",
            confirmation=SIGNED,
        )
    with at(date(2026, 11, 4)):
        act(moved, world.agent_b, "resume", confirmation=SIGNED)
    with at(date(2026, 11, 5)):
        act(moved, world.agent_b, "relay_out", to_site=world.town.code, note="需镇级办理")
        act(moved, world.town_agent, "relay_accept")
    with at(date(2026, 11, 20)):  # Friday: a live day
        live = open_case(world)
        to_handling(live, world.agent_a)
        act(live, world.agent_a, "suspend", reason_code="materials_overdue", confirmation=SIGNED)
        act(
            open_case(world, agent=world.agent_a2),
            world.agent_a2,
            "terminate",
            reason_code="client_withdrew",
        )
    # today (Sunday 22nd)
    act(
        open_case(world, agent=world.town_agent),
        world.town_agent,
        "terminate",
        reason_code="conditions_unmet",
    )


def test_every_reason_count_from_the_roll_up_equals_the_count_from_the_cases(world, settings):
    mixed_cases(world)
    suspensions_and_terminations(world)
    jobs.count_new_events()
    settings.OVERSIGHT_ROLLUP = False
    counted = [metrics.reasons(s) for s in scopes(world)]
    settings.OVERSIGHT_ROLLUP = True
    with rollup.reading():
        rolled = [metrics.reasons(s) for s in scopes(world)]
        # a period to today reads the roll-up alone, the live days too
        to_today = scope(world, period=metrics.Period(date(2026, 10, 1), date(2026, 11, 22)))
        assert rollup.split(to_today, "cases")[1] is None
        assert metrics.reasons(to_today) == rolled[0]  # the days after today hold nothing
    for s, expected, found in zip(scopes(world), counted, rolled, strict=True):
        assert found == expected, s
    assert DailyReasonCount.objects.filter(day=date(2026, 11, 20)).exists()  # a live day
    # the known numbers: October to now, the county
    county = rolled[0]
    assert [(code, n) for code, _, n in county["suspension"]] == [
        ("client_pause", 1),
        ("fees_unpaid", 1),
        ("materials_overdue", 1),
    ]
    assert [(code, n) for code, _, n in county["termination"]] == [
        ("client_withdrew", 2),
        ("conditions_unmet", 1),
    ]
    # the suspension at village B of the case now in its town: the town's, not the village's
    assert "fees_unpaid" in [code for code, _, _ in rolled[3]["suspension"]]
    village_b = scope(world, site=world.village_b, period=scopes(world)[0].period)
    assert metrics.reasons(village_b)["suspension"] == []
    settings.OVERSIGHT_ROLLUP = False
    assert metrics.reasons(village_b)["suspension"] == []
    settings.OVERSIGHT_ROLLUP = True
    # a reason count that differs is caught: one roll-up row changed by hand
    row = DailyReasonCount.objects.get(reason="conditions_unmet")
    row.count = 2
    row.save()
    cache.clear()  # what views kept lasts until the job's next generation; read the rows
    assert metrics.reasons(scopes(world)[0]) != counted[0]


def test_the_live_days_follow_the_date_and_the_job(world, settings):
    """A case due Monday 23rd still running: not counted on Sunday, a miss from Tuesday.
    Before the job has run on Tuesday the live days are counted from the cases; after it,
    read from the roll-up, and both agree with counting everything from the cases."""
    with at(date(2026, 11, 9)):
        running = open_case(world)
        to_handling(running, world.agent_a)
    mixed_cases(world)
    running.refresh_from_db()
    assert running.due_on == date(2026, 11, 23)
    tuesday = date(2026, 11, 24)
    with travel_to(tuesday):
        s = scope(world, today=tuesday, period=metrics.Period(date(2026, 11, 1), tuesday))

        def both():
            settings.OVERSIGHT_ROLLUP = False
            expected = all_figures(world, s), metrics.reasons(s)
            settings.OVERSIGHT_ROLLUP = True
            with rollup.reading():
                return expected, (all_figures(world, s), metrics.reasons(s))

        expected, found = both()
        assert found == expected
        assert expected[0]["rates"]["on_time"].missed == 2  # the late case and this one
        assert rollup.split(s, "cases")[1] is not None  # counted on Sunday: live days live
        jobs.count_new_events()
        assert RollupState.objects.get().counted_on == tuesday
        assert rollup.split(s, "cases")[1] is None  # now every day from the roll-up
        expected, found = both()
        assert found == expected
        assert found[0]["rates"]["on_time"].missed == 2


def test_the_dashboard_reads_one_query_per_panel(client, world, django_assert_max_num_queries):
    mixed_cases(world)
    suspensions_and_terminations(world)
    relayed_village_town_county(world)
    jobs.count_new_events()
    client.force_login(world.supervisor.user)
    url = "/oversight/?start=2026-01-01&end=2026-11-22"
    client.get(url)  # the session and the policy once
    with django_assert_max_num_queries(QUERIES_PER_DASHBOARD) as captured:
        response = client.get(url)
    assert response.status_code == 200
    counted = [
        q["sql"]
        for q in captured.captured_queries
        if 'FROM "cases_case' in q["sql"].split(" WHERE ")[0]
    ]
    # nothing from the cases or their events: the reasons, the live days, the cases
    # overdue now and the steps along the path are all read from the roll-up
    assert counted == []
    context = response.context
    assert [code for code, _, _ in context["terminations"]] == [
        "client_withdrew",
        "conditions_unmet",
    ]


def test_a_view_under_the_same_generation_reads_no_roll_up_row_and_the_next_job_is_seen(
    client, world, django_assert_max_num_queries
):
    """The roll-up's reads are kept under its generation (``rollup.remembered``): a second
    view reads none of its rows, and the job's next run (a new generation, in the same
    transaction as the new rows) is what the next view shows."""
    mixed_cases(world)
    jobs.count_new_events()
    client.force_login(world.supervisor.user)
    url = "/oversight/?start=2026-01-01&end=2026-11-22"
    first = client.get(url).context["figures"]
    with django_assert_max_num_queries(QUERIES_PER_DASHBOARD) as captured:
        again = client.get(url).context["figures"]
    assert not [q for q in captured.captured_queries if "oversight_daily" in q["sql"]]
    assert [f.rate for f in again] == [f.rate for f in first]
    on_time = {f.code: f.rate for f in first}["on_time"]
    quick_case(world, agent=world.agent_b)  # completed 5 Nov, on time
    assert {f.code: f.rate for f in client.get(url).context["figures"]}["on_time"] == on_time
    jobs.count_new_events()
    after = {f.code: f.rate for f in client.get(url).context["figures"]}["on_time"]
    assert after == metrics.Rate(on_time.met + 1, on_time.total + 1)


def test_a_kept_live_count_changes_as_soon_as_a_consultation_or_complaint_is_saved(world):
    """Consultations and complaints are counted from their rows; a count kept under their
    tables' change counters (``figures.live``) is a new key from the next save on, with no
    job in between."""
    from .test_metrics import _consultation

    s = scope(world)
    with rollup.reading():  # a view: the counters read once
        first = metrics.rate("timely_consultations", s)
    with rollup.reading():
        assert metrics.rate("timely_consultations", s) == first  # kept: no consultation saved
    made = _consultation(world, date(2026, 11, 16), status="answered", answer="答")
    with rollup.reading():
        assert metrics.rate("timely_consultations", s) == first + metrics.Rate(1, 1)
    made.delete()
    with rollup.reading():
        assert metrics.rate("timely_consultations", s) == first


# --- the steps along the path, from the roll-up alone (issue 15, 3) ----------------------


def relayed_village_town_county(
    world, days=(date(2026, 10, 28), date(2026, 11, 3), date(2026, 11, 4))
):
    """Opened and pre-reviewed at village A on 28 Oct, pre-reviewed there again on 3 Nov
    (the same step twice, on days either side of November's start) and relayed to the
    town, which pre-reviews it and relays it to the county on 4 Nov; the county accepts."""
    with at(days[0]):
        case = open_case(world)
        act(case, world.agent_a, "start_review")
        review_all(case, world.agent_a)
    with at(days[1]):
        review_all(case, world.agent_a)
        act(case, world.agent_a, "relay_out", to_site=world.town.code, note="需镇级办理")
        act(case, world.town_agent, "relay_accept")
        review_all(case, world.town_agent)
    with at(days[2]):
        act(case, world.town_agent, "relay_out", to_site=world.county.code, note="涉及县级审批")
        act(case, world.county_agent, "relay_accept")
        act(case, world.county_agent, "accept", confirmation=SIGNED)
    return case


def path_scopes(world):
    october_to_now = metrics.Period(date(2026, 10, 1), date(2026, 11, 30))
    late_october = metrics.Period(date(2026, 10, 29), date(2026, 11, 30))
    return [
        *scopes(world),
        scope(world, period=late_october),  # between the village's two pre-reviews
        scope(world, site=world.town),
        scope(world, site=world.town, rollup=False),
        scope(world, site=world.village_a),
        scope(world, agent_id=world.town_agent.pk),
        scope(world, agent_id=world.agent_a.pk, period=october_to_now),
    ]


def steps(s):
    totals, rows = path.path_steps(s)
    return totals, {row.site.code: row.counts for row in rows}


def test_every_path_step_from_the_roll_up_equals_the_count_from_the_events(world, settings):
    mixed_cases(world)
    relayed_village_town_county(world)
    # on the live days: Thursday 19th, Friday 20th and today
    relayed_village_town_county(world, (date(2026, 11, 19), date(2026, 11, 20), date(2026, 11, 22)))
    jobs.count_new_events()
    settings.OVERSIGHT_ROLLUP = False
    counted = [steps(s) for s in path_scopes(world)]
    settings.OVERSIGHT_ROLLUP = True
    with rollup.reading():
        rolled = [steps(s) for s in path_scopes(world)]
        to_today = scope(world, period=metrics.Period(date(2026, 11, 1), date(2026, 11, 22)))
        assert rollup.split(to_today, "cases")[1] is None  # the live days from the roll-up
        assert steps(to_today) == rolled[1]
    assert DailyPathStep.objects.exists()
    for s, expected, found in zip(path_scopes(world), counted, rolled, strict=True):
        assert found == expected, s
    # a step count that differs is caught: one roll-up row changed by hand
    row = DailyPathStep.objects.filter(step="relayed").first()
    row.count += 1
    row.save()
    cache.clear()  # what views kept lasts until the job's next generation; read the rows
    assert steps(path_scopes(world)[0]) != counted[0]


@pytest.mark.parametrize("rolled", [True, False], ids=["daily roll-up", "counted live"])
def test_a_step_counts_on_the_first_day_a_site_and_a_region_did_it(world, settings, rolled):
    relayed_village_town_county(world)
    jobs.count_new_events()
    settings.OVERSIGHT_ROLLUP = rolled
    none = dict.fromkeys(["received", "pre_reviewed", "accepted", "relayed", "completed"], 0)
    # November: the village's first pre-review was in October, so neither the village nor
    # the county counts the case's pre-review again; the town's first was in November
    totals, rows = steps(scope(world))
    assert totals == none | {"accepted": 1, "relayed": 1}
    assert rows == {
        "V1": none | {"relayed": 1},
        "T1": none | {"pre_reviewed": 1, "relayed": 1},
        "C": none | {"accepted": 1},
    }
    # the town's region had it pre-reviewed first by the village, in October
    assert steps(scope(world, site=world.town))[0] == none | {"relayed": 1}
    assert steps(scope(world, site=world.town, rollup=False))[0] == rows["T1"]
    # from October: each step once per site and once for the county, twice pre-reviewed
    october = metrics.Period(date(2026, 10, 1), date(2026, 11, 30))
    totals, rows = steps(scope(world, period=october))
    assert totals == none | {"received": 1, "pre_reviewed": 1, "accepted": 1, "relayed": 1}
    assert rows["V1"] == none | {"received": 1, "pre_reviewed": 1, "relayed": 1}
    # by agent: whoever did it first at the site (the town agent's relay is not the
    # county's first, the village agent's is)
    totals, rows = steps(scope(world, agent_id=world.town_agent.pk))
    assert totals == none
    assert rows == {"T1": none | {"pre_reviewed": 1, "relayed": 1}}


def test_the_cases_overdue_now_are_summed_from_the_roll_up(world, settings):
    """当前超期未办结 is not dated by the period: every day's rows of running cases due
    before today, summed; it follows the job like every other figure."""
    with at(date(2026, 11, 2)):
        running = open_case(world)
        to_handling(running, world.agent_a)  # food: due Mon 16 Nov
    mixed_cases(world)
    last_days = scope(world, period=metrics.Period(date(2026, 11, 20), date(2026, 11, 22)))

    def overdue(s):
        settings.OVERSIGHT_ROLLUP = False
        counted = metrics.volumes(s)["overdue_open"]
        settings.OVERSIGHT_ROLLUP = True
        with rollup.reading():
            assert rollup.overdue_now(s) is not None  # answered by the roll-up
            assert metrics.volumes(s)["overdue_open"] == counted
        return counted

    assert overdue(last_days) == 1 == overdue(scope(world, site=world.village_a))
    assert overdue(scope(world, site=world.town2)) == 0
    assert DailyFigure.objects.get(day=date(2026, 11, 16), overdue_open__gt=0).overdue_open == 1
    act(running, world.agent_a, "suspend", reason_code="materials_overdue", confirmation=SIGNED)
    jobs.count_new_events()
    assert overdue(last_days) == 0


# --- published evaluation results from the roll-up (服务评价结果公开) ----------------------


def results(period, site=None):
    sites, staff = published.evaluation_results(period, site)
    return [(p.name, p.levels, p.rate) for p in sites], [(p.name, p.levels, p.rate) for p in staff]


def result_periods(world):
    return [
        (metrics.Period(date(2026, 11, 1), date(2026, 11, 22)), None),
        (metrics.Period(date(2026, 10, 1), date(2026, 11, 22)), world.county),
        (metrics.Period(date(2026, 11, 1), date(2026, 11, 8)), world.county),
        (metrics.Period(date(2026, 11, 1), date(2026, 11, 22)), world.town),
        (metrics.Period(date(2026, 11, 1), date(2026, 11, 22)), world.village_a),
    ]


def test_the_published_evaluation_results_from_the_roll_up_equal_the_count_from_the_evaluations(
    world, settings
):
    """Each level, the excluded ones and the satisfaction rate per site and staff member,
    at the evaluation's own site and agent: summed from ``DailyEvaluationLevel`` for the
    rolled days and counted from the evaluations for the rest, the same as counting them
    all; an upheld appeal on a rolled day reaches the rows when the job runs."""
    mixed_cases(world)  # rated 6 Nov (5) and Saturday 21st (1: a live day)
    evaluate(quick_case(world, agent=world.town_agent), 2, date(2026, 11, 9))
    evaluate(quick_case(world, agent=world.county_agent), 4, date(2026, 10, 30))
    jobs.count_new_events()

    def both():
        settings.OVERSIGHT_ROLLUP = False
        counted = [results(p, site) for p, site in result_periods(world)]
        settings.OVERSIGHT_ROLLUP = True
        with rollup.reading():
            assert rollup.split_days(result_periods(world)[0][0], date(2026, 11, 22))[0]
            rolled = [results(p, site) for p, site in result_periods(world)]
        return counted, rolled

    counted, rolled = both()
    assert rolled == counted
    assert DailyEvaluationLevel.objects.filter(day=date(2026, 11, 9), level_2=1).exists()
    town = dict((name, (levels, rate)) for name, levels, rate in rolled[3][0])
    assert town[world.town.name] == ({5: 0, 4: 0, 3: 0, 2: 1, 1: 0}, metrics.Rate(0, 1))
    # an upheld appeal on a rolled day: still counted among the evaluations, not in the rate
    upheld = Evaluation.objects.get(level=2)
    Evaluation.objects.filter(pk=upheld.pk).update(excluded=True)
    evaluation_recounted(upheld.pk, upheld.case_id)
    jobs.count_new_events()
    counted, rolled = both()
    assert rolled == counted
    town = dict((name, (levels, rate)) for name, levels, rate in rolled[3][0])
    assert town[world.town.name] == ({5: 0, 4: 0, 3: 0, 2: 1, 1: 0}, metrics.Rate(0, 0))
    # the rolled side reads the rows: one changed by hand shows
    DailyEvaluationLevel.objects.filter(day=date(2026, 11, 6)).update(level_5=7)
    cache.clear()  # what views kept lasts until the job's next generation; read the rows
    settings.OVERSIGHT_ROLLUP = True
    assert results(*result_periods(world)[0]) != counted[0]
