"""``manage.py demo``: loads an empty database once, prints the logins, never loads twice."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bangban.cases.demo import COUNT_ENV
from bangban.cases.models import Case
from bangban.network.models import Site
from bangban.staff.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def _demo(*args) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_demo_loads_an_empty_database_and_then_leaves_it_alone(monkeypatch):
    monkeypatch.setenv(COUNT_ENV, "12")  # a small demo keeps the test quick
    output = _demo()
    assert Site.objects.count() > 5 and Case.objects.count() == 12
    assert "演示数据已加载" in output and DEMO_PASSWORD in output
    assert "agent_c01_1" in output and "coordinator" in output

    again = _demo("--if-empty")
    assert "跳过" in again and DEMO_PASSWORD in again
    assert Case.objects.count() == 12


def test_demo_refuses_a_database_that_has_data():
    Site.objects.create(name="已有服务中心", code="X01", level="county")
    with pytest.raises(CommandError, match="已有数据"):
        _demo()
    assert not Case.objects.exists()
