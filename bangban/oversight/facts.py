"""Keeping ``CaseFact`` current: per-case values computed once, not per dashboard view.

Three of the figures need per-case work that a database does row by row with correlated
subqueries (the first staff response and its working day, whether every signed form is on
file, the working days used net of pauses). At a city's scale that is seconds per figure,
so they are computed per case here and stored; the figures then read plain joined columns.

Freshness: a case's fact is current while its ``event_count`` equals the case's (every
change to a case, signed forms included, appends an event). ``refresh_facts`` recomputes
the cases that have events newer than the last one seen (with a margin, for transactions
that committed out of id order) and any case without a fact; every metric read calls it
first, so figures never lag the cases. ``full=True`` compares every case (the nightly job).
When the working-day calendar changes, every fact is recomputed; after rows were changed
without an event (an import, a repair by hand) run ``manage.py oversight_facts --rebuild``.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.db.models import Case as CaseExpr
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from bangban.cases.models import Case, CaseEvent, Confirmation
from bangban.cases.workflow import Form, ServiceType, TerminationReason

from . import rollup
from .models import CaseFact, FactState, RollupState
from .ordinals import ensure_ordinals, ordinal_at, ordinal_of, table_fingerprint

logger = logging.getLogger(__name__)

_FRESH: ContextVar[bool] = ContextVar("oversight_facts_fresh", default=False)

CHUNK = 2000
MARGIN = 1000  # events re-examined below the watermark (ids allocated before a late commit)


def _signed(form: Form) -> Exists:
    return Exists(Confirmation.objects.filter(case_id=OuterRef("pk"), form=form))


def _count_of(queryset) -> Coalesce:
    rows = queryset.order_by().values("case_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _annotated(cases):
    """The per-case values, by correlated subqueries: only ever run on a chunk of cases."""
    events = CaseEvent.objects.filter(case_id=OuterRef("pk"))
    signed = Confirmation.objects.filter(case_id=OuterRef("pk"))
    first_staff = Subquery(events.filter(actor_kind="staff").order_by("seq").values("at")[:1])
    records_ok = (
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
    )


def _compute(case_ids: list[int]) -> int:
    written = 0
    for start in range(0, len(case_ids), CHUNK):
        chunk = case_ids[start : start + CHUNK]
        rows = [_fact(r) for r in _annotated(Case.objects.filter(pk__in=chunk))]
        CaseFact.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["case"],
            update_fields=["event_count", "created_ord", "response_ord", "records_ok", "net_days"],
        )
        written += len(rows)
        rollup.mark_cases(chunk)  # their days in the daily roll-up are counted again
    return written


def _stale(cases) -> list[int]:
    """Ids of these cases whose fact is missing or behind their events."""
    return list(
        cases.annotate(_fc=F("oversight_fact__event_count"))
        .filter(Q(_fc__isnull=True) | ~Q(_fc=F("event_count")))
        .values_list("pk", flat=True)
    )


def refresh_facts(*, full: bool = False, rebuild: bool = False) -> int:
    """Bring ``CaseFact`` up to date; return how many facts were (re)computed.

    ``full``: compare every case's event count, not only the recently touched ones.
    ``rebuild``: recompute every fact (after rows were changed without an event, e.g. an
    import or a repair by hand).
    """
    first = Case.objects.aggregate(first=Min("created_at"))["first"]
    if first is None:
        return 0
    ensure_ordinals(timezone.localdate(first), timezone.localdate())
    calendar = table_fingerprint()
    with transaction.atomic():
        state = FactState.objects.select_for_update().first() or FactState.objects.create()
        top = CaseEvent.objects.aggregate(top=Max("pk"))["top"] or 0
        if state.fingerprint != calendar or rebuild:
            CaseFact.objects.all().delete()  # working days moved: recompute everything
            state.last_event_id, full = 0, True
        elif not full and state.last_event_id >= top and state.last_event_id:
            return 0
        if full or not state.last_event_id:
            ids = _stale(Case.objects.all())
        else:
            touched = CaseEvent.objects.filter(pk__gt=state.last_event_id - MARGIN).values(
                "case_id"
            )
            ids = _stale(Case.objects.filter(pk__in=touched))
        written = _compute(ids)
        state.last_event_id, state.fingerprint = top, calendar
        state.save()
    if written > CHUNK:
        logger.info("办件统计要素已更新 %d 件", written)
    return written


def ensure_fresh() -> None:
    """Outside ``fresh()``: bring facts and the daily roll-up up to date before counting."""
    if not _FRESH.get():
        refresh_facts()
        rollup.refresh_rollup()


def is_fresh() -> bool:
    """Inside ``fresh()``: facts, roll-up and the working-day table are up to date already."""
    return _FRESH.get()


@contextmanager
def fresh():
    """Refresh once, then let every figure computed inside skip the check (one page view)."""
    if _FRESH.get():
        yield
        return
    refresh_facts()
    rollup.refresh_rollup()
    token = _FRESH.set(True)
    rolled = rollup.remember_through(RollupState.objects.values_list("through", flat=True).first())
    try:
        yield
    finally:
        rollup.forget_through(rolled)
        _FRESH.reset(token)
