"""Consultations both ways, at the desk (issue 14): escalated from the page, the reply
deadline in sight, the case opened from a consultation carrying what was asked, and the
one-time notice printed with no case (seed 000 §10.1.1, seed 002 附件3)."""

import pytest

from bangban.cases.models import Case
from bangban.consultations.models import Consultation, ConsultationStatus
from bangban.testing import make_resident_id
from bangban.workdays.services import current_calendar

pytestmark = pytest.mark.django_db


def pending(client, world, **more):
    data = {
        "client_name": "王大爷",
        "contact": "13700001111",
        "channel": "phone",
        "content": "想开一家小饭店，要办什么证，要带哪些材料",
        "item": str(world.food.pk),
        **more,
    }
    client.post("/work/desk/", data)
    return Consultation.objects.latest("pk")


def test_seam_staff_escalate_a_consultation_from_its_page(signed_in, world):
    client = signed_in(world.agent_a)
    consultation = pending(client, world)
    page = client.get(f"/work/desk/consultations/{consultation.pk}/").content.decode()
    assert "转交审批部门" in page and world.market.name in page

    response = client.post(
        f"/work/desk/consultations/{consultation.pk}/escalate/",
        {"department": str(world.market.pk)},
    )
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.ESCALATED
    assert consultation.department == world.market
    # the department's liaison now reads it and may answer it
    liaison = signed_in(world.liaison_market)
    seen = liaison.get(f"/work/desk/consultations/{consultation.pk}/").content.decode()
    assert "答复咨询" in seen


def test_escalating_without_a_department_is_refused_in_chinese(signed_in, world):
    client = signed_in(world.agent_a)
    consultation = pending(client, world)
    response = client.post(f"/work/desk/consultations/{consultation.pk}/escalate/", {})
    assert response.status_code == 422
    assert "请选择在用的审批部门" in response.content.decode()


def test_seam_reply_deadline_shown_to_staff(signed_in, world):
    client = signed_in(world.agent_a)
    consultation = pending(client, world)
    due = current_calendar().add_workdays(consultation.created_at.date(), 1)
    assert consultation.reply_due_on == due
    page = client.get(f"/work/desk/consultations/{consultation.pk}/").content.decode()
    assert "答复期限" in page
    assert f"{due.year}年{due.month}月{due.day}日" in page
    assert "1个工作日内答复" in page


def test_seam_consultation_to_case_carries_phone_name_item_and_needs(signed_in, world):
    client = signed_in(world.agent_a)
    consultation = pending(client, world)
    page = client.get(f"/work/desk/consultations/{consultation.pk}/").content.decode()
    assert 'value="王大爷"' in page  # the name is prefilled
    assert "留空则沿用咨询时留下的手机号 137****1111" in page
    assert world.food.name in page  # the item asked about is chosen

    client.post(
        f"/work/desk/consultations/{consultation.pk}/case/",
        {
            "kind": "person",
            "id_number": make_resident_id("33012219500101001"),
            "name": "王大爷",
            "mobile": "",  # not typed again
            "service_type": "assist",
            "item": str(world.food.pk),
        },
    )
    case = Case.objects.get(consultation=consultation)
    assert case.client.mobile_masked == "137****1111"
    assert case.client.name == "王大爷"
    assert [ci.item_version.item for ci in case.items.all()] == [world.food]
    assert case.needs == consultation.content
    assert case.channel == "phone"


def test_seam_one_time_notice_for_a_consultation_with_no_case(signed_in, world, monkeypatch):
    from bangban.documents import consultation_notice

    rendered = {}

    def fake_pdf(fields, template, site_codes=()):
        rendered.update(fields=fields, template=template)
        return b"%PDF-1.4 notice"

    monkeypatch.setattr(consultation_notice, "render_pdf", fake_pdf)
    client = signed_in(world.agent_a)
    consultation = pending(client, world)
    page = client.get(f"/work/desk/consultations/{consultation.pk}/").content.decode()
    assert "打印一次性告知单" in page

    response = client.get(f"/work/desk/consultations/{consultation.pk}/notice.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    fields = rendered["fields"]
    assert rendered["template"] == "documents/consultation_notice.html"
    assert fields["title"] == "一次性告知单" and fields["client"]["name"] == "王大爷"
    [item] = fields["specific"]["items"]
    assert item["name"] == world.food.name
    expected = [m.name for m in world.food.current_version.materials.all()]
    assert [m["name"] for m in item["materials"]] == expected and expected
    assert not Case.objects.exists()  # no case was opened for it


def test_the_consultation_notice_renders_as_a_pdf(signed_in, world):
    client = signed_in(world.agent_a)
    consultation = pending(client, world)
    response = client.get(f"/work/desk/consultations/{consultation.pk}/notice.pdf")
    assert response.content.startswith(b"%PDF")


def test_the_consultation_page_costs_a_bounded_number_of_queries(
    signed_in, world, django_assert_max_num_queries
):
    client = signed_in(world.agent_a)
    consultation = pending(client, world)
    with django_assert_max_num_queries(20):
        client.get(f"/work/desk/consultations/{consultation.pk}/")
