"""Messages that fit the client (issue 14, item 3): the suspension and completion SMS follow
how the result reaches the client (seed 001 结果送达: 当面、邮寄、电子证照) and send a
villager to their village station, not to the site the case was relayed up to; the
evaluation invitation carries a personal link and the centre's levels."""

from bangban.cases.delivery import delivery_choose
from bangban.cases.tests.helpers import SIGNED, act, finish_items, open_case, review_all
from bangban.notifications.models import Message

LIAISONS = "SCJG"


def _relayed_to_town_and_handled(world):
    """A villager's case received at 东街社区便民服务站 and relayed up to 城关镇."""
    case = open_case(world)
    act(case, world.agent_a, "start_review")
    act(case, world.agent_a, "relay_out", to_site=world.town.code, note="需镇级办理")
    act(case, world.town_agent, "relay_accept")
    review_all(case, world.town_agent)
    act(case, world.town_agent, "accept", confirmation=SIGNED)
    act(case, world.town_agent, "start_handling")
    return case


def _body(case, key):
    return Message.objects.get(case=case, template_key=key).body


def test_seam_wording_follows_the_delivery_method_and_the_nearest_site(world):
    # In person (nothing chosen): collect at the village station that received it.
    in_person = _relayed_to_town_and_handled(world)
    act(
        in_person,
        world.town_agent,
        "suspend",
        reason_code="client_pause",
        confirmation=SIGNED,
        resumption_days=5,
    )
    suspended = _body(in_person, "client.suspended")
    assert "前到东街社区便民服务站" in suspended and "城关镇" not in suspended
    act(in_person, world.town_agent, "resume", confirmation=SIGNED)
    finish_items(in_person, world.town_agent, {LIAISONS: world.liaison_market})
    act(in_person, world.town_agent, "complete", confirmation=SIGNED)
    completed = _body(in_person, "client.completed")
    assert "请到东街社区便民服务站" in completed and "领取结果" in completed
    assert "城关镇" not in completed
    assert "也可选择邮寄送达或电子证照" in completed  # nothing chosen yet

    # By post (the client's choice online): no trip anywhere, the address masked.
    by_post = _relayed_to_town_and_handled(world)
    delivery_choose(case=by_post, method="post", address="示范县东街88号")
    finish_items(by_post, world.town_agent, {LIAISONS: world.liaison_market})
    act(by_post, world.town_agent, "complete", confirmation=SIGNED)
    completed = _body(by_post, "client.completed")
    assert "结果将邮寄送达" in completed and "寄出后短信告知运单号" in completed
    assert "请到" not in completed and "领取结果" not in completed
    assert "示范县东街88号" not in completed  # personal data stays masked

    # Electronic licence: nothing to collect either.
    licence = _relayed_to_town_and_handled(world)
    delivery_choose(case=licence, method="electronic")
    finish_items(licence, world.town_agent, {LIAISONS: world.liaison_market})
    act(licence, world.town_agent, "complete", confirmation=SIGNED)
    completed = _body(licence, "client.completed")
    assert "电子证照发放" in completed and "请到" not in completed
