"""``bangban audit verify``: hold the whole database to account, and name what was tampered with.

For every case, in one pass:

1. **The chain**: each event's hash under its own seal (``hashchain``), the links, the
   sequence numbers, and the case's ``event_count`` and ``last_event_hash`` against its
   last event.
2. **The case row against its events**: the case's state is the last event's ``to_state``
   and its ``version`` is the number of changes after submission (events − 1). A state
   written straight into the table, with no event, is named.
3. **The newest checkpoint** (or an exported checkpoint file): every case in it still
   exists with the same number, has at least the events it had then, and the event at
   that count still has the checkpointed hash. This is what makes a deleted case, or
   a tail of events deleted with the case row rewound to match, visible.
4. **Case numbering**: per site and year, the numbers 1 … the counter's last must all
   exist; a missing one is a case deleted as a whole since the last checkpoint.

Memory stays bounded however many cases there are: the cases, the events and the
checkpoint's heads are read as streams ordered by case (``iterator()``: chunked fetches,
server-side cursors on PostgreSQL) and merged, so only one case's timeline is held at a
time. The two database streams are not one snapshot, so a transition committed between
the two reads could look like a problem (one event more than the case row says). A case
with a problem is therefore checked once more with its row locked, the way
``case_transition`` locks it, and only what that second look confirms is reported.
Tampering is in the stored rows, so it shows up in both looks; a race in the first only.

``rechain`` (``bangban audit rechain``) re-seals chains: events written before seals
existed (time as written, +08:00 or UTC), or under the legacy suite, or an old key, are
re-hashed under the current suite and key, one case per transaction, and only for a case
that verifies completely first. See ``docs/operations.md``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from .checkpoints import CheckpointSource, Head, db_source, newest_checkpoint
from .hashchain import LEGACY, ChainedEvent, reseal, verify_chain
from .models import Case, CaseEvent, ChainReseal, DocumentCounter
from .numbers import parse_number
from .numbers import series as number_series
from .sealing import audit_key, audit_keys, audit_scheme, current_seal, legacy_zones
from .workflow import STATE_LABELS

logger = logging.getLogger(__name__)

CHUNK_SIZE = 500

# How verify_chain words the problems that concern the timeline as a whole, not one event.
_WHOLE_CASE = ("事件数应为", "最后一个事件")
_MAX_NAMED = 20  # missing case numbers named one by one per series; beyond, a count


@dataclass(frozen=True)
class AuditProblem:
    """One problem, named so a person can find the row: case number, event seq and id.

    ``whole_case`` problems (events missing at the end, the case's last hash not matching)
    are about the timeline as a whole; the event they name is the last one still stored.
    A problem with no case number is about a checkpoint itself.
    """

    case_number: str
    seq: int | None
    event_id: int | None
    message: str
    whole_case: bool = False

    def __str__(self) -> str:
        if not self.case_number:
            return self.message
        if self.event_id is None:
            return f"办件 {self.case_number}：{self.message}"
        if self.whole_case:
            last = f"现存最后一个事件为第 {self.seq} 号（id={self.event_id}）"
            return f"办件 {self.case_number}（{last}）：{self.message}"
        return f"办件 {self.case_number} 第 {self.seq} 号事件（id={self.event_id}）：{self.message}"


@dataclass
class AuditReport:
    cases: int = 0
    events: int = 0
    legacy_events: int = 0  # sealed before seals existed: verified in the legacy time form
    other_seal_events: int = 0  # sealed under another suite or key than the current one
    checkpoint: str = ""  # which checkpoint the database was held to, if any
    problems: list[AuditProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def summary(self) -> str:
        checked = f"已校验 {self.cases} 个办件、{self.events} 个事件"
        if self.checkpoint:
            checked += f"，并与{self.checkpoint}核对"
        if self.ok:
            return f"{checked}，未发现篡改"
        return f"{checked}，发现 {len(self.problems)} 处问题"

    @property
    def notes(self) -> list[str]:
        notes = []
        if not self.checkpoint:
            notes.append(
                "尚无检查点：整件删除的办件与被截短并回退的时间线只能靠编号连续性发现；"
                "请运行 bangban audit checkpoint"
            )
        if self.legacy_events:
            notes.append(
                f"{self.legacy_events} 个事件仍为旧格式（时间未规范化），已按旧格式校验；"
                "请运行 bangban audit rechain 重新封存"
            )
        if self.other_seal_events:
            notes.append(
                f"{self.other_seal_events} 个事件使用的算法或密钥不是当前的（{current_seal()}）；"
                "请运行 bangban audit rechain 重新封存"
            )
        return notes


@dataclass(frozen=True)
class _Against:
    """What one case is compared with besides its own rows: a checkpoint head, if any."""

    label: str = ""
    head: Head | None = None
    resealed_since: bool = False  # re-sealed after the checkpoint: compare counts only


class _Peek:
    """A sorted stream read by increasing key: ``upto(k)`` yields the items below ``k``."""

    def __init__(self, items: Iterator, key: Callable):
        self._items, self._key = items, key
        self._next = next(items, None)

    def below(self, k) -> Iterator:
        while self._next is not None and self._key(self._next) < k:
            item, self._next = self._next, next(self._items, None)
            yield item

    def take(self, k):
        """The item with key ``k`` (after the ones below it were consumed), or None."""
        if self._next is not None and self._key(self._next) == k:
            item, self._next = self._next, next(self._items, None)
            return item
        return None

    def rest(self) -> Iterator:
        while self._next is not None:
            item, self._next = self._next, next(self._items, None)
            yield item


def verify_all(
    *,
    chunk_size: int = CHUNK_SIZE,
    checkpoint: CheckpointSource | None = None,
    use_newest_checkpoint: bool = True,
) -> AuditReport:
    """Check every case; see the module docstring for what and how.

    ``checkpoint``: hold the database to this one (e.g. an exported file); by default,
    to the newest checkpoint in the database, if there is one.
    """
    report = AuditReport()
    if checkpoint is None and use_newest_checkpoint:
        newest = newest_checkpoint()
        checkpoint = db_source(newest) if newest else None
    numbering = _Numbering()  # the counters first: only numbers issued before the stream
    current = current_seal()
    cases = (
        Case.objects.order_by("pk")
        .only("pk", "number", "state", "version", "event_count", "last_event_hash")
        .iterator(chunk_size=chunk_size)
    )
    events = _events_by_case(
        CaseEvent.objects.order_by("case_id", "seq").iterator(chunk_size=chunk_size)
    )
    pending = next(events, None)
    heads = resealed = None
    if checkpoint is not None:
        report.checkpoint = checkpoint.label
        heads = _Peek(checkpoint.heads(), key=lambda head: head.case_pk)
        resealed = _Peek(_resealed_since(checkpoint, chunk_size), key=lambda pk: pk)
    for case in cases:
        # Events of a case missing from the case stream belong to a case created after that
        # stream began (the foreign key rules out orphans); they are not this audit's.
        while pending is not None and pending[0] < case.pk:
            pending = next(events, None)
        timeline: list[CaseEvent] = []
        if pending is not None and pending[0] == case.pk:
            timeline = pending[1]
            pending = next(events, None)
        against = _Against()
        if checkpoint is not None:
            for gone in heads.below(case.pk):
                report.problems.extend(_gone(gone, checkpoint.label))
            for _ in resealed.below(case.pk):
                pass
            against = _Against(
                checkpoint.label, heads.take(case.pk), resealed.take(case.pk) is not None
            )
        numbering.see(case.number)
        report.cases += 1
        report.events += len(timeline)
        for event in timeline:
            if event.seal == LEGACY:
                report.legacy_events += 1
            elif event.seal != current:
                report.other_seal_events += 1
        problems = check_case(case, timeline, against)
        if problems:
            problems = recheck_case(case.pk, against)
        report.problems.extend(problems)
    if checkpoint is not None:
        for gone in heads.rest():
            report.problems.extend(_gone(gone, checkpoint.label))
        report.problems[:0] = [AuditProblem("", None, None, p) for p in checkpoint.problems]
    report.problems.extend(numbering.problems())
    return report


def check_case(
    case: Case, events: Iterable[CaseEvent], against: _Against = _Against()
) -> list[AuditProblem]:
    """The problems in one case (``events`` in ``seq`` order)."""
    events = list(events)
    by_ident: dict[str, CaseEvent] = {}
    chained = []
    for event in events:
        ident = f"{case.number} #{event.seq}"
        by_ident[ident] = event
        chained.append(
            ChainedEvent(
                ident,
                event.seq,
                event.prev_hash,
                event.hash,
                event.chain_content(case.number),
                event.seal,
            )
        )
    found = verify_chain(
        chained,
        expected_count=case.event_count,
        expected_last=case.last_event_hash or None,
        keys=audit_keys(),
        legacy_zones=legacy_zones(),
    )
    problems = []
    for problem in found:
        event = by_ident.get(problem.ident)
        problems.append(
            AuditProblem(
                case.number,
                event.seq if event else None,
                event.pk if event else None,
                problem.message,
                whole_case=problem.message.startswith(_WHOLE_CASE),
            )
        )
    problems.extend(_row_against_events(case, events))
    if against.head is not None:
        problems.extend(_against_checkpoint(case, events, against))
    return problems


def _row_against_events(case: Case, events: list[CaseEvent]) -> list[AuditProblem]:
    """The case row's state and version must be what its events say.

    The state is the last event's ``to_state``; the version counts the changes after
    submission, so it is ``event_count`` − 1 (the count itself is held to the events by
    the chain check: together, the version is held to the events too).
    """
    if not events:
        if case.event_count:
            return []  # named by the chain check: "事件数应为 …，实为 0"
        return [AuditProblem(case.number, None, None, "办件没有任何事件（办件未经写入路径产生）")]
    last = events[-1]
    problems = []

    def named(message):
        return AuditProblem(case.number, last.seq, last.pk, message, whole_case=True)

    if case.state != last.to_state:
        problems.append(
            named(
                f"办件状态为「{_state_label(case.state)}」，而最后一个事件（{last.event}）"
                f"记录的状态为「{_state_label(last.to_state)}」"
                "（状态未经事件被改动，或末尾事件被删除）"
            )
        )
    if case.version != case.event_count - 1:
        problems.append(
            named(
                f"版本号为 {case.version}，与事件数 {case.event_count} 不符（应为 "
                f"{case.event_count - 1}；版本号被改动，或事件被删除后记录被回退）"
            )
        )
    return problems


def _against_checkpoint(case: Case, events: list[CaseEvent], against: _Against):
    head = against.head
    if head.number != case.number:
        return [
            AuditProblem(
                case.number,
                None,
                None,
                f"{against.label}中此办件的编号为 {head.number}（办件编号被改动）",
            )
        ]
    if len(events) < head.count:
        return [
            AuditProblem(
                case.number,
                None,
                None,
                f"{against.label}记录有 {head.count} 个事件，现仅存 {len(events)} 个"
                "（末尾事件被删除，办件记录被回退）",
            )
        ]
    if head.count and not against.resealed_since:
        event = events[head.count - 1]
        if event.hash != head.head:
            return [
                AuditProblem(
                    case.number,
                    event.seq,
                    event.pk,
                    f"哈希与{against.label}记录的不符（检查点之后该事件或其前序事件被改写）",
                )
            ]
    return []


def _gone(head: Head, label: str) -> list[AuditProblem]:
    """A checkpointed case missing from the stream: confirmed with a direct look."""
    if Case.objects.filter(pk=head.case_pk, number=head.number).exists():
        return []  # not gone after all (cannot happen for a case in pk order; kept safe)
    return [
        AuditProblem(
            head.number,
            None,
            None,
            f"办件已不存在：{label}记录其有 {head.count} 个事件（办件连同事件被整体删除）",
        )
    ]


def _resealed_since(checkpoint: CheckpointSource, chunk_size: int) -> Iterator[int]:
    return (
        ChainReseal.objects.filter(resealed_at__gt=checkpoint.created_at)
        .order_by("case_pk")
        .values_list("case_pk", flat=True)
        .distinct()
        .iterator(chunk_size=chunk_size)
    )


def recheck_case(case_pk: int, against: _Against = _Against()) -> list[AuditProblem]:
    """One case again, its row locked so that no transition can land between the reads."""
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(pk=case_pk).first()
        if case is None:  # cases are never deleted (events PROTECT them); nothing to check
            return []
        return check_case(case, case.events.order_by("seq"), against)


def _state_label(state: str) -> str:
    return next((label for key, label in STATE_LABELS.items() if str(key) == state), state)


class _Numbering:
    """Case numbers are issued 1, 2, 3 … per site and year (``services.next_number``), in
    the same transaction as the case, so a number below the counter with no case is a case
    deleted as a whole. Counters are read before the case stream: later numbers are not
    this audit's. Cases arrive in ``pk`` order, which is issue order per series."""

    def __init__(self):
        self.issued = {
            number_series("BJ", code, year): last
            for code, year, last in DocumentCounter.objects.filter(prefix="BJ").values_list(
                "site__code", "year", "last"
            )
        }
        self.seen: dict[str, int] = {}
        self.next: dict[str, int] = {}
        self.gaps: dict[str, list[int]] = {}
        self.unordered: set[str] = set()

    def see(self, number: str) -> None:
        parsed = parse_number(number)
        if parsed is None or parsed.series not in self.issued:
            return
        series, n = parsed.series, parsed.seq
        if n > self.issued[series]:
            return
        self.seen[series] = self.seen.get(series, 0) + 1
        expected = self.next.get(series, 1)
        if n > expected:
            gaps = self.gaps.setdefault(series, [])
            gaps.extend(range(expected, min(n, expected + _MAX_NAMED + 1)))
        elif n < expected:
            self.unordered.add(series)
        self.next[series] = max(expected, n + 1)

    def problems(self) -> list[AuditProblem]:
        problems = []
        for series, last in sorted(self.issued.items()):
            seen = self.seen.get(series, 0)
            if seen >= last:
                continue
            missing = list(self.gaps.get(series, []))
            missing += range(self.next.get(series, 1), last + 1)
            named = [f"{series}-{n:06d}" for n in missing[:_MAX_NAMED]]  # format_number's
            named = [n for n in named if not Case.objects.filter(number=n).exists()]
            if series in self.unordered or not named:
                if Case.objects.filter(number__startswith=f"{series}-").count() >= last:
                    continue
                message = f"编号已发至 {last} 号，现仅存 {seen} 件（办件被整体删除）"
                problems.append(AuditProblem(f"{series}-*", None, None, message))
                continue
            for number in named:
                message = f"编号已发出（计数器已至 {last} 号），办件却不存在（办件被整体删除）"
                problems.append(AuditProblem(number, None, None, message))
        return problems


def _events_by_case(events: Iterator[CaseEvent]) -> Iterator[tuple[int, list[CaseEvent]]]:
    """Group a stream of events ordered by case into (case id, that case's events)."""
    current_id = None
    group: list[CaseEvent] = []
    for event in events:
        if event.case_id != current_id:
            if group:
                yield current_id, group
            current_id, group = event.case_id, []
        group.append(event)
    if group:
        yield current_id, group


# --- re-sealing ------------------------------------------------------------------------


@dataclass
class RechainReport:
    resealed: int = 0
    resealed_events: int = 0
    current: int = 0  # already sealed under the current suite and key
    refused: list[AuditProblem] = field(default_factory=list)
    refused_cases: int = 0
    dry_run: bool = False

    @property
    def summary(self) -> str:
        verb = "可重新封存" if self.dry_run else "已重新封存"
        text = (
            f"{verb} {self.resealed} 个办件（{self.resealed_events} 个事件）；"
            f"{self.current} 个办件已是当前封存（{current_seal()}）"
        )
        if self.refused_cases:
            text += f"；{self.refused_cases} 个办件校验未通过，未作改动"
        return text


def rechain(*, dry_run: bool = False, chunk_size: int = CHUNK_SIZE) -> RechainReport:
    """Re-seal every chain not yet under the current suite and key, after it verifies.

    Each case in its own transaction, its row locked: verified completely (its chain under
    the seals it was written with — the legacy time form for events written before seals
    existed — its row against its events, and the newest checkpoint), then re-hashed under
    ``CRYPTO_SUITE`` and ``AUDIT_KEY``, with a ``ChainReseal`` record. A case that does not
    verify is left exactly as it is and named: re-sealing never blesses tampered data.
    Interrupted, nothing is half-done; run it again and it carries on with the cases whose
    events are not all under the current seal.
    """
    report = RechainReport(dry_run=dry_run)
    target = current_seal()
    newest = newest_checkpoint()
    source = db_source(newest) if newest else None
    if source is not None and source.problems:
        report.refused.extend(AuditProblem("", None, None, p) for p in source.problems)
        report.refused_cases += 1
        return report
    heads = _Peek(source.heads(), key=lambda h: h.case_pk) if source else None
    resealed = _Peek(_resealed_since(source, chunk_size), key=lambda pk: pk) if source else None
    last_pk = 0
    while True:
        chunk = list(
            Case.objects.filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", flat=True)[:chunk_size]
        )
        if not chunk:
            break
        for pk in chunk:
            against = _Against()
            if source is not None:
                for gone in heads.below(pk):
                    report.refused.extend(_gone(gone, source.label))
                for _ in resealed.below(pk):
                    pass
                against = _Against(source.label, heads.take(pk), resealed.take(pk) is not None)
            _reseal_one(pk, target, against, report, dry_run)
        last_pk = chunk[-1]
    if heads is not None:
        for gone in heads.rest():
            report.refused.extend(_gone(gone, source.label))
    return report


def _reseal_one(pk: int, target: str, against: _Against, report: RechainReport, dry_run):
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(pk=pk).first()
        if case is None:
            return
        events = list(case.events.order_by("seq"))
        if events and all(e.seal == target for e in events):
            if case.last_event_hash == events[-1].hash:
                report.current += 1
                return
        problems = check_case(case, events, against)
        if problems:
            report.refused.extend(problems)
            report.refused_cases += 1
            return
        report.resealed += 1
        report.resealed_events += len(events)
        if dry_run:
            return
        scheme, key = audit_scheme(), audit_key()
        old_head = case.last_event_hash
        old_seals = sorted({e.seal or "旧格式" for e in events})
        links = reseal((e.chain_content(case.number) for e in events), key, scheme)
        for event, (prev_hash, new_hash) in zip(events, links, strict=True):
            event.prev_hash, event.hash, event.seal = prev_hash, new_hash, target
        CaseEvent.objects.bulk_update(events, ["prev_hash", "hash", "seal"], batch_size=500)
        new_head = links[-1][1]
        Case.objects.filter(pk=pk).update(last_event_hash=new_head)
        ChainReseal.objects.create(
            case_pk=pk,
            case_number=case.number,
            resealed_at=timezone.now(),
            event_count=len(events),
            from_seals=",".join(old_seals)[:200],
            to_seal=target,
            old_head=old_head,
            new_head=new_head,
        )
        logger.debug("办件%s的哈希链已重新封存为 %s", case.number, target)
