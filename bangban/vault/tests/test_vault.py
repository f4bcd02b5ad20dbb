"""Issue 18, the client material vault: kept with consent, offered on the next case of the
same kind, never when expired, revoked or withdrawn; reuse recorded; files encrypted."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bangban.cases import uploads
from bangban.cases.access import Actor
from bangban.cases.models import MaterialStatus, MaterialUpload
from bangban.cases.tests.helpers import act, open_case
from bangban.cases.workflow import TransitionRefused
from bangban.testing import travel_to
from bangban.vault import files, services
from bangban.vault.models import TrustLevel, VaultMaterial, VaultState, VaultUse

from .conftest import png_bytes

pytestmark = pytest.mark.django_db


def first_case(world, vault_items, *, id_valid_until=None):
    """The first case: the client uploads the ID card online; the business licence is handed
    over at the window; the agent receives both in pre-review."""
    case = open_case(world, items=[vault_items.first])
    act(case, world.agent_a, "start_review")
    by_name = {m.name: m for m in case.materials.all()}
    uploads.material_upload(
        material=by_name["经营者身份证"], upload=SimpleUploadedFile("id.png", png_bytes())
    )
    checks = [{"material_id": m.pk, "status": "received", "note": ""} for m in case.materials.all()]
    if id_valid_until:
        checks[[c["material_id"] for c in checks].index(by_name["经营者身份证"].pk)][
            "valid_until"
        ] = id_valid_until.isoformat()
    act(case, world.agent_a, "pre_review", checks=checks)
    return case


def test_a_received_material_is_kept_only_with_the_clients_consent(world, vault_items, media):
    first_case(world, vault_items)
    assert not VaultMaterial.objects.exists()  # no consent: nothing kept

    services.consent_give(client=world.citizen)
    case = first_case(world, vault_items)
    kept = {k.kind.code: k for k in VaultMaterial.objects.select_related("kind")}
    assert set(kept) == {"resident_id", "business_licence"}  # the form has no kind: not kept
    card, licence = kept["resident_id"], kept["business_licence"]
    assert card.level == TrustLevel.C and licence.level == TrustLevel.B
    assert card.source_case == case and card.verified_by == world.agent_a
    assert card.has_file and not licence.has_file  # the licence was paper


def test_the_kept_file_is_encrypted_at_rest(world, vault_items, media):
    services.consent_give(client=world.citizen)
    first_case(world, vault_items)
    card = VaultMaterial.objects.get(kind__code="resident_id")
    on_disk = (media / card.stored_name).read_bytes()
    assert png_bytes()[:8] not in on_disk and on_disk.startswith(b"v")
    assert services.file_bytes(card) == png_bytes()
    assert files.read(card.stored_name) == png_bytes()


def test_the_second_case_is_offered_both_kinds_with_their_levels(world, vault_items, media):
    services.consent_give(client=world.citizen)
    first_case(world, vault_items)
    second = open_case(world, items=[vault_items.second])
    offers = {o.material.name: o.best for o in services.offers_for(second)}
    assert {name: k.level for name, k in offers.items()} == {
        "申请人居民身份证": TrustLevel.C,
        "营业执照": TrustLevel.B,
    }


def test_pre_review_ticks_from_the_vault_and_records_the_reuse(world, vault_items, media):
    services.consent_give(client=world.citizen)
    first_case(world, vault_items)
    second = open_case(world, items=[vault_items.second])
    act(second, world.agent_a, "start_review")
    offers = services.offers_for(second)
    checks = [
        {"material_id": o.material.pk, "status": "received", "vault_material_id": o.best.pk}
        for o in offers
    ]
    record = act(second, world.agent_a, "pre_review", checks=checks)
    assert [c["vault_material_id"] for c in record.details["checks"]] == [o.best.pk for o in offers]
    uses = VaultUse.objects.filter(case=second)
    assert {u.case_material.name for u in uses} == {"申请人居民身份证", "营业执照"}
    assert not MaterialUpload.objects.filter(material__case=second).exists()
    assert services.offers_for(second) == []  # received now: nothing more to offer
    # the reused ones are not kept a second time
    assert VaultMaterial.objects.count() == 2


def test_a_material_of_another_client_or_kind_cannot_be_ticked(world, vault_items, media):
    services.consent_give(client=world.citizen)
    first_case(world, vault_items)
    card = VaultMaterial.objects.get(kind__code="resident_id")
    second = open_case(world, items=[vault_items.second])
    act(second, world.agent_a, "start_review")
    licence_row = second.materials.get(name="营业执照")
    with pytest.raises(TransitionRefused, match="材料库中没有可用于“营业执照”"):
        act(
            second,
            world.agent_a,
            "pre_review",
            checks=[
                {"material_id": licence_row.pk, "status": "received", "vault_material_id": card.pk}
            ],
        )
    assert second.materials.get(pk=licence_row.pk).status == MaterialStatus.PENDING
    other = open_case(world, items=[vault_items.second])
    other.client = world.other_citizen
    other.save(update_fields=["client"])
    act(other, world.agent_a, "start_review")
    row = other.materials.get(name="申请人居民身份证")
    with pytest.raises(TransitionRefused):
        act(
            other,
            world.agent_a,
            "pre_review",
            checks=[{"material_id": row.pk, "status": "received", "vault_material_id": card.pk}],
        )


def test_after_the_id_cards_expiry_it_is_no_longer_offered(world, vault_items, media):
    today = timezone.localdate()
    expiry = today + timedelta(days=30)
    services.consent_give(client=world.citizen)
    first_case(world, vault_items, id_valid_until=expiry)
    card = VaultMaterial.objects.get(kind__code="resident_id")
    assert card.valid_until == expiry
    with travel_to(expiry):
        second = open_case(world, items=[vault_items.second])
        assert {o.material.name for o in services.offers_for(second)} == {
            "申请人居民身份证",
            "营业执照",
        }
    with travel_to(expiry + timedelta(days=1)):
        assert {o.material.name for o in services.offers_for(second)} == {"营业执照"}
        assert card.state_on(timezone.localdate()) == VaultState.EXPIRED
        act(second, world.agent_a, "start_review")
        row = second.materials.get(name="申请人居民身份证")
        with pytest.raises(TransitionRefused, match="已过期"):
            act(
                second,
                world.agent_a,
                "pre_review",
                checks=[
                    {"material_id": row.pk, "status": "received", "vault_material_id": card.pk}
                ],
            )


def test_revoked_and_withdrawn_materials_are_never_offered(world, vault_items, media):
    services.consent_give(client=world.citizen)
    first_case(world, vault_items)
    card = VaultMaterial.objects.get(kind__code="resident_id")
    licence = VaultMaterial.objects.get(kind__code="business_licence")
    services.material_revoke(material=licence, reason="营业执照已被吊销")
    services.material_withdraw(material=card)
    second = open_case(world, items=[vault_items.second])
    assert services.offers_for(second) == []


def test_withdrawal_removes_the_file_and_keeps_the_fact_of_the_reuse(
    world, vault_items, media, django_capture_on_commit_callbacks
):
    services.consent_give(client=world.citizen)
    first_case(world, vault_items)
    second = open_case(world, items=[vault_items.second])
    act(second, world.agent_a, "start_review")
    checks = [
        {"material_id": o.material.pk, "status": "received", "vault_material_id": o.best.pk}
        for o in services.offers_for(second)
    ]
    act(second, world.agent_a, "pre_review", checks=checks)
    card = VaultMaterial.objects.get(kind__code="resident_id")
    path = media / card.stored_name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.consent_withdraw(client=world.citizen) == 2
    card.refresh_from_db()
    assert card.state == VaultState.WITHDRAWN and not card.stored_name
    assert not path.exists()
    assert VaultUse.objects.filter(case=second, vault_material=card).exists()
    third = open_case(world, items=[vault_items.second])
    assert services.offers_for(third) == []  # nothing kept, and no consent any more
    services.consent_give(client=world.citizen)
    assert services.offers_for(third) == []  # withdrawn ones stay withdrawn


def test_who_may_see_a_kept_file(world, vault_items, media):
    services.consent_give(client=world.citizen)
    first_case(world, vault_items)
    card = VaultMaterial.objects.get(kind__code="resident_id")
    assert services.may_see_file(Actor.of_staff(world.agent_a), card)
    assert services.may_see_file(Actor.of_client(world.citizen), card)
    assert not services.may_see_file(Actor.of_staff(world.agent_b), card)  # another village
    assert not services.may_see_file(Actor.of_client(world.other_citizen), card)
    # agent B's case uses it: now agent B may see it too
    second = open_case(world, agent=world.agent_b, items=[vault_items.second])
    act(second, world.agent_b, "start_review")
    row = second.materials.get(name="申请人居民身份证")
    act(
        second,
        world.agent_b,
        "pre_review",
        checks=[{"material_id": row.pk, "status": "received", "vault_material_id": card.pk}],
    )
    assert services.may_see_file(Actor.of_staff(world.agent_b), card)


def test_a_supplement_keeps_what_the_client_brought(world, vault_items, media):
    services.consent_give(client=world.citizen)
    case = open_case(world, items=[vault_items.first])
    act(case, world.agent_a, "start_review")
    by_name = {m.name: m for m in case.materials.all()}
    checks = [
        {"material_id": m.pk, "status": "received" if m.name != "营业执照副本" else "missing"}
        for m in by_name.values()
    ]
    act(case, world.agent_a, "pre_review", checks=checks)
    act(case, world.agent_a, "request_supplement", days=5)
    act(case, world.agent_a, "supplement", received=[by_name["营业执照副本"].pk])
    assert VaultMaterial.objects.filter(kind__code="business_licence", source_case=case).exists()


def test_the_level_d_commitment_is_not_offered_on_another_case(world, vault_items, media):
    services.consent_give(client=world.citizen)
    VaultMaterial.objects.create(
        client=world.citizen,
        kind=vault_items.first.current_version.materials.get(name="营业执照副本").kind,
        level=TrustLevel.D,
        verified_at=timezone.now(),
        valid_until=date(2099, 1, 1),
    )
    second = open_case(world, items=[vault_items.second])
    assert services.offers_for(second) == []
