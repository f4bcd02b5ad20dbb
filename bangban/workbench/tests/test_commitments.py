"""Issue 18 item 5, 告知承诺: where the catalogue allows it, the client signs a commitment on
screen instead of bringing the document; the case records it as level D with a later check,
which the coordinator sees on the home when due and records."""

from datetime import date

import pytest

from bangban.catalogue.models import Material, MaterialKind
from bangban.documents.tests.test_confirmations import drawn
from bangban.testing import _item, travel_to
from bangban.vault import services as vault
from bangban.vault.models import CommitmentCheck, TrustLevel, VaultMaterial, VaultState
from bangban.workdays.services import current_calendar

from .conftest import act, open_case, review_all

pytestmark = pytest.mark.django_db

SIGNED = {"method": "paper", "signer": "张三"}
SIGNING_DAY = date(2026, 11, 2)  # a Monday


@pytest.fixture
def committed_item(world):
    """An item whose 场所产权证明 may be replaced by a commitment (告知承诺)."""
    item = _item(
        "SCJG-201",
        "食品经营许可（告知承诺）",
        world.market,
        world.food.category,
        5,
        [("场所产权证明", True, False), ("申请书", True, False)],
    )
    kind = MaterialKind.objects.create(code="premises_title", name="场所产权证明", position=90)
    Material.objects.filter(version=item.current_version, name="场所产权证明").update(
        kind=kind, commitment_allowed=True
    )
    return item


def _sign_commitment(signed_in, world, case):
    material = case.materials.get(name="场所产权证明")
    client = signed_in(world.agent_a)
    page = client.get(f"/documents/cases/{case.number}/sign/commitment/?material={material.pk}")
    assert page.status_code == 200 and "场所产权证明" in page.content.decode()
    client.post(
        f"/documents/cases/{case.number}/sign/commitment/",
        {"material": material.pk, "signer": "张三", "signature": drawn()},
    )
    return material


def test_a_commitment_material_has_its_later_check_on_the_coordinators_home_when_due(
    signed_in, world, committed_item
):
    with travel_to(SIGNING_DAY):
        case = open_case(world, items=[committed_item])
        act(case, world.agent_a, "start_review")
        material = _sign_commitment(signed_in, world, case)
        review_all(case, world.agent_a)
        act(case, world.agent_a, "accept", confirmation=SIGNED)
    commitment = VaultMaterial.objects.get(source_material=material)
    assert commitment.level == TrustLevel.D and commitment.source_case == case
    assert case.confirmations.filter(form="commitment").exists()  # the same service
    due = current_calendar().add_workdays(SIGNING_DAY, vault.COMMITMENT_CHECK_WORKDAYS)
    assert commitment.check_due == due

    with travel_to(current_calendar().add_workdays(due, -1)):
        coordinator = signed_in(world.coordinator)  # signed in that day (sessions expire)
        assert "告知承诺待核查" not in coordinator.get("/work/").content.decode()
    with travel_to(due):
        coordinator = signed_in(world.coordinator)
        home = coordinator.get("/work/").content.decode()
        assert "告知承诺待核查" in home and case.number in home and "场所产权证明" in home
        coordinator.post(
            f"/work/vault/commitments/{commitment.pk}/check/", {"result": "verified", "note": ""}
        )
        assert "告知承诺待核查" not in coordinator.get("/work/").content.decode()
    commitment.refresh_from_db()
    assert commitment.check_result == CommitmentCheck.VERIFIED
    assert commitment.checked_by == world.coordinator


def test_pre_review_ticks_the_committed_material_as_level_d(signed_in, world, committed_item):
    """The case page offers the signed commitment for its own material only; pre-review
    records it as received with level D (a ``VaultUse``), without the vault's consent."""
    from bangban.cases.models import MaterialStatus
    from bangban.vault.models import VaultUse

    case = open_case(world, items=[committed_item])
    act(case, world.agent_a, "start_review")
    material = _sign_commitment(signed_in, world, case)
    agent = signed_in(world.agent_a)
    page = agent.get(f"/work/cases/{case.number}/").content.decode()
    assert "以告知承诺标为已收取" in page
    case.refresh_from_db()
    commitment = VaultMaterial.objects.get(source_material=material)
    other = case.materials.get(name="申请书")
    agent.post(  # another material of the case cannot be ticked with it
        f"/work/cases/{case.number}/vault/use/",
        {"material_id": other.pk, "vault_id": commitment.pk, "expected_version": case.version},
    )
    other.refresh_from_db()
    assert other.status != MaterialStatus.RECEIVED
    agent.post(
        f"/work/cases/{case.number}/vault/use/",
        {"material_id": material.pk, "vault_id": commitment.pk, "expected_version": case.version},
    )
    material.refresh_from_db()
    assert material.status == MaterialStatus.RECEIVED
    assert VaultUse.objects.get(case_material=material).vault_material.level == TrustLevel.D
    assert vault.offers_for(open_case(world, items=[committed_item])) == []


def test_a_false_commitment_is_revoked_and_never_offered(signed_in, world, committed_item):
    with travel_to(SIGNING_DAY):
        case = open_case(world, items=[committed_item])
        act(case, world.agent_a, "start_review")
        _sign_commitment(signed_in, world, case)
    commitment = VaultMaterial.objects.get(source_case=case)
    with travel_to(commitment.check_due):
        coordinator = signed_in(world.coordinator)
        coordinator.post(f"/work/vault/commitments/{commitment.pk}/check/", {"result": "false"})
        commitment.refresh_from_db()
        assert commitment.check_result == ""  # 虚假承诺 needs a note
        coordinator.post(
            f"/work/vault/commitments/{commitment.pk}/check/",
            {"result": "false", "note": "实地核查无该场所"},
        )
    commitment.refresh_from_db()
    assert commitment.check_result == CommitmentCheck.FALSE
    assert commitment.state == VaultState.REVOKED and "实地核查无该场所" in commitment.end_reason
    assert not vault.offerable(world.citizen, SIGNING_DAY).exists()


def test_only_a_material_that_allows_it_may_be_committed_to(signed_in, world, committed_item):
    case = open_case(world, items=[committed_item])
    act(case, world.agent_a, "start_review")
    form = case.materials.get(name="申请书")
    signed_in(world.agent_a).post(
        f"/documents/cases/{case.number}/sign/commitment/",
        {"material": form.pk, "signer": "张三", "signature": drawn()},
    )
    assert not VaultMaterial.objects.exists()
    assert not case.confirmations.filter(form="commitment").exists()


def test_the_check_is_the_coordinators_of_cases_it_may_see(signed_in, world, committed_item):
    with travel_to(SIGNING_DAY):
        case = open_case(world, items=[committed_item])
        act(case, world.agent_a, "start_review")
        _sign_commitment(signed_in, world, case)
    commitment = VaultMaterial.objects.get(source_case=case)
    url = f"/work/vault/commitments/{commitment.pk}/check/"
    assert signed_in(world.agent_a).post(url, {"result": "verified"}).status_code == 404
    commitment.refresh_from_db()
    assert commitment.check_result == ""
