"""Signing: HMAC-SHA256 over timestamp + "." + body; forged, altered and old requests refused."""

import hashlib
import hmac

import pytest

from bangban.partners import signing

SECRET = "s3cret-key"
BODY = b'{"report_id":"R1","case":"X","status":"received"}'
NOW = 1_740_000_000


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body():
    expected = hmac.new(SECRET.encode(), b"1740000000." + BODY, hashlib.sha256).hexdigest()
    headers = signing.sign(partner="dept", secret=SECRET, body=BODY, delivery="d1", now=NOW)
    assert headers == {
        "X-Bangban-Partner": "dept",
        "X-Bangban-Timestamp": "1740000000",
        "X-Bangban-Signature": "sha256=" + expected,
        "X-Bangban-Delivery": "d1",
    }


def test_a_signed_request_verifies_and_gives_its_signature_for_the_replay_store():
    headers = signing.sign(partner="dept", secret=SECRET, body=BODY, now=NOW)
    seen = signing.verify(
        secret=SECRET,
        timestamp=headers["X-Bangban-Timestamp"],
        signed=headers["X-Bangban-Signature"],
        body=BODY,
        now=NOW + 10,
    )
    assert headers["X-Bangban-Signature"] == "sha256=" + seen


@pytest.mark.parametrize(
    "change",
    [
        {"secret": "another-key"},  # forged: signed with a key that is not the partner's
        {"body": BODY.replace(b"received", b"approved")},  # the body altered on the way
    ],
)
def test_a_forged_or_altered_request_is_refused(change):
    headers = signing.sign(partner="dept", secret=change.get("secret", SECRET), body=BODY, now=NOW)
    with pytest.raises(signing.SignatureRefused) as refused:
        signing.verify(
            secret=SECRET,
            timestamp=headers["X-Bangban-Timestamp"],
            signed=headers["X-Bangban-Signature"],
            body=change.get("body", BODY),
            now=NOW,
        )
    assert refused.value.code == "bad_signature"
    assert refused.value.message == "签名校验失败"


@pytest.mark.parametrize("offset", [-301, 301])
def test_a_timestamp_outside_five_minutes_is_expired_whatever_it_carries(offset):
    headers = signing.sign(partner="dept", secret=SECRET, body=BODY, now=NOW)
    with pytest.raises(signing.SignatureRefused) as refused:
        signing.verify(
            secret=SECRET,
            timestamp=headers["X-Bangban-Timestamp"],
            signed=headers["X-Bangban-Signature"],
            body=BODY,
            now=NOW - offset,
        )
    assert refused.value.code == "expired"
    assert "过期" in refused.value.message


@pytest.mark.parametrize(
    "timestamp, signed, code",
    [
        (None, "sha256=00", "missing"),
        ("1740000000", None, "missing"),
        ("soon", "x", "bad_timestamp"),
    ],
)
def test_missing_or_malformed_headers_are_refused(timestamp, signed, code):
    with pytest.raises(signing.SignatureRefused) as refused:
        signing.verify(secret=SECRET, timestamp=timestamp, signed=signed, body=BODY, now=NOW)
    assert refused.value.code == code
