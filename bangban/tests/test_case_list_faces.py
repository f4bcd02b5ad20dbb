"""One list of cases (``cases.selectors.case_list``) behind every face that lists them.

The workbench ledger, its Excel export and the API's ``GET /api/cases`` each read their own
query string into ``CaseListFilters``; for the same filters, the same person gets the same
cases, in the same order, from all three.
"""

from datetime import timedelta
from io import BytesIO

import pytest
from django.test import Client as Browser
from django.utils import timezone
from openpyxl import load_workbook

from bangban.apiauth.testing import ApiClient
from bangban.cases.models import Case
from bangban.cases.tests.helpers import open_case, to_handling

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(world):
    food_a = open_case(world)
    to_handling(food_a, world.agent_a)
    building_a = open_case(world, agent=world.agent_a2, items=[world.building])
    assist_b = open_case(world, agent=world.agent_b, service_type="assist")
    county = open_case(world, agent=world.county_agent)
    to_handling(county, world.county_agent)
    Case.objects.filter(pk=county.pk).update(due_on=timezone.localdate() - timedelta(days=3))
    town = open_case(world, agent=world.town_agent)
    return [food_a, building_a, assist_b, county, town]


def _from_api(staff, **filters) -> list[str]:
    response = ApiClient(staff).get("/cases", limit=100, **filters)
    assert response.status_code == 200, response.content
    return [case["number"] for case in response.json()["items"]]


def _from_ledger(browser, numbers, **filters) -> list[str]:
    text = browser.get("/work/ledger/", filters).content.decode()
    return sorted((n for n in numbers if n in text), key=text.index)


def _from_export(browser, **filters) -> list[str]:
    response = browser.get("/work/ledger.xlsx", filters)
    rows = list(load_workbook(BytesIO(response.content))["工作台账"].iter_rows(values_only=True))
    return [row[0] for row in rows[1:]]


@pytest.mark.parametrize("persona", ["coordinator", "agent_a", "county_agent", "supervisor"])
@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"state": "handling"},
        {"state": "received"},
        {"service_type": "assist"},
        {"service_type": "proxy"},
        {"site": "V1"},
        {"site": "C"},
        {"overdue": True},
        {"site": "V1", "state": "handling"},
    ],
    ids=lambda f: ",".join(f"{k}={v}" for k, v in f.items()) or "none",
)
def test_the_ledger_its_export_and_the_api_list_the_same_cases(world, cases, persona, filters):
    staff = getattr(world, persona)
    browser = Browser()
    browser.force_login(staff.user)
    # the ledger names a site by its id and ticks "overdue"; the API takes the code and true
    sites = {"V1": world.village_a, "C": world.county}
    ledger = {
        **filters,
        **({"site": sites[filters["site"]].pk} if "site" in filters else {}),
        **({"overdue": "1"} if filters.get("overdue") else {}),
    }
    numbers = [c.number for c in cases]

    from_api = _from_api(staff, **filters)
    assert _from_ledger(browser, numbers, **ledger) == from_api
    assert _from_export(browser, **ledger) == from_api


def test_the_faces_agree_on_a_list_that_is_not_empty(world, cases):
    """The comparison above is not comparing empty lists only."""
    assert len(_from_api(world.coordinator)) == len(cases)
    assert _from_api(world.coordinator, overdue=True) == [cases[3].number]
    assert set(_from_api(world.agent_a)) == {cases[0].number, cases[1].number}
