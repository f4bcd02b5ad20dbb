"""Writes about clients: registration with validated identity, and recorded reveals."""

from dataclasses import dataclass

from django.db import transaction

from . import identity, pii
from .models import Client, ClientKind, PersonalDataAccess, RevealField


@dataclass
class ClientInput:
    kind: str
    name: str
    id_number: str = ""
    mobile: str = ""
    address: str = ""
    legal_representative: str = ""
    contact_person: str = ""
    is_elderly: bool = False
    is_disabled: bool = False
    credit_code_override: str = ""


class ClientInvalid(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("；".join(errors.values()))
        self.errors = errors


def _validated(data: ClientInput) -> tuple[str, str]:
    """The normalized ID number and mobile, or ClientInvalid naming each bad field."""
    errors: dict[str, str] = {}
    id_number = mobile = ""
    if not data.name.strip():
        errors["name"] = "请填写姓名或名称"
    if data.kind == ClientKind.PERSON:
        try:
            id_number = (
                identity.validate_resident_id(data.id_number).number if data.id_number else ""
            )
        except identity.IdentityError as error:
            errors["id_number"] = error.message
    elif data.kind == ClientKind.ORGANISATION:
        try:
            id_number = identity.validate_credit_code(data.id_number).number
        except identity.IdentityError as error:
            # A genuine code can fail our check (old or special codes): a staff member may
            # accept it with a written reason, which is kept on the client.
            if data.credit_code_override.strip() and error.code not in {"required", "length"}:
                id_number = identity.normalize_credit_code(data.id_number)
            else:
                errors["id_number"] = error.message + "（如确认代码真实有效，请填写确认理由）"
        if not data.legal_representative.strip():
            errors["legal_representative"] = "请填写法定代表人"
    else:
        errors["kind"] = "服务对象类型无效"
    if data.mobile:
        try:
            mobile = identity.validate_mobile(data.mobile)
        except identity.IdentityError as error:
            errors["mobile"] = error.message
    if errors:
        raise ClientInvalid(errors)
    return id_number, mobile


def find_client(*, kind: str, id_number: str) -> Client | None:
    """The client with this ID number or credit code, found by its keyed hash."""
    id_kind = "credit_code" if kind == ClientKind.ORGANISATION else "resident_id"
    normalizer = (
        identity.normalize_credit_code
        if id_kind == "credit_code"
        else identity.normalize_resident_id
    )
    return Client.objects.filter(
        kind=kind, id_number_hash=pii.lookup(id_kind, normalizer(id_number))
    ).first()


@transaction.atomic
def client_register(*, data: ClientInput) -> Client:
    """Validate and store a client; an existing client with the same ID number is reused."""
    id_number, mobile = _validated(data)
    client = find_client(kind=data.kind, id_number=id_number) if id_number else None
    client = client or Client(kind=data.kind)
    client.name = data.name.strip()
    client.set_id_number(id_number)
    if mobile:
        client.set_mobile(mobile)
    if data.address:
        client.set_address(data.address.strip())
    client.legal_representative = data.legal_representative.strip()
    client.contact_person = data.contact_person.strip()
    client.is_elderly = data.is_elderly
    client.is_disabled = data.is_disabled
    client.credit_code_override = (
        data.credit_code_override.strip() if data.kind == ClientKind.ORGANISATION else ""
    )
    client.save()
    return client


CIPHER_FIELDS = {
    RevealField.ID_NUMBER: "id_number_cipher",
    RevealField.MOBILE: "mobile_cipher",
    RevealField.ADDRESS: "address_cipher",
}


@transaction.atomic
def client_reveal(*, client: Client, field: str, staff, reason: str, case=None) -> str:
    """Show one personal-data field in full and record who, when, why.

    Only staff who may see a case of this client may look, and a case named as the
    occasion must be that client's and visible to them (the one access rule of cases).
    """
    from bangban.cases.access import Actor, visible_cases

    if not reason.strip():
        raise ClientInvalid({"reason": "查看完整个人信息须填写理由"})
    cases = visible_cases(Actor.of_staff(staff)).filter(client=client)
    if case is not None:
        cases = cases.filter(pk=case.pk)
    if not cases.exists():
        raise ClientInvalid({"client": "您无权查看该服务对象的完整个人信息"})
    PersonalDataAccess.objects.create(
        client=client, field=field, staff=staff, reason=reason.strip(), case=case
    )
    return pii.reveal(getattr(client, CIPHER_FIELDS[RevealField(field)]))
