"""How the client wants the result, chosen online (``cases.delivery.delivery_choose``): the
postal address encrypted, kept for post only, and no choosing once the result is out."""

import pytest

from bangban.cases import delivery
from bangban.cases.models import DeliveryChoice
from bangban.cases.workflow import State
from bangban.clients import pii

from .helpers import deliver_by_post, open_case

pytestmark = pytest.mark.django_db
ADDRESS = "示范县人民路1号"


def test_a_wish_to_post_keeps_the_address_encrypted_with_a_mask(world):
    case = open_case(world)
    assert delivery.may_choose(case) and delivery.delivery_choice(case) is None
    choice = delivery.delivery_choose(case=case, method="post", address=f"  {ADDRESS} ")
    assert delivery.delivery_choice(case) == choice == DeliveryChoice.objects.get(case=case)
    assert choice.method == "post" and ADDRESS not in choice.address_cipher
    assert pii.reveal(choice.address_cipher) == ADDRESS
    assert choice.address_masked and ADDRESS not in choice.address_masked


def test_changing_the_wish_forgets_the_address(world):
    case = open_case(world)
    delivery.delivery_choose(case=case, method="post", address=ADDRESS)
    delivery.delivery_choose(case=case, method="in_person", address=ADDRESS)
    choice = DeliveryChoice.objects.get(case=case)
    assert (choice.method, choice.address_cipher, choice.address_masked) == ("in_person", "", "")


@pytest.mark.parametrize(
    ("method", "address", "said"),
    [
        ("post", "  ", "请填写邮寄地址"),
        ("pigeon", "", "请选择领取方式"),
        ("", "", "请选择领取方式"),
    ],
)
def test_a_wish_to_post_needs_an_address_and_a_known_method(world, method, address, said):
    case = open_case(world)
    with pytest.raises(delivery.ChoiceRefused, match=said):
        delivery.delivery_choose(case=case, method=method, address=address)
    assert not DeliveryChoice.objects.exists()


def test_no_choosing_once_the_result_is_handed_over(world):
    case = deliver_by_post(world, address="浙江省杭州市余杭区良渚街道梨花巷7号", recipient="赵小六")
    assert case.state == State.DELIVERED and not delivery.may_choose(case)
    with pytest.raises(delivery.ChoiceRefused, match="不能再选择"):
        delivery.delivery_choose(case=case, method="in_person")
    assert not DeliveryChoice.objects.exists()
