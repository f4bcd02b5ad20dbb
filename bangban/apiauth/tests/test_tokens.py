"""API tokens: shown once, stored hashed, acting as their staff member until revoked."""

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.admin.sites import site as admin_site
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from bangban.apiauth.models import ApiToken
from bangban.apiauth.tokens import token_create, token_revoke

pytestmark = pytest.mark.django_db


def call(token):
    return Client().get("/api/cases", headers={"Authorization": f"Bearer {token}"})


def test_the_command_prints_the_token_once_and_stores_only_its_hash(world):
    out, err = StringIO(), StringIO()
    call_command("api_token_create", "agent_a", "--name", "省平台对接", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert token.staff == world.agent_a and token.name == "省平台对接"
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(ApiToken.objects.values()[0]) and "只显示这一次" in err.getvalue()
    assert call(raw).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_command_refuses_unknown_and_inactive_accounts(world):
    with pytest.raises(CommandError, match="账号不存在"):
        call_command("api_token_create", "nobody")
    world.agent_b.is_active = False
    world.agent_b.save()
    with pytest.raises(CommandError, match="不是在岗工作人员"):
        call_command("api_token_create", "agent_b")


def test_revoked_expired_and_inactive_tokens_answer_401(world):
    _, revoked = token_create(staff=world.agent_a, name="旧系统")
    token_revoke(ApiToken.objects.get())
    expired_row, expired = token_create(staff=world.agent_a, name="到期", days=1)
    ApiToken.objects.filter(pk=expired_row.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    _, departed = token_create(staff=world.agent_b, name="离岗人员")
    world.agent_b.is_active = False
    world.agent_b.save()
    for raw in (revoked, expired, departed):
        response = call(raw)
        assert response.status_code == 401 and response.json()["message"] == "令牌无效"


def test_the_token_acts_as_its_staff_member(world):
    from bangban.apiauth.testing import ApiClient
    from bangban.testing import make_resident_id

    citizen = {"kind": "person", "name": "张三", "id_number": make_resident_id()}
    response = ApiClient(world.agent_a).post(
        "/cases", {"client": citizen, "service_type": "assist", "items": ["SCJG-001"]}
    )
    event = world.citizen.cases.get().events.get()
    assert response.status_code == 201 and event.actor_staff == world.agent_a


def test_a_logged_in_account_that_is_not_staff_is_told_so(db, django_user_model):
    browser = Client()
    browser.force_login(django_user_model.objects.create_user("visitor", password="x-long-pass"))
    response = browser.get("/api/cases")
    assert response.status_code == 403
    assert response.json() == {
        "code": "forbidden",
        "message": "当前账号不是在岗工作人员，不能使用本接口",
    }


def test_the_admin_shows_a_new_token_once(world, admin_client):
    assert ApiToken in admin_site._registry
    response = admin_client.post(
        "/admin/apiauth/apitoken/add/",
        {
            "staff": world.agent_a.pk,
            "name": "省平台",
            "scope": "read",
            "site": "",
            "expires_at_0": "",
            "expires_at_1": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    raw = next(m for m in shown if m.startswith("新令牌：")).split("：")[1].split(" ")[0]
    assert call(raw).status_code == 200
