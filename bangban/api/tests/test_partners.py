"""A department's system reports progress over the signed webhook (docs/integration.md §4)."""

from __future__ import annotations

import json
import time

import pytest

from bangban.cases.models import CaseEvent, ItemStatus
from bangban.cases.tests.helpers import act, open_case, to_handling
from bangban.partners import signing
from bangban.partners.models import Partner

pytestmark = pytest.mark.django_db
URL = "/api/partners/progress"


@pytest.fixture
def filed(world):
    """A case in handling whose food-licence item is filed with the market bureau."""
    case = open_case(world)
    to_handling(case, world.agent_a)
    item = case.items.get()
    act(case, world.agent_a, "file_with_department", case_item_id=item.pk)
    return case, item


@pytest.fixture
def partner(world):
    partner = Partner(
        name="市场监管审批系统", code="scjg", scopes=["progress"], department=world.market
    )
    partner.secret_plain = partner.rotate_secret()
    partner.save()
    partner.sites.add(world.county)
    return partner


def post(client, partner, body: dict, *, secret=None, now=None, raw=None):
    data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode()
    headers = signing.sign(
        partner=partner.code, secret=secret or partner.secret_plain, body=data, now=now
    )
    return client.post(URL, data=data, content_type="application/json", headers=headers), headers


def report(case, **fields):
    return {"report_id": "R-1", "case": case.number, "status": "received", **fields}


def test_a_valid_report_moves_the_item_and_the_timeline_names_the_partner(client, filed, partner):
    case, item = filed
    response, _ = post(
        client, partner, report(case, report_id="R-9", status="result_issued", result="JY3301")
    )
    assert response.status_code == 200, response.json()
    assert response.json()["duplicate"] is False
    item.refresh_from_db()
    assert (item.status, item.result) == (ItemStatus.APPROVED, "JY3301")
    event = CaseEvent.objects.filter(case=case).last()
    assert event.event == "department_step"
    assert (event.actor_kind, event.actor_name) == ("partner", "市场监管审批系统")
    assert event.details["status"] == "approved" and event.details["result"] == "JY3301"
    assert response.json()["event_id"] == event.pk


def test_a_forged_signature_is_refused(client, filed, partner):
    case, item = filed
    response, _ = post(client, partner, report(case), secret="not-the-partners-key")
    assert response.status_code == 401
    assert response.json() == {"code": "unauthorized", "message": "签名校验失败"}
    item.refresh_from_db()
    assert item.status == ItemStatus.FILED


def test_a_replayed_request_is_refused(client, filed, partner):
    case, _ = filed
    data = json.dumps(report(case)).encode()
    first, headers = post(client, partner, {}, raw=data)
    assert first.status_code == 200
    again = client.post(URL, data=data, content_type="application/json", headers=headers)
    assert again.status_code == 401
    assert "重复的请求" in again.json()["message"]
    assert CaseEvent.objects.filter(case=case, event="department_step").count() == 1


def test_an_expired_timestamp_is_refused(client, filed, partner):
    case, item = filed
    response, _ = post(client, partner, report(case), now=time.time() - 301)
    assert response.status_code == 401
    assert "过期" in response.json()["message"]
    item.refresh_from_db()
    assert item.status == ItemStatus.FILED


def test_the_same_report_id_twice_moves_the_case_once(client, filed, partner):
    case, item = filed
    body = report(case, status="in_progress")
    assert post(client, partner, body)[0].json()["duplicate"] is False
    retried, _ = post(client, partner, body, now=time.time() + 1)  # re-signed: not a replay
    assert retried.status_code == 200
    assert retried.json()["duplicate"] is True
    assert CaseEvent.objects.filter(case=case, event="department_step").count() == 1


def test_a_case_not_at_the_partners_sites_is_not_found(client, filed, partner, world):
    case, _ = filed
    partner.sites.set([world.town2])
    response, _ = post(client, partner, report(case))
    assert response.status_code == 404
    assert response.json()["message"] == "办件不存在"


def test_an_unknown_partner_or_one_without_the_scope_is_refused(client, filed, partner):
    case, _ = filed
    partner.scopes = ["events"]
    partner.save()
    response, _ = post(client, partner, report(case))
    assert response.status_code == 403
    partner.is_active = False
    partner.save()
    assert post(client, partner, report(case))[0].status_code == 401


def test_a_result_issued_without_its_number_is_invalid(client, filed, partner):
    case, _ = filed
    response, _ = post(client, partner, report(case, status="result_issued"))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "result"


def test_a_department_system_reports_only_on_its_own_items(client, filed, partner, world):
    case, item = filed
    partner.department = world.housing
    partner.save()
    response, _ = post(client, partner, report(case, case_item_id=item.pk))
    assert response.status_code == 422
    assert response.json()["message"] == "只能上报本部门事项的办理进度"


def test_a_report_costs_a_bounded_number_of_queries(
    client, filed, partner, django_assert_max_num_queries
):
    case, _ = filed
    with django_assert_max_num_queries(30):
        response, _ = post(client, partner, report(case))
    assert response.status_code == 200
