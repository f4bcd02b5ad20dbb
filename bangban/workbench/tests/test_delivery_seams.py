"""The client's delivery choice in the flow (issue 14, 结果交付): what the client chose online
prints on the 委托书 and is offered at the deliver step, where the agent delivers as
chosen without revealing or retyping the address; the address stays encrypted."""

import pytest

from bangban.cases import delivery
from bangban.cases.access import Actor
from bangban.cases.models import CaseEvent
from bangban.cases.workflow import State
from bangban.clients.models import PersonalDataAccess
from bangban.documents.services import document_issue_on_demand

from .conftest import HTMX, SIGNED, act, handling, open_case

pytestmark = pytest.mark.django_db
ADDRESS = "示范县城关镇人民路18号3单元502室"


def _completed(world, case=None):
    case = handling(case or open_case(world), world.agent_a)
    item = case.items.get()
    act(case, world.agent_a, "file_with_department", case_item_id=item.pk)
    act(case, world.liaison_market, "department_step", case_item_id=item.pk, status="approved")
    act(case, world.agent_a, "complete", confirmation=SIGNED)
    case.refresh_from_db()
    return case


def test_seam_delivery_choice_reaches_the_entrustment_and_the_deliver_step(signed_in, world):
    case = open_case(world)
    choice = delivery.delivery_choose(case=case, method="post", address=ADDRESS)

    # the 委托书's 领取方式 is ticked as chosen, the address printed masked
    entrustment = document_issue_on_demand(
        case=case, kind="entrustment", actor=Actor.of_staff(world.agent_a)
    )
    printed = entrustment.fields["specific"]
    assert printed["delivery_method"] == "post"
    assert printed["address"] == choice.address_masked and ADDRESS not in str(entrustment.fields)

    # the deliver form shows the choice masked and proposes to deliver as chosen
    case = _completed(world, case)
    client = signed_in(world.agent_a)
    form = client.get(f"/work/cases/{case.number}/events/deliver/", **HTMX).content.decode()
    assert "服务对象在网上选择" in form and choice.address_masked in form
    assert ADDRESS not in form
    assert 'name="use_client_choice" value="1" checked' in form
    assert 'name="method" value="post" checked' in form

    response = client.post(
        f"/work/cases/{case.number}/events/deliver/",
        {
            "expected_version": case.version,
            "method": "post",
            "use_client_choice": "1",
            "carrier": "中国邮政",
            "tracking_no": "1180123456789",
        },
        **HTMX,
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.state == State.DELIVERED
    # stored encrypted with its mask, the event holds only a digest, nothing was revealed
    assert delivery.opened(case.delivery)["address"] == ADDRESS
    assert ADDRESS not in str(case.delivery)
    assert case.delivery["address_masked"] == choice.address_masked
    event = CaseEvent.objects.get(case=case, event="deliver")
    assert event.details["use_client_choice"] is True
    assert event.details["address"].startswith("hmac-") and ADDRESS not in str(event.details)
    assert delivery.matches_chain(case.delivery, event.details)
    assert not PersonalDataAccess.objects.filter(case=case).exists()


def test_delivering_as_chosen_refuses_another_method_or_no_choice(signed_in, world):
    case = _completed(world)
    client = signed_in(world.agent_a)

    def deliver(**data):
        case.refresh_from_db()
        data = {"expected_version": case.version, "use_client_choice": "1", **data}
        url = f"/work/cases/{case.number}/events/deliver/"
        return client.post(url, data, **HTMX).content.decode()

    assert "没有在网上选择领取方式" in deliver(method="in_person", signed="1")
    delivery.delivery_choose(case=case, method="post", address=ADDRESS)
    assert "与所选交付方式不一致" in deliver(method="in_person", signed="1")
    typed = deliver(method="post", address="别处1号", carrier="EMS", tracking_no="E1")
    assert "请不要再填写邮寄地址" in typed
    case.refresh_from_db()
    assert case.state == State.COMPLETED
