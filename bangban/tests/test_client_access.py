"""Issue 12, findings 1 and 2: no client data to anyone who may not see it.

Finding 1: any staff member could open a case for any ``client_id`` and then reveal that
client's ID number, mobile and address. Finding 2: re-registering a known ID number
overwrote the client's name, mobile and address, so the attacker's phone answered the
portal's SMS sign-in and ``/api/progress``. Each test below is a clause of the rule that
now holds.
"""

from dataclasses import asdict

import pytest
from django.test import Client as Browser

from bangban.apiauth.testing import ApiClient
from bangban.cases.access import Actor, visible_clients
from bangban.cases.models import Case
from bangban.cases.tests.helpers import open_case
from bangban.clients import pii
from bangban.clients.models import Client, ClientCorrection, PersonalDataAccess
from bangban.consultations.models import Consultation
from bangban.portal.identity import SESSION_KEY, PortalIdentity
from bangban.testing import STAFF_PERSONAS, make_resident_id

pytestmark = pytest.mark.django_db

VICTIM_ID = make_resident_id()  # world.citizen, 张三, 13812345678
VICTIM_MOBILE = "13812345678"
ATTACKER_MOBILE = "13566667777"
ATTACKER_ADDRESS = "某市某区攻击者路1号"
REVEAL = {"field": "id_number", "reason": "核对身份"}


def snapshot(client: Client) -> tuple:
    client.refresh_from_db()
    return (
        client.name,
        client.mobile_hash,
        client.mobile_cipher,
        client.address_cipher,
        client.legal_representative,
        client.contact_person,
        client.is_elderly,
        client.is_disabled,
    )


def portal(mobile: str) -> Browser:
    """A browser signed in on the portal by SMS with this mobile."""
    browser = Browser()
    session = browser.session
    session[SESSION_KEY] = asdict(PortalIdentity.of_mobile(mobile))
    session.save()
    return browser


def signed_in(staff) -> Browser:
    browser = Browser()
    browser.force_login(staff.user)
    return browser


def takeover(**more) -> dict:
    return {
        "kind": "person",
        "name": "攻击者",
        "id_number": VICTIM_ID,
        "mobile": ATTACKER_MOBILE,
        "address": ATTACKER_ADDRESS,
        "is_elderly": True,
        **more,
    }


# --- finding 1 ------------------------------------------------------------------------------


def test_finding_1_a_case_cannot_be_opened_for_a_client_id_the_staff_member_may_not_see(world):
    open_case(world)  # 张三 is a client of village A
    agent_b = ApiClient(world.agent_b)
    body = {"client_id": world.citizen.pk, "service_type": "proxy", "items": ["SCJG-001"]}
    response = agent_b.post("/cases", body)
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "服务对象不存在"}
    assert Case.objects.filter(site=world.village_b).count() == 0
    unknown = agent_b.post("/cases", {**body, "client_id": 99999999})
    assert unknown.json() == response.json()  # the same answer whether or not it exists


def test_finding_1_nor_is_the_client_then_revealed_by_naming_a_case_or_guessing_ids(world):
    open_case(world)
    agent_b = ApiClient(world.agent_b)
    for client_id in [*Client.objects.values_list("pk", flat=True), 10**6]:
        for path in (f"/clients/{client_id}", f"/clients/{client_id}/corrections"):
            answer = agent_b.get(path)
            assert answer.status_code == 404, path
        reveal = agent_b.post(f"/clients/{client_id}/reveal", REVEAL)
        assert reveal.status_code == 404 and reveal.json()["message"] == "服务对象不存在"
    assert agent_b.post(f"/clients/{2**70}/reveal", REVEAL).status_code == 404
    assert agent_b.get("/clients", id_number=VICTIM_ID).status_code == 404
    assert not PersonalDataAccess.objects.exists()
    allowed = ApiClient(world.agent_a).post(f"/clients/{world.citizen.pk}/reveal", REVEAL)
    assert allowed.status_code == 200 and allowed.json()["value"] == VICTIM_ID


def test_finding_1_staff_see_a_client_exactly_through_the_cases_they_may_see(world):
    case = open_case(world)
    sees = {
        name: visible_clients(Actor.of_staff(getattr(world, name))).filter(pk=case.client_id)
        for name in STAFF_PERSONAS
    }
    assert {name for name, found in sees.items() if found.exists()} == {
        "agent_a",
        "agent_a2",
        "coordinator",
        "supervisor",
    }
    assert not visible_clients(None).exists()
    assert list(visible_clients(Actor.of_client(world.citizen))) == [world.citizen]


def test_finding_1_a_client_registered_at_a_desk_is_that_sites_until_its_first_case(world):
    agent_a, agent_b = ApiClient(world.agent_a), ApiClient(world.agent_b)
    person = {
        "kind": "person",
        "name": "王小明",
        "id_number": make_resident_id("33010619850312001"),
    }
    created = agent_a.post("/clients", person)
    assert created.status_code == 201
    client_id = created.json()["id"]
    assert Client.objects.get(pk=client_id).registered_site == world.village_a
    assert agent_a.get(f"/clients/{client_id}").status_code == 200
    assert ApiClient(world.agent_a2).get(f"/clients/{client_id}").status_code == 200
    assert agent_b.get(f"/clients/{client_id}").status_code == 404
    body = {"client_id": client_id, "service_type": "assist", "items": ["SCJG-001"]}
    assert agent_b.post("/cases", body).status_code == 404
    assert agent_a.post("/cases", body).status_code == 201
    assert agent_b.get(f"/clients/{client_id}").status_code == 404
    refused = ApiClient(world.liaison_market).post("/clients", person)
    assert refused.status_code == 422 and refused.json()["code"] == "forbidden"


def test_finding_1_the_desk_names_a_known_id_number_only_to_who_may_see_the_client(world):
    open_case(world)
    check = "/work/desk/check-id/"
    query = {"kind": "person", "id_number": VICTIM_ID}
    own = signed_in(world.agent_a).get(check, query).content.decode()
    assert "已登记的服务对象：张*" in own
    other = signed_in(world.agent_b).get(check, query).content.decode()
    assert "该证件号码已登记" in other
    assert "张*" not in other and world.citizen.id_number_masked not in other


# --- finding 2 ------------------------------------------------------------------------------


def test_finding_2_registering_a_known_id_number_again_overwrites_nothing(world):
    open_case(world)
    before = snapshot(world.citizen)
    stranger = ApiClient(world.agent_b).post("/clients", takeover())
    assert stranger.status_code == 422 and stranger.json()["code"] == "client_registered"
    assert set(stranger.json()) == {"code", "message"}  # no id, no name, no masked data
    assert "张" not in stranger.json()["message"] and "138" not in stranger.json()["message"]
    assert snapshot(world.citizen) == before
    own = ApiClient(world.agent_a).post("/clients", takeover())
    assert own.status_code == 200  # matched, not created, and still not rewritten
    assert own.json()["name"] == "张三" and own.json()["mobile_masked"] == "138****5678"
    assert snapshot(world.citizen) == before
    assert Client.objects.filter(id_number_hash=world.citizen.id_number_hash).count() == 1


def test_finding_2_a_case_with_a_client_object_matches_the_client_and_rewrites_nothing(world):
    before = snapshot(world.citizen)
    body = {"client": takeover(), "service_type": "proxy", "items": ["SCJG-001"]}
    response = ApiClient(world.agent_b).post("/cases", body)
    assert response.status_code == 201  # registering at one's own site may match by ID
    number = response.json()["number"]
    assert Case.objects.get(number=number).client == world.citizen
    assert response.json()["client"]["name"] == "张三"
    assert snapshot(world.citizen) == before
    public = ApiClient()
    assert public.get("/progress", number=number, phone=ATTACKER_MOBILE).status_code == 404
    assert public.get("/progress", number=number, phone=VICTIM_MOBILE).status_code == 200


def test_finding_2_the_desk_matches_a_known_id_number_and_rewrites_nothing(world):
    before = snapshot(world.citizen)
    desk = signed_in(world.agent_b)
    desk.post(
        "/work/desk/",
        {
            "client_name": "攻击者",
            "contact": ATTACKER_MOBILE,
            "channel": "visit",
            "content": "办证",
        },
    )
    consultation = Consultation.objects.get()
    form = {**takeover(), "is_elderly": "1", "service_type": "assist", "item": world.food.pk}
    response = desk.post(f"/work/desk/consultations/{consultation.pk}/case/", form)
    case = Case.objects.get(consultation=consultation)
    assert response.status_code == 302 and case.client == world.citizen
    assert snapshot(world.citizen) == before


def test_finding_2_staff_input_never_moves_the_portal_account_to_another_phone(world):
    case = open_case(world)
    agent_b = ApiClient(world.agent_b)
    assert agent_b.post("/clients", takeover()).status_code == 422
    corrected = agent_b.post(
        f"/clients/{world.citizen.pk}/corrections",
        {"field": "mobile", "value": ATTACKER_MOBILE, "reason": "服务对象换了手机"},
    )
    assert corrected.status_code == 404
    matched = agent_b.post(
        "/cases", {"client": takeover(), "service_type": "assist", "items": ["SCJG-001"]}
    )
    assert matched.status_code == 201  # a case of its own: still nothing rewritten
    attacker = portal(ATTACKER_MOBILE)
    assert case.number not in attacker.get("/my/").content.decode()
    assert attacker.get(f"/my/cases/{case.number}/").status_code == 404
    assert (
        ApiClient().get("/progress", number=case.number, phone=ATTACKER_MOBILE).status_code == 404
    )
    victim = portal(VICTIM_MOBILE)
    assert case.number in victim.get("/my/").content.decode()
    assert victim.get(f"/my/cases/{case.number}/").status_code == 200
    assert not ClientCorrection.objects.exists()


def test_finding_2_a_mobile_changes_only_by_a_reasoned_correction_on_the_clients_history(world):
    case = open_case(world)
    path = f"/clients/{world.citizen.pk}/corrections"
    correction = {"field": "mobile", "value": "135 6666 7777", "reason": "服务对象更换手机号码"}
    assert ApiClient(world.agent_b).post(path, correction).status_code == 404
    no_reason = ApiClient(world.agent_a).post(path, {**correction, "reason": ""})
    assert no_reason.status_code == 400
    read_only = ApiClient(world.supervisor).post(path, correction)
    assert read_only.status_code == 403 and "更正" in read_only.json()["message"]
    assert not ClientCorrection.objects.exists()
    assert snapshot(world.citizen)[1] == pii.lookup("mobile", VICTIM_MOBILE)

    done = ApiClient(world.agent_a).post(path, correction)
    assert done.status_code == 201, done.json()
    assert done.json()["old_masked"] == "138****5678"
    assert done.json()["new_masked"] == "135****7777"
    assert done.json()["staff_name"] == "村A代办员" and done.json()["field_label"] == "手机号码"
    row = ClientCorrection.objects.get()
    assert (row.client, row.staff, row.site, row.reason) == (
        world.citizen,
        world.agent_a,
        world.village_a,
        "服务对象更换手机号码",
    )
    stored = " ".join(str(v) for v in ClientCorrection.objects.values().get().values())
    assert ATTACKER_MOBILE not in stored and VICTIM_MOBILE not in stored
    history = ApiClient(world.coordinator).get(path).json()
    assert [(h["field"], h["reason"]) for h in history] == [("mobile", "服务对象更换手机号码")]
    # the recorded correction is the one way the portal account moves to the new phone
    assert case.number in portal(ATTACKER_MOBILE).get("/my/").content.decode()
    assert case.number not in portal(VICTIM_MOBILE).get("/my/").content.decode()


def test_finding_2_an_address_is_corrected_the_same_way_and_kept_masked(world):
    open_case(world)
    path = f"/clients/{world.citizen.pk}/corrections"
    body = {"field": "address", "value": "浙江省杭州市西湖区文三路90号", "reason": "搬家"}
    response = ApiClient(world.coordinator).post(path, body)
    assert response.status_code == 201
    assert response.json()["new_masked"] == "浙江省杭州市西湖区****"
    world.citizen.refresh_from_db()
    assert pii.reveal(world.citizen.address_cipher) == "浙江省杭州市西湖区文三路90号"
    assert "文三路" not in str(ClientCorrection.objects.values().get())
    same = ApiClient(world.coordinator).post(path, body)
    assert same.status_code == 400 and same.json()["message"] == "与登记的信息相同，无需更正"
    bad = ApiClient(world.agent_a).post(
        path, {"field": "mobile", "value": "12345", "reason": "更换号码"}
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "value"
    assert ClientCorrection.objects.count() == 1
