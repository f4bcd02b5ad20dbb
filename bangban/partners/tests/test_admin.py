"""The admin: a partner's key is shown once and kept encrypted; dead letters are listed
and replayed."""

import pytest

from bangban.partners.models import Delivery, DeliveryState, Partner
from bangban.partners.outbox import enqueue_delivery

pytestmark = pytest.mark.django_db


def test_a_new_partners_key_is_shown_once_and_stored_encrypted(admin_client, world):
    response = admin_client.post(
        "/admin/partners/partner/add/",
        {
            "name": "省政务服务网",
            "code": "zwfw",
            "is_active": "on",
            "scopes": ["events"],
            "events": ["created", "completed"],
            "sites": [world.county.pk],
            "endpoint_url": "https://zwfw.example.gov.cn/hooks",
        },
        follow=True,
    )
    assert response.status_code == 200
    partner = Partner.objects.get(code="zwfw")
    shown = [str(m) for m in response.context["messages"]]
    assert any(partner.secret in m and "仅显示这一次" in m for m in shown)
    assert partner.secret not in partner.secret_cipher
    assert partner.events == ["created", "completed"]


def test_events_without_the_events_scope_are_refused_in_chinese(admin_client, world):
    response = admin_client.post(
        "/admin/partners/partner/add/",
        {"name": "某系统", "code": "x", "scopes": ["progress"], "events": ["created"]},
    )
    assert "订阅办件事件需先勾选" in response.content.decode()
    assert not Partner.objects.exists()


def test_the_dead_letter_view_lists_failed_deliveries_and_replays_them(admin_client, world):
    partner = Partner.objects.create(name="省政务服务网", code="zwfw", scopes=["events"])
    dead = enqueue_delivery(partner, topic="case.created", dedupe_key="case-event:1", payload={})
    Delivery.objects.filter(pk=dead.pk).update(
        state=DeliveryState.FAILED, attempts=10, last_error="第10次投递失败"
    )
    listed = admin_client.get("/admin/partners/delivery/", {"state__exact": "failed"})
    assert dead.uid in listed.content.decode()
    admin_client.post(
        "/admin/partners/delivery/",
        {"action": "replay", "_selected_action": [dead.pk]},
    )
    dead.refresh_from_db()
    assert (dead.state, dead.attempts, dead.last_error) == (DeliveryState.QUEUED, 0, "")
