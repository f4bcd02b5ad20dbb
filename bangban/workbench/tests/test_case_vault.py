"""Issue 18 on the case page: the client's second case ticks its ID card and business
licence from the vault at once, with their trust levels, and the client uploads nothing
twice; a kept file is served only to staff who may see a case that uses it (404 otherwise)."""

import pytest

from bangban.cases.models import MaterialStatus, MaterialUpload
from bangban.cases.tests.helpers import act, open_case
from bangban.vault import services
from bangban.vault.models import VaultMaterial, VaultUse
from bangban.vault.tests.conftest import *  # noqa: F403  (the vault's fixtures)
from bangban.vault.tests.conftest import png_bytes
from bangban.vault.tests.test_vault import first_case

from .conftest import HTMX

pytestmark = pytest.mark.django_db


def test_the_second_case_ticks_the_id_card_and_licence_from_the_vault_with_their_levels(
    signed_in, world, vault_items, media, django_assert_max_num_queries
):
    services.consent_give(client=world.citizen)
    first_case(world, vault_items)
    second = open_case(world, items=[vault_items.second])
    act(second, world.agent_a, "start_review")
    client = signed_in(world.agent_a)
    page = client.get(f"/work/cases/{second.number}/")
    text = page.content.decode()
    assert "申请人居民身份证" in text and "C 服务对象上传" in text and "B 窗口核验原件" in text
    assert 'id="vault-use-all"' in text
    second.refresh_from_db()
    response = client.post(
        f"/work/cases/{second.number}/vault/use/",
        {"expected_version": second.version},
        **HTMX,
    )
    assert response.status_code == 200
    statuses = dict(second.materials.values_list("name", "status"))
    assert statuses["申请人居民身份证"] == MaterialStatus.RECEIVED
    assert statuses["营业执照"] == MaterialStatus.RECEIVED
    assert statuses["招牌效果图"] == MaterialStatus.PENDING  # not in the vault: still to bring
    notes = dict(second.materials.values_list("name", "note"))
    assert notes["申请人居民身份证"].startswith("取自材料库：C 服务对象上传")
    assert notes["营业执照"].startswith("取自材料库：B 窗口核验原件")
    assert VaultUse.objects.filter(case=second).count() == 2
    # the client uploads nothing twice: the portal asks no file for a received material
    assert not MaterialUpload.objects.filter(material__case=second).exists()
    text = client.get(f"/work/cases/{second.number}/").content.decode()
    assert "本办件已从材料库取用" in text
    with django_assert_max_num_queries(16):
        client.get(f"/work/cases/{second.number}/")


def test_one_material_is_ticked_from_the_vault_by_its_own_button(
    signed_in, world, vault_items, media
):
    services.consent_give(client=world.citizen)
    first_case(world, vault_items)
    second = open_case(world, items=[vault_items.second])
    act(second, world.agent_a, "start_review")
    row = second.materials.get(name="营业执照")
    kept = VaultMaterial.objects.get(kind__code="business_licence")
    second.refresh_from_db()
    signed_in(world.agent_a).post(
        f"/work/cases/{second.number}/vault/use/",
        {"expected_version": second.version, "material_id": row.pk, "vault_id": kept.pk},
    )
    statuses = dict(second.materials.values_list("name", "status"))
    assert statuses == {
        "申请人居民身份证": MaterialStatus.PENDING,
        "营业执照": MaterialStatus.RECEIVED,
        "招牌效果图": MaterialStatus.PENDING,
    }


def test_consent_signed_at_the_window_is_recorded_from_the_case_page(signed_in, world):
    case = open_case(world)
    signed_in(world.agent_a).post(f"/work/cases/{case.number}/vault/consent/")
    consent = services.consent_of(world.citizen)
    assert consent is not None and consent.recorded_by == world.agent_a


def test_a_staff_member_who_may_see_no_case_using_it_gets_404_for_its_file(
    signed_in, world, vault_items, media
):
    services.consent_give(client=world.citizen)
    first_case(world, vault_items)
    card = VaultMaterial.objects.get(kind__code="resident_id")
    url = f"/work/vault/{card.pk}/file/"
    own = signed_in(world.agent_a).get(url)
    assert own.status_code == 200 and b"".join(own.streaming_content) == png_bytes()
    assert own["Cache-Control"] == "private, no-store"
    for persona in ("agent_b", "liaison_market", "town_agent"):
        assert signed_in(getattr(world, persona)).get(url).status_code == 404, persona
    services.material_withdraw(material=card)
    assert signed_in(world.agent_a).get(url).status_code == 404  # withdrawn: no file
