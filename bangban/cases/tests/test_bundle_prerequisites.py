"""Issue 18 item 4, 一件事: an item whose prerequisite has no result yet cannot be filed; the
guard says which result is awaited."""

import pytest

from bangban.cases.models import ItemStatus
from bangban.cases.workflow import TransitionRefused

from .helpers import act, open_case, to_handling

pytestmark = pytest.mark.django_db


def test_a_dependent_item_cannot_be_filed_before_its_prerequisites_result(world):
    case = open_case(world, bundle=True)  # the building permit depends on the food licence
    to_handling(case, world.agent_a)
    food, building = case.items.all()
    awaited = f"须先取得“{world.food.name}”的办理结果"
    with pytest.raises(TransitionRefused, match=awaited):
        act(case, world.agent_a, "file_with_department", case_item_id=building.pk)
    act(case, world.agent_a, "file_with_department", case_item_id=food.pk)
    with pytest.raises(TransitionRefused, match=awaited):  # filed is not a result
        act(case, world.agent_a, "file_with_department", case_item_id=building.pk)
    act(
        case,
        world.liaison_market,
        "department_step",
        case_item_id=food.pk,
        status="approved",
        result="JY123",
    )
    act(case, world.agent_a, "file_with_department", case_item_id=building.pk)
    building.refresh_from_db()
    assert building.status != ItemStatus.PENDING


def test_an_item_without_prerequisites_is_filed_at_once(world):
    case = open_case(world, bundle=True)
    to_handling(case, world.agent_a)
    food = case.items.first()
    act(case, world.agent_a, "file_with_department", case_item_id=food.pk)  # no prerequisite
    food.refresh_from_db()
    assert food.status != ItemStatus.PENDING


def test_the_one_time_notice_covers_the_whole_bundle(world):
    """One notice for the bundle: what each item still needs, said once (issue 18 item 4)."""
    case = open_case(world, bundle=True)
    act(case, world.agent_a, "start_review")
    food, building = case.items.order_by("position")
    missing = [food.materials.order_by("id").first(), building.materials.order_by("id").first()]
    checks = [
        {
            "material_id": m.pk,
            "status": "missing" if m in missing else "received",
            "note": "",
        }
        for m in case.materials.all()
    ]
    act(case, world.agent_a, "pre_review", checks=checks)
    act(case, world.agent_a, "request_supplement")
    notice = case.notices.get()  # one notice, not one per item
    assert {n["material_id"] for n in notice.needed} == {m.pk for m in missing}
    assert len(notice.accepted) == case.materials.count() - 2
