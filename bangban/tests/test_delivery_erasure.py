"""Finding 8: the delivery address and recipient are erasable personal data.

They are stored encrypted in ``Case.delivery``; the hash-chained event holds only a keyed
digest; an erasure destroys the ciphertexts and ``audit verify`` still passes.
"""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.db import connection

from bangban.cases import delivery
from bangban.cases.models import Case, CaseEvent, DeliveryChoice
from bangban.cases.tests.helpers import deliver_by_post

ADDRESS = "浙江省杭州市余杭区良渚街道梨花巷7号"
RECIPIENT = "赵小六"


def _delivered(world) -> Case:
    return deliver_by_post(world, address=ADDRESS, recipient=RECIPIENT)


def _forms(text: str) -> list[str]:
    """The text as it may be written in a column: as is, and JSON-escaped (SQLite's JSON)."""
    return [text, json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1]]


def _anywhere_in_the_database(text: str) -> list[str]:
    """Every table.column whose stored value contains ``text`` in any of its forms."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (names from the schema)
            columns = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, bytes):
                        value = value.decode("utf-8", "replace")
                    if any(form in str(value) for form in _forms(text)):
                        found.append(f"{table}.{column}")
    return found


def test_finding_8_the_address_and_recipient_are_neither_in_the_chain_nor_in_clear(world):
    case = _delivered(world)
    event = CaseEvent.objects.get(case=case, event="deliver")
    assert ADDRESS not in json.dumps(event.details, ensure_ascii=False)
    assert RECIPIENT not in json.dumps(event.details, ensure_ascii=False)
    assert event.details["address"].startswith(("hmac-sm3:", "hmac-sha256:"))
    assert event.details["recipient"].startswith(("hmac-sm3:", "hmac-sha256:"))
    assert event.details["carrier"] == "EMS"  # not personal: kept as it was
    assert _anywhere_in_the_database(ADDRESS) == []
    assert _anywhere_in_the_database(RECIPIENT) == []

    stored = Case.objects.get(pk=case.pk).delivery
    assert delivery.opened(stored)["address"] == ADDRESS
    assert delivery.opened(stored)["recipient"] == RECIPIENT
    assert delivery.matches_chain(stored, event.details)
    # a swapped address no longer matches what the chain recorded
    forged = {**stored, "address": delivery.pii.encrypt("别处1号")}
    assert not delivery.matches_chain(forged, event.details)


def test_finding_8_the_case_page_masks_the_delivery_address(world, client):
    case = _delivered(world)
    client.force_login(world.agent_a.user)
    page = client.get(f"/work/cases/{case.number}/").content.decode()
    assert "结果交付" in page
    assert "浙江省杭州市余杭区" in page and ADDRESS not in page
    assert RECIPIENT not in page and "赵*六" in page
    assert "EA123" in page


def test_finding_8_erasing_shreds_the_values_and_audit_verify_still_passes(world, capsys):
    case = _delivered(world)
    DeliveryChoice.objects.create(
        case=case, method="post", address_cipher=delivery.pii.encrypt(ADDRESS), address_masked="x"
    )
    before = Case.objects.get(pk=case.pk).delivery
    call_command("pii_erase", "--case", case.number, "--reason", "服务对象申请删除")

    stored = Case.objects.get(pk=case.pk).delivery
    for token in (before["address"], before["recipient"], before["digest_key"]):
        assert token not in json.dumps(stored)
    assert delivery.opened(stored)["address"] == ""
    assert delivery.shown(stored) == {
        "carrier": "EMS",
        "tracking_no": "EA123",
        "address": delivery.ERASED,
        "recipient": delivery.ERASED,
    }
    assert stored["erased_reason"] == "服务对象申请删除"
    choice = DeliveryChoice.objects.get(case=case)
    assert choice.address_cipher == "" and choice.address_masked == delivery.ERASED
    assert _anywhere_in_the_database(before["address"]) == []

    call_command("audit", "verify")  # raises CommandError on any problem
    assert "CaseEvent" not in capsys.readouterr().err

    # erasing again finds nothing left; the case page still opens
    call_command("pii_erase", "--case", case.number, "--reason", "重复执行")
    assert "删除了 0 件" in capsys.readouterr().out


def test_finding_8_erase_by_client_and_unknown_case(world, capsys):
    case = _delivered(world)
    call_command("pii_erase", "--client", str(case.client_id), "--reason", "删除请求")
    assert delivery.opened(Case.objects.get(pk=case.pk).delivery)["recipient"] == ""
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="找不到办件"):
        call_command("pii_erase", "--case", "NO-SUCH", "--reason", "删除请求")


def test_delivery_written_in_clear_before_is_read_masked_and_encrypted_by_rekey(world):
    case = _delivered(world)
    Case.objects.filter(pk=case.pk).update(
        delivery={"address": ADDRESS, "recipient": RECIPIENT, "carrier": "EMS"}
    )
    old = Case.objects.get(pk=case.pk).delivery
    assert delivery.opened(old)["address"] == ADDRESS
    assert ADDRESS not in delivery.shown(old)["address"]
    call_command("pii_rekey")
    new = Case.objects.get(pk=case.pk).delivery
    assert new["address"].startswith("v") and ADDRESS not in json.dumps(new)
    assert delivery.opened(new)["address"] == ADDRESS
    assert delivery.opened(new)["recipient"] == RECIPIENT
