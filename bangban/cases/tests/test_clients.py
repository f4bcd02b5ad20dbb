"""Registering clients with validated identity, and recorded reveals of personal data."""

import pytest

from bangban.cases.clients import client_reveal
from bangban.cases.tests.helpers import open_case
from bangban.clients.models import Client, ClientKind, PersonalDataAccess
from bangban.clients.services import (
    ClientInput,
    ClientInvalid,
    client_register,
    find_client,
)
from bangban.testing import make_resident_id

pytestmark = pytest.mark.django_db

ID_NUMBER = make_resident_id("33010619850312001")
MOBILE = "13712345678"
ADDRESS = "浙江省杭州市西湖区文三路90号"
CREDIT_CODE = "91350100M000100Y43"
BAD_CREDIT_CODE = "91350100M000100Y44"  # wrong final check character


def person(**overrides):
    fields = {
        "kind": ClientKind.PERSON,
        "name": "王小明",
        "id_number": ID_NUMBER,
        "mobile": MOBILE,
        "address": ADDRESS,
    }
    return client_register(data=ClientInput(**{**fields, **overrides}))


def organisation(**overrides):
    fields = {
        "kind": ClientKind.ORGANISATION,
        "name": "福州示范餐饮有限公司",
        "id_number": CREDIT_CODE,
        "legal_representative": "陈大文",
        "contact_person": "林小红",
    }
    return client_register(data=ClientInput(**{**fields, **overrides}))


def test_a_person_is_stored_with_ciphertext_never_the_plain_values(world):
    client = person()
    stored = Client.objects.get(pk=client.pk)
    for cipher, plain in (
        (stored.id_number_cipher, ID_NUMBER),
        (stored.mobile_cipher, MOBILE),
        (stored.address_cipher, ADDRESS),
    ):
        assert cipher and plain not in cipher
    assert ID_NUMBER not in stored.id_number_hash and MOBILE not in stored.mobile_hash


def test_a_person_is_shown_masked(world):
    client = person()
    assert client.id_number_masked == ID_NUMBER[:6] + "********" + ID_NUMBER[-4:]
    assert client.mobile_masked == "137****5678"
    assert client.address_masked == "浙江省杭州市西湖区****"


def test_a_person_is_found_again_by_id_number_and_reused_for_many_cases(world):
    client = person()
    written_differently = " ".join([ID_NUMBER[:6], ID_NUMBER[6:14], ID_NUMBER[14:].lower()])
    again = person(id_number=written_differently, mobile="13900002222")
    assert again.pk == client.pk
    assert Client.objects.filter(kind=ClientKind.PERSON, name="王小明").count() == 1
    assert find_client(kind=ClientKind.PERSON, id_number=ID_NUMBER) == client
    world.citizen = again
    first, second = open_case(world), open_case(world, agent=world.agent_b)
    assert {first.pk, second.pk} == set(again.cases.values_list("pk", flat=True))


def test_an_invalid_id_number_is_refused_in_chinese(world):
    with pytest.raises(ClientInvalid, match="身份证号码校验位错误") as refused:
        person(id_number=ID_NUMBER[:17] + ("0" if ID_NUMBER[17] != "0" else "1"))
    assert set(refused.value.errors) == {"id_number"}
    assert not Client.objects.filter(name="王小明").exists()


def test_an_organisation_with_a_valid_credit_code_is_registered(world):
    client = organisation()
    assert client.kind == ClientKind.ORGANISATION and client.id_kind == "credit_code"
    assert client.id_number_masked == "913501********0Y43"
    assert CREDIT_CODE not in client.id_number_cipher
    assert client.credit_code_override == ""
    assert find_client(kind=ClientKind.ORGANISATION, id_number=CREDIT_CODE.lower()) == client


def test_an_invalid_credit_code_is_refused_without_an_override_reason(world):
    with pytest.raises(ClientInvalid, match="校验位错误.*请填写确认理由"):
        organisation(id_number=BAD_CREDIT_CODE)
    assert not Client.objects.filter(kind=ClientKind.ORGANISATION).exists()


def test_an_invalid_credit_code_is_accepted_with_a_recorded_override_reason(world):
    reason = "营业执照原件核验无误，系早期赋码"
    client = organisation(id_number=BAD_CREDIT_CODE, credit_code_override=f"  {reason} ")
    client.refresh_from_db()
    assert client.credit_code_override == reason
    assert find_client(kind=ClientKind.ORGANISATION, id_number=BAD_CREDIT_CODE) == client


def test_an_organisation_needs_a_legal_representative(world):
    with pytest.raises(ClientInvalid, match="请填写法定代表人"):
        organisation(legal_representative="")


def test_revealing_personal_data_needs_a_reason(world):
    client = person()
    with pytest.raises(ClientInvalid, match="须填写理由"):
        client_reveal(client=client, field="id_number", staff=world.agent_a, reason="  ")
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.parametrize(
    ("field", "original"), [("id_number", ID_NUMBER), ("mobile", MOBILE), ("address", ADDRESS)]
)
def test_a_reveal_returns_the_original_and_records_who_why_and_for_which_case(
    world, field, original
):
    client = person()
    world.citizen = client
    case = open_case(world)
    shown = client_reveal(
        client=client, field=field, staff=world.agent_a, reason="核对委托书", case=case
    )
    assert shown == original
    access = PersonalDataAccess.objects.get(client=client)
    assert (access.field, access.staff, access.case, access.reason) == (
        field,
        world.agent_a,
        case,
        "核对委托书",
    )
    assert access.at is not None
