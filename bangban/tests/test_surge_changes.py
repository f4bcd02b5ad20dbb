"""Surge mode, the rest of issue 19: a lent agent is the agent of the surge site's cases for
the days of its assignment (not after, not at other sites), and a coordinator changes a
surge or ends it early: the assignments end with it, the slots after it fall back, the
deadlines of cases accepted during it stay as they were given, every change is recorded."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.http import Http404

from bangban.cases.access import Actor, can_open_case_at, case_roles, get_case_for
from bangban.cases.models import Case
from bangban.cases.services import case_deadline, case_submit
from bangban.cases.surge import Surge
from bangban.cases.tests.helpers import SIGNED, accept, act, open_case, review_all
from bangban.cases.workflow import State, TransitionRefused
from bangban.preparedness import services
from bangban.preparedness.models import SurgeChange, SurgeChangeKind
from bangban.preparedness.services import PreparednessRefused
from bangban.staff.models import StaffMember
from bangban.testing import _staff, travel_to
from bangban.visits.models import TimeSlot
from bangban.visits.services import slots_open
from bangban.workbench.selectors import new_applications

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 3, 2)
SURGE_START, SURGE_END = date(2026, 3, 9), date(2026, 3, 15)  # Monday to Sunday
LENT_UNTIL = date(2026, 3, 11)


def _declare(world, **extra):
    return services.surge_declare(
        world.coordinator,
        site=world.village_b,
        starts_on=SURGE_START,
        ends_on=SURGE_END,
        reason="社保集中缴费",
        **extra,
    )


def _lend(world, surge, member=None, ends_on=LENT_UNTIL):
    return services.surge_assign(
        world.coordinator,
        surge,
        member_id=(member or world.agent_a).pk,
        starts_on=SURGE_START,
        ends_on=ends_on,
    )


def _fresh(staff) -> Actor:
    """The member as a request loads it (``lent_until`` read with the session)."""
    return Actor.of_staff(StaffMember.objects.select_related("site").get(pk=staff.pk))


def _application_at_village_b(world):
    """An application at the surge site no agent has taken up yet."""
    return case_submit(
        actor=Actor.of_staff(world.coordinator),
        client=world.citizen,
        service_type="proxy",
        channel="window",
        site=world.village_b,
        item_versions=[world.food.current_version],
    )


# --- a lent agent acts as the site's agent during the period ----------------------------------


def test_a_lent_agent_acts_as_agent_on_the_surge_sites_cases_during_the_period(world):
    with travel_to(MONDAY):
        case = _application_at_village_b(world)
        elsewhere = open_case(world, agent=world.town_agent)  # a case of another site
        _lend(world, _declare(world))
    with travel_to(date(2026, 3, 10)):
        lent = _fresh(world.agent_a)
        assert "agent" in case_roles(lent, case)
        assert "agent" not in case_roles(lent, elsewhere)  # only the site it is lent to
        # the site's queue of applications nobody took up is the lent agent's queue too
        assert case in new_applications(lent)
        # and it does the work: takes the case up, pre-reviews the materials, accepts it
        act(case, lent, "start_review")
        review_all(case, lent)
        act(case, lent, "accept", confirmation=SIGNED)
    case = Case.objects.get(pk=case.pk)
    assert case.state == State.ACCEPTED and case.agent_id == world.agent_a.pk
    assert case.accepted_on == date(2026, 3, 10)


def test_a_lent_agent_acts_as_agent_on_the_surge_sites_cases_not_after_the_period(world, client):
    with travel_to(MONDAY):
        case = _application_at_village_b(world)
        _lend(world, _declare(world))
    with travel_to(date(2026, 3, 8)):  # not yet
        assert case_roles(_fresh(world.agent_a), case) == frozenset()
    with travel_to(LENT_UNTIL):  # its last day
        act(case, _fresh(world.agent_a), "start_review")
    with travel_to(date(2026, 3, 12)):  # the day after: no role, no case, 404
        lent = _fresh(world.agent_a)
        assert case_roles(lent, case) == frozenset()
        assert case not in new_applications(lent)
        with pytest.raises(TransitionRefused):
            review_all(case, lent)
        with pytest.raises(Http404):
            get_case_for(lent, case.number)
        client.force_login(world.agent_a.user)
        assert client.get(f"/work/cases/{case.number}/").status_code == 404
    # a staff member never lent keeps no role there either
    with travel_to(date(2026, 3, 10)):
        assert "agent" not in case_roles(_fresh(world.agent_a2), case)


def test_a_lent_agent_opens_cases_at_the_surge_site_as_their_agent_during_the_period(world):
    with travel_to(MONDAY):
        _lend(world, _declare(world))
    with travel_to(date(2026, 3, 10)):
        lent = _fresh(world.agent_a)
        assert can_open_case_at(lent, world.village_b)
        opened = case_submit(
            actor=lent,
            client=world.citizen,
            service_type="proxy",
            channel="window",
            site=world.village_b,
            item_versions=[world.food.current_version],
        )
        assert opened.site_id == world.village_b.pk and opened.agent_id == world.agent_a.pk
    with travel_to(date(2026, 3, 12)):  # the day after its assignment
        assert not can_open_case_at(_fresh(world.agent_a), world.village_b)


# --- changing a surge and ending it early ---------------------------------------------------


def test_a_coordinator_changes_a_surges_end_places_wait_and_hours_and_it_is_recorded(world):
    with travel_to(MONDAY):
        surge = _declare(world, extra_places=3, expected_wait_minutes=40)
        services.surge_change(
            world.coordinator,
            surge,
            ends_on=date(2026, 3, 20),
            extra_places=1,
            expected_wait_minutes=25,
            extended_hours="周六 9:00–12:00",
        )
    surge = Surge.objects.get(pk=surge.pk)
    assert (surge.ends_on, surge.extra_places, surge.expected_wait_minutes) == (
        date(2026, 3, 20),
        1,
        25,
    )
    assert surge.extended_hours == "周六 9:00–12:00"
    change = surge.changes.get(kind=SurgeChangeKind.CHANGED)
    assert change.changed_by == world.coordinator
    assert "结束日期：2026-03-15 → 2026-03-20" in change.summary
    assert "每个预约时段增加人数：3 → 1" in change.summary
    assert change.before["ends_on"] == "2026-03-15" and change.after["ends_on"] == "2026-03-20"


def test_only_a_coordinator_covering_the_site_changes_or_ends_a_surge(world):
    with travel_to(MONDAY):
        surge = _declare(world)
        with pytest.raises(PreparednessRefused, match="只有负责该机构的协调员"):
            services.surge_change(
                world.agent_b,
                surge,
                ends_on=SURGE_END,
                extra_places=5,
                expected_wait_minutes=None,
                extended_hours="",
            )
        with pytest.raises(PreparednessRefused, match="只有负责该机构的协调员"):
            services.surge_end(world.agent_b, surge)
    assert Surge.objects.get(pk=surge.pk).extra_places == 0
    assert not SurgeChange.objects.exclude(kind=SurgeChangeKind.DECLARED).exists()


@pytest.mark.parametrize(
    "ends_on, error",
    [
        (date(2026, 3, 8), "结束日期不能早于开始日期"),
        (date(2026, 6, 30), "不能超过"),
    ],
)
def test_a_bad_change_is_refused_in_the_halls_words(world, ends_on, error):
    with travel_to(MONDAY):
        surge = _declare(world)
        with pytest.raises(PreparednessRefused, match=error):
            services.surge_change(
                world.coordinator,
                surge,
                ends_on=ends_on,
                extra_places=0,
                expected_wait_minutes=None,
                extended_hours="",
            )
        with pytest.raises(PreparednessRefused, match="没有修改任何内容"):
            services.surge_change(
                world.coordinator,
                surge,
                ends_on=SURGE_END,
                extra_places=0,
                expected_wait_minutes=None,
                extended_hours="",
            )
    with travel_to(date(2026, 3, 12)), pytest.raises(PreparednessRefused, match="不能早于今天"):
        services.surge_change(
            world.coordinator,
            surge,
            ends_on=date(2026, 3, 11),
            extra_places=0,
            expected_wait_minutes=None,
            extended_hours="",
        )


def test_a_surge_ended_early_ends_today_and_cannot_be_ended_or_changed_again(world):
    with travel_to(MONDAY):
        surge = _declare(world)
    with travel_to(date(2026, 3, 11)):
        services.surge_end(world.coordinator, surge)
        surge = Surge.objects.get(pk=surge.pk)
        assert (surge.ends_on, surge.ended_early_on) == (date(2026, 3, 11), date(2026, 3, 11))
        with pytest.raises(PreparednessRefused, match="已提前结束"):
            services.surge_end(world.coordinator, surge)
        with pytest.raises(PreparednessRefused, match="已提前结束"):
            services.surge_change(
                world.coordinator,
                surge,
                ends_on=SURGE_END,
                extra_places=0,
                expected_wait_minutes=None,
                extended_hours="",
            )
    with travel_to(date(2026, 3, 20)), pytest.raises(PreparednessRefused, match="已结束"):
        services.surge_end(world.coordinator, _declare_past(world))
    assert surge.changes.filter(kind=SurgeChangeKind.ENDED).count() == 1


def _declare_past(world):
    """A surge that ran its course (6 to 8 March), read after it."""
    with travel_to(MONDAY):
        return services.surge_declare(
            world.coordinator,
            site=world.village_a,
            starts_on=date(2026, 3, 6),
            ends_on=date(2026, 3, 8),
            reason="年检",
        )


def test_a_surge_ended_before_it_starts_is_called_off_and_never_in_force(world, client):
    with travel_to(MONDAY):
        surge = _declare(world, expected_wait_minutes=40)
        _lend(world, surge)
        services.surge_end(world.coordinator, surge)
    surge = Surge.objects.get(pk=surge.pk)
    assert surge.called_off and surge.ended_early_on == MONDAY
    assert surge.assignments.get().ends_on < surge.assignments.get().starts_on  # kept, empty
    assert StaffMember.objects.get(pk=world.agent_a.pk).lent_until is None
    with travel_to(date(2026, 3, 10)):
        page = client.get("/appointments/", {"site": world.village_b.code}).content.decode()
    assert "预计等候约 40 分钟" not in page
    # the site may be switched into surge for those days again
    with travel_to(MONDAY):
        assert _declare(world).pk != surge.pk


def test_ending_a_surge_early_ends_the_lent_access_with_it(world):
    with travel_to(MONDAY):
        case = _application_at_village_b(world)
        surge = _declare(world)
        _lend(world, surge, ends_on=SURGE_END)
        _lend(world, surge, member=world.town_agent, ends_on=SURGE_END)
    with travel_to(date(2026, 3, 10)):
        services.surge_end(world.coordinator, surge)
        assert "agent" in case_roles(_fresh(world.agent_a), case)  # today is still its day
    assert set(surge.assignments.values_list("ends_on", flat=True)) == {date(2026, 3, 10)}
    # lent_until recomputed from what is left, not only ever raised
    assert StaffMember.objects.get(pk=world.agent_a.pk).lent_until == date(2026, 3, 10)
    with travel_to(date(2026, 3, 11)):
        assert case_roles(_fresh(world.agent_a), case) == frozenset()
        with pytest.raises(Http404):
            get_case_for(_fresh(world.town_agent), case.number)


def test_a_shorter_surge_narrows_the_slots_after_its_new_end(world):
    opening = [(time(9), time(10))]
    with travel_to(MONDAY):
        surge = _declare(world, extra_places=3)
        kept = slots_open(site=world.village_b, day=date(2026, 3, 10), times=opening)[0]
        after = slots_open(site=world.village_b, day=date(2026, 3, 13), times=opening)[0]
        assert (kept.capacity, after.capacity) == (5, 5)
        TimeSlot.objects.filter(pk=after.pk).update(booked=4)  # four booked already
        services.surge_change(
            world.coordinator,
            surge,
            ends_on=date(2026, 3, 11),
            extra_places=1,
            expected_wait_minutes=None,
            extended_hours="",
        )
        # a slot opened after the new end takes the ordinary capacity
        later = slots_open(site=world.village_b, day=date(2026, 3, 14), times=opening)[0]
    capacities = dict(
        TimeSlot.objects.filter(pk__in=[kept.pk, after.pk]).values_list("pk", "capacity")
    )
    # inside: 2 + 1 (the new extra places); after the new end: back to 2, but never below
    # the four people already booked (nobody loses an appointment)
    assert capacities == {kept.pk: 3, after.pk: 4}
    assert later.capacity == 2
    with travel_to(MONDAY):  # lengthened again: the days added take the extra places
        services.surge_change(
            world.coordinator,
            surge,
            ends_on=date(2026, 3, 14),
            extra_places=1,
            expected_wait_minutes=None,
            extended_hours="",
        )
    assert TimeSlot.objects.get(pk=later.pk).capacity == 3


def test_a_deadline_given_during_a_surge_stays_when_it_is_ended_early(world):
    """The county's word (计入时限) covers the days it was given for: a case accepted in the
    surge keeps the deadline it got when the surge is then ended early; a case accepted
    after the new end is not in the surge and gets the ordinary calendar."""
    with travel_to(MONDAY):
        surge = _declare(world, extended_hours="周六、周日 9:00–17:00")
        services.surge_let_hours_count(world.coordinator, surge)
    with travel_to(SURGE_START):
        during = open_case(world, agent=world.agent_b)
        accept(during, world.agent_b)
    assert Case.objects.get(pk=during.pk).due_on == date(2026, 3, 19)  # the weekend counted
    with travel_to(date(2026, 3, 10)):
        services.surge_end(world.coordinator, surge)
    with travel_to(date(2026, 3, 11)):
        after = open_case(world, agent=world.agent_b)
        accept(after, world.agent_b)
    assert Case.objects.get(pk=during.pk).due_on == date(2026, 3, 19)  # unchanged
    assert case_deadline(Case.objects.get(pk=during.pk)).due_on == date(2026, 3, 19)
    assert Case.objects.get(pk=after.pk).due_on == date(2026, 3, 25)  # 10 working days


def test_shortening_before_the_start_shortens_the_counted_days(world):
    with travel_to(MONDAY):
        surge = _declare(world)
        services.surge_let_hours_count(world.coordinator, surge)
        services.surge_change(
            world.coordinator,
            surge,
            ends_on=date(2026, 3, 13),  # Friday: the weekend is no longer in the surge
            extra_places=0,
            expected_wait_minutes=None,
            extended_hours="",
        )
    assert Surge.objects.get(pk=surge.pk).hours_count_until == date(2026, 3, 13)
    with travel_to(SURGE_START):
        case = open_case(world, agent=world.agent_b)
        accept(case, world.agent_b)
    assert Case.objects.get(pk=case.pk).due_on == date(2026, 3, 23)


def test_the_surge_page_edits_ends_and_shows_the_history(
    world, client, django_assert_max_num_queries
):
    town_coordinator = _staff("town_coord", world.town, is_coordinator=True, name="镇协调员")
    town_coordinator.covered_sites.add(world.town)
    with travel_to(MONDAY):
        surge = _declare(world)
        _lend(world, surge)
    url = f"/work/preparedness/surges/{surge.pk}/"
    client.force_login(town_coordinator.user)
    with travel_to(MONDAY):
        bad = client.post(
            url,
            {"action": "change", "ends_on": "2026-03-01", "extra_places": "2"},
        ).content.decode()
        assert "结束日期不能早于开始日期" in bad
        client.post(
            url,
            {
                "action": "change",
                "ends_on": "2026-03-12",
                "extra_places": "2",
                "expected_wait_minutes": "30",
                "extended_hours": "周六上午",
            },
        )
    with travel_to(date(2026, 3, 10)):
        client.post(url, {"action": "end"})
        again = client.post(url, {"action": "end"}).content.decode()
        assert "该高峰期已提前结束" in again
        with django_assert_max_num_queries(14):
            page = client.get(url).content.decode()
    history = page.split('id="history"')[1]
    for said in ("启动高峰期", "临时调配人员", "修改高峰期", "提前结束高峰期", "镇协调员"):
        assert said in history
    assert "结束日期：2026-03-15 → 2026-03-12" in history
    assert "结束日期：2026-03-15 → 2026-03-12；1 项临时调配随之结束" not in history  # 11th
    assert "结束日期：2026-03-12 → 2026-03-10；1 项临时调配随之结束" in history
    assert "已于 2026-03-10 提前结束" in page
    assert 'name="action" value="end"' not in page  # nothing left to end


@pytest.mark.parametrize(
    "form",
    [
        {"ends_on": "2026-02-30", "extra_places": "1"},
        {"ends_on": "9999-12-31", "extra_places": "1"},
        {"ends_on": "0001-01-01", "extra_places": "1"},
        {"ends_on": "2026-03-12", "extra_places": "²"},
        {"ends_on": "2026-03-12", "extra_places": "１２"},
        {"ends_on": "2026-03-12", "extra_places": "-1"},
        {"ends_on": "2026-03-12", "extra_places": "99"},
        {"ends_on": "2026-03-12", "expected_wait_minutes": "9999"},
        {"ends_on": "x" * 5000, "extended_hours": "长" * 300},
    ],
)
def test_a_bad_change_on_the_surge_page_answers_in_chinese_and_changes_nothing(world, client, form):
    with travel_to(MONDAY):
        surge = _declare(world)
        client.force_login(world.coordinator.user)
        response = client.post(
            f"/work/preparedness/surges/{surge.pk}/", {"action": "change", **form}
        )
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert Surge.objects.get(pk=surge.pk).ends_on == SURGE_END
    assert not surge.changes.filter(kind=SurgeChangeKind.CHANGED).exists()
