"""``bangban audit verify``: recompute every case's hash chain and name what was tampered with.

Memory stays bounded however many cases there are: the cases and the events are read as
two streams ordered by case (``iterator()``: chunked fetches, server-side cursors on
PostgreSQL) and merged, so only one case's timeline is held at a time, in two queries.

The two streams are not one snapshot, so a transition committed between the two reads
could look like a problem (one event more than the case row says). A case with a problem
is therefore checked once more with its row locked, the way ``case_transition`` locks it,
and only what that second look confirms is reported. Tampering is in the stored rows, so
it shows up in both looks; a race shows up in the first only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import transaction

from .hashchain import ChainedEvent, verify_chain
from .models import Case, CaseEvent
from .services import audit_key

CHUNK_SIZE = 500

# How verify_chain words the problems that concern the timeline as a whole, not one event.
_WHOLE_CASE = ("事件数应为", "最后一个事件")


@dataclass(frozen=True)
class AuditProblem:
    """One problem, named so a person can find the row: case number, event seq and id.

    ``whole_case`` problems (events missing at the end, the case's last hash not matching)
    are about the timeline as a whole; the event they name is the last one still stored.
    """

    case_number: str
    seq: int | None
    event_id: int | None
    message: str
    whole_case: bool = False

    def __str__(self) -> str:
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
    problems: list[AuditProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def summary(self) -> str:
        checked = f"已校验 {self.cases} 个办件、{self.events} 个事件"
        if self.ok:
            return f"{checked}，未发现篡改"
        return f"{checked}，发现 {len(self.problems)} 处问题"


def verify_all(*, chunk_size: int = CHUNK_SIZE) -> AuditReport:
    """Check the timeline of every case; see the module docstring for how."""
    report = AuditReport()
    cases = (
        Case.objects.order_by("pk")
        .only("pk", "number", "event_count", "last_event_hash")
        .iterator(chunk_size=chunk_size)
    )
    events = _events_by_case(
        CaseEvent.objects.order_by("case_id", "seq").iterator(chunk_size=chunk_size)
    )
    pending = next(events, None)
    for case in cases:
        # Events of a case missing from the case stream belong to a case created after that
        # stream began (the foreign key rules out orphans); they are not this audit's.
        while pending is not None and pending[0] < case.pk:
            pending = next(events, None)
        timeline: list[CaseEvent] = []
        if pending is not None and pending[0] == case.pk:
            timeline = pending[1]
            pending = next(events, None)
        report.cases += 1
        report.events += len(timeline)
        problems = check_case(case, timeline)
        if problems:
            problems = recheck_case(case.pk)
        report.problems.extend(problems)
    return report


def check_case(case: Case, events: Iterable[CaseEvent]) -> list[AuditProblem]:
    """The problems in one case's timeline (``events`` in ``seq`` order)."""
    by_ident: dict[str, CaseEvent] = {}
    chained = []
    for event in events:
        ident = f"{case.number} #{event.seq}"
        by_ident[ident] = event
        chained.append(
            ChainedEvent(
                ident, event.seq, event.prev_hash, event.hash, event.chain_content(case.number)
            )
        )
    found = verify_chain(
        chained,
        expected_count=case.event_count,
        expected_last=case.last_event_hash or None,
        key=audit_key(),
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
    return problems


def recheck_case(case_pk: int) -> list[AuditProblem]:
    """One case again, its row locked so that no transition can land between the reads."""
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(pk=case_pk).first()
        if case is None:  # cases are never deleted (events PROTECT them); nothing to check
            return []
        return check_case(case, case.events.order_by("seq"))


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
