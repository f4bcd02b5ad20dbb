"""Evaluating a finished case once (GB/T 39734 five levels), reading the reply to a bad
review, and complaining with a number that is then followed."""

import pytest

from bangban.cases.tests.helpers import act, finish_items, to_handling
from bangban.oversight.models import Complaint, Evaluation, Level

from .conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def done_case(world):
    from bangban.cases.tests.helpers import SIGNED, open_case

    case = open_case(world)
    to_handling(case, world.agent_a)
    finish_items(case, world.agent_a, {"SCJG": world.liaison_market, "ZJ": world.liaison_housing})
    act(case, world.agent_a, "complete", confirmation=SIGNED)
    return case


def track(client, case):
    return client.post("/track/", {"number": case.number, "phone": "13812345678"})


def test_the_applicant_rates_a_finished_case_once(client, done_case):
    track(client, done_case)
    page = client.get(f"/track/{done_case.number}/").content.decode()
    assert "评价这次服务" in page
    form = client.get(f"/track/{done_case.number}/evaluate/").content.decode()
    for level in ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]:
        assert level in form
    response = client.post(
        f"/track/{done_case.number}/evaluate/", {"level": "非常满意", "comment": "很好"}
    )
    assert response.status_code == 302
    evaluation = Evaluation.objects.get(case=done_case)
    assert evaluation.level == Level.VERY_SATISFIED and evaluation.channel == "portal"
    assert done_case.events.filter(event="evaluate").exists()
    again = client.get(f"/track/{done_case.number}/evaluate/")
    assert again.status_code == 302  # once per case and service
    client.post(f"/track/{done_case.number}/evaluate/", {"level": "不满意"})
    assert Evaluation.objects.count() == 1


def test_a_bad_review_shows_its_handling_and_then_the_reply(client, done_case):
    track(client, done_case)
    client.post(f"/track/{done_case.number}/evaluate/", {"level": "不满意", "comment": "太慢"})
    page = client.get(f"/track/{done_case.number}/").content.decode()
    assert "对您差评的处理" in page and "回访核实" in page
    rectification = Evaluation.objects.get().rectification
    rectification.measures = "已约谈经办人员，优化报件流程"
    rectification.save()
    assert "已约谈经办人员" in client.get(f"/track/{done_case.number}/").content.decode()


def test_an_unfinished_case_cannot_be_rated(client, world):
    from bangban.cases.tests.helpers import open_case

    case = open_case(world)
    track(client, case)
    assert client.get(f"/track/{case.number}/evaluate/").status_code == 302
    assert not Evaluation.objects.exists()


def test_someone_who_did_not_look_the_case_up_cannot_rate_it(client, done_case):
    response = client.post(f"/track/{done_case.number}/evaluate/", {"level": "非常不满意"})
    assert response.status_code == 404
    sign_in(client, "13900001111")
    response = client.post(f"/track/{done_case.number}/evaluate/", {"level": "非常不满意"})
    assert response.status_code == 404
    assert not Evaluation.objects.exists()


def test_a_complaint_gets_a_number_and_is_followed(client, world, done_case):
    response = client.post(
        "/complaints/new/",
        {
            "number": done_case.number,
            "site": "",
            "name": "张三",
            "phone": "13812345678",
            "content": "窗口工作人员态度不好",
        },
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.case == done_case and complaint.site == world.village_a
    page = client.get(response["Location"]).content.decode()
    assert complaint.number in page and "已受理" in page and "受理登记" in page
    # later, from another browser: number and phone
    other = client.__class__()
    assert other.get(f"/complaints/{complaint.number}/").status_code == 302
    wrong = other.post("/complaints/track/", {"number": complaint.number, "phone": "13900001111"})
    assert "投诉不存在或联系电话不符" in wrong.content.decode()
    right = other.post("/complaints/track/", {"number": complaint.number, "phone": "13812345678"})
    assert right.status_code == 302
    complaint.reply = "已核实并批评教育，感谢监督"
    complaint.save()
    assert "已核实并批评教育" in other.get(right["Location"]).content.decode()


def test_a_complaint_in_elder_steps(client, world):
    client.cookies["elder"] = "1"
    first = client.post("/complaints/new/", {"_step": 0, "number": "", "site": "V1"})
    assert "第 2 步，共 3 步" in first.content.decode()
    second = client.post(
        "/complaints/new/",
        {"_step": 1, "number": "", "site": "V1", "name": "王奶奶", "phone": "13700001234"},
    )
    assert "投诉内容" in second.content.decode()
    done = client.post(
        "/complaints/new/",
        {
            "_step": 2,
            "number": "",
            "site": "V1",
            "name": "王奶奶",
            "phone": "13700001234",
            "content": "等太久",
        },
    )
    assert done.status_code == 302
    assert Complaint.objects.get().site == world.village_a


def test_an_unknown_case_number_is_taken_as_typed_and_not_said(client, world):
    """Issue 12 finding 6: the form must not tell whether a case number exists."""
    response = client.post(
        "/complaints/new/",
        {"number": "BJ-X-1", "site": "", "name": "张三", "phone": "13812345678", "content": "x"},
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.case is None and "BJ-X-1" in complaint.content
    assert "未找到" not in client.get(response["Location"]).content.decode()
