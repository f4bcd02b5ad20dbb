"""Delivery details (结果交付) of a case: stored encrypted, recorded in the chain by digest only.

``Case.delivery`` holds what the ``deliver`` event recorded. The carrier, tracking number and
licence number are not personal and stay as they are. The personal values — the postal
address and the recipient — are stored like every other personal field (``clients.pii``):

* ``address`` / ``recipient``: a ciphertext token (SM4-GCM under the ``sm`` suite);
* ``address_masked`` / ``recipient_masked``: what screens show;
* ``digest_key``: a random key of this case, itself encrypted.

The hash-chained event never holds the values: in their place it records
``hmac-sm3:<hex>`` (``hmac-sha256:`` under ``legacy``), an HMAC of the value under the case's
random ``digest_key``. While the data exists, :func:`matches_chain` proves that what is stored
is what was recorded. :func:`erase` destroys the ciphertexts and the digest key together
(crypto-shredding): the chain still verifies — its content did not change — and the digests
left in it can no longer be linked to any address or name, not even with the master key.

Every reader goes through :func:`opened` (full values, e.g. for a printed form) or
:func:`shown` (masked, for screens). Delivery details written before this module existed hold
the values in clear; they are read as they are, and ``bangban pii_rekey`` encrypts them.

Before that, the client may say online how they want the result (``DeliveryChoice``, written
by :func:`delivery_choose`): a wish, which the agent's ``deliver`` event does not have to follow.
The address of a wish to post is personal data as well, and :func:`erase_case` shreds it too.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from bangban.clients import pii
from bangban.clients.crypto import suite_of_token

from . import digests
from .models import Case, DeliveryChoice
from .workflow import DELIVERY_METHODS, DeliveryMethod, State

PERSONAL = ("address", "recipient")
PLAIN = ("carrier", "tracking_no", "licence_no")
_MASK_KIND = {"address": "address", "recipient": "name"}
ERASED = "（已删除）"


def seal(details: dict) -> tuple[dict, dict]:
    """(what ``Case.delivery`` stores, what the event records instead of personal values)."""
    stored = {k: str(details[k]) for k in PLAIN if details.get(k)}
    personal = {k: str(details[k]).strip() for k in PERSONAL if str(details.get(k) or "").strip()}
    recorded = {}
    if personal:
        key, stored["digest_key"] = digests.new_key()
        algorithm = digests.current_algorithm()
        for field, value in personal.items():
            stored[field] = pii.encrypt(value)
            stored[f"{field}_masked"] = pii.MASKERS[_MASK_KIND[field]](value)
            recorded[field] = digests.digest(key, field, value, algorithm)
    return stored, recorded


def _is_token(value) -> bool:
    return isinstance(value, str) and suite_of_token(value) is not None


def opened(delivery: dict | None) -> dict:
    """The delivery details in full: carrier, tracking_no, licence_no, address, recipient
    ("" when absent or erased). Only for what must show them whole, e.g. a printed form."""
    delivery = delivery or {}
    values = {k: delivery.get(k, "") for k in PLAIN}
    for field in PERSONAL:
        value = delivery.get(field, "")
        values[field] = pii.reveal(value) if _is_token(value) else str(value or "")
    return values


def shown(delivery: dict | None) -> dict:
    """The delivery details for a screen: personal values masked, erased ones said so."""
    delivery = delivery or {}
    values = {k: delivery[k] for k in PLAIN if delivery.get(k)}
    for field in PERSONAL:
        if f"{field}_masked" in delivery:  # also ERASED after an erasure
            values[field] = delivery[f"{field}_masked"]
        elif delivery.get(field):  # written in clear before encryption: mask it here
            values[field] = pii.MASKERS[_MASK_KIND[field]](opened(delivery)[field])
    return values


def matches_chain(delivery: dict | None, event_details: dict) -> bool:
    """Whether the stored personal values are those the ``deliver`` event recorded by digest."""
    delivery = delivery or {}
    if not delivery.get("digest_key"):
        return not any(digests.is_digest(event_details.get(f)) for f in PERSONAL)
    key = digests.opened_key(delivery["digest_key"])
    values = opened(delivery)
    for field in PERSONAL:
        recorded = str(event_details.get(field, ""))
        if not recorded and not values[field]:
            continue
        if not digests.matches(key, field, values[field], recorded):
            return False
    return True


def erase(delivery: dict | None) -> dict:
    """The delivery details with every personal value and the digest key destroyed."""
    delivery = dict(delivery or {})
    had = [f for f in PERSONAL if delivery.get(f)]
    for field in PERSONAL:
        delivery.pop(field, None)
        if field in had:
            delivery[f"{field}_masked"] = ERASED
    delivery.pop("digest_key", None)
    if had:
        delivery["erased_at"] = timezone.now().isoformat()
    return delivery


def rekeyed(delivery: dict | None) -> dict | None:
    """The delivery details re-encrypted under the current key and suite (values written in
    clear are encrypted), or None when nothing needs changing."""
    delivery = dict(delivery or {})
    changed = False
    for field in (*PERSONAL, "digest_key"):
        value = delivery.get(field)
        if not value or pii.is_current(value):
            continue
        plain = pii.reveal(value) if _is_token(value) else str(value)
        delivery[field] = pii.encrypt(plain)
        if field in PERSONAL and f"{field}_masked" not in delivery:
            delivery[f"{field}_masked"] = pii.MASKERS[_MASK_KIND[field]](plain)
        changed = True
    return delivery if changed else None


def erase_case(case, reason: str) -> bool:
    """Crypto-shred the delivery address and recipient of one case (a deletion request under
    PIPL 第四十七条), with the address the client chose online (``DeliveryChoice``).

    Only ``Case.delivery`` and the choice change; no event is touched, so ``audit verify``
    still passes. True when there was something to erase.
    """
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        erased = erase(locked.delivery)
        changed = erased != (locked.delivery or {})
        if changed:
            erased["erased_reason"] = reason[:200]
            Case.objects.filter(pk=locked.pk).update(delivery=erased)
        choices = DeliveryChoice.objects.filter(case_id=locked.pk).exclude(address_cipher="")
        changed = bool(choices.update(address_cipher="", address_masked=ERASED)) or changed
    return changed


# --- the client's wish, chosen online -----------------------------------------------------

# While the case is open, and once it is done until the result is handed over.
CHOICE_STATES = frozenset(
    {
        State.RECEIVED,
        State.ASSESSING,
        State.REVIEWING,
        State.AWAITING_SUPPLEMENT,
        State.ACCEPTED,
        State.HANDLING,
        State.COMPLETED,
    }
)


class ChoiceRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def may_choose(case: Case) -> bool:
    """Whether the client may (still) say how they want the result of ``case``."""
    return case.state in CHOICE_STATES


def delivery_choice(case: Case) -> DeliveryChoice | None:
    return DeliveryChoice.objects.filter(case=case).first()


def chosen_address(case: Case) -> str:
    """The full postal address the client chose online ("" when none): only for sealing it
    into the delivery (``effects._deliver``), never for a screen."""
    choice = delivery_choice(case)
    if choice is None or choice.method != DeliveryMethod.POST or not choice.address_cipher:
        return ""
    return pii.reveal(choice.address_cipher)


def delivery_choose(*, case: Case, method: str, address: str = "") -> DeliveryChoice:
    """Record (or change) how the client wants the result of ``case``.

    The address is kept for a wish to post only, encrypted with a mask for screens; a wish
    for anything else forgets an address given before. ``ChoiceRefused`` with a sentence
    for the client when the case is past choosing, the method unknown or the address missing.
    """
    if not may_choose(case):
        raise ChoiceRefused("办件当前不能再选择领取方式")
    if method not in DELIVERY_METHODS:
        raise ChoiceRefused("请选择领取方式")
    address = address.strip() if method == DeliveryMethod.POST else ""
    if method == DeliveryMethod.POST and not address:
        raise ChoiceRefused("选择邮寄到家时请填写邮寄地址")
    cipher, _, masked = pii.protect("address", address)
    choice, _ = DeliveryChoice.objects.update_or_create(
        case=case,
        defaults={"method": method, "address_cipher": cipher, "address_masked": masked},
    )
    return choice
