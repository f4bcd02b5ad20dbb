"""Writes about clients: registration with validated identity, recorded reveals and corrections.

Registering an ID number that is already known never changes the client: it matches the
existing record, whatever name, mobile or address was typed this time (anyone who knows a
person's ID number could otherwise point the person's portal account, which signs in by
mobile, at their own phone). A changed mobile or address is a ``client_correct``: a named
staff member who may see the client, a reason, and a row on the client's history.

Revealing and correcting need the one access rule of cases, so they live in the case core
(``bangban.cases.clients``); this module keeps what needs no case: validation, matching,
registration and the checks of a corrected value.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from . import identity, pii
from .models import (
    Client,
    ClientKind,
    CorrectionField,
    RevealField,
)


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
        kind=kind, id_number_hash__in=pii.lookups(id_kind, normalizer(id_number))
    ).first()


def elderly_suggested(kind: str, id_number: str) -> bool:
    """Whether to pre-tick 老年人: a person whose ID number says 60 or over on the county's
    date today (``identity.is_elderly_by_id``). Staff confirm it; nothing is flagged here."""
    return kind == ClientKind.PERSON and identity.is_elderly_by_id(id_number, timezone.localdate())


ELDERLY_HINT = f"按身份证出生日期，年满{identity.ELDERLY_AGE}周岁"


def client_register(*, data: ClientInput, staff=None, site=None) -> Client:
    """Validate and store a client; an existing client with the same ID number is returned
    unchanged (see ``client_match_or_register``)."""
    return client_match_or_register(data=data, staff=staff, site=site)[0]


@transaction.atomic
def client_match_or_register(*, data: ClientInput, staff=None, site=None) -> tuple[Client, bool]:
    """(client, created): the client with this ID number as it is, or a new one.

    Nothing of ``data`` is written onto a client that already exists: not the name, the
    mobile, the address nor any flag (老年人 confirmed for a registered client is
    ``elderly_confirm``'s, by staff who may see the client). Whether the caller may then
    see the matched client is the caller's question (``bangban.cases.access``). A new
    client remembers the site and staff member that registered it.
    """
    id_number, mobile = _validated(data)
    if id_number:
        existing = find_client(kind=data.kind, id_number=id_number)
        if existing is not None:
            return existing, False
    client = Client(kind=data.kind, registered_site=site, registered_by=staff)
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
    return client, True


def elderly_confirm(client: Client, *, id_number: str) -> bool:
    """Flag a registered person as 老年人 when staff confirm it and the ID number agrees.

    ``id_number`` is the number just typed and matched to ``client`` (never revealed from
    the record). Only the flag is set, only to True: a client registered before turning 60,
    or online without ticking it, is flagged at the next visit. The caller checks that the
    staff member may see the client (``cases.access.may_see_client``): someone who may not
    changes nothing of it. Returns whether it changed.
    """
    if client.is_elderly or not elderly_suggested(client.kind, id_number):
        return False
    if find_client(kind=client.kind, id_number=id_number) != client:
        return False
    client.is_elderly = True
    client.save(update_fields=["is_elderly"])
    return True


CIPHER_FIELDS = {
    RevealField.ID_NUMBER: "id_number_cipher",
    RevealField.MOBILE: "mobile_cipher",
    RevealField.ADDRESS: "address_cipher",
}


REASON_MAX = 200
CORRECTED_FIELDS = {
    CorrectionField.MOBILE: ["mobile_cipher", "mobile_hash", "mobile_masked"],
    CorrectionField.ADDRESS: ["address_cipher", "address_masked"],
}


def corrected_value(client: Client, field: str, value: str) -> str:
    """The new value, normalized; ClientInvalid when it is invalid or what is registered."""
    if field == CorrectionField.MOBILE:
        try:
            new = identity.validate_mobile(value)
        except identity.IdentityError as error:
            raise ClientInvalid({"value": error.message}) from None
        same = bool(client.mobile_hash) and pii.lookup("mobile", new) == client.mobile_hash
    else:
        new = (value or "").strip()
        if not new:
            raise ClientInvalid({"value": "请填写新的地址"})
        if len(new) > 200:
            raise ClientInvalid({"value": "地址不能超过 200 个字符"})
        same = bool(client.address_cipher) and pii.reveal(client.address_cipher) == new
    if same:
        raise ClientInvalid({"value": "与登记的信息相同，无需更正"})
    return new
