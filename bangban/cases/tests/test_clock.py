"""Backdating is explicit: ``case_submit``/``case_transition`` take ``at=``, nothing patches
the clock, and no shipped module imports ``unittest.mock``.

The dates are those of ``test_deadlines`` (the 2026 autumn holidays), reached here by
saying when each step happened instead of moving the clock.
"""

import ast
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

import bangban
from bangban.cases import clock
from bangban.cases.access import Actor
from bangban.cases.models import Case, CaseEvent, Confirmation, OneTimeNotice
from bangban.cases.services import case_submit, case_transition
from bangban.cases.workflow import State
from bangban.workdays.services import current_calendar

from .helpers import SIGNED

ZONE = ZoneInfo("Asia/Shanghai")


def moment(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZONE)


@pytest.mark.django_db
def test_a_backdated_transition_records_its_moment_and_counts_the_clock_from_its_day(world):
    real_now = timezone.now
    agent = Actor.of_staff(world.agent_a)

    def step(event, day, **details):
        return case_transition(case=case, event=event, actor=agent, at=moment(day), **details)

    opened = moment(date(2026, 9, 24), 9)
    case = case_submit(
        actor=agent,
        client=world.citizen,
        service_type="proxy",
        channel="window",
        site=world.agent_a.site,
        item_versions=[world.food.current_version],  # 10 promised working days
        at=opened,
    )
    assert Case.objects.get(pk=case.pk).created_at == opened
    step("start_review", date(2026, 9, 24))
    step("pre_review", date(2026, 9, 24), checks=_all_received(case))
    accepted = step("accept", date(2026, 9, 24), confirmation=SIGNED)
    assert accepted.at == moment(date(2026, 9, 24))
    assert case.accepted_on == date(2026, 9, 24) and case.due_on == date(2026, 10, 15)
    assert Confirmation.objects.get(case=case).at == moment(date(2026, 9, 24))
    step("start_handling", date(2026, 9, 25))

    # suspended over National Day and resumed: the pause runs on the days the steps say
    step(
        "suspend",
        date(2026, 9, 29),
        reason_code="fees_unpaid",
        fee_amount="120",
        fee_payee="收费窗口",
        confirmation=SIGNED,
    )
    assert case.paused_since == date(2026, 9, 29)
    assert case.resumption_due_on == current_calendar().add_workdays(date(2026, 9, 29), 20)
    step("resume", date(2026, 10, 12), confirmation=SIGNED)
    [pause] = case.pauses.all()
    assert (pause.start, pause.end) == (date(2026, 9, 29), date(2026, 10, 11))
    assert case.state == State.HANDLING and case.due_on == date(2026, 10, 22)

    # the events carry the moments given, in order, and nothing touched the clock
    events = list(CaseEvent.objects.filter(case=case).order_by("seq"))
    assert events[0].at == opened and events[-1].at == moment(date(2026, 10, 12))
    assert timezone.now is real_now and not clock.backdated()
    assert abs((clock.now() - timezone.now()).total_seconds()) < 60


@pytest.mark.django_db
def test_a_backdated_one_time_notice_is_dated_and_due_from_its_day(world):
    agent = Actor.of_staff(world.agent_a)
    day = date(2026, 9, 24)
    case = case_submit(
        actor=agent,
        client=world.citizen,
        service_type="proxy",
        channel="window",
        site=world.agent_a.site,
        item_versions=[world.food.current_version],
        at=moment(day, 9),
    )
    case_transition(case=case, event="start_review", actor=agent, at=moment(day))
    checks = [dict(c, status="missing") for c in _all_received(case)]
    case_transition(case=case, event="pre_review", actor=agent, at=moment(day), checks=checks)
    case_transition(case=case, event="request_supplement", actor=agent, at=moment(day, 11))
    notice = OneTimeNotice.objects.get(case=case)
    assert notice.issued_at == moment(day, 11)
    assert notice.due_on == current_calendar().add_workdays(day, 5)
    assert notice.number.split("-")[2] == "2026"


def test_a_backdated_moment_must_say_its_time_zone():
    with pytest.raises(ValueError), clock.at(datetime(2026, 9, 24, 10)):
        pass


def test_the_clock_of_a_call_ends_with_the_call():
    with clock.at(moment(date(2026, 9, 24))):
        assert clock.today() == date(2026, 9, 24)
        with clock.at(None):  # a call without at= inside keeps the outer moment
            assert clock.now() == moment(date(2026, 9, 24))
    assert not clock.backdated()


def _all_received(case):
    return [{"material_id": m.pk, "status": "received", "note": ""} for m in case.materials.all()]


# --------------------------------------------------------------------------------------
# Nothing shipped patches the clock: unittest.mock is a test tool
# --------------------------------------------------------------------------------------

PACKAGE = Path(bangban.__file__).parent


def _shipped_modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if "tests" in relative.parts or path.name.startswith("test_"):
            continue
        if path.name == "conftest.py":
            continue
        yield path


def _imports_mock(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            names = [module] + [f"{module}.{alias.name}" for alias in node.names]
        else:
            continue
        if any(name == "mock" or name.startswith(("unittest.mock", "mock.")) for name in names):
            return True
    return False


def test_no_shipped_module_imports_unittest_mock():
    shipped = list(_shipped_modules())
    assert len(shipped) > 50
    assert [str(p.relative_to(PACKAGE)) for p in shipped if _imports_mock(p)] == []
