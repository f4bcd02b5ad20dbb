"""Small steps the flow tests share: open a case, review every material, sign."""

from bangban.cases.access import Actor
from bangban.cases.models import MaterialStatus
from bangban.cases.services import case_submit, case_transition

SIGNED = {"method": "paper", "signer": "张三"}


def open_case(world, *, agent=None, service_type="proxy", items=None, bundle=False, site=None):
    agent = agent or world.agent_a
    return case_submit(
        actor=Actor.of_staff(agent),
        client=world.citizen,
        service_type=service_type,
        channel="window",
        site=site or agent.site,
        item_versions=[] if bundle else [i.current_version for i in (items or [world.food])],
        bundle_version=world.bundle_version if bundle else None,
    )


def act(case, staff_or_actor, event, **details):
    actor = staff_or_actor if isinstance(staff_or_actor, Actor) else Actor.of_staff(staff_or_actor)
    return case_transition(case=case, event=event, actor=actor, **details)


def review_all(case, agent, status=MaterialStatus.RECEIVED, **overrides):
    """Pre-review every material as ``status``, except those named in ``overrides``."""
    checks = [
        {"material_id": m.pk, "status": overrides.get(m.name, status), "note": ""}
        for m in case.materials.all()
    ]
    return act(case, agent, "pre_review", checks=checks)


def accept(case, agent):
    act(case, agent, "start_review")
    review_all(case, agent)
    act(case, agent, "accept", confirmation=SIGNED)


def to_handling(case, agent):
    accept(case, agent)
    act(case, agent, "start_handling")


def finish_items(case, agent, liaison_for):
    for item in case.items.all():
        act(case, agent, "file_with_department", case_item_id=item.pk)
        act(
            case,
            liaison_for[item.department.code],
            "department_step",
            case_item_id=item.pk,
            status="approved",
            result="准予许可",
        )


def deliver_by_post(world, *, address: str, recipient: str):
    """A case completed and delivered by post to ``address`` for ``recipient`` (agent A)."""
    case = open_case(world)
    to_handling(case, world.agent_a)
    finish_items(case, world.agent_a, {"SCJG": world.liaison_market, "ZJ": world.liaison_housing})
    act(case, world.agent_a, "complete", confirmation=SIGNED)
    act(
        case,
        world.agent_a,
        "deliver",
        method="post",
        address=address,
        recipient=recipient,
        carrier="EMS",
        tracking_no="EA123",
    )
    return case
