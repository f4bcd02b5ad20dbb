"""Hash chain over a case's timeline: any later edit or deletion of an event is detected.

Each event's hash covers its canonical content and the previous event's hash, so changing
one event breaks its own hash and every link after it. The case keeps the hash and count
of its last event, so deleting the newest event is detected too. Plain module: no Django.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

GENESIS = "0" * 64


def canonical(content: Mapping) -> bytes:
    """One byte string per content: sorted keys, no whitespace, UTF-8 kept readable."""
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode()


def event_hash(prev_hash: str, content: Mapping, key: bytes = b"") -> str:
    """SHA-256 of the link and content; keyed (HMAC) when a key is given.

    With a key kept outside the database, someone who can rewrite rows cannot recompute a
    consistent chain: the audit then catches even a wholesale rewrite.
    """
    message = prev_hash.encode() + b"\n" + canonical(content)
    if key:
        return hmac.new(key, message, hashlib.sha256).hexdigest()
    return hashlib.sha256(message).hexdigest()


@dataclass(frozen=True)
class ChainedEvent:
    ident: str  # how a person finds the event: "<case number> #<seq>"
    seq: int
    prev_hash: str
    hash: str
    content: Mapping


@dataclass(frozen=True)
class ChainProblem:
    ident: str
    message: str


def verify_chain(
    events: Iterable[ChainedEvent],
    *,
    expected_count: int | None = None,
    expected_last: str | None = None,
    key: bytes = b"",
) -> list[ChainProblem]:
    """Check one case's events in ``seq`` order; return every problem found, named."""
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
        if event_hash(event.prev_hash, event.content, key) != event.hash:
            problems.append(ChainProblem(event.ident, "内容与哈希不符（事件内容被改动）"))
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
