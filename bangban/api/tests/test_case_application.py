"""一表申请 through the API: the fields several items' forms share listed once, the answer set
in full only for the one who may answer it, masked for anyone else, 404 for outsiders."""

import pytest

from bangban.apiauth.testing import ApiClient
from bangban.cases.tests.helpers import open_case
from bangban.documents.tests.cases import with_form_fields

pytestmark = pytest.mark.django_db

ANSWERS = {
    "applicant_name": "张记小吃店",
    "contact_phone": "13812345678",
    "legal_representative": "张三",
}


@pytest.fixture
def two_forms(world):
    """The food permit and the building permit share 申请人名称 and 联系电话."""
    with_form_fields(world.food, ["applicant_name", "contact_phone", "legal_representative"])
    with_form_fields(world.building, ["applicant_name", "contact_phone"])
    return open_case(world, items=[world.food, world.building])


def test_the_fields_two_forms_share_are_listed_once_with_the_items_that_use_them(world, two_forms):
    answer = ApiClient(world.agent_a).get(f"/cases/{two_forms.number}/application")

    assert answer.status_code == 200
    body = answer.json()
    codes = [f["code"] for f in body["fields"]]
    assert codes == ["applicant_name", "contact_phone", "legal_representative"]  # each once
    by_code = {f["code"]: f for f in body["fields"]}
    assert by_code["applicant_name"]["items"] == ["SCJG-001", "ZJ-001"]
    assert by_code["legal_representative"]["items"] == ["SCJG-001"]
    assert by_code["contact_phone"]["personal"] is True
    assert body["answered"] is False and all(f["value"] == "" for f in body["fields"])


def test_the_agent_reads_the_answers_in_full_and_the_coordinator_masked(world, two_forms):
    agent = ApiClient(world.agent_a)
    sent = agent.post(
        f"/cases/{two_forms.number}/events",
        {
            "event": "application_answered",
            "expected_version": two_forms.version,
            "details": {"answers": ANSWERS},
        },
    )
    assert sent.status_code == 201, sent.json()

    mine = agent.get(f"/cases/{two_forms.number}/application").json()
    assert mine["answered"] is True and mine["masked"] is False
    assert {f["code"]: f["value"] for f in mine["fields"]} == ANSWERS

    theirs = ApiClient(world.coordinator).get(f"/cases/{two_forms.number}/application").json()
    values = {f["code"]: f["value"] for f in theirs["fields"]}
    assert theirs["masked"] is True
    assert values["applicant_name"] == "张记小吃店"  # not personal: as typed
    assert values["contact_phone"] != "13812345678" and values["contact_phone"].endswith("5678")
    assert "张三" not in str(theirs)


def test_someone_who_may_not_see_the_case_gets_404(world, two_forms):
    for stranger in (world.agent_b, world.town_agent):
        answer = ApiClient(stranger).get(f"/cases/{two_forms.number}/application")
        assert answer.status_code == 404
