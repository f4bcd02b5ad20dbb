"""The benchmarks' one loader (``bench.loader``): its cases are cases the platform serves,
at a cost that does not grow.

Runs on SQLite (``bulk_create``) and on PostgreSQL (``COPY`` with ids from the table's own
sequence), the two ways the loader writes.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bangban.cases.models import Case, CaseEvent, CaseItem, CaseSite
from bench.loader import NUMBER_PREFIX, bench_mobile, load_cases, loaded_count

pytestmark = pytest.mark.django_db


def _queries(browser, path: str) -> int:
    browser.get(path)  # warm: the working-day table and the like are read once per process
    with CaptureQueriesContext(connection) as captured:
        response = browser.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured)


def test_loaded_cases_have_their_rows_and_a_rerun_only_adds_the_missing(world):
    today = timezone.localdate()
    assert load_cases(300, today, clients=3, progress=lambda done: None) == 300
    assert load_cases(300, today, clients=3, progress=lambda done: None) == 0
    assert load_cases(420, today, clients=3, progress=lambda done: None) == 120

    cases = Case.objects.filter(number__startswith=NUMBER_PREFIX)
    assert loaded_count() == cases.count() == 420
    assert sorted(cases.values_list("number", flat=True)) == [
        f"{NUMBER_PREFIX}{n:08d}" for n in range(420)
    ]
    for model in (CaseItem, CaseSite, CaseEvent):
        assert model.objects.filter(case__in=cases).count() == 420, model
    assert cases.values("client").distinct().count() == 3
    # the sequence moved past the ids the loader took: the write path still works after it
    assert Case.objects.create(
        number="AFTER-1",
        service_type="assist",
        channel="window",
        title="x",
        client=world.citizen,
        site=world.village_a,
    ).pk > max(cases.values_list("pk", flat=True))


def test_the_workbench_and_the_public_lookup_serve_loaded_cases_in_bounded_queries(world, client):
    today = timezone.localdate()
    load_cases(200, today, clients=2, progress=lambda done: None)
    client.force_login(world.agent_a.user)
    mine = Case.objects.filter(number__startswith=NUMBER_PREFIX, site=world.village_a)
    case = mine.first()

    ledger_before = _queries(client, "/work/ledger/")
    home_before = _queries(client, "/work/")
    case_page = _queries(client, f"/work/cases/{case.number}/")
    load_cases(600, today, clients=2, progress=lambda done: None)
    # three times the cases, the same number of queries
    assert _queries(client, "/work/ledger/") == ledger_before
    assert _queries(client, "/work/") == home_before
    # a case in the same state (what a case page shows, and reads, follows its state)
    alike = mine.filter(state=case.state).exclude(pk=case.pk).last()
    assert _queries(client, f"/work/cases/{alike.number}/") == case_page
    assert case_page < 60

    index = list(case.client.__class__.objects.filter(name="基准").order_by("pk")).index(
        case.client
    )
    answer = client.get("/api/progress", {"number": case.number, "phone": bench_mobile(index)})
    assert answer.status_code == 200, answer.content
    assert answer.json()["number"] == case.number
