"""Reading a client in full and correcting it: the client rules that need the case core.

A client is personal data, not a free-standing record: staff may reveal or correct a
client only through a case they may see (``access.visible_cases`` / ``may_see_client``).
The pure parts (validation, what may be corrected and how a new value is checked) stay in
``bangban.clients.services``; a correction is announced as a domain event
(``events.ClientCorrected``), to which ``bangban.notifications`` subscribes to tell the
client by SMS in the same transaction.
"""

from __future__ import annotations

from django.db import transaction

from bangban.clients import masking, pii
from bangban.clients.models import (
    Client,
    ClientCorrection,
    CorrectionField,
    PersonalDataAccess,
    RevealField,
)
from bangban.clients.services import (
    CIPHER_FIELDS,
    CORRECTED_FIELDS,
    REASON_MAX,
    ClientInvalid,
    corrected_value,
)

from . import events
from .access import Actor, may_see_client, visible_cases


@transaction.atomic
def client_reveal(*, client: Client, field: str, staff, reason: str, case=None) -> str:
    """Show one personal-data field in full and record who, when, why.

    Only staff who may see a case of this client may look, and a case named as the
    occasion must be that client's and visible to them (the one access rule of cases).
    """
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


@transaction.atomic
def client_correct(*, staff, client: Client, field: str, value: str, reason: str):
    """Change a client's mobile or address, with a reason, on the client's history.

    Only an agent or coordinator who may see the client (the one access rule,
    ``access.may_see_client``) may correct it. The history keeps who, when, where, why,
    and the old and new values masked, never in full. The portal signs in by mobile, so
    this is also the only way a client's portal account can move to another phone, and it
    always leaves this trace, and an SMS in the same transaction (``ClientCorrected``,
    sent by ``bangban.notifications``): at the old number for a new mobile, at the
    registered one for a new address.
    """
    errors = {}
    if field not in CORRECTED_FIELDS:
        errors["field"] = "更正项目无效，可更正：手机号码、地址"
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "更正个人信息须填写理由"
    elif len(reason) > REASON_MAX:
        errors["reason"] = f"更正理由不能超过 {REASON_MAX} 个字符"
    if errors:
        raise ClientInvalid(errors)
    locked = Client.objects.select_for_update().get(pk=client.pk)
    acts = staff.is_active and (staff.is_agent or staff.is_coordinator)
    if not (acts and may_see_client(Actor.of_staff(staff), locked)):
        raise ClientInvalid({"client": "您无权更正该服务对象的信息"})
    new = corrected_value(locked, field, value)
    old_masked = getattr(locked, f"{field}_masked")
    old_mobile = (locked.mobile_cipher, locked.mobile_masked)
    if field == CorrectionField.MOBILE:
        locked.set_mobile(new)
    else:
        locked.set_address(new)
    locked.save(update_fields=CORRECTED_FIELDS[CorrectionField(field)])
    for name in CORRECTED_FIELDS[CorrectionField(field)]:
        setattr(client, name, getattr(locked, name))
    correction = ClientCorrection.objects.create(
        client=locked,
        field=field,
        old_masked=old_masked,
        new_masked=getattr(locked, f"{field}_masked"),
        reason=masking.mask_numbers(reason),  # a number typed into it is not kept in full
        staff=staff,
        site=staff.site,
    )
    events.publish(events.ClientCorrected(correction=correction, old_mobile=old_mobile))
    return correction
