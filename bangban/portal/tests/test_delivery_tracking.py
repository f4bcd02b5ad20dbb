"""After postal delivery the client's page and the track page say how the result went and
give the tracking number (issue 14) — no longer "还没有选择"."""

import pytest

from bangban.cases import delivery
from bangban.cases.tests.helpers import deliver_by_post, open_case

from .conftest import sign_in

pytestmark = pytest.mark.django_db
ADDRESS = "浙江省杭州市余杭区良渚街道梨花巷7号"


def test_seam_tracking_number_on_the_client_page(client, world):
    case = deliver_by_post(world, address=ADDRESS, recipient="赵小六")
    sign_in(client, "13812345678")
    mine = client.get(f"/my/cases/{case.number}/").content.decode()
    assert "还没有选择" not in mine and "结果已交付" in mine
    assert "邮寄送达" in mine and "EMS" in mine and "EA123" in mine
    assert case.delivery["address_masked"] in mine and ADDRESS not in mine
    assert "更改领取方式" not in mine and "选择领取方式" not in mine

    client.logout()
    looked = client.post("/track/", {"number": case.number, "phone": "13812345678"})
    tracked = client.get(looked["Location"]).content.decode()
    assert "结果交付" in tracked and "EA123" in tracked and ADDRESS not in tracked


def test_before_delivery_the_page_shows_the_choice(client, world):
    case = open_case(world)
    sign_in(client, "13812345678")
    assert "还没有选择" in client.get(f"/my/cases/{case.number}/").content.decode()
    choice = delivery.delivery_choose(case=case, method="post", address=ADDRESS)
    page = client.get(f"/my/cases/{case.number}/").content.decode()
    assert "您选择：" in page and choice.address_masked in page and "快递单号" not in page
