"""响应率 of remote help on the dashboard (seed 004; issue 17): answered / asked, in one query."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
import time_machine

from bangban.cases.access import Actor
from bangban.oversight.figures.definitions import Period
from bangban.oversight.figures.remote_help import remote_help_figure
from bangban.remote import services as remote
from bangban.testing import travel_to

pytestmark = pytest.mark.django_db


def test_the_response_rate_counts_answers_within_target_and_the_mean_wait(
    world, django_assert_num_queries
):
    day = date(2026, 3, 10)
    with travel_to(day, 10) as start:
        with time_machine.travel(start, tick=False):
            quick = remote.help_ask(Actor.of_staff(world.agent_a), question="一")
            slow = remote.help_ask(Actor.of_staff(world.agent_b), question="二")
            remote.help_ask(Actor.of_staff(world.agent_a2), question="三")  # never answered
        with time_machine.travel(start + timedelta(seconds=20), tick=False):
            remote.help_answer(world.town_agent, quick)
        with time_machine.travel(start + timedelta(seconds=100), tick=False):
            remote.help_answer(world.coordinator, slow)
    scope = SimpleNamespace(site=world.county, period=Period(day, day))
    with django_assert_num_queries(1):
        figure = remote_help_figure(scope)
    assert (figure.asked, figure.answered, figure.within_target) == (3, 2, 1)
    assert figure.rate == 66.7 and figure.mean_wait_seconds == 60
