"""A row of the state table is the whole spec of its event (issue 13, item 1).

Its details schema is checked inside ``case_transition`` before any guard, in the service
hall's words; the API's event body and the workbench's forms are derived from it; what
it issues, signs and shows the client is read from it and nowhere else.
"""

import pytest

from bangban.cases.details import Details
from bangban.cases.guards import GuardContext, provided
from bangban.cases.models import CaseEvent
from bangban.cases.transitions import BY_EVENT, PUBLIC_EVENTS, TRANSITIONS
from bangban.cases.workflow import TransitionRefused

from .helpers import act, open_case, to_handling


@pytest.mark.parametrize(
    ("event", "details", "message"),
    [
        ("request_supplement", {"days": 61}, "补正期限（工作日）应在 1 到 60 之间"),
        ("request_supplement", {"days": "三天"}, "补正期限（工作日）应为整数"),
        ("suspend", {}, "请选择中止原因"),
        ("suspend", {"reason_code": "tired"}, "中止原因选择有误，请重新选择"),
        (
            "suspend",
            {"reason_code": "fees_unpaid", "resumption_days": 121},
            "续办期限（工作日）应在 1 到 120 之间",
        ),
        ("note", {"text": "   "}, "请填写日志内容"),
        ("note", {"text": "x", "amount": 1}, "“记录工作日志”没有“amount”这一项"),
        ("expedite", {"case_item_id": 1, "message": "催" * 2001}, "促办内容不能超过 2000 个字"),
    ],
)
def test_details_are_checked_against_the_rows_schema_before_anything_is_written(
    world, event, details, message
):
    case = open_case(world)
    to_handling(case, world.agent_a)
    before = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(TransitionRefused) as refused:
        act(case, world.agent_a, event, **details)
    assert refused.value.message == message
    assert refused.value.code == "invalid_details"
    assert CaseEvent.objects.filter(case=case).count() == before


def test_defaults_come_from_the_schema_and_are_recorded_with_the_event(world):
    case = open_case(world)
    to_handling(case, world.agent_a)
    event = act(
        case,
        world.agent_a,
        "suspend",
        reason_code="fees_unpaid",
        fee_amount="120",
        fee_payee="收费窗口",
        confirmation={"method": "paper"},
    )
    assert event.details["resumption_days"] == 20  # Suspension.resumption_days's default
    assert event.details["reason_code"] == "fees_unpaid"


def test_the_public_timeline_is_the_opening_and_the_rows_marked_public():
    assert "submit" in PUBLIC_EVENTS
    assert {t.event for t in TRANSITIONS if t.target is not None} <= PUBLIC_EVENTS
    assert "note" not in PUBLIC_EVENTS and "expedite" not in PUBLIC_EVENTS


def test_every_rows_schema_refuses_unknown_fields():
    for transition in TRANSITIONS:
        assert issubclass(transition.details, Details), transition.event
        assert transition.details.model_config.get("extra") == "forbid", transition.event


def test_a_guard_an_area_must_provide_fails_loudly_when_nobody_did():
    guard = provided("nobody_provides_this")
    with pytest.raises(RuntimeError, match="nobody provides it"):
        guard(GuardContext(None, None, BY_EVENT["note"], {}))
