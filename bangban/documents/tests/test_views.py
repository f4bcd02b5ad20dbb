"""The staff pages: every one loads the case through the access rule; others get 404."""

import io
import logging
import re
import zipfile

import pytest
from django.urls import reverse

from bangban.cases.models import Confirmation
from bangban.cases.tests.helpers import act, open_case, review_all
from bangban.documents.kinds import Kind
from bangban.documents.models import CaseDocument

from .cases import issued
from .test_confirmations import drawn

pytestmark = [pytest.mark.django_db, pytest.mark.urls("bangban.documents.tests.urls")]


def login(client, staff):
    client.force_login(staff.user)
    return client


def urls(case, document):
    return [
        reverse("documents:case", args=[case.number]),
        reverse("documents:download", args=[case.number, document.number]),
        reverse("documents:archive", args=[case.number]),
        reverse("documents:sign", args=[case.number, "entrustment"]),
        reverse("documents:sms", args=[case.number, "entrustment"]),
    ]


def test_the_case_agent_sees_every_page_and_downloads_the_pdf(client, world):
    case, document = issued(world, Kind.ACCEPTANCE_SLIP)
    login(client, world.agent_a)
    for url in urls(case, document):
        assert client.get(url).status_code == 200, url
    response = client.get(reverse("documents:download", args=[case.number, document.number]))
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-SHA256"] == document.sha256
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_pdfs_and_archives_are_never_cached_nor_sniffed(client, world):
    case, document = issued(world, Kind.ACCEPTANCE_SLIP)
    login(client, world.agent_a)
    for url in [
        reverse("documents:download", args=[case.number, document.number]),
        reverse("documents:archive", args=[case.number]),
    ]:
        response = client.get(url)
        assert response["Cache-Control"] == "private, no-store", url
        assert response["X-Content-Type-Options"] == "nosniff", url


@pytest.mark.parametrize("persona", ["agent_b", "liaison_housing", "town_agent"])
def test_staff_who_may_not_see_the_case_get_404_everywhere(client, world, persona):
    case, document = issued(world, Kind.ACCEPTANCE_SLIP)
    login(client, getattr(world, persona))
    for url in urls(case, document):
        assert client.get(url).status_code == 404, url
    posts = [
        (reverse("documents:issue", args=[case.number]), {"kind": "service_notice"}),
        (reverse("documents:correct", args=[case.number, document.number]), {"reason": "x"}),
        (reverse("documents:sign", args=[case.number, "entrustment"]), {"signature": drawn()}),
        (reverse("documents:sms", args=[case.number, "entrustment"]), {"action": "send"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert CaseDocument.objects.count() == 1


def test_anonymous_visitors_are_sent_to_the_login(client, world):
    case, document = issued(world, Kind.ACCEPTANCE_SLIP)
    response = client.get(reverse("documents:download", args=[case.number, document.number]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_document_of_another_case_is_not_found_through_this_case(client, world):
    case, _ = issued(world, Kind.ACCEPTANCE_SLIP)
    other = open_case(world)
    login(client, world.agent_a)
    document = CaseDocument.objects.get(case=case)
    url = reverse("documents:download", args=[other.number, document.number])
    assert client.get(url).status_code == 404


def test_issue_and_correct_from_the_page(client, world):
    case = open_case(world)
    login(client, world.agent_a)
    response = client.post(
        reverse("documents:issue", args=[case.number]), {"kind": "entrustment"}, follow=True
    )
    document = CaseDocument.objects.get(case=case)
    assert f"已出具《代办服务委托书》，编号 {document.number}" in response.text
    response = client.post(
        reverse("documents:correct", args=[case.number, document.number]),
        {"reason": "联系方式有误"},
        follow=True,
    )
    assert f"已出具更正版 {document.number}-V2" in response.text
    response = client.post(
        reverse("documents:issue", args=[case.number]), {"kind": "acceptance_slip"}, follow=True
    )
    assert "请选择可以出具的文书" in response.text


def test_a_supervisor_reads_but_does_not_issue(client, world):
    case, document = issued(world, Kind.ACCEPTANCE_SLIP)
    login(client, world.supervisor)
    page = client.get(reverse("documents:case", args=[case.number]))
    assert page.status_code == 200 and "出具更正版" not in page.text and "屏幕签名" not in page.text
    response = client.post(
        reverse("documents:issue", args=[case.number]), {"kind": "service_notice"}, follow=True
    )
    assert "只有本办件的帮办代办员或协调员可以出具文书" in response.text


def test_signing_on_the_pad_page_records_the_confirmation(client, world):
    case = open_case(world)
    act(case, world.agent_a, "start_review")
    review_all(case, world.agent_a)
    login(client, world.agent_a)
    page = client.get(reverse("documents:sign", args=[case.number, "entrustment"]))
    assert 'id="signpad"' in page.text and "signpad.js" in page.text
    url = reverse("documents:sign", args=[case.number, "entrustment"])
    response = client.post(url, {"signature": drawn(blank=True)}, follow=True)
    assert "未检测到签名笔迹" in response.text
    response = client.post(url, {"signature": drawn(), "signer": "张三"}, follow=True)
    assert "已记录服务对象对《代办服务委托书》的手写签名" in response.text
    confirmation = Confirmation.objects.get(case=case)
    assert confirmation.method == "signature" and confirmation.signature
    act(case, world.agent_a, "accept")


def test_the_sms_pages_send_and_check_the_code(client, world, caplog):
    caplog.set_level(logging.INFO, logger="bangban.sms")
    case = open_case(world)
    login(client, world.agent_a)
    url = reverse("documents:sms", args=[case.number, "entrustment"])
    response = client.post(url, {"action": "send"}, follow=True)
    assert "验证码已发送至 138****5678" in response.text
    code = re.search(r"验证码 (\d{6})", caplog.records[-1].getMessage()).group(1)
    response = client.post(url, {"action": "verify", "code": "12"}, follow=True)
    assert "验证码不正确" in response.text
    response = client.post(url, {"action": "verify", "code": code}, follow=True)
    assert "已通过短信验证码确认《代办服务委托书》" in response.text
    assert Confirmation.objects.get(case=case).method == "sms_code"


def test_an_unknown_form_is_not_found(client, world):
    case = open_case(world)
    login(client, world.agent_a)
    assert client.get(reverse("documents:sign", args=[case.number, "nothing"])).status_code == 404


def test_the_archive_download_is_a_zip_with_an_index(client, world):
    case, document = issued(world, Kind.ACCEPTANCE_SLIP)
    login(client, world.agent_a)
    response = client.get(reverse("documents:archive", args=[case.number]))
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as z:
        assert "index.html" in z.namelist()
        assert any(document.number in n for n in z.namelist())


def test_the_case_page_takes_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    from bangban.cases.access import Actor
    from bangban.documents.services import document_issue_on_demand

    case, _ = issued(world, Kind.ACCEPTANCE_SLIP)
    login(client, world.agent_a)
    url = reverse("documents:case", args=[case.number])
    client.get(url)
    # session, user, staff, case, documents, confirmations + the calendar warnings (2)
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200
    for _ in range(5):
        document_issue_on_demand(
            case=case, kind=Kind.SERVICE_NOTICE, actor=Actor.of_staff(world.agent_a)
        )
    with django_assert_max_num_queries(8):
        page = client.get(url)
    assert page.text.count("帮办代办服务告知书") >= 6
