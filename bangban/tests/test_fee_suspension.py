"""Fee suspensions (issue 14, 收费): a case suspended because a fee is unpaid (seed 000
§10.2.5.1 未及时缴纳行政事业性收费) records how much is due and where or how to pay it;
the 中止单 prints both and the suspension SMS says them, so the client can pay and resume."""

import pytest

from bangban.cases.models import Case, CaseEvent
from bangban.cases.selectors import awaiting
from bangban.cases.tests.helpers import SIGNED, act, open_case, to_handling
from bangban.cases.workflow import TransitionRefused
from bangban.documents.kinds import Kind
from bangban.documents.models import CaseDocument
from bangban.documents.services import document_render
from bangban.documents.tests.pdf import text
from bangban.notifications.models import Message

pytestmark = pytest.mark.django_db
PAYEE = "县政务服务中心一楼收费窗口，或扫缴费通知书上的二维码缴纳"


def test_seam_fee_suspension_records_the_amount_and_where_to_pay(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = open_case(world)
    to_handling(case, world.agent_a)

    with pytest.raises(TransitionRefused, match="须填写：应缴金额（元）、缴费地点或方式"):
        act(case, world.agent_a, "suspend", reason_code="fees_unpaid", confirmation=SIGNED)
    with pytest.raises(TransitionRefused, match="须填写：缴费地点或方式"):
        act(
            case,
            world.agent_a,
            "suspend",
            reason_code="fees_unpaid",
            fee_amount="86.5",
            confirmation=SIGNED,
        )
    with pytest.raises(TransitionRefused, match="应缴金额（元）最多保留两位小数"):
        act(
            case,
            world.agent_a,
            "suspend",
            reason_code="fees_unpaid",
            fee_amount="86.555",
            fee_payee=PAYEE,
            confirmation=SIGNED,
        )

    # the workbench's form has both fields, from the details schema
    client.force_login(world.agent_a.user)
    url = f"/work/cases/{case.number}/events/suspend/"
    form = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'name="fee_amount"' in form and "应缴金额（元）" in form
    assert 'name="fee_payee"' in form and "缴费地点或方式" in form
    case.refresh_from_db()
    client.post(
        url,
        {
            "expected_version": case.version,
            "reason_code": "fees_unpaid",
            "fee_amount": "86.5",
            "fee_payee": PAYEE,
            "resumption_days": "20",
            "signed": "1",
            "sign_method": "paper",
        },
    )
    event = CaseEvent.objects.get(case=case, event="suspend")
    assert event.details["fee_amount"] == "86.50" and event.details["fee_payee"] == PAYEE

    slip = text(document_render(CaseDocument.objects.get(case=case, kind=Kind.SUSPENSION_SLIP)))
    assert "应缴金额86.50元" in slip
    assert "缴费地点或方式" in slip and "县政务服务中心一楼收费窗口" in slip

    sms = Message.objects.get(case=case, template_key="client.suspended").body
    assert "未及时缴纳行政事业性收费" in sms
    assert f"应缴金额86.50元，缴费地点或方式：{PAYEE}。" in sms

    # the client's own page says the same (the progress the portal and the API show)
    wanted, _ = awaiting(Case.objects.get(pk=case.pk))
    assert f"应缴金额：86.50元，缴费地点或方式：{PAYEE}" in wanted


def test_other_suspensions_ask_for_no_fee(world):
    case = open_case(world)
    to_handling(case, world.agent_a)
    act(case, world.agent_a, "suspend", reason_code="client_pause", confirmation=SIGNED)
    sms = Message.objects.get(case=case, template_key="client.suspended").body
    assert "应缴金额" not in sms
