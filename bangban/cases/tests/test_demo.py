"""The demo cases: every state, true hash chains, real deadlines.

Loading takes a few seconds, so one test loads once and checks everything.
"""

import pytest
from django.utils import timezone

from bangban.cases import demo
from bangban.cases.audit import verify_all
from bangban.cases.models import Case, CaseEvent, CaseRelay, PauseKind
from bangban.cases.workflow import (
    CLOCK_RUNNING_STATES,
    DeliveryMethod,
    State,
    SuspensionReason,
    TerminationReason,
)

pytestmark = pytest.mark.django_db

COUNT = 40


def _load_demo():
    from bangban.catalogue import demo as catalogue_demo
    from bangban.network import demo as network_demo
    from bangban.staff import demo as staff_demo

    county = network_demo.load()
    staff_demo.load(county)
    catalogue_demo.load(county)
    return demo.load(county, count=COUNT)


def test_demo_cases_show_every_state_on_a_true_timeline():
    states = _load_demo()

    # every state of the table, COUNT cases in all
    assert sum(states.values()) == Case.objects.count() == COUNT
    assert set(map(State, states)) == set(State)

    # every event went through the one write path: the chains verify
    report = verify_all()
    assert report.cases == COUNT and report.events > COUNT * 5
    assert report.problems == []

    # the clock is real: some running cases are overdue today, some are not
    today = timezone.localdate()
    running = Case.objects.filter(state__in=CLOCK_RUNNING_STATES)
    assert running.filter(due_on__lt=today).exists()
    assert running.filter(due_on__gte=today).exists()
    assert Case.objects.filter(state=State.SUSPENDED, resumption_due_on__gte=today).exists()

    # a timeline of months, in the past, in order within each case
    now = timezone.now()
    events = list(CaseEvent.objects.order_by("case_id", "seq").values_list("case_id", "at"))
    assert all(at < now for _, at in events)
    assert all(a[1] < b[1] for a, b in zip(events, events[1:], strict=False) if a[0] == b[0])
    assert (now - min(at for _, at in events)).days > 30

    # every termination and suspension reason, every delivery method
    closed = Case.objects.filter(events__event__in=["terminate", "lapse"])
    assert set(closed.values_list("reason_code", flat=True)) == set(TerminationReason)
    suspensions = CaseEvent.objects.filter(event="suspend").values_list("details", flat=True)
    assert {d["reason_code"] for d in suspensions} == set(SuspensionReason)
    delivered = Case.objects.exclude(delivery_method="").values_list("delivery_method", flat=True)
    assert set(delivered) == set(DeliveryMethod)

    # relayed village → town → county, still one case
    hops: dict[int, list] = {}
    for case_id, source, target in CaseRelay.objects.filter(status="accepted").values_list(
        "case_id", "from_site__level", "to_site__level"
    ):
        hops.setdefault(case_id, []).append((source, target))
    assert [("village", "town"), ("town", "county")] in hops.values()

    # bundles, assist → proxy, one-time notices with pauses, both service types, channels
    assert Case.objects.filter(bundle_version__isnull=False).exists()
    assert CaseEvent.objects.filter(event="convert_to_proxy").exists()
    assert Case.objects.filter(pauses__kind=PauseKind.SUPPLEMENT).exists()
    assert set(Case.objects.values_list("service_type", flat=True)) == {"assist", "proxy"}
    assert {"window", "online"} <= set(Case.objects.values_list("channel", flat=True))
