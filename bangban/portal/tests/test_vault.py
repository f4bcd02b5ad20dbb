"""Issue 18 on the portal: the client sees what is kept and where it was used, and can
withdraw consent; withdrawal removes the file and keeps the fact of the reuse."""

import pytest

from bangban.cases.tests.helpers import act, open_case
from bangban.vault import services
from bangban.vault.models import VaultMaterial, VaultState, VaultUse
from bangban.vault.tests.conftest import *  # noqa: F403  (the vault's fixtures)
from bangban.vault.tests.test_vault import first_case

from .conftest import sign_in

pytestmark = pytest.mark.django_db


def test_the_client_sees_what_is_kept_and_where_it_was_used(client, world, vault_items, media):
    services.consent_give(client=world.citizen)
    first = first_case(world, vault_items)
    second = open_case(world, items=[vault_items.second])
    act(second, world.agent_a, "start_review")
    card = VaultMaterial.objects.get(kind__code="resident_id")
    row = second.materials.get(name="申请人居民身份证")
    act(
        second,
        world.agent_a,
        "pre_review",
        checks=[{"material_id": row.pk, "status": "received", "vault_material_id": card.pk}],
    )
    sign_in(client, "13812345678")
    text = client.get("/my/vault/").content.decode()
    assert "居民身份证" in text and "营业执照" in text
    assert "C 服务对象上传" in text and "B 窗口核验原件" in text
    assert f"来自办件 {first.number}" in text and f"办件 {second.number}" in text
    sign_in(client, "13900001111")  # another person sees none of it
    assert "居民身份证" not in client.get("/my/vault/").content.decode()


def test_withdrawing_consent_removes_the_files_and_keeps_the_fact_of_the_reuse(
    client, world, vault_items, media, django_capture_on_commit_callbacks
):
    services.consent_give(client=world.citizen)
    first_case(world, vault_items)
    second = open_case(world, items=[vault_items.second])
    act(second, world.agent_a, "start_review")
    card = VaultMaterial.objects.get(kind__code="resident_id")
    row = second.materials.get(name="申请人居民身份证")
    act(
        second,
        world.agent_a,
        "pre_review",
        checks=[{"material_id": row.pk, "status": "received", "vault_material_id": card.pk}],
    )
    path = media / card.stored_name
    sign_in(client, "13812345678")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/my/vault/consent/", {"client": world.citizen.pk, "action": "withdraw"}
        )
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.state == VaultState.WITHDRAWN and not path.exists()
    assert VaultUse.objects.filter(case=second, vault_material=card).exists()
    assert services.consent_of(world.citizen) is None
    text = client.get("/my/vault/").content.decode()
    assert "已撤回" in text and f"办件 {second.number}" in text


def test_one_material_is_withdrawn_only_by_its_own_client(client, world, vault_items, media):
    services.consent_give(client=world.citizen)
    first_case(world, vault_items)
    card = VaultMaterial.objects.get(kind__code="resident_id")
    sign_in(client, "13900001111")
    client.post(f"/my/vault/{card.pk}/withdraw/")
    card.refresh_from_db()
    assert card.state == VaultState.ACTIVE
    sign_in(client, "13812345678")
    client.post(f"/my/vault/{card.pk}/withdraw/")
    card.refresh_from_db()
    assert card.state == VaultState.WITHDRAWN
