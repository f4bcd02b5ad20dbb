"""The figures are fed by a job that claims the changes not yet counted; a page only reads.

Under pytest a test's transaction never commits, so the job queued on commit never runs by
itself: these tests call it (``jobs.count_new_events``), or run the commit callbacks
(``django_capture_on_commit_callbacks``) where the queueing itself is what they check.
"""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bangban.cases.access import Actor
from bangban.cases.models import Case
from bangban.cases.tests.helpers import act, open_case
from bangban.oversight.figures import jobs, metrics
from bangban.oversight.figures import subscribers as feed
from bangban.oversight.models import CaseFact, DailyFigure, UncountedChange
from bangban.oversight.records.services import evaluation_submit

from .helpers import at
from .test_metrics import late_case, quick_case, scope

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
PERIOD = "start=2026-11-01&end=2026-11-30"
FIGURE_PAGES = [
    f"/oversight/?{PERIOD}",
    f"/oversight/breakdown/agent/?{PERIOD}",
    f"/oversight/list/on_time/?{PERIOD}&part=missed",
    f"/oversight/list/response/?{PERIOD}&by=unit&key=0",
    f"/oversight/volume/completed/?{PERIOD}",
    f"/oversight/reason/termination/client_withdrew/?{PERIOD}",
    f"/oversight/disclosure/?{PERIOD}",
    "/oversight/report/{county}/2026-11.xlsx",
]
RECORD_PAGES = [
    "/oversight/rectifications/",
    "/oversight/complaints/",
    "/oversight/visits/",
    "/oversight/inspections/",
]


def _uncounted_work(world):
    """Figures counted once, then changes the job has not seen yet: a case on a rolled day
    (5 Nov), a bad review, a case of today, and a holiday entered after the count."""
    quick_case(world)
    jobs.count_new_events()
    late = late_case(world, agent=world.agent_b)
    with at(date(2026, 11, 6)):
        evaluation_submit(
            case=late,
            actor=Actor.of_client(world.citizen),
            level=1,
            indicators={},
            comment="",
            channel="portal",
        )
    quick_case(world, agent=world.agent_b)
    open_case(world)
    from bangban.workdays.models import HolidayOverride

    HolidayOverride.objects.create(date=date(2026, 11, 10), is_workday=False, name="调休")


def _writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


@pytest.mark.parametrize("url", FIGURE_PAGES + RECORD_PAGES)
def test_an_oversight_page_writes_nothing_even_with_changes_left_to_count(client, world, url):
    _uncounted_work(world)
    pending = UncountedChange.objects.count()
    assert pending  # there is work a page could be tempted to do
    client.force_login(world.supervisor.user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url.format(county=world.county.pk))
    assert response.status_code == 200
    assert _writes(captured.captured_queries) == []
    assert UncountedChange.objects.count() == pending  # left for the job


def test_the_counts_change_only_after_the_job_runs(client, world):
    quick_case(world)  # completed 5 Nov: a rolled day once the job has run
    jobs.count_new_events()
    client.force_login(world.supervisor.user)

    def card(code):
        figures = client.get(f"/oversight/?{PERIOD}").context["figures"]
        return next(f for f in figures if f.code == code).rate

    assert card("on_time") == metrics.Rate(1, 1)
    assert card("records") == metrics.Rate(1, 1)
    counted = CaseFact.objects.count()
    late = late_case(world, agent=world.agent_b)  # a miss
    quick_case(world, agent=world.agent_b)  # on a rolled day
    with at(date(2026, 11, 3)):
        act(open_case(world), world.agent_a, "terminate", reason_code="client_withdrew")
    # the new cases' events wait in the inbox; a page shows what the job counted: every
    # day as it was, the live ones too (the late case completed 20 Nov, a live day)
    assert UncountedChange.objects.filter(case=late).count() == late.event_count
    assert card("on_time") == metrics.Rate(1, 1)
    assert card("records") == metrics.Rate(1, 1)
    assert metrics.volumes(scope(world))["terminated"] == 0
    assert metrics.handling_days(scope(world)) == 3.0
    assert CaseFact.objects.count() == counted
    assert jobs.count_new_events() == 3  # one fact for each case the changes name
    assert not UncountedChange.objects.exists()
    assert card("on_time") == metrics.Rate(2, 3)
    assert card("records") == metrics.Rate(3, 3)
    assert metrics.volumes(scope(world))["terminated"] == 1
    # 3, 14 and 3 working days: the late case's fact counts now
    assert metrics.handling_days(scope(world)) == pytest.approx(6.7)
    assert jobs.count_new_events() == 0  # nothing left: a second run counts nothing


def test_every_fact_the_job_leaves_matches_its_case(world):
    quick_case(world)
    late_case(world, agent=world.agent_b)
    jobs.count_new_events()
    facts = dict(CaseFact.objects.values_list("case_id", "event_count"))
    assert facts == dict(Case.objects.values_list("pk", "event_count"))
    assert DailyFigure.objects.filter(day=date(2026, 11, 5)).exists()


def test_a_committed_change_queues_the_job_which_counts_it(
    world, django_capture_on_commit_callbacks
):
    jobs.count_new_events()
    with django_capture_on_commit_callbacks(execute=True) as queued:
        case = open_case(world)
    # the job is asked for after each commit (huey runs it at once under pytest)
    assert feed.schedule_count in queued
    assert not UncountedChange.objects.exists()
    assert CaseFact.objects.get(case=case).event_count == case.event_count


def test_a_queue_that_is_down_leaves_the_change_for_the_periodic_run(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    def down():
        raise ConnectionError("队列不可用")

    monkeypatch.setattr(feed, "_count_soon", down)
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(world)  # the case is saved whatever the queue does
    assert UncountedChange.objects.filter(case=case).exists()
    jobs.count_new_events()  # what the every-minute run does
    assert not UncountedChange.objects.exists()
    assert CaseFact.objects.filter(case=case).exists()


# --- two workers at once (real row locks and commits: PostgreSQL) -------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_workers_at_once_count_every_change_once(world, monkeypatch):
    from bangban.cases.tests.test_concurrency import run_together

    jobs.count_new_events()  # the calendar is counted: what follows is only changes
    monkeypatch.setattr(feed, "_count_soon", lambda: None)  # leave them for the two workers
    cases = [quick_case(world), late_case(world, agent=world.agent_b), open_case(world)]
    assert UncountedChange.objects.exists()
    outcomes = run_together(jobs.count_new_events, jobs.count_new_events)
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    # one holds the claim and counts each case once; the other leaves, or finds nothing
    assert sorted(result for _, result in outcomes) == [0, len(cases)]
    assert not UncountedChange.objects.exists()
    facts = dict(CaseFact.objects.values_list("case_id", "event_count"))
    assert facts == dict(Case.objects.values_list("pk", "event_count"))
