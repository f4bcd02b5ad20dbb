"""Applying online, step by step, then following one's own case: pre-review, one-time notice,
supplement, confirming the entrustment, choosing how to receive the result."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bangban.cases.models import Case, Channel, DeliveryChoice, MaterialStatus
from bangban.cases.tests.helpers import act, deliver_by_post, review_all
from bangban.clients.models import Client
from bangban.documents.models import CaseDocument
from bangban.testing import make_resident_id

from .conftest import pdf_bytes, sign_in

pytestmark = pytest.mark.django_db
NEW_PHONE = "13700001234"
NEW_ID = make_resident_id("33010219600101002")


def apply_as_new_person(client, matter="item/SCJG-001", service="proxy", site="V1"):
    start = client.get(f"/apply/{matter}/")
    assert start.status_code == 200, start
    assert client.post(f"/apply/{matter}/service/", {"service_type": service}).status_code == 302
    assert client.post(f"/apply/{matter}/site/", {"site": site}).status_code == 302
    assert client.post(f"/apply/{matter}/who/", {"kind": "person"}).status_code == 302
    details = client.post(
        f"/apply/{matter}/details/",
        {"name": "王五", "id_number": NEW_ID, "priority": ["elderly"]},
    )
    assert details.status_code == 302, details.content.decode()
    done = client.post(f"/apply/{matter}/confirm/", {"needs": "腿脚不便"})
    assert done.status_code == 302, done.content.decode()
    return Case.objects.get(number=done["Location"].rstrip("/").rsplit("/", 1)[1])


def test_a_new_person_applies_for_a_proxy_in_five_short_steps(client, world):
    sign_in(client, NEW_PHONE)
    case = apply_as_new_person(client)
    assert case.service_type == "proxy" and case.channel == Channel.ONLINE
    assert case.site == world.village_a and case.state == "received"
    client_ = case.client
    assert client_.name == "王五" and client_.is_elderly and client_.mobile_masked == "137****1234"
    page = client.get(f"/my/cases/{case.number}/").content.decode()
    assert "申请已提交" in page and "食品经营许可申请书" in page and "待上传" in page
    assert "阅读并确认《代办服务委托书》" in page


def test_a_bundle_can_be_applied_for(client, world):
    sign_in(client, NEW_PHONE)
    case = apply_as_new_person(client, matter="bundle/B-FOOD", site="C")
    assert case.bundle_version == world.bundle_version and case.items.count() == 2


def test_steps_cannot_be_skipped(client, world):
    sign_in(client, NEW_PHONE)
    response = client.get("/apply/item/SCJG-001/confirm/")
    assert response.status_code == 302 and response["Location"].endswith("/service/")


def test_a_service_type_not_offered_is_not_asked_for(client, world):
    sign_in(client, NEW_PHONE)
    response = client.get("/apply/item/SCJG-002/")  # assist only
    assert response.status_code == 302 and response["Location"].endswith("/site/")


def test_a_wrong_id_number_is_said_in_words_at_its_field(client, world):
    sign_in(client, NEW_PHONE)
    matter = "item/SCJG-001"
    client.post(f"/apply/{matter}/service/", {"service_type": "proxy"})
    client.post(f"/apply/{matter}/site/", {"site": "V1"})
    client.post(f"/apply/{matter}/who/", {"kind": "person"})
    text = client.post(
        f"/apply/{matter}/details/", {"name": "王五", "id_number": "110105194912310021"}
    ).content.decode()
    assert 'role="alert"' in text and "错误：" in text and 'aria-invalid="true"' in text


def test_someone_else_s_id_number_cannot_be_taken_over(client, world):
    """张三 is registered with 13812345678; another phone cannot attach itself to him."""
    sign_in(client, NEW_PHONE)
    matter = "item/SCJG-001"
    client.post(f"/apply/{matter}/service/", {"service_type": "proxy"})
    client.post(f"/apply/{matter}/site/", {"site": "V1"})
    client.post(f"/apply/{matter}/who/", {"kind": "person"})
    text = client.post(
        f"/apply/{matter}/details/", {"name": "张三", "id_number": make_resident_id()}
    ).content.decode()
    assert "已登记了其他手机号码" in text
    world.citizen.refresh_from_db()
    assert world.citizen.mobile_masked == "138****5678"
    assert not Case.objects.exists()


def test_a_known_client_applies_without_typing_their_details_again(client, world):
    sign_in(client, "13812345678")
    matter = "item/SCJG-001"
    client.post(f"/apply/{matter}/service/", {"service_type": "assist"})
    client.post(f"/apply/{matter}/site/", {"site": "V1"})
    who = client.post(f"/apply/{matter}/who/", {"kind": f"client:{world.citizen.pk}"})
    assert who["Location"].endswith("/confirm/")
    client.post(f"/apply/{matter}/confirm/", {"needs": ""})
    case = Case.objects.get()
    assert case.client == world.citizen and Client.objects.count() == 2


def upload(client, case, material):
    return client.post(
        f"/my/cases/{case.number}/materials/{material.pk}/",
        {"file": SimpleUploadedFile("scan.pdf", pdf_bytes())},
    )


def test_pre_review_notice_and_supplement(client, world, media, django_assert_max_num_queries):
    sign_in(client, NEW_PHONE)
    case = apply_as_new_person(client)
    for material in case.materials.filter(name__in=["食品经营许可申请书", "营业执照"]):
        assert upload(client, case, material).status_code == 302
    # the agent pre-reviews: one material missing, and says so once
    act(case, world.agent_a, "start_review")
    review_all(case, world.agent_a, 食品安全管理制度="missing", 场所平面图="missing")
    act(case, world.agent_a, "request_supplement")
    with django_assert_max_num_queries(16):
        page = client.get(f"/my/cases/{case.number}/")
    text = page.content.decode()
    assert "一次性告知：请补正以下材料" in text and "食品安全管理制度" in text
    assert "全部上传后，就可以提交补正" in text
    missing = case.materials.get(name="食品安全管理制度")
    upload(client, case, missing)
    text = client.get(f"/my/cases/{case.number}/").content.decode()
    assert "提交补正材料" in text
    case.refresh_from_db()
    response = client.post(f"/my/cases/{case.number}/supplement/", {"version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    missing.refresh_from_db()
    assert case.state == "reviewing" and missing.status == MaterialStatus.RECEIVED
    assert "补正材料已提交" in client.get(f"/my/cases/{case.number}/").content.decode()


def test_the_entrustment_is_confirmed_with_an_sms_code(client, world, sms):
    sign_in(client, NEW_PHONE)
    case = apply_as_new_person(client)
    url = f"/my/cases/{case.number}/confirm/entrustment/"
    assert "发送验证码" in client.get(url).content.decode()
    sent = client.post(url)
    assert sent.status_code == 302
    done = client.post(url, {"code": sms.last_code(NEW_PHONE)})
    assert done.status_code == 302, done.content.decode()
    assert case.confirmations.filter(form="entrustment", method="sms_code").exists()
    # the same service as the desk's: the signed entrustment is issued (test_confirm_alike)
    assert CaseDocument.objects.filter(case=case, kind="entrustment").exists()
    assert "阅读并确认" not in client.get(f"/my/cases/{case.number}/").content.decode()


def test_the_client_chooses_to_receive_the_result_by_post(client, world):
    sign_in(client, NEW_PHONE)
    case = apply_as_new_person(client)
    url = f"/my/cases/{case.number}/delivery/"
    refused = client.post(url, {"method": "post", "address": ""}).content.decode()
    assert "请填写邮寄地址" in refused
    client.post(url, {"method": "post", "address": "示范县人民路1号"})
    choice = DeliveryChoice.objects.get(case=case)
    assert choice.method == "post" and "人民路1号" not in choice.address_cipher


def test_no_choosing_once_the_result_is_handed_over(client, world):
    case = deliver_by_post(world, address="示范县人民路1号", recipient="张三")
    sign_in(client, "13812345678")  # 张三, the case's client
    url = f"/my/cases/{case.number}/delivery/"
    for response in (client.get(url), client.post(url, {"method": "in_person"})):
        assert response.status_code == 302 and response.url == f"/my/cases/{case.number}/"
    assert not DeliveryChoice.objects.filter(case=case).exists()
    page = client.get(f"/my/cases/{case.number}/").content.decode()
    assert "不能再选择领取方式" in page and url not in page


def test_nobody_else_sees_the_case(client, world):
    sign_in(client, NEW_PHONE)
    case = apply_as_new_person(client)
    client.get(f"/my/cases/{case.number}/")  # shows (and so uses up) the "submitted" message
    sign_in(client, "13900001111")
    assert client.get(f"/my/cases/{case.number}/").status_code == 404
    assert case.number not in client.get("/my/").content.decode()
