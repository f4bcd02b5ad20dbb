"""The pure hash chain: canonical time, seals (HMAC-SM3 / HMAC-SHA256 / legacy), key ring.

No database: ``hashchain`` is a plain module.
"""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives import hashes

from bangban.cases.hashchain import (
    GENESIS,
    LEGACY,
    SHA256,
    SM3,
    ChainedEvent,
    canonical,
    event_hash,
    key_id,
    make_seal,
    reseal,
    utc_time,
    verify_chain,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
KEY = b"audit-key-for-tests"
INSTANT_UTC = datetime(2026, 3, 2, 1, 30, 0, 123456, tzinfo=UTC)
INSTANT_CST = INSTANT_UTC.astimezone(SHANGHAI)  # 2026-03-02 09:30:00.123456+08:00


def content(at, **extra):
    return {"case": "BJ-C-2026-000001", "seq": 1, "event": "submit", "at": at, **extra}


def test_finding_3_the_same_instant_in_0800_and_in_utc_hashes_the_same():
    assert INSTANT_CST.isoformat() != INSTANT_UTC.isoformat()  # the bug: two spellings
    fixed = datetime(2026, 3, 2, 9, 30, 0, 123456, tzinfo=timezone(timedelta(hours=8)))
    for scheme in (SM3, SHA256):
        hashes_ = {
            event_hash(GENESIS, content(at), KEY, scheme=scheme)
            for at in (INSTANT_UTC, INSTANT_CST, fixed)
        }
        assert len(hashes_) == 1, scheme
    assert utc_time(INSTANT_CST) == utc_time(INSTANT_UTC) == "2026-03-02T01:30:00.123456Z"
    assert utc_time(datetime(2026, 3, 2, 8, 0, tzinfo=SHANGHAI)) == "2026-03-02T00:00:00.000000Z"


def test_another_instant_hashes_differently():
    later = INSTANT_UTC + timedelta(microseconds=1)
    assert event_hash(GENESIS, content(INSTANT_UTC), KEY, scheme=SM3) != event_hash(
        GENESIS, content(later), KEY, scheme=SM3
    )


def test_a_time_without_zone_is_refused():
    with pytest.raises(ValueError, match="时区"):
        event_hash(GENESIS, content(datetime(2026, 3, 2, 9, 30)), KEY, scheme=SM3)


def _hmac_sm3(key: bytes, message: bytes) -> str:
    """HMAC (RFC 2104) built by hand over cryptography's SM3: block size 64 bytes."""

    def sm3(data: bytes) -> bytes:
        h = hashes.Hash(hashes.SM3())
        h.update(data)
        return h.finalize()

    if len(key) > 64:
        key = sm3(key)
    key = key.ljust(64, b"\0")
    inner = sm3(bytes(b ^ 0x36 for b in key) + message)
    return sm3(bytes(b ^ 0x5C for b in key) + inner).hex()


def test_sm3_seal_is_hmac_sm3_of_the_link_and_the_canonical_content():
    c = content(INSTANT_CST, details={"说明": "中文"})
    message = b"prev\n" + canonical({**c, "at": "2026-03-02T01:30:00.123456Z"})
    assert event_hash("prev", c, KEY, scheme=SM3) == _hmac_sm3(KEY, message)
    long_key = b"k" * 100
    assert event_hash("prev", c, long_key, scheme=SM3) == _hmac_sm3(long_key, message)
    # and SM3 is really SM3: the GB/T 32905 test vector "abc"
    h = hashes.Hash(hashes.SM3())
    h.update(b"abc")
    assert h.finalize().hex() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )


def _chain(contents, key, scheme, *, seal=None):
    events, prev = [], GENESIS
    for seq, c in enumerate(contents, start=1):
        h = event_hash(prev, c, key, scheme=scheme)
        s = seal if seal is not None else (make_seal(scheme, key) if scheme != LEGACY else "")
        events.append(ChainedEvent(f"#{seq}", seq, prev, h, c, s))
        prev = h
    return events


def _two(first_at, second_at):
    return [content(first_at), {**content(second_at), "seq": 2, "event": "start_review"}]


def test_legacy_events_written_in_0800_verify_only_with_the_legacy_zones():
    """The old writer hashed ``at.isoformat()`` as it had it; the database gives UTC back."""
    written = _chain(_two(INSTANT_CST, INSTANT_CST + timedelta(hours=1)), KEY, LEGACY)
    read_back = [  # what the database hands back: the same instants, in UTC
        ChainedEvent(
            e.ident,
            e.seq,
            e.prev_hash,
            e.hash,
            {**e.content, "at": e.content["at"].astimezone(UTC)},
            e.seal,
        )
        for e in written
    ]
    strict = verify_chain(read_back, key=KEY)
    assert [p.message for p in strict] == ["内容与哈希不符（事件内容被改动）"] * 2
    assert verify_chain(read_back, key=KEY, legacy_zones=(UTC, SHANGHAI)) == []
    # only the spelling of the offset may differ: another instant still fails
    moved = [
        read_back[0],
        ChainedEvent(
            **{
                **read_back[1].__dict__,
                "content": {**read_back[1].content, "at": INSTANT_UTC + timedelta(hours=2)},
            }
        ),
    ]
    problems = verify_chain(moved, key=KEY, legacy_zones=(UTC, SHANGHAI))
    assert [p.ident for p in problems] == ["#2"]


def test_canonical_seals_are_strict():
    events = _chain(_two(INSTANT_UTC, INSTANT_UTC + timedelta(hours=1)), KEY, SM3)
    assert verify_chain(events, key=KEY) == []
    # a legacy-form hash under an sm3 seal does not pass
    legacy = _chain(_two(INSTANT_UTC, INSTANT_UTC + timedelta(hours=1)), KEY, LEGACY)
    relabelled = [ChainedEvent(**{**e.__dict__, "seal": make_seal(SM3, KEY)}) for e in legacy]
    assert len(verify_chain(relabelled, key=KEY, legacy_zones=(UTC, SHANGHAI))) == 2
    # nor does an sm3 event relabelled as legacy or as sha256
    for seal in ("", make_seal(SHA256, KEY)):
        downgraded = [ChainedEvent(**{**e.__dict__, "seal": seal}) for e in events]
        problems = verify_chain(downgraded, key=KEY, legacy_zones=(UTC, SHANGHAI))
        assert {p.ident for p in problems} == {"#1", "#2"}, seal


def test_an_unknown_key_or_seal_is_named():
    events = _chain(_two(INSTANT_UTC, INSTANT_UTC), KEY, SM3)
    [first, *_] = verify_chain(events, key=b"another key")
    assert "不在密钥环中" in first.message
    odd = [ChainedEvent(**{**e.__dict__, "seal": "md5:00"}) for e in events]
    assert "封存方式" in verify_chain(odd, key=KEY)[0].message


def test_a_key_ring_verifies_a_chain_sealed_under_two_keys():
    old, new = b"old key", b"new key"
    first = _chain([content(INSTANT_UTC)], old, SHA256)[0]
    second_content = {**content(INSTANT_UTC), "seq": 2}
    second_hash = event_hash(first.hash, second_content, new, scheme=SM3)
    second = ChainedEvent("#2", 2, first.hash, second_hash, second_content, make_seal(SM3, new))
    ring = {key_id(old): old, key_id(new): new}
    assert verify_chain([first, second], keys=ring) == []
    assert len(verify_chain([first, second], keys={key_id(new): new})) == 1
    assert key_id(old) != key_id(new) and len(key_id(old)) == 8


def test_reseal_rebuilds_a_chain_that_then_verifies_under_the_new_seal():
    contents = _two(INSTANT_CST, INSTANT_CST)
    links = reseal(contents, KEY, SM3)
    events = [
        ChainedEvent(f"#{i}", i, prev, h, c, make_seal(SM3, KEY))
        for i, ((prev, h), c) in enumerate(zip(links, contents, strict=True), start=1)
    ]
    assert links[0][0] == GENESIS and links[1][0] == links[0][1]
    assert verify_chain(events, key=KEY, expected_count=2, expected_last=links[-1][1]) == []
