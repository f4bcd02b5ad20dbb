"""Reads for the pages: deadline status, the work log and the ledger (台账)."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from bangban.cases.access import Actor
from bangban.cases.models import Case
from bangban.cases.selectors import CaseListFilters, case_list, deadline_status, work_log
from bangban.cases.workflow import State
from bangban.workdays.rules import WorkCalendar

from .helpers import SIGNED, act, open_case, to_handling

CALENDAR = WorkCalendar()


def running(due_on: date, promised: int = 10, state=State.HANDLING, **more) -> Case:
    return Case(
        state=state, accepted_on=date(2026, 3, 2), promised_days=promised, due_on=due_on, **more
    )


# --- deadline_status (no database) ----------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 3, 2), ("ok", 10)),  # Mon; due Mon 16 Mar
        (date(2026, 3, 10), ("ok", 4)),
        (date(2026, 3, 11), ("ok", 3)),
        (date(2026, 3, 12), ("warning", 2)),  # 2 working days left: 13 and 16 Mar
        (date(2026, 3, 14), ("warning", 1)),  # Sat: only Mon 16 left
        (date(2026, 3, 16), ("warning", 0)),  # the due date itself: still on time
        (date(2026, 3, 17), ("overdue", -1)),
        (date(2026, 3, 20), ("overdue", -4)),
    ],
)
def test_deadline_status_counts_working_days_left(today, expected):
    assert deadline_status(running(date(2026, 3, 16)), today, CALENDAR) == expected


def test_the_warning_comes_at_a_fifth_of_a_long_limit():
    case = running(date(2026, 4, 30), promised=30)
    assert deadline_status(case, date(2026, 4, 21), CALENDAR) == ("ok", 7)
    assert deadline_status(case, date(2026, 4, 22), CALENDAR) == ("warning", 6)


def test_a_day_off_right_after_the_due_date_is_overdue_by_no_working_day():
    assert deadline_status(running(date(2026, 3, 13)), date(2026, 3, 14), CALENDAR) == (
        "overdue",
        0,
    )


def test_days_left_skip_public_holidays():
    # due Fri 9 Oct 2026; on Wed 30 Sep only 8 and 9 Oct remain (1–7 Oct 国庆节)
    case = running(date(2026, 10, 9))
    assert deadline_status(case, date(2026, 9, 30), CALENDAR) == ("warning", 2)
    assert deadline_status(case, date(2026, 9, 29), CALENDAR) == ("ok", 3)


@pytest.mark.parametrize("state", [State.SUSPENDED, State.AWAITING_SUPPLEMENT])
def test_a_paused_clock_freezes_the_days_left(state):
    # paused since Wed 11 Mar; due_on already counts the first paused day
    case = running(date(2026, 3, 17), state=state, paused_since=date(2026, 3, 11))
    assert deadline_status(case, date(2026, 3, 11), CALENDAR) == ("paused", 4)
    assert deadline_status(case, date(2026, 4, 30), CALENDAR) == ("paused", 4)


@pytest.mark.parametrize(
    "case",
    [
        Case(state=State.RECEIVED),
        Case(state=State.AWAITING_SUPPLEMENT),  # before acceptance the clock has not started
        running(date(2026, 3, 16), state=State.COMPLETED),
        running(date(2026, 3, 16), state=State.DELIVERED),
        running(date(2026, 3, 16), state=State.TERMINATED),
        running(date(2026, 3, 16), state=State.ARCHIVED),
        Case(state=State.REFUSED),
    ],
    ids=lambda c: c.state,
)
def test_no_deadline_status_where_the_clock_does_not_apply(case):
    assert deadline_status(case, date(2026, 5, 1), CALENDAR) == ("none", None)


@pytest.mark.django_db
def test_deadline_status_of_a_suspended_case_through_the_write_path(world, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 3, 2))
    case = open_case(world)
    to_handling(case, world.agent_a)
    assert deadline_status(case, date(2026, 3, 2), CALENDAR) == ("ok", 10)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 3, 5))
    act(case, world.agent_a, "suspend", reason_code="client_pause", confirmation=SIGNED)
    # counted 3 and 4 Mar; 8 of 10 remain whenever the case resumes
    assert deadline_status(case, date(2026, 3, 20), CALENDAR) == ("paused", 8)


# --- work_log -------------------------------------------------------------------------


def at_local(*args) -> datetime:
    return timezone.make_aware(datetime(*args), timezone.get_current_timezone())


@pytest.mark.django_db
def test_work_log_is_that_staff_members_events_of_that_local_day(
    world, monkeypatch, django_assert_num_queries
):
    def at(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    at(at_local(2026, 3, 2, 9, 0))
    case = open_case(world)
    act(case, world.agent_a, "start_review")
    other = open_case(world, agent=world.agent_b)
    at(at_local(2026, 3, 2, 23, 30))  # still 2 March in Beijing, already 15:30 UTC
    act(case, world.agent_a, "note", text="晚间电话回访")
    act(other, world.agent_b, "start_review")
    at(at_local(2026, 3, 3, 0, 30))  # 3 March in Beijing, still 2 March in UTC
    act(case, world.agent_a, "note", text="次日凌晨补记")
    at(at_local(2026, 3, 1, 23, 59))
    act(case, world.coordinator, "note", text="协调员记录")

    with django_assert_num_queries(1):
        log = [
            (e.case.number, e.event, e.site.code) for e in work_log(world.agent_a, date(2026, 3, 2))
        ]
    assert log == [
        (case.number, "submit", "V1"),
        (case.number, "start_review", "V1"),
        (case.number, "note", "V1"),
    ]
    assert [e.details["text"] for e in work_log(world.agent_a, date(2026, 3, 3))] == [
        "次日凌晨补记"
    ]
    assert [e.event for e in work_log(world.agent_b, date(2026, 3, 2))] == [
        "submit",
        "start_review",
    ]
    assert [e.event for e in work_log(world.coordinator, date(2026, 3, 1))] == ["note"]
    assert not work_log(world.supervisor, date(2026, 3, 2)).exists()


# --- ledger (台账) ----------------------------------------------------------------------


@pytest.fixture
def book(world, monkeypatch):
    """Cases on three days at three sites, in several states."""

    def on(day):
        moment = at_local(day.year, day.month, day.day, 10)
        monkeypatch.setattr(timezone, "now", lambda: moment)

    on(date(2026, 3, 2))
    a_food = open_case(world)
    to_handling(a_food, world.agent_a)
    a_building = open_case(world, items=[world.building])
    on(date(2026, 3, 3))
    b_food = open_case(world, agent=world.agent_b)
    a_bundle = open_case(world, bundle=True)
    on(date(2026, 3, 4))
    town = open_case(world, agent=world.town_agent)
    act(town, world.town_agent, "start_review")
    act(town, world.town_agent, "refuse", reason="不属于受理范围")
    return dict(a_food=a_food, a_building=a_building, b_food=b_food, bundle=a_bundle, town=town)


def numbers(cases) -> set[str]:
    return {c.number for c in cases}


@pytest.mark.django_db
def test_case_list_shows_only_what_the_person_may_see(world, book):
    everything = numbers(book.values())
    assert numbers(case_list(Actor.of_staff(world.coordinator))) == everything
    assert numbers(case_list(Actor.of_staff(world.agent_a))) == numbers(
        [book["a_food"], book["a_building"], book["bundle"]]
    )
    assert numbers(case_list(Actor.of_staff(world.agent_b), {"site": world.village_a})) == set()
    assert numbers(case_list(Actor.of_client(world.other_citizen))) == set()
    assert numbers(case_list(None)) == set()


@pytest.mark.django_db
def test_case_list_is_newest_first(world, book):
    rows = list(case_list(Actor.of_staff(world.coordinator)))
    assert rows[0] == book["town"] and rows[-1] == book["a_food"]


@pytest.mark.django_db
def test_case_list_filters(world, book):
    coordinator = Actor.of_staff(world.coordinator)

    def only(**filters):
        return numbers(case_list(coordinator, CaseListFilters(**filters)))

    assert only(site=world.village_b) == {book["b_food"].number}
    assert only(site=world.village_b.pk) == {book["b_food"].number}
    assert only(site_code=world.village_b.code) == {book["b_food"].number}
    assert only(site_code="NOSUCH") == set()
    assert only(number_prefix=book["town"].number) == {book["town"].number}
    assert only(agent=world.town_agent) == {book["town"].number}
    # a bundle counts for each of its items
    assert only(item=world.building) == numbers([book["a_building"], book["bundle"]])
    assert only(state="handling") == {book["a_food"].number}
    assert only(state=["handling", "refused"]) == numbers([book["a_food"], book["town"]])
    assert only(service_type="assist") == set()
    assert only(date_from=date(2026, 3, 3)) == numbers(
        [book["b_food"], book["bundle"], book["town"]]
    )
    assert only(date_to=date(2026, 3, 2)) == numbers([book["a_food"], book["a_building"]])
    assert only(date_from=date(2026, 3, 3), date_to=date(2026, 3, 3)) == numbers(
        [book["b_food"], book["bundle"]]
    )


@pytest.mark.django_db
def test_case_list_filters_overdue_cases_whose_clock_runs(world, book):
    coordinator = Actor.of_staff(world.coordinator)
    due = Case.objects.get(pk=book["a_food"].pk).due_on
    assert numbers(case_list(coordinator, {"overdue": True, "today": due})) == set()
    after = due + timedelta(days=1)
    assert numbers(case_list(coordinator, {"overdue": True, "today": after})) == {
        book["a_food"].number
    }
    # False leaves the overdue out (the API's ?overdue=false); None does not ask
    everything = numbers(book.values())
    assert numbers(case_list(coordinator, {"overdue": False, "today": after})) == everything - {
        book["a_food"].number
    }
    assert numbers(case_list(coordinator, {"overdue": None, "today": after})) == everything


@pytest.mark.django_db
def test_case_list_takes_filters_from_a_form_like_mapping(world, book):
    rows = case_list(
        Actor.of_staff(world.coordinator), {"state": "received", "site": "", "page": "2"}
    )
    assert numbers(rows) == numbers([book["a_building"], book["b_food"], book["bundle"]])


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["coordinator", "agent_a", "liaison_market", "supervisor"])
def test_case_list_of_many_cases_takes_a_bounded_number_of_queries(
    world, persona, django_assert_max_num_queries
):
    for index in range(30):
        agent = [world.agent_a, world.agent_b, world.town_agent][index % 3]
        items = [[world.food], [world.building]][index % 2]
        case = open_case(world, agent=agent, items=items)
        if persona == "liaison_market" and index % 6 == 0:  # a liaison sees filed items only
            to_handling(case, agent)
            act(case, agent, "file_with_department", case_item_id=case.items.get().pk)
    actor = Actor.of_staff(getattr(world, persona))
    filters = {} if persona == "liaison_market" else {"state": ["received"]}
    with django_assert_max_num_queries(2):  # a coordinator's covered sites, then the rows
        rows = [
            (c.number, c.site.name, c.agent.name if c.agent else "", c.client.name, c.relay_to_site)
            for c in case_list(actor, filters)
        ]
    assert rows
