"""The track page: by case number and the applicant's phone, as the QR code on every form
leads to. The same answer for a wrong number and a wrong phone; nobody else's data."""

import pytest

from bangban.cases.tests.helpers import act, open_case, review_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world):
    case = open_case(world)
    act(case, world.agent_a, "start_review")
    review_all(case, world.agent_a, 食品安全管理制度="missing")
    act(case, world.agent_a, "request_supplement")
    return case


def look(client, number, phone):
    return client.post("/track/", {"number": number, "phone": phone})


def test_the_qr_code_link_prefills_the_number_but_still_asks_for_the_phone(client, case):
    text = client.get("/track/", {"number": case.number}).content.decode()
    assert f'value="{case.number}"' in text and 'name="phone"' in text
    assert "待补正" not in text


def test_number_and_phone_show_the_progress_in_plain_words(
    client, case, django_assert_max_num_queries
):
    response = look(client, case.number, "138 1234 5678")
    assert response.status_code == 302
    with django_assert_max_num_queries(12):
        page = client.get(response["Location"])
    text = page.content.decode()
    for expected in [
        "食品经营许可",
        "待补正",
        "食品安全管理制度",
        "请补充或补正以下材料",
        "提交申请",
        "开始预审",
    ]:
        assert expected in text, expected
    assert "张*" in text


def test_a_wrong_phone_and_a_wrong_number_get_the_same_answer(client, case):
    wrong_phone = look(client, case.number, "13900001111").content.decode()
    wrong_number = look(client, case.number[:-1] + "9", "13812345678").content.decode()
    not_a_phone = look(client, case.number, "123").content.decode()

    def answer(text):
        start = text.index('id="error-summary"')
        return text[start : text.index("</div>", start)]

    assert answer(wrong_phone) == answer(wrong_number) == answer(not_a_phone)
    assert "办件不存在或手机号码不符" in answer(wrong_phone)
    assert "待补正" not in wrong_phone


def test_the_result_page_needs_a_lookup_first(client, case):
    response = client.get(f"/track/{case.number}/")
    assert response.status_code == 302 and response["Location"].startswith("/track/?number=")


def test_the_page_shows_no_personal_data_beyond_what_the_applicant_gave(client, world, case):
    look(client, case.number, "13812345678")
    text = client.get(f"/track/{case.number}/").content.decode()
    assert "张三" not in text  # the name masked
    assert "13812345678" not in text and "110105" not in text  # no phone, no ID number
    assert "村A代办员" not in text  # staff names stay inside
    assert "李四" not in text


def test_lookups_are_limited_per_address(client, case, settings):
    from bangban.portal.views import track

    for _ in range(track.LOOKUPS_PER_TEN_MINUTES):
        look(client, case.number, "13900001111")
    assert look(client, case.number, "13812345678").status_code == 429


def test_the_lookup_does_not_put_the_phone_in_the_address(client, case):
    response = look(client, case.number, "13812345678")
    assert "13812345678" not in response["Location"]


def test_documents_issued_for_the_case_can_be_downloaded_by_the_applicant_only(client, case):
    from bangban.documents import models as documents

    notice = documents.CaseDocument.objects.filter(case=case, kind="one_time_notice").first()
    assert notice is not None
    url = f"/track/{case.number}/documents/{notice.number}.pdf"
    assert client.get(url).status_code == 404
    look(client, case.number, "13812345678")
    assert notice.number in client.get(f"/track/{case.number}/").content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_signed_in_client_downloads_their_own_documents_and_nobody_else_does(client, media, case):
    from bangban.documents.models import CaseDocument

    from .conftest import sign_in

    notice = CaseDocument.objects.get(case=case, kind="one_time_notice")
    url = f"/track/{case.number}/documents/{notice.number}.pdf"
    sign_in(client, "13900001111")  # 李四, another citizen
    assert client.get(url).status_code == 404
    sign_in(client, "13812345678")  # 张三, whose case it is
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
