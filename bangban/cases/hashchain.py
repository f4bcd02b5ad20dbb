"""Hash chain over a case's timeline: any later edit or deletion of an event is detected.

Each event's hash covers its canonical content and the previous event's hash, so changing
one event breaks its own hash and every link after it. The case keeps the hash and count
of its last event, so deleting the newest event is detected too. Plain module: no Django.

**Seals.** Every event records how it was sealed (``CaseEvent.seal``), and is checked with
exactly that:

- ``"sm3:<key id>"``: HMAC-SM3 (国密, GB/T 32905) under the key with that id; time in the
  canonical UTC form. Written under ``CRYPTO_SUITE = "sm"`` (the default).
- ``"sha256:<key id>"``: HMAC-SHA256, canonical UTC time. Written under ``"legacy"``.
- ``""``: written by earlier versions: HMAC-SHA256 over the time *as it was written*
  (``isoformat()`` with whatever offset the writer had, +08:00 or +00:00), under an
  unrecorded key. Such events are checked by trying the same instant in each of the
  zones the caller names and each key of the key ring; ``bangban audit rechain`` re-seals
  them to the canonical form once they verify.

The key id is a short fingerprint of the key (an HMAC of a constant), so a key ring can
hold the current key and, during a rotation, the old one.

**Canonical time.** ``utc_time`` writes any aware datetime as UTC with microseconds and a
``Z`` (``2026-03-02T01:30:00.000000Z``): the same instant hashes the same whether it was
given in +08:00 or in UTC, and whatever the database hands back.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac

GENESIS = "0" * 64

SM3 = "sm3"
SHA256 = "sha256"
LEGACY = ""  # the seal of events written before seals existed
SCHEMES = (SM3, SHA256)
# settings.CRYPTO_SUITE -> the scheme new events and checkpoints are sealed with
SUITE_SCHEMES = {"sm": SM3, "legacy": SHA256}


def utc_time(at: datetime) -> str:
    """The canonical form of an instant: UTC, microseconds, ``Z``."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("哈希链中的时间必须带时区")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(content: Mapping[str, object]) -> bytes:
    """One byte string per content: sorted keys, no whitespace, UTF-8 kept readable."""
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode()


def digest(scheme: str, data: bytes, key: bytes = b"") -> str:
    """Hex digest of ``data``: HMAC-SM3 / HMAC-SHA256 with a key, the plain hash without."""
    if scheme == SM3:
        if key:
            mac = crypto_hmac.HMAC(key, hashes.SM3())
            mac.update(data)
            return mac.finalize().hex()
        plain = hashes.Hash(hashes.SM3())
        plain.update(data)
        return plain.finalize().hex()
    if scheme in (SHA256, LEGACY):
        if key:
            return hmac.new(key, data, hashlib.sha256).hexdigest()
        return hashlib.sha256(data).hexdigest()
    raise ValueError(f"未知的封存方式：{scheme!r}")


class StreamDigest:
    """An incremental (keyless) SM3 or SHA-256, for digests over many lines."""

    def __init__(self, scheme: str):
        if scheme == SM3:
            self._hash = hashes.Hash(hashes.SM3())
        elif scheme == SHA256:
            self._hash = hashes.Hash(hashes.SHA256())
        else:
            raise ValueError(f"未知的封存方式：{scheme!r}")

    def update(self, data: bytes) -> None:
        self._hash.update(data)

    def hexdigest(self) -> str:
        return self._hash.finalize().hex()


@lru_cache(maxsize=16)
def key_id(key: bytes) -> str:
    """A short fingerprint of a key, stored with each seal (reveals nothing of the key)."""
    return digest(SM3, b"bangban audit key id", key)[:8]


def make_seal(scheme: str, key: bytes) -> str:
    return f"{scheme}:{key_id(key)}"


def parse_seal(seal: str) -> tuple[str, str]:
    """``"sm3:1a2b3c4d"`` -> ``("sm3", "1a2b3c4d")``; ``""`` -> ``("", "")`` (legacy)."""
    scheme, _, kid = seal.partition(":")
    return scheme, kid


def _render(content: Mapping[str, object], at_text: str | None) -> dict[str, object]:
    rendered = dict(content)
    if at_text is not None:
        rendered["at"] = at_text
    return rendered


def event_hash(
    prev_hash: str, content: Mapping[str, object], key: bytes = b"", *, scheme: str = LEGACY
) -> str:
    """The hash of one event: its link and its content, keyed (HMAC) when a key is given.

    With a key kept outside the database, someone who can rewrite rows cannot recompute a
    consistent chain: the audit then catches even a wholesale rewrite. ``content["at"]``
    is a datetime: written in the canonical UTC form under ``sm3`` and ``sha256``, and as
    ``isoformat()`` (the legacy form, offset as given) under ``LEGACY``.
    """
    at = content.get("at")
    if isinstance(at, datetime):
        at_text = utc_time(at) if scheme in SCHEMES else at.isoformat()
    else:
        if scheme in SCHEMES and at is not None:
            raise ValueError("规范格式的事件时间必须是带时区的 datetime")
        at_text = None
    message = prev_hash.encode() + b"\n" + canonical(_render(content, at_text))
    return digest(scheme, message, key)


@dataclass(frozen=True)
class ChainedEvent:
    ident: str  # how a person finds the event: "<case number> #<seq>"
    seq: int
    prev_hash: str
    hash: str
    content: Mapping[str, object]
    seal: str = LEGACY


@dataclass(frozen=True)
class ChainProblem:
    ident: str
    message: str


def seal_matches(
    event: ChainedEvent, keys: Mapping[str, bytes], legacy_zones: Sequence[tzinfo] = ()
) -> str | None:
    """None when the event's hash is right under its own seal, else what is wrong (Chinese).

    Canonical seals are strict: one scheme, the key of the recorded id, the UTC form.
    A legacy seal is tried with each key of the ring and the same instant written in
    each of ``legacy_zones`` (and as given): only the offset's spelling may differ.
    """
    scheme, kid = parse_seal(event.seal)
    if scheme in SCHEMES:
        key = keys.get(kid)
        if key is None:
            return (
                f"封存密钥 {kid or '（空）'} 不在密钥环中，无法校验（密钥已更换或封存标记被改动）"
            )
        if event_hash(event.prev_hash, event.content, key, scheme=scheme) == event.hash:
            return None
        return "内容与哈希不符（事件内容被改动）"
    if scheme != LEGACY:
        return f"封存方式 {event.seal!r} 未知（封存标记被改动）"
    at = event.content.get("at")
    variants: list[Mapping[str, object]] = [event.content]
    if isinstance(at, datetime):
        variants += [{**event.content, "at": at.astimezone(zone)} for zone in legacy_zones]
    for key in keys.values() or [b""]:
        for content in variants:
            if event_hash(event.prev_hash, content, key, scheme=LEGACY) == event.hash:
                return None
    return "内容与哈希不符（事件内容被改动）"


def verify_chain(
    events: Iterable[ChainedEvent],
    *,
    expected_count: int | None = None,
    expected_last: str | None = None,
    key: bytes = b"",
    keys: Mapping[str, bytes] | None = None,
    legacy_zones: Sequence[tzinfo] = (),
) -> list[ChainProblem]:
    """Check one case's events in ``seq`` order; return every problem found, named.

    ``keys`` is the key ring by key id; without it, the ring is ``key`` alone.
    """
    if keys is None:
        keys = {key_id(key): key}
    problems: list[ChainProblem] = []
    prev = GENESIS
    count = 0
    last_ident = ""
    for event in events:
        count += 1
        last_ident = event.ident
        if event.seq != count:
            problems.append(
                ChainProblem(
                    event.ident, f"序号不连续：应为 {count}，实为 {event.seq}（事件可能被删除）"
                )
            )
        if event.prev_hash != prev:
            problems.append(
                ChainProblem(event.ident, "与前一事件的链接不符（前序事件被改动或删除）")
            )
        wrong = seal_matches(event, keys, legacy_zones)
        if wrong:
            problems.append(ChainProblem(event.ident, wrong))
        prev = event.hash
    if expected_count is not None and count != expected_count:
        problems.append(
            ChainProblem(
                last_ident or "-", f"事件数应为 {expected_count}，实为 {count}（事件可能被删除）"
            )
        )
    elif expected_last is not None and count and prev != expected_last:
        problems.append(ChainProblem(last_ident, "最后一个事件与办件记录的哈希不符"))
    return problems


def reseal(
    contents: Iterable[Mapping[str, object]], key: bytes, scheme: str
) -> list[tuple[str, str]]:
    """Recompute a whole chain under ``scheme`` and ``key``: ``(prev_hash, hash)`` per event.

    ``contents`` in ``seq`` order. Only for chains that have just verified under their
    old seals (``bangban audit rechain``).
    """
    links = []
    prev = GENESIS
    for content in contents:
        new = event_hash(prev, content, key, scheme=scheme)
        links.append((prev, new))
        prev = new
    return links
