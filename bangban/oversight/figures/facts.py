"""Keeping ``CaseFact`` current: per-case values computed once, not per dashboard view.

Three of the figures need per-case work that a database does row by row with correlated
subqueries (the first staff response and its working day, whether every signed form is on
file, the working days used net of pauses). At a city's scale that is seconds per figure,
so they are computed per case here and stored; the figures then read plain joined columns.

Who computes them: the figures job (``jobs.py``), never a page. Every change to a case
(signed forms included) appends an event, and every event leaves an ``UncountedChange``
(``subscribers.py``); ``count_changes`` takes those rows a batch at a time and recomputes
their cases. A case's fact is current while its ``event_count`` equals the case's.
``refresh_facts`` also computes the cases without a fact (loaded without events: the
benchmarks' bulk loader) and, with ``full=True``, compares every case (the nightly job).
When the working-day calendar changes, every fact is recomputed; after rows were changed
without an event (an import, a repair by hand) run ``manage.py oversight_facts --rebuild``.

Whoever computes them holds the figures' claim (``claim.py``) for the whole transaction,
so facts and roll-up days are never written side by side; a worker that dies rolls back,
and the changes it had taken wait for the next run.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Case as CaseExpr
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from bangban.cases.models import Case, CaseEvent, Confirmation
from bangban.cases.workflow import Form, ServiceType, State, TerminationReason
from bangban.consultations.models import ConsultationStatus
from bangban.notifications.models import Message

from ..models import CaseFact, FactState, UncountedChange
from . import claim, rollup
from .ordinals import ensure_ordinals, is_current, ordinal_at, ordinal_of, table_fingerprint

logger = logging.getLogger(__name__)

CHUNK = 2000  # cases computed per query, and uncounted changes claimed per transaction


def _signed(form: Form) -> Exists:
    return Exists(Confirmation.objects.filter(case_id=OuterRef("pk"), form=form))


def _count_of(queryset) -> Coalesce:
    rows = queryset.order_by().values("case_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


# 记录完整 (seed 000 §5 e: 日志、信息公开、咨询、投诉、满意度评价等记录完整、齐全、规范), per
# ended case; the rule in words is the metric's 统计口径 (``definitions``, docs/metrics.md).
EVALUATION_INVITE = "client.evaluation_invite"
ANSWERED = (ConsultationStatus.ANSWERED, ConsultationStatus.REPLIED)
HANDED_OVER = (State.DELIVERED, State.ARCHIVED)


def _annotated(cases):
    """The per-case values, by correlated subqueries: only ever run on a chunk of cases."""
    events = CaseEvent.objects.filter(case_id=OuterRef("pk"))
    signed = Confirmation.objects.filter(case_id=OuterRef("pk"))
    first_staff = Subquery(events.filter(actor_kind="staff").order_by("seq").values("at")[:1])
    first_site = Subquery(events.order_by("seq").values("site_id")[:1])
    accepted_at = Subquery(events.filter(event="accept").order_by("-seq").values("site_id")[:1])
    invited = Exists(Message.objects.filter(case_id=OuterRef("pk"), template_key=EVALUATION_INVITE))
    evaluated = Exists(events.filter(event="evaluate"))
    signatures_ok = (
        (
            Q(service_type=ServiceType.ASSIST, _app=True)
            | Q(service_type=ServiceType.PROXY, _ent=True)
        )
        & (
            Q(_slip=True)
            | Q(completed_on__isnull=True, reason_code=TerminationReason.RESUMPTION_LAPSED)
        )
        & (~Q(delivery_method="in_person") | Q(_receipt=True))
        & Q(_susp_slips__gte=F("_susp"), _res_slips__gte=F("_res"))
    )
    records_ok = (
        signatures_ok
        # 日志: the timeline holds every step (no event missing from the chain)
        & Q(_logged=F("event_count"))
        # 咨询: a case taken on from a consultation has that consultation answered
        & (Q(consultation__isnull=True) | Q(consultation__status__in=ANSWERED))
        # 满意度评价: once handed over or archived, the client was invited or has evaluated
        & (~Q(state__in=HANDED_OVER) | Q(_invited=True) | Q(_evaluated=True))
    )
    return (
        cases.annotate(
            _app=_signed(Form.APPLICATION),
            _ent=_signed(Form.ENTRUSTMENT),
            _slip=_signed(Form.COMPLETION_SLIP),
            _receipt=_signed(Form.DELIVERY_RECEIPT),
            _susp=_count_of(events.filter(event="suspend")),
            _susp_slips=_count_of(signed.filter(form=Form.SUSPENSION_SLIP)),
            _res=_count_of(events.filter(event="resume")),
            _res_slips=_count_of(signed.filter(form=Form.RESUMPTION_ENTRUSTMENT)),
            _first=first_staff,
            _logged=_count_of(events),
            _invited=invited,
            _evaluated=evaluated,
            _received_site=first_site,
            _accepted_site=accepted_at,
            _created_ord=ordinal_at("created_at"),
            _due_ord=ordinal_of("due_on"),
            _done_ord=ordinal_of("completed_on"),
        )
        .annotate(
            _response_ord=ordinal_at("_first"),
            _ok=CaseExpr(When(records_ok, then=True), default=False),
        )
        .values(
            "pk",
            "event_count",
            "promised_days",
            "completed_on",
            "due_on",
            "_received_site",
            "_accepted_site",
            "_created_ord",
            "_response_ord",
            "_ok",
            "_due_ord",
            "_done_ord",
        )
    )


def _fact(row) -> CaseFact:
    net = None
    if row["completed_on"] and None not in (
        row["promised_days"],
        row["_due_ord"],
        row["_done_ord"],
    ):
        # the due date carries the pauses: what was left of the limit was not used
        net = row["promised_days"] - (row["_due_ord"] - row["_done_ord"])
    return CaseFact(
        case_id=row["pk"],
        event_count=row["event_count"],
        created_ord=row["_created_ord"],
        response_ord=row["_response_ord"],
        records_ok=bool(row["_ok"]),
        net_days=net,
        received_site_id=row["_received_site"],
        accepted_site_id=row["_accepted_site"],
        due_on=row["due_on"],
    )


def _compute(case_ids: list[int]) -> int:
    written = 0
    for start in range(0, len(case_ids), CHUNK):
        chunk = case_ids[start : start + CHUNK]
        # the days they counted on before (a due date that moved): counted again too
        rollup.mark_days(
            CaseFact.objects.filter(case_id__in=chunk).values_list("due_on", flat=True)
        )
        rows = [_fact(r) for r in _annotated(Case.objects.filter(pk__in=chunk))]
        CaseFact.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["case"],
            update_fields=[
                "event_count",
                "created_ord",
                "response_ord",
                "records_ok",
                "net_days",
                "received_site",
                "accepted_site",
                "due_on",
            ],
        )
        written += len(rows)
        rollup.mark_cases(chunk)  # their days in the daily roll-up are counted again
    return written


def _stale(cases: QuerySet[Case]) -> list[int]:
    """Ids of these cases whose fact is missing or behind their events."""
    return list(
        cases.annotate(_fc=F("oversight_fact__event_count"))
        .filter(Q(_fc__isnull=True) | ~Q(_fc=F("event_count")))
        .values_list("pk", flat=True)
    )


def nothing_to_count() -> bool:
    """No change waits, and the working-day table and the facts follow the calendar in
    force: the job may leave without taking the claim (its every-minute run, mostly)."""
    counted_with = FactState.objects.values_list("fingerprint", flat=True).first()
    return (
        is_current(timezone.localdate())
        and counted_with == table_fingerprint()
        and not UncountedChange.objects.exists()
    )


def count_changes() -> int:
    """Recompute the facts of the cases whose changes are not counted yet, deleting those
    changes; return how many facts were computed. The caller holds the claim (``jobs``)."""
    return _count()


def refresh_facts(*, full: bool = False, rebuild: bool = False) -> int:
    """``count_changes``, and compute the cases without a fact; return facts computed.

    ``full``: compare every case's event count too (the nightly job). ``rebuild``:
    recompute every fact (after rows were changed without an event, e.g. an import or a
    repair by hand). Waits for the claim if the job holds it.
    """
    compare = Case.objects.all() if full else Case.objects.filter(oversight_fact__isnull=True)
    with transaction.atomic():
        claim.take(wait=True)
        return _count(compare, rebuild=rebuild)


def _count(compare: QuerySet[Case] | None = None, *, rebuild: bool = False) -> int:
    """With the claim held: the calendar, then ``compare``'s stale cases, then every change
    not counted yet, a batch at a time (taken oldest first, deleted once counted)."""
    first = Case.objects.aggregate(first=Min("created_at"))["first"]
    today = timezone.localdate()
    # the working-day table covers every case's days (and today's, which pages look up)
    ensure_ordinals(min(timezone.localdate(first), today) if first else today, today)
    calendar = table_fingerprint()
    state = FactState.objects.order_by("pk").first()  # the claim made sure there is one
    written = 0
    if state.fingerprint != calendar or rebuild:
        # working days moved (or asked to): every fact is computed again
        CaseFact.objects.all().delete()
        state.fingerprint, compare = calendar, Case.objects.all()
        state.save()
    if compare is not None:
        written += _compute(_stale(compare))
    while claimed := list(
        UncountedChange.objects.order_by("pk").values_list("pk", "case_id")[:CHUNK]
    ):
        written += _compute(sorted({case_id for _, case_id in claimed}))
        UncountedChange.objects.filter(pk__in=[pk for pk, _ in claimed]).delete()
    if written > CHUNK:
        logger.info("办件统计要素已更新 %d 件", written)
    return written
