"""Tests for personal-data encryption and blind-index lookup hashes."""

import base64
import hashlib
import hmac

import pytest

from bangban.clients.crypto import DecryptionError, PersonalDataCipher, generate_master_key

KEY = "test-master-key-0123456789-abcdefghijklmnop"
OTHER_KEY = "another-master-key-0123456789-abcdefghijklm"


@pytest.fixture(params=["sm", "legacy"])
def cipher(request):
    return PersonalDataCipher(KEY, request.param)


def flip_byte(token: str, index: int) -> str:
    version, body = token.split(":", 1)
    raw = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    raw[index] ^= 0x01
    return version + ":" + base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()


def test_encrypted_text_decrypts_to_the_original(cipher):
    for plaintext in ["11010519491231002X", "13812345678", "浙江省杭州市西湖区文三路90号", ""]:
        assert cipher.decrypt(cipher.encrypt(plaintext)) == plaintext


def test_a_token_is_versioned_url_safe_text_without_the_plaintext(cipher):
    token = cipher.encrypt("13812345678")
    assert token.startswith({"sm": "v2:", "legacy": "v1:"}[cipher.suite])
    assert "13812345678" not in token
    assert set(token[3:]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_bytes_and_str_keys_with_the_same_content_are_interchangeable():
    token = PersonalDataCipher(KEY).encrypt("13812345678")
    assert PersonalDataCipher(KEY.encode()).decrypt(token) == "13812345678"


def test_encrypting_the_same_value_twice_gives_different_tokens(cipher):
    tokens = {cipher.encrypt("13812345678") for _ in range(20)}
    assert len(tokens) == 20


@pytest.mark.parametrize("index", [0, 11, 12, 20, -1])
def test_a_changed_byte_anywhere_in_the_token_is_detected(cipher, index):
    token = cipher.encrypt("11010519491231002X")
    with pytest.raises(DecryptionError, match="篡改"):
        cipher.decrypt(flip_byte(token, index))


def test_a_token_of_either_suite_decrypts_whatever_the_suite_of_the_reader():
    sm, legacy = PersonalDataCipher(KEY, "sm"), PersonalDataCipher(KEY, "legacy")
    assert legacy.decrypt(sm.encrypt("13812345678")) == "13812345678"
    assert sm.decrypt(legacy.encrypt("13812345678")) == "13812345678"
    assert sm.lookup_hash("mobile", "1", suite="legacy") == legacy.lookup_hash("mobile", "1")
    assert sm.lookup_hash("mobile", "1") != legacy.lookup_hash("mobile", "1")


def test_a_token_from_another_key_is_refused(cipher):
    token = PersonalDataCipher(OTHER_KEY).encrypt("13812345678")
    with pytest.raises(DecryptionError):
        cipher.decrypt(token)


def test_a_token_encrypted_for_one_context_does_not_decrypt_in_another(cipher):
    token = cipher.encrypt("13812345678", context="mobile")
    assert cipher.decrypt(token, context="mobile") == "13812345678"
    with pytest.raises(DecryptionError):
        cipher.decrypt(token, context="resident_id")
    with pytest.raises(DecryptionError):
        cipher.decrypt(token)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "13812345678",
        "v1:",
        "v1:abc",
        "v1:not base64!",
        "v1:" + "A" * 37,
        "v2:" + "A" * 60,
        "v9:" + "A" * 60,
    ],
)
def test_malformed_or_truncated_tokens_are_refused(cipher, token):
    with pytest.raises(DecryptionError):
        cipher.decrypt(token)


def test_a_truncated_token_is_refused(cipher):
    token = cipher.encrypt("13812345678")
    with pytest.raises(DecryptionError):
        cipher.decrypt(token[:-4])


def test_a_short_master_key_is_refused():
    with pytest.raises(ValueError, match="主密钥过短"):
        PersonalDataCipher("too-short")
    with pytest.raises(TypeError):
        PersonalDataCipher(None)


def test_a_generated_master_key_is_accepted():
    key = generate_master_key()
    assert key != generate_master_key()
    cipher = PersonalDataCipher(key)
    assert cipher.decrypt(cipher.encrypt("x")) == "x"


def test_the_cipher_does_not_show_its_key():
    assert KEY not in repr(PersonalDataCipher(KEY))


def test_encrypting_something_other_than_text_is_refused(cipher):
    with pytest.raises(TypeError):
        cipher.encrypt(None)
    with pytest.raises(TypeError):
        cipher.encrypt(13812345678)


def test_the_lookup_hash_of_a_value_is_always_the_same(cipher):
    first = cipher.lookup_hash("mobile", "13812345678")
    assert first == cipher.lookup_hash("mobile", "13812345678")
    assert first == PersonalDataCipher(KEY, cipher.suite).lookup_hash("mobile", "13812345678")
    assert len(first) == 64
    assert int(first, 16) >= 0


def test_the_lookup_hash_depends_on_the_value_the_kind_and_the_key(cipher):
    base = cipher.lookup_hash("mobile", "13812345678")
    assert cipher.lookup_hash("mobile", "13812345679") != base
    assert cipher.lookup_hash("resident_id", "13812345678") != base
    other = PersonalDataCipher(OTHER_KEY, cipher.suite)
    assert other.lookup_hash("mobile", "13812345678") != base


def test_the_kind_and_value_cannot_be_shifted_into_each_other(cipher):
    assert cipher.lookup_hash("mobile", "1") != cipher.lookup_hash("mobile1", "")


def test_the_lookup_hash_is_not_a_plain_or_master_keyed_hash(cipher):
    message = b"mobile\x0013812345678"
    value = cipher.lookup_hash("mobile", "13812345678")
    assert value != hashlib.sha256(message).hexdigest()
    assert value != hashlib.sha256(b"13812345678").hexdigest()
    assert value != hmac.new(KEY.encode(), message, hashlib.sha256).hexdigest()


def test_a_malformed_kind_is_refused(cipher):
    for kind in ["", "Mobile", "mobile\x00", "手机", "1mobile"]:
        with pytest.raises(ValueError):
            cipher.lookup_hash(kind, "13812345678")
