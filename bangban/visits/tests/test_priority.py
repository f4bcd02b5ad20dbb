"""Home visits are open to any 特殊群体 (seed 001 §9: 老年人、残障人士等; 003 第十一条), or
to anyone on a need staff record (seed 002: 必要时…登门受理) — not only elderly or disabled."""

import pytest

from bangban.visits import services
from bangban.visits.models import PRIORITY_GROUPS

from .test_services import Caller

pytestmark = pytest.mark.django_db
CALLER = Caller.of("13700002222")


def ask(world, **overrides):
    data = dict(
        identity=CALLER,
        site=world.village_a,
        name="陈女士",
        address="东街12号",
        needs="生育登记",
        preferred_times="上午",
    )
    return services.home_visit_request(**{**data, **overrides})


def test_seam_home_visit_for_a_priority_client_or_recorded_need(world):
    # every 特殊群体 may ask online, e.g. a pregnant woman who is neither elderly nor disabled
    for group, label in PRIORITY_GROUPS.items():
        assert ask(world, groups={group}).groups == [label]
    # someone in none of them is refused online, even with a reason typed in
    with pytest.raises(services.BookingRefused) as refused:
        ask(world, need_reason="腿摔伤了")
    assert refused.value.code == "not_priority" and "工作人员登记" in refused.value.message
    # staff taking the call record the need, and the visit is open to them
    visit = services.home_visit_by_phone(
        staff=world.agent_a,
        site=world.village_a,
        name="陈女士",
        mobile="13700002222",
        address="东街12号",
        needs="补交材料",
        preferred_times="上午",
        need_reason="独自照看卧床家人，无法离家",
    )
    assert visit.groups == [] and visit.need_reason == "独自照看卧床家人，无法离家"
    assert visit.recorded_by == world.agent_a
    # without a group or a need, staff are refused too, and unknown groups are refused
    with pytest.raises(services.BookingRefused, match="特殊群体"):
        services.home_visit_by_phone(
            staff=world.agent_a,
            site=world.village_a,
            name="陈女士",
            mobile="13700002222",
            address="东街12号",
            needs="补交材料",
            preferred_times="上午",
        )
    with pytest.raises(services.BookingRefused, match="请从列出的情况中选择"):
        ask(world, groups={"vip"})


def test_a_case_client_recorded_as_elderly_counts_as_such(world):
    from bangban.cases.access import Actor
    from bangban.cases.services import case_submit

    world.citizen.is_elderly = True
    world.citizen.save(update_fields=["is_elderly"])
    case = case_submit(
        actor=Actor.of_staff(world.agent_a),
        client=world.citizen,
        service_type="proxy",
        channel="phone",
        site=world.village_a,
        item_versions=[world.food.current_version],
    )
    visit = services.home_visit_by_phone(
        staff=world.agent_a,
        site=world.village_a,
        name="",
        mobile="",
        address="东街12号",
        needs="",
        preferred_times="上午",
        case=case,
    )
    assert visit.groups == ["老年人"] and visit.case == case and visit.name == "张三"
