"""国密 by default (finding 9), keys checked at start-up (finding 7), and re-encryption.

The SM4-GCM and HMAC-SM3 checks recompute everything independently of the code under test
and of OpenSSL: the SM4 block cipher and SM3 come from ``gmssl`` (pure Python, checked here
against the standards' own examples), GCM, HMAC and HKDF are written out below.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError
from django.test import override_settings
from gmssl import func, sm3
from gmssl.sm4 import SM4_ENCRYPT, CryptSM4

from bangban.cases import delivery, rekey
from bangban.cases.models import Case, CaseEvent
from bangban.cases.selectors import client_case
from bangban.clients import pii
from bangban.clients.checks import key_checks, refuse_to_start_with_bad_keys
from bangban.clients.models import Client, ClientKind
from bangban.clients.services import find_client
from bangban.testing import make_resident_id

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
KEY = "sm-suite-test-master-key-0123456789-abcdefgh"
NEW_KEY = "the-new-master-key-after-rotation-0123456789"


# --- independent SM3, HMAC-SM3, HKDF-SM3, SM4 and GCM --------------------------------------


def sm3_digest(data: bytes) -> bytes:
    return bytes.fromhex(sm3.sm3_hash(func.bytes_to_list(data)))


def hmac_sm3(key: bytes, message: bytes) -> bytes:  # RFC 2104, block size 64
    key = key.ljust(64, b"\0")
    inner = sm3_digest(bytes(k ^ 0x36 for k in key) + message)
    return sm3_digest(bytes(k ^ 0x5C for k in key) + inner)


def hkdf_sm3(master: bytes, info: bytes, length: int) -> bytes:  # RFC 5869, no salt
    prk = hmac_sm3(b"\0" * 32, master)
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac_sm3(prk, block + info + bytes([counter]))
        out += block
        counter += 1
    return out[:length]


def sm4_block(key: bytes, block: bytes) -> bytes:
    sm4 = CryptSM4()
    sm4.set_key(key, SM4_ENCRYPT)
    return bytes(sm4.one_round(sm4.sk, list(block)))


def _gf_mult(x: int, y: int) -> int:  # NIST SP 800-38D, algorithm 1
    z, v = 0, y
    for i in range(127, -1, -1):
        if (x >> i) & 1:
            z ^= v
        v = (v >> 1) ^ (0xE1 << 120) if v & 1 else v >> 1
    return z


def _ghash(h: bytes, data: bytes) -> bytes:
    y, hh = 0, int.from_bytes(h, "big")
    for i in range(0, len(data), 16):
        y = _gf_mult(y ^ int.from_bytes(data[i : i + 16], "big"), hh)
    return y.to_bytes(16, "big")


def _pad16(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 16)


def sm4_gcm_open(key: bytes, nonce: bytes, ciphertext: bytes, tag: bytes, aad: bytes) -> bytes:
    """SM4 in GCM (SP 800-38D with a 96-bit IV), from the SM4 block function alone."""
    h = sm4_block(key, b"\0" * 16)
    j0 = nonce + b"\0\0\0\1"
    lengths = (len(aad) * 8).to_bytes(8, "big") + (len(ciphertext) * 8).to_bytes(8, "big")
    expected = _ghash(h, _pad16(aad) + _pad16(ciphertext) + lengths)
    expected = bytes(a ^ b for a, b in zip(expected, sm4_block(key, j0), strict=True))
    assert expected == tag, "the GCM tag does not match: not SM4-GCM under this key"
    plain = b""
    for i in range(0, len(ciphertext), 16):
        counter = nonce + (2 + i // 16).to_bytes(4, "big")
        stream = sm4_block(key, counter)
        plain += bytes(a ^ b for a, b in zip(ciphertext[i : i + 16], stream, strict=False))
    return plain


def _token_parts(token: str) -> tuple[str, bytes, bytes, bytes]:
    version, body = token.split(":", 1)
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    return version, raw[:12], raw[12:-16], raw[-16:]


def test_the_independent_sm3_and_sm4_give_the_standards_examples():
    # GB/T 32905-2016 附录A example 1; GB/T 32907-2016 附录A example 1
    assert sm3_digest(b"abc").hex() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    assert sm4_block(key, key).hex() == "681edf34d206965e86b3e94f536e4246"


@pytest.mark.django_db
@override_settings(CRYPTO_SUITE="sm", PERSONAL_DATA_KEY=KEY, PERSONAL_DATA_KEY_OLD="")
def test_under_the_sm_suite_stored_ciphertext_is_sm4_gcm_and_the_blind_index_hmac_sm3():
    client = Client(kind=ClientKind.PERSON, name="王五")
    client.set_mobile("13712345678")
    client.save()
    token, stored_hash = Client.objects.values_list("mobile_cipher", "mobile_hash").get(
        pk=client.pk
    )

    version, nonce, ciphertext, tag = _token_parts(token)
    assert version == "v2"
    sm4_key = hkdf_sm3(KEY.encode(), b"bangban/personal-data/encryption/v2/sm4-gcm", 16)
    assert sm4_gcm_open(sm4_key, nonce, ciphertext, tag, b"bangban/v2/") == b"13712345678"

    lookup_key = hkdf_sm3(KEY.encode(), b"bangban/personal-data/lookup/v2/hmac-sm3", 32)
    assert stored_hash == hmac_sm3(lookup_key, b"mobile\x0013712345678").hex()

    # and it is not AES: the same bytes do not open as AES-GCM under any derived key
    for key in (sm4_key, lookup_key, sm4_key * 2):
        with pytest.raises(InvalidTag):
            AESGCM(key).decrypt(nonce, ciphertext + tag, b"bangban/v2/")


def test_finding_9_the_default_suite_is_sm_in_production(tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BANGBAN_")}
    env = {
        **clean,
        "BANGBAN_MODE": "production",
        "BANGBAN_DATA_DIR": str(tmp_path),
        "BANGBAN_SECRET_KEY": "s" * 50,
        "BANGBAN_PERSONAL_DATA_KEY": "p" * 50,
        "BANGBAN_AUDIT_KEY": "a" * 50,
    }
    show = "import bangban.settings as s; print(s.CRYPTO_SUITE)"
    result = subprocess.run(
        [sys.executable, "-c", show], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "sm"
    wrong = subprocess.run(
        [sys.executable, "-c", show],
        cwd=REPO,
        env={**env, "BANGBAN_CRYPTO_SUITE": "aes"},
        capture_output=True,
        text=True,
    )
    assert wrong.returncode != 0 and "BANGBAN_CRYPTO_SUITE" in wrong.stderr


# --- finding 7: a short key is caught at start-up ------------------------------------------


def _check_deploy(tmp_path, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BANGBAN_")}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=REPO,
        env={**clean, "BANGBAN_DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
    )


def test_finding_7_check_deploy_refuses_a_short_personal_data_key(tmp_path):
    result = _check_deploy(tmp_path, BANGBAN_PERSONAL_DATA_KEY="short-key")
    assert result.returncode != 0
    assert "bangban.E001" in result.stderr and "BANGBAN_PERSONAL_DATA_KEY" in result.stderr

    fine = _check_deploy(tmp_path, BANGBAN_PERSONAL_DATA_KEY="k" * 32)
    assert "bangban.E" not in fine.stdout + fine.stderr


def test_finding_7_production_refuses_short_audit_and_secret_keys(tmp_path):
    result = _check_deploy(
        tmp_path,
        BANGBAN_MODE="production",
        BANGBAN_SECRET_KEY="x" * 20,
        BANGBAN_PERSONAL_DATA_KEY="p" * 40,
        BANGBAN_AUDIT_KEY="a" * 10,
    )
    assert result.returncode != 0
    assert "bangban.E003" in result.stderr and "bangban.E004" in result.stderr
    assert "bangban.E001" not in result.stderr


@override_settings(PERSONAL_DATA_KEY="too-short", PERSONAL_DATA_KEY_OLD="")
def test_finding_7_the_check_and_the_wsgi_start_up_refuse_a_short_key():
    assert [e.id for e in key_checks()] == ["bangban.E001"]
    with pytest.raises(SystemCheckError, match="bangban.E001"):
        call_command("check")
    with pytest.raises(ImproperlyConfigured, match="PERSONAL_DATA_KEY"):
        refuse_to_start_with_bad_keys()


@override_settings(PERSONAL_DATA_KEY=KEY, PERSONAL_DATA_KEY_OLD="short")
def test_finding_7_a_short_old_key_during_a_rotation_is_refused_too():
    assert [e.id for e in key_checks()] == ["bangban.E002"]


# --- finding 9: moving old data to SM, and rotating the key, interrupted and resumed ---------


PEOPLE = 12


def _make_people() -> list[dict]:
    people = []
    for i in range(PEOPLE):
        person = {
            "id_number": make_resident_id(f"31010519800101{i:03d}"),
            "mobile": f"1390000{i:04d}",
            "address": f"浙江省杭州市西湖区文三路{i + 1}号",
        }
        client = Client(kind=ClientKind.PERSON, name=f"客户{i}")
        client.set_id_number(person["id_number"])
        client.set_mobile(person["mobile"])
        client.set_address(person["address"])
        client.save()
        people.append({**person, "pk": client.pk})
    return people


def _deliver_by_post(world) -> Case:
    from bangban.cases.tests.helpers import deliver_by_post

    return deliver_by_post(world, address="浙江省杭州市余杭区良渚街道梨花巷7号", recipient="赵六")


def _every_value_is_kept_and_found(people, case, world) -> None:
    for person in people:
        client = Client.objects.get(pk=person["pk"])
        assert pii.reveal(client.id_number_cipher) == person["id_number"]
        assert pii.reveal(client.mobile_cipher) == person["mobile"]
        assert pii.reveal(client.address_cipher) == person["address"]
        assert find_client(kind=ClientKind.PERSON, id_number=person["id_number"]) == client
        hashes = pii.lookups("mobile", person["mobile"])
        assert list(Client.objects.filter(mobile_hash__in=hashes)) == [client]
    _, found = client_case(case.number, "13812345678")  # the world's citizen, by phone
    assert found == case
    stored = Case.objects.get(pk=case.pk).delivery
    opened = delivery.opened(stored)
    assert opened["address"] == "浙江省杭州市余杭区良渚街道梨花巷7号"
    assert opened["recipient"] == "赵六"
    deliver_event = CaseEvent.objects.get(case=case, event="deliver")
    assert delivery.matches_chain(stored, deliver_event.details)


def _tokens() -> list[str]:
    tokens = []
    for row in Client.objects.values("id_number_cipher", "mobile_cipher", "address_cipher"):
        tokens += [t for t in row.values() if t]
    for stored in Case.objects.values_list("delivery", flat=True):
        tokens += [stored[k] for k in ("address", "recipient", "digest_key") if stored.get(k)]
    return tokens


def test_finding_9_rekey_from_legacy_with_a_new_key_survives_an_interruption(world, monkeypatch):
    # before: everything written under the old suite and the old key
    old_key = settings.PERSONAL_DATA_KEY
    with override_settings(CRYPTO_SUITE="legacy"):
        for client in Client.objects.all():  # the world's clients, written under sm
            client.set_id_number(pii.reveal(client.id_number_cipher))
            client.set_mobile(pii.reveal(client.mobile_cipher))
            client.save()
        people = _make_people()
        case = _deliver_by_post(world)
        assert {t[:3] for t in _tokens()} == {"v1:"}
        assert (
            "hmac-sha256:" in CaseEvent.objects.get(case=case, event="deliver").details["address"]
        )

    # the operator switches to sm and a new key, keeping the old one readable
    with override_settings(
        CRYPTO_SUITE="sm", PERSONAL_DATA_KEY=NEW_KEY, PERSONAL_DATA_KEY_OLD=old_key
    ):
        _every_value_is_kept_and_found(people, case, world)  # readable before any rekey
        before = rekey.rekey_all(dry_run=True)
        assert before.changed >= PEOPLE + 1
        assert {t[:3] for t in _tokens()} == {"v1:"}  # a dry run changes nothing

        real = rekey.rekey_row
        calls = {"n": 0}

        def crashing(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] > PEOPLE // 2:
                raise RuntimeError("kill -9")
            return real(*args, **kwargs)

        monkeypatch.setattr(rekey, "rekey_row", crashing)
        with pytest.raises(RuntimeError):
            rekey.rekey_all()
        monkeypatch.setattr(rekey, "rekey_row", real)

        half = {t[:3] for t in _tokens()}
        assert half == {"v1:", "v2:"}  # stopped halfway
        _every_value_is_kept_and_found(people, case, world)  # and nothing is lost meanwhile

        call_command("pii_rekey")  # started again: does only what is left
        assert {t[:3] for t in _tokens()} == {"v2:"}
        assert rekey.rekey_all(dry_run=True).changed == 0
        _every_value_is_kept_and_found(people, case, world)
        call_command("audit", "verify")  # the chains still verify

    # the old key is retired: everything is read and found with the new one alone
    with override_settings(CRYPTO_SUITE="sm", PERSONAL_DATA_KEY=NEW_KEY, PERSONAL_DATA_KEY_OLD=""):
        _every_value_is_kept_and_found(people, case, world)
        lookup_key = hkdf_sm3(NEW_KEY.encode(), b"bangban/personal-data/lookup/v2/hmac-sm3", 32)
        for person in people:
            client = Client.objects.get(pk=person["pk"])
            message = b"mobile\x00" + person["mobile"].encode()
            assert client.mobile_hash == hmac_sm3(lookup_key, message).hex()
            assert pii.lookups("mobile", person["mobile"])[0] == client.mobile_hash


@override_settings(CRYPTO_SUITE="sm", PERSONAL_DATA_KEY=NEW_KEY, PERSONAL_DATA_KEY_OLD="")
def test_rekey_reports_a_row_no_key_can_read_and_goes_on(world):
    people = _make_people()
    Client.objects.filter(pk=people[0]["pk"]).update(
        mobile_cipher=pii._cipher(KEY, "sm").encrypt("13900000000")
    )
    with pytest.raises(CommandError, match="无法解密"):
        call_command("pii_rekey")
    client = Client.objects.get(pk=people[1]["pk"])
    assert pii.reveal(client.mobile_cipher) == people[1]["mobile"]
