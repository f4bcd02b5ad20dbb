"""The oversight pages: who may open them, what they show, and how many queries they make."""

import io
from datetime import date

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from bangban.cases.access import Actor
from bangban.oversight.figures.jobs import count_new_events
from bangban.oversight.models import RollupState
from bangban.oversight.records.services import complaint_submit, evaluation_submit

from .helpers import completed_case

PERIOD = "start=2026-11-01&end=2026-11-30"


def login(client, staff):
    client.force_login(staff.user)
    return client


def test_the_dashboard_needs_a_logged_in_staff_member(client, world, django_user_model):
    response = client.get("/oversight/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    outsider = django_user_model.objects.create_user(username="x", password="pw-x-12345")
    client.force_login(outsider)
    assert client.get("/oversight/").status_code == 403


def test_a_supervisor_sees_the_county_with_targets_and_links(client, world):
    completed_case(world)
    response = login(client, world.supervisor).get(f"/oversight/?{PERIOD}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "按时办结率" in html and "满意率" in html and "目标 95%" in html
    assert "/oversight/list/on_time/?" in html
    assert "echarts-6.1.0.min.js" in html
    assert "城关镇便民服务中心" in html  # the town unit, villages rolled up


def test_a_village_agent_cannot_open_the_county_dashboard(client, world):
    completed_case(world, agent=world.agent_b)
    login(client, world.agent_a)
    assert client.get(f"/oversight/?site={world.county.pk}").status_code == 404
    assert client.get(f"/oversight/list/on_time/?site={world.county.pk}").status_code == 404
    assert client.get(f"/oversight/report/{world.county.pk}/2026-11.xlsx").status_code == 404
    # its own dashboard counts only its own site's cases
    response = client.get(f"/oversight/list/on_time/?{PERIOD}")
    assert response.status_code == 200
    assert "共 0 条" in response.content.decode()


def test_every_number_links_to_the_same_rows(client, world):
    case = completed_case(world)
    login(client, world.supervisor)
    html = client.get(f"/oversight/list/on_time/?{PERIOD}&part=all").content.decode()
    assert case.number in html
    html = client.get(
        f"/oversight/list/on_time/?{PERIOD}&by=unit&key={world.town.pk}&part=all"
    ).content.decode()
    assert case.number in html
    html = client.get(
        f"/oversight/list/on_time/?{PERIOD}&by=unit&key={world.county.pk}&part=all"
    ).content.decode()
    assert case.number not in html


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def _more_data(world, agents):
    for agent in agents:
        case = completed_case(world, agent=agent)
        evaluation_submit(
            case=case,
            actor=Actor.of_client(world.citizen),
            level=1,
            indicators={},
            comment="",
            channel="portal",
        )
        complaint_submit(
            channel="phone", complainant_name="王", contact="13812345678", content="慢", case=case
        )


@pytest.mark.parametrize(
    "url",
    [
        "/oversight/",
        "/oversight/breakdown/agent/",
        "/oversight/breakdown/item/",
        "/oversight/list/on_time/",
        "/oversight/list/satisfaction/",
        "/oversight/list/timely_complaints/",
        "/oversight/volume/completed/",
        "/oversight/rectifications/",
        "/oversight/complaints/",
        "/oversight/visits/",
        "/oversight/disclosure/",
    ],
)
def test_pages_make_the_same_number_of_queries_however_many_rows(client, world, url):
    login(client, world.supervisor)
    _more_data(world, [world.agent_a])  # a row of each kind, so every list has a page
    count_new_events()
    _queries(client, url)  # the first view fills the per-process caches
    before = _cold_and_warm(client, url)
    _more_data(world, [world.agent_b, world.county_agent, world.town_agent])
    count_new_events()
    assert _cold_and_warm(client, url) == before


def _cold_and_warm(client, url) -> tuple[int, int]:
    """Queries of a view under a roll-up generation none has read yet, then of the next."""
    RollupState.objects.update(generation=F("generation") + 1)  # as the figures job's run
    return _queries(client, url), _queries(client, url)


def test_the_monthly_report_downloads_as_excel_and_pdf(client, world):
    completed_case(world)
    login(client, world.supervisor)
    today = date.today()
    month = f"{today:%Y-%m}"
    response = client.get(f"/oversight/report/{world.county.pk}/{month}.xlsx")
    assert response.status_code == 200
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["指标", "下级单位", "未达标办件", "差评整改", "投诉", "工作人员"]
    assert book["指标"]["A3"].value == "指标"
    assert book["指标"]["A4"].value == "按时办结率"
    response = client.get(f"/oversight/report/{world.county.pk}/{month}.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "帮办代办服务质量月报" in text
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get(
                "/FontDescriptor"
            )
            fonts.append(descriptor.get_object())
    assert fonts and all(
        any(k in d for k in ("/FontFile", "/FontFile2", "/FontFile3")) for d in fonts
    )


def test_staff_register_and_handle_a_complaint_on_the_pages(client, world):
    login(client, world.coordinator)
    response = client.post(
        "/oversight/complaints/new/",
        {
            "channel": "phone",
            "complainant_name": "王五",
            "contact": "13812345678",
            "content": "等了很久",
        },
    )
    assert response.status_code == 302
    from bangban.oversight.models import Complaint

    complaint = Complaint.objects.get()
    client.post(
        f"/oversight/complaints/{complaint.pk}/assign/",
        {"assignee": world.county_agent.pk, "kind": "simple"},
    )
    client.post(f"/oversight/complaints/{complaint.pk}/contact/", {"note": "已联系"})
    complaint.refresh_from_db()
    assert complaint.assigned_to == world.county_agent and complaint.contacted_at
    login(client, world.agent_b)
    assert client.get(f"/oversight/complaints/{complaint.pk}/").status_code == 404
