"""Channels (issue 14, 渠道): the desk records 网上帮办, 自助帮办 and 掌上帮办 (seed 001
§10.1.2.2–4) besides window and phone, with the 政务服务网 application number they give;
the API takes the same channels (one list, ``cases.models.Channel``). The number shows on
the case page and in the ledger export, and the API's number search finds the case by it."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from bangban.apiauth.testing import ApiClient
from bangban.cases.models import DESK_CHANNELS, Case, CaseEvent, Channel
from bangban.cases.schemas import CaseIn
from bangban.cases.tests.helpers import act, open_case, to_handling
from bangban.consultations.models import Consultation
from bangban.testing import make_resident_id

pytestmark = pytest.mark.django_db
NUMBER = "330122-2026-0001234"


def _consultation(client, world):
    client.post(
        "/work/desk/",
        {
            "client_name": "王大爷",
            "contact": "13700001111",
            "channel": "visit",
            "content": "想开一家小饭店，要办什么证",
            "item": str(world.food.pk),
        },
    )
    return Consultation.objects.get()


def test_seam_channels_and_external_number_from_the_desk_and_the_api(client, world):
    client.force_login(world.agent_a.user)
    consultation = _consultation(client, world)
    form = client.get(f"/work/desk/consultations/{consultation.pk}/").content.decode()
    for code, label in DESK_CHANNELS.items():
        assert f'name="channel" value="{code}"' in form and label in form
    assert "网上帮办（政务服务网）" in form and 'name="external_number"' in form

    response = client.post(
        f"/work/desk/consultations/{consultation.pk}/case/",
        {
            "kind": "person",
            "id_number": make_resident_id("33012219500101001"),
            "name": "王大爷",
            "mobile": "13700001111",
            "service_type": "assist",
            "item": str(world.food.pk),
            "channel": "online",
            "external_number": f" {NUMBER} ",
        },
    )
    case = Case.objects.get(consultation=consultation)
    assert response["Location"] == f"/work/cases/{case.number}/"
    assert (case.channel, case.external_number) == ("online", NUMBER)
    submitted = CaseEvent.objects.get(case=case, event="submit").details
    assert submitted["channel"] == "online" and submitted["external_number"] == NUMBER
    page = client.get(f"/work/cases/{case.number}/").content.decode()
    assert "政务服务网申办编号" in page and NUMBER in page

    export = client.get("/work/ledger.xlsx")
    rows = list(load_workbook(BytesIO(export.content))["工作台账"].iter_rows(values_only=True))
    column = rows[0].index("政务服务网申办编号")
    assert [r[column] for r in rows[1:] if r[0] == case.number] == [NUMBER]

    # the API: the same channels, the number recorded and found by the number search
    assert set(CaseIn.model_json_schema()["properties"]["channel"]["enum"]) == set(Channel.values)
    api = ApiClient(world.agent_a)
    body = {
        "client": {"kind": "person", "name": world.citizen.name, "id_number": make_resident_id()},
        "service_type": "assist",
        "items": ["SCJG-001"],
    }
    created = api.post("/cases", {**body, "channel": "kiosk", "external_number": "ZZ-77"})
    assert created.status_code == 201, created.json()
    assert (created.json()["channel_label"], created.json()["external_number"]) == (
        "自助终端",
        "ZZ-77",
    )
    assert api.post("/cases", {**body, "channel": "fax"}).status_code == 400
    found = api.get(f"/cases?q={NUMBER}").json()["items"]
    assert [c["number"] for c in found] == [case.number]


def test_the_external_number_can_be_given_when_filing_on_the_government_service_site(world):
    """A number that only exists once the agent files on 政务服务网 is recorded then."""
    case = open_case(world, bundle=True)
    to_handling(case, world.agent_a)
    first, second = case.items.order_by("position")
    act(case, world.agent_a, "file_with_department", case_item_id=first.pk, external_number="ZW-1")
    # the second depends on the first: filed once the first has its result (issue 18)
    act(case, world.liaison_market, "department_step", case_item_id=first.pk, status="approved")
    act(case, world.agent_a, "file_with_department", case_item_id=second.pk, external_number="ZW-2")
    case.refresh_from_db()
    assert case.external_number == "ZW-1"  # the first number given stays
    filed = CaseEvent.objects.filter(case=case, event="file_with_department").order_by("seq")
    assert [e.details["external_number"] for e in filed] == ["ZW-1", "ZW-2"]
