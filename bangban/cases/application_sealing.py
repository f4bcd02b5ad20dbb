"""一表申请 answers at rest: personal values encrypted, the chain records digests only.

A field whose kind is masked on printed forms (``FormFieldKind.mask``: 法定代表人, 身份证号,
联系电话, 经营场所 …) is personal. ``Case.application`` holds the answer set in force:

* ``values``: by field code, the plain value, or for a personal field a ciphertext token
  (``clients.pii``, SM4-GCM under the ``sm`` suite);
* ``masked``: by field code, what screens and printed forms show of each personal field
  (``（已删除）`` once erased): a code is personal exactly when it has an entry here;
* ``digest_key`` (encrypted) and ``algorithm``: a random key of the case, made at the first
  answering and kept across answerings, so an unchanged value records an unchanged digest.

The ``application_answered`` event records, for each personal field, ``hmac-sm3:<hex>`` of
the value under that key (``cases.digests``, as for delivery details), and the other values
as they are. So the timeline still says which fields each answering changed, and
:func:`erase` can destroy the ciphertexts and the key (crypto-shredding) without touching
the chain: ``audit verify`` still passes. Kept apart from the store as two keys (not one flat
map of codes) so that no field code can clash with the bookkeeping.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils import timezone

from bangban.catalogue.formfields import FieldSpec
from bangban.clients import pii

from . import digests
from .delivery import ERASED
from .models import Case


def masked(mask: str, value: str) -> str:
    """What a screen shows of a personal value (hides all but a start when the value is not
    in the mask's format, e.g. a landline under a mobile mask)."""
    masker = pii.MASKERS.get(mask)
    if not value:
        return value
    try:
        return (masker(value) if masker else "") or value[:1] + "****"
    except ValueError:
        return value[:1] + "****"


def seal(
    stored: Mapping | None, fields: Iterable[FieldSpec], answers: Mapping[str, str]
) -> tuple[dict, dict[str, str]]:
    """(the new ``Case.application``, the answers the event records) for an answer set that
    replaces ``stored``. Personal values are encrypted and recorded by digest under the
    case's digest key (made now if the case has none)."""
    stored = stored or {}
    masks = {spec.code: spec.mask for spec in fields}
    sealed: dict = {"values": {}, "masked": {}}
    key, algorithm = None, ""
    if stored.get("digest_key"):
        sealed["digest_key"] = stored["digest_key"]
        sealed["algorithm"] = stored.get("algorithm") or digests.current_algorithm()
        key, algorithm = digests.opened_key(stored["digest_key"]), sealed["algorithm"]
    recorded = {}
    for code, value in answers.items():
        value = str(value)
        if not masks.get(code):
            sealed["values"][code] = recorded[code] = value
            continue
        if key is None:
            key, sealed["digest_key"] = digests.new_key()
            algorithm = sealed["algorithm"] = digests.current_algorithm()
        sealed["values"][code] = pii.encrypt(value)
        sealed["masked"][code] = masked(masks[code], value)
        recorded[code] = digests.digest(key, code, value, algorithm)
    return sealed, recorded


def opened(stored: Mapping | None) -> dict[str, str]:
    """The answer set in full (erased values left out): for the agent who answers it and the
    guard that compares it, never for a screen of anyone else."""
    stored = stored or {}
    personal = stored.get("masked") or {}
    return {
        code: pii.reveal(value) if code in personal else str(value)
        for code, value in (stored.get("values") or {}).items()
    }


def shown(stored: Mapping | None, fields: Iterable[FieldSpec]) -> dict[str, str]:
    """The answer set for screens and printed forms, by code: personal values masked (erased
    ones say so); a value kept plain whose kind is masked now is masked here as well."""
    stored = stored or {}
    personal = stored.get("masked") or {}
    values = stored.get("values") or {}
    out = {}
    for spec in fields:
        if spec.code in personal:
            out[spec.code] = personal[spec.code]
        elif spec.code in values:
            value = str(values[spec.code])
            out[spec.code] = masked(spec.mask, value) if spec.mask else value
    return out


def matches_chain(stored: Mapping | None, recorded: Mapping[str, str]) -> bool:
    """Whether the stored answer set is the one an ``application_answered`` event recorded
    (``recorded``: its ``answers``), personal values by their digests."""
    stored = stored or {}
    values = opened(stored)
    if set(values) != set(recorded):
        return False
    key = digests.opened_key(stored["digest_key"]) if stored.get("digest_key") else None
    for code, value in values.items():
        if code in (stored.get("masked") or {}):
            if key is None or not digests.matches(key, code, value, str(recorded[code])):
                return False
        elif recorded[code] != value:
            return False
    return True


def erase(stored: Mapping | None) -> dict:
    """The answer set with every personal value and the digest key destroyed."""
    stored = dict(stored or {})
    personal = dict(stored.get("masked") or {})
    values = dict(stored.get("values") or {})
    had = [code for code in personal if code in values]
    for code in had:
        values.pop(code)
        personal[code] = ERASED
    if stored.pop("digest_key", None) or had:
        stored.pop("algorithm", None)
        stored["erased_at"] = timezone.now().isoformat()
    if had:
        stored["values"], stored["masked"] = values, personal
    return stored


def erase_case(case: Case, reason: str) -> bool:
    """Crypto-shred the personal answers of one case's 一表申请 (a deletion request, PIPL
    第四十七条; ``bangban pii_erase``). Only ``Case.application`` changes; no event is
    touched, so ``audit verify`` still passes. True when there was something to erase."""
    with transaction.atomic():
        locked = Case.objects.select_for_update().only("pk", "application").get(pk=case.pk)
        erased = erase(locked.application)
        if erased == (locked.application or {}):
            return False
        erased["erased_reason"] = reason[:200]
        Case.objects.filter(pk=locked.pk).update(application=erased)
    return True


def rekeyed(stored: Mapping | None) -> dict | None:
    """The answer set re-encrypted under the current key and suite (``pii_rekey``), or None
    when nothing needs changing."""
    stored = dict(stored or {})
    values = dict(stored.get("values") or {})
    changed = False
    for code in stored.get("masked") or {}:
        token = values.get(code)
        if token and not pii.is_current(token):
            values[code] = pii.encrypt(pii.reveal(token))
            changed = True
    token = stored.get("digest_key")
    if token and not pii.is_current(token):
        stored["digest_key"] = pii.encrypt(pii.reveal(token))
        changed = True
    if not changed:
        return None
    stored["values"] = values
    return stored
