"""``manage.py demo``: loads an empty database once, prints the logins, never loads twice."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bangban.cases.models import Case
from bangban.network.models import Site
from bangban.oversight.models import CaseFact, Complaint, Evaluation, RollupState
from bangban.staff.demo import DEMO_PASSWORD
from bangban.visits.models import TimeSlot

pytestmark = pytest.mark.django_db


def _demo(*args) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_demo_loads_an_empty_database_and_then_leaves_it_alone(settings):
    # A small demo keeps the test quick; 20 cases are enough for some to be finished.
    settings.DEMO_CASES = 20
    output = _demo()
    assert Site.objects.count() > 5 and Case.objects.count() == 20
    assert "演示数据已加载" in output and DEMO_PASSWORD in output
    assert "agent_c01_1" in output and "coordinator" in output
    # after the cases: evaluations of the finished ones, complaints, the portal's window slots
    assert Evaluation.objects.exists() and Complaint.objects.exists()
    # the dashboard's figures are counted already: the first view does not wait for them
    assert RollupState.objects.get().through is not None
    assert CaseFact.objects.count() == 20
    assert TimeSlot.objects.exists()

    again = _demo("--if-empty")
    assert "跳过" in again and DEMO_PASSWORD in again
    assert Case.objects.count() == 20


def test_demo_refuses_a_database_that_has_data():
    Site.objects.create(name="已有服务中心", code="X01", level="county")
    with pytest.raises(CommandError, match="已有数据"):
        _demo()
    assert not Case.objects.exists()
