"""The yearly review reminder of an emergency plan (seed 000 §6.5, issue 19) reaches its
owner through the core's messaging port, once per plan and year (the notifications area
writes the outbox, so this test sits above both)."""

from __future__ import annotations

from datetime import date

import pytest

from bangban.notifications.models import Message
from bangban.preparedness import jobs, services
from bangban.preparedness.models import EmergencyPlan
from bangban.preparedness.tests.test_plans import _plan
from bangban.testing import travel_to

pytestmark = pytest.mark.django_db


def test_the_review_reminder_is_sent_once_per_plan_and_year(world):
    plan = _plan(world, world.village_b, date(2025, 3, 20), owner=world.agent_b)  # due 2026-03-20
    assert jobs.review_reminders(date(2026, 2, 1)) == 0  # more than 30 days ahead
    assert jobs.review_reminders(date(2026, 3, 1)) == 1
    assert jobs.review_reminders(date(2026, 3, 2)) == 0  # the same plan and year
    assert jobs.review_reminders(date(2026, 4, 1)) == 0  # overdue, but already told this year
    sent = Message.objects.filter(template_key="staff.plan_review_due")
    assert sent.count() == 1
    with travel_to(date(2026, 4, 1)):
        services.plan_reviewed(world.coordinator, plan)
    assert EmergencyPlan.objects.get(pk=plan.pk).next_review_due == date(2027, 4, 1)
    assert jobs.review_reminders(date(2027, 3, 15)) == 1  # next year's review
    assert sent.count() == 2
