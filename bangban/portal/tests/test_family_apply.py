"""A family member applies online for a relative registered under another phone (issue 14).

The relative is named by name and ID number, the case is the relative's, who applied on
whose behalf is recorded, and the relative consents by a code sent to their own registered
mobile, through the one confirmation service the desk uses too.
"""

import pytest

from bangban.cases.behalf import ApplicationOnBehalf
from bangban.cases.models import Case, Channel
from bangban.clients.services import ClientInput, client_register
from bangban.documents.models import CaseDocument
from bangban.testing import make_resident_id

from .conftest import sign_in

pytestmark = pytest.mark.django_db
SON_PHONE = "13700001234"
MOTHER_PHONE = "13500009999"
MOTHER_ID = make_resident_id("33010219540301002")
MATTER = "item/SCJG-001"


@pytest.fixture
def mother(world):
    return client_register(
        data=ClientInput(
            kind="person", name="王秀英", id_number=MOTHER_ID, mobile=MOTHER_PHONE, is_elderly=True
        )
    )


def start(client, service="proxy"):
    client.post(f"/apply/{MATTER}/service/", {"service_type": service})
    client.post(f"/apply/{MATTER}/site/", {"site": "V1"})
    who = client.post(f"/apply/{MATTER}/who/", {"kind": "relative"})
    assert who.status_code == 302 and who["Location"].endswith("/details/")


def name_the_mother(client, name="王秀英", id_number=MOTHER_ID):
    return client.post(
        f"/apply/{MATTER}/details/",
        {"name": name, "id_number": id_number, "relation": "child", "applicant_name": "王强"},
    )


def test_seam_a_relative_applies_online_for_an_elderly_parent(client, world, mother, sms):
    """A relative cannot apply online for an elderly parent already registered under
    another phone: now the son applies, the mother consents from her own phone."""
    sign_in(client, SON_PHONE)
    start(client)
    named = name_the_mother(client)
    assert named.status_code == 302, named.content.decode()
    review = client.get(f"/apply/{MATTER}/confirm/").content.decode()
    assert "代为申请人" in review and "王强（子女）" in review and "135****9999" in review
    done = client.post(f"/apply/{MATTER}/confirm/", {"needs": "母亲腿脚不便"})
    assert done.status_code == 302, done.content.decode()
    case = Case.objects.get()
    # the case is the mother's; nobody new was registered, her phone unchanged
    assert case.client == mother and case.channel == Channel.ONLINE
    mother.refresh_from_db()
    assert mother.mobile_masked == "135****9999"
    # who applied on whose behalf
    behalf = ApplicationOnBehalf.objects.get(case=case)
    assert behalf.applicant_name == "王强" and behalf.relation == "child"
    assert behalf.applicant_mobile_masked == "137****1234"
    # the son follows the case from his own phone, and finds it in 我的办事
    listed = client.get("/my/").content.decode()
    assert f"/my/cases/{case.number}/" in listed and "为家人王*代为申请（子女）" in listed
    page = client.get(f"/my/cases/{case.number}/")
    assert page.status_code == 200 and "阅读并确认《代办服务委托书》" in page.content.decode()
    # consent: the code goes to the mother's registered phone, never to his
    url = f"/my/cases/{case.number}/confirm/entrustment/"
    assert "王秀英登记的手机 135****9999" in client.get(url).content.decode()
    client.post(url)
    assert [to for to, _ in sms] == [MOTHER_PHONE]
    assert "王强（子女，手机 137****1234）" in sms[-1][1] and "请将验证码告诉王强" in sms[-1][1]
    done = client.post(url, {"code": sms.last_code(MOTHER_PHONE)})
    assert done.status_code == 302, done.content.decode()
    assert case.confirmations.filter(
        form="entrustment", method="sms_code", sms_phone="135****9999"
    ).exists()
    assert CaseDocument.objects.filter(case=case, kind="entrustment").exists()


def test_a_wrong_name_or_an_unknown_number_gets_the_same_answer(client, world, mother):
    sign_in(client, SON_PHONE)
    start(client)
    wrong_name = name_the_mother(client, name="王秀兰").content.decode()
    unknown = name_the_mother(client, id_number=make_resident_id("33010219500101002"))
    assert "没有找到与该姓名和身份证号码相符" in wrong_name
    assert "没有找到与该姓名和身份证号码相符" in unknown.content.decode()
    assert client.get(f"/apply/{MATTER}/confirm/")["Location"].endswith("/details/")
    assert not Case.objects.exists()


def test_another_phone_cannot_follow_the_case(client, world, mother, sms):
    sign_in(client, SON_PHONE)
    start(client)
    name_the_mother(client)
    client.post(f"/apply/{MATTER}/confirm/", {"needs": ""})
    case = Case.objects.get()
    sign_in(client, "13600002222")
    assert client.get(f"/my/cases/{case.number}/").status_code == 404
    assert f"/my/cases/{case.number}/" not in client.get("/my/").content.decode()
    # the mother, signed in with her own phone, sees it as hers
    sign_in(client, MOTHER_PHONE)
    assert client.get(f"/my/cases/{case.number}/").status_code == 200


def _drawn_signature() -> str:
    import base64
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (400, 150), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(30, 100), (120, 40), (220, 110), (360, 50)], "black", 5)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def test_seam_relatives_consent_signed_on_screen(client, world, mother, sms):
    """The mother beside her son signs the entrustment on his screen instead of a code: the
    consent recorded says 签名 with her as signer (the SMS path records 短信验证码), through
    the same confirmation service the desk uses, and the signed form is issued."""
    sign_in(client, SON_PHONE)
    start(client)
    name_the_mother(client)
    client.post(f"/apply/{MATTER}/confirm/", {"needs": ""})
    case = Case.objects.get()
    url = f"/my/cases/{case.number}/confirm/entrustment/"
    page = client.get(url).content.decode()
    assert "王秀英在本屏幕上签名" in page and 'id="signpad"' in page
    blank = client.post(url, {"signature": "data:image/png;base64,AAAA"})
    assert blank.status_code == 200 and not case.confirmations.exists()
    done = client.post(url, {"signature": _drawn_signature()})
    assert done.status_code == 302, done.content.decode()
    consent = case.confirmations.get(form="entrustment")
    assert consent.method == "signature" and consent.signer == "王秀英"
    assert consent.signature and not consent.sms_phone
    assert CaseDocument.objects.filter(case=case, kind="entrustment").exists()
    assert sms == []  # no code was needed


def test_only_a_case_applied_for_by_a_relative_is_signed_on_the_portal(client, world, sms):
    """A client alone at home confirms by the code to their own phone; a posted signature
    is not taken there (nobody stands beside them to vouch for it)."""
    from bangban.cases.access import Actor
    from bangban.cases.services import case_submit

    case = case_submit(
        actor=Actor.of_client(world.citizen),
        client=world.citizen,
        service_type="proxy",
        channel="online",
        site=world.village_a,
        item_versions=[world.food.current_version],
    )
    sign_in(client, "13812345678")
    url = f"/my/cases/{case.number}/confirm/entrustment/"
    assert 'id="signpad"' not in client.get(url).content.decode()
    client.post(url, {"signature": _drawn_signature()})
    assert not case.confirmations.exists()
