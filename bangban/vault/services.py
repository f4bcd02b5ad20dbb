"""The vault's rules: consent, keeping, offering, reuse, licences, withdrawal, who sees files.

- **Kept** (``record_checks``, called by the subscriber in the ``pre_review`` or
  ``supplement`` event's transaction): a material received on a case whose checklist entry
  has a kind is kept for its client if the client consents: level C if the client uploaded
  it, B if it was handed over and checked at the window; its file is copied, encrypted.
- **Offered** (``offers_for``): on a later case, for each material not yet received whose
  kind the client has kept, the kept ones that are active and still valid today, the most
  trusted first. Expired, revoked and withdrawn ones never are, nor any without consent.
- **Reused**: the ``pre_review`` check names the kept material (``vault_material_id``); the
  subscriber checks it is this client's, of the entry's kind and offerable, and records a
  ``VaultUse``; anything else refuses the whole event.
- **Withdrawn** (``consent_withdraw``, ``material_withdraw``): the file is deleted; the row and
  its uses stay, so the fact that a case was pre-reviewed with it is kept.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bangban.cases import clock
from bangban.cases.access import Actor, visible_cases
from bangban.cases.models import CaseMaterial, MaterialStatus, MaterialUpload
from bangban.cases.uploads import material_file_bytes, material_file_name
from bangban.cases.workflow import TransitionRefused
from bangban.catalogue.models import MaterialKind
from bangban.clients import masking, pii

from . import files
from .licences import licence_lookup
from .models import (
    LEVEL_ORDER,
    CommitmentCheck,
    ConsentChannel,
    TrustLevel,
    VaultConsent,
    VaultMaterial,
    VaultState,
    VaultUse,
)

# A material still to be brought: what the vault may fill.
OPEN_STATUSES = {
    MaterialStatus.PENDING,
    MaterialStatus.MISSING,
    MaterialStatus.NEEDS_CORRECTION,
    MaterialStatus.DEFERRED,
}
OFFERED_LEVELS = (TrustLevel.A, TrustLevel.B, TrustLevel.C)  # a commitment is one case's


class VaultRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- consent ----------------------------------------------------------------------------


def consent_of(client) -> VaultConsent | None:
    """The client's standing consent, or None (never given, or withdrawn)."""
    latest = VaultConsent.objects.filter(client=client).first()
    return latest if latest is not None and latest.withdrawn_at is None else None


@transaction.atomic
def consent_give(*, client, channel: str = ConsentChannel.PORTAL, staff=None) -> VaultConsent:
    current = consent_of(client)
    if current is not None:
        return current
    return VaultConsent.objects.create(
        client=client, channel=channel, given_at=clock.now(), recorded_by=staff
    )


@transaction.atomic
def consent_withdraw(*, client) -> int:
    """Withdraw the consent: every kept material is withdrawn and its file deleted. Returns
    how many were withdrawn."""
    VaultConsent.objects.filter(client=client, withdrawn_at__isnull=True).update(
        withdrawn_at=clock.now()
    )
    kept = list(
        VaultMaterial.objects.select_for_update().filter(
            client=client, state__in=[VaultState.ACTIVE, VaultState.EXPIRED]
        )
    )
    for material in kept:
        _end(material, VaultState.WITHDRAWN)
    return len(kept)


def material_withdraw(*, material: VaultMaterial) -> None:
    """The client takes back one kept material: its file is deleted, its uses stay."""
    if material.state == VaultState.WITHDRAWN:
        return
    _end(material, VaultState.WITHDRAWN)


def material_revoke(*, material: VaultMaterial, reason: str) -> None:
    """A kept material found invalid (revoked licence, false document): never offered again."""
    reason = (reason or "").strip()
    if not reason:
        raise VaultRefused("请填写撤销原因")
    material.end_reason = reason[:200]
    _end(material, VaultState.REVOKED)


def _end(material: VaultMaterial, state: str) -> None:
    stored = material.stored_name
    material.state, material.ended_at, material.stored_name = state, clock.now(), ""
    material.save(update_fields=["state", "ended_at", "stored_name", "end_reason"])
    if stored:
        transaction.on_commit(lambda: files.delete(stored))


# --- keeping and reuse (called in the case event's transaction) ---------------------------


def record_checks(*, case, checks: list[dict], actor: Actor) -> None:
    """Keep what was received now (with consent) and record what was ticked from the vault."""
    wanted = {int(c["material_id"]) for c in checks}
    materials = {
        m.pk: m
        for m in CaseMaterial.objects.filter(case=case, pk__in=wanted).select_related("material")
    }
    staff = actor.staff if actor.kind == "staff" else None
    today = timezone.localdate()
    consent = None
    for check in checks:
        material = materials.get(int(check["material_id"]))
        if material is None or check.get("status") != MaterialStatus.RECEIVED:
            if check.get("vault_material_id"):
                raise TransitionRefused("只有“已收取”的材料可以取自材料库")
            continue
        if check.get("vault_material_id"):
            _use(case, material, int(check["vault_material_id"]), staff, today)
            continue
        kind_id = material.material.kind_id if material.material else None
        if kind_id is None:
            continue
        consent = consent if consent is not None else consent_of(case.client)
        if consent is None:
            continue
        _keep(case, material, kind_id, staff, actor, _as_date(check.get("valid_until")))


def _as_date(value) -> date | None:
    if not value:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _use(case, material: CaseMaterial, vault_id: int, staff, today: date) -> None:
    kept = (
        VaultMaterial.objects.filter(pk=vault_id, client_id=case.client_id)
        .select_related("kind")
        .first()
    )
    kind_id = material.material.kind_id if material.material else None
    if kept is None or kind_id != kept.kind_id:
        raise TransitionRefused(f"材料库中没有可用于“{material.name}”的这份材料")
    # a 告知承诺 stands only for the material it was signed for, on its own case
    own_commitment = kept.level == TrustLevel.D and kept.source_material_id == material.pk
    if kept.state_on(today) != VaultState.ACTIVE or not (
        kept.level in OFFERED_LEVELS or own_commitment
    ):
        raise TransitionRefused(
            f"材料库中的“{kept.kind.name}”{kept.state_label_on(today)}，不能复用，请重新收取"
        )
    if not own_commitment and consent_of(case.client) is None:
        raise TransitionRefused("服务对象未同意（或已撤回）保存材料，不能从材料库取用")
    VaultUse.objects.get_or_create(
        vault_material=kept,
        case_material=material,
        defaults={"case": case, "used_by": staff, "used_at": clock.now()},
    )


def _keep(case, material: CaseMaterial, kind_id: int, staff, actor, valid_until) -> None:
    if VaultMaterial.objects.filter(source_material=material, state=VaultState.ACTIVE).exists():
        return
    upload = MaterialUpload.objects.filter(material=material).first()  # newest first
    kept = VaultMaterial(
        client_id=case.client_id,
        kind_id=kind_id,
        level=TrustLevel.C if upload is not None else TrustLevel.B,
        verified_by=staff,
        verified_by_name=actor.name[:50],
        verified_at=clock.now(),
        valid_until=valid_until,
        source_case=case,
        source_material=material,
    )
    if material.file:
        data = material_file_bytes(material)  # plain bytes: the case file is encrypted too
        extension = material_file_name(material).rsplit(".", 1)[-1].lower()
        kept.stored_name = files.store(client_id=case.client_id, data=data, extension=extension)
        kept.file_type = upload.kind if upload is not None else extension.upper()
        kept.sha256 = upload.sha256 if upload is not None else ""
        # a rolled-back event leaves this encrypted file unreferenced (never served)
    kept.save()


# --- offering -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    material: CaseMaterial
    kept: list[VaultMaterial]

    @property
    def best(self) -> VaultMaterial:
        return self.kept[0]


def offerable(client, today: date):
    """The client's kept materials that may be offered today (consent not checked here)."""
    return (
        VaultMaterial.objects.filter(
            client=client, state=VaultState.ACTIVE, level__in=OFFERED_LEVELS
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .select_related("kind")
    )


def offers_for(case, today: date | None = None) -> list[Offer]:
    """For each material of ``case`` still to be brought whose kind the client has kept: the
    kept ones that may be reused, the most trusted and newest first. Three queries."""
    today = today or timezone.localdate()
    if consent_of(case.client) is None:
        return []
    materials = [
        m
        for m in case.materials.select_related("material").order_by("case_item__position", "id")
        if m.status in OPEN_STATUSES and m.material is not None and m.material.kind_id
    ]
    if not materials:
        return []
    by_kind: dict[int, list[VaultMaterial]] = defaultdict(list)
    for kept in offerable(case.client, today).filter(
        kind_id__in={m.material.kind_id for m in materials}
    ):
        by_kind[kept.kind_id].append(kept)
    for kept_list in by_kind.values():
        kept_list.sort(key=lambda k: (LEVEL_ORDER[TrustLevel(k.level)], -k.verified_at.timestamp()))
    return [
        Offer(material=m, kept=by_kind[m.material.kind_id])
        for m in materials
        if by_kind.get(m.material.kind_id)
    ]


# --- electronic licences (level A) ----------------------------------------------------------


@transaction.atomic
def licence_record(
    *, client, kind: MaterialKind, licence_type: str, number: str, issuer: str, staff=None
) -> VaultMaterial:
    """Record an electronic licence after the licence lookup confirmed it; no file needed."""
    licence_type, number, issuer = (v.strip() for v in (licence_type, number, issuer))
    if not (licence_type and number and issuer):
        raise VaultRefused("请填写证照类型、证照编号和发证机关")
    found = licence_lookup().find(licence_type=licence_type, number=number, issuer=issuer)
    if found is None:
        raise VaultRefused("电子证照库中未查到该证照，请核对证照类型、编号和发证机关")
    if found.revoked:
        raise VaultRefused("该电子证照已被注销或吊销，不能使用")
    today = timezone.localdate()
    if found.valid_until is not None and found.valid_until < today:
        raise VaultRefused(f"该电子证照已于 {found.valid_until:%Y-%m-%d} 过期")
    if found.holder != client.name:
        raise VaultRefused("电子证照的持证人与服务对象不一致")
    if consent_of(client) is None:
        raise VaultRefused("服务对象尚未同意保存材料，请先记录其同意")
    return VaultMaterial.objects.create(
        client=client,
        kind=kind,
        level=TrustLevel.A,
        licence_type=licence_type,
        licence_number_cipher=pii.encrypt(number),
        licence_number_masked=masking.mask_numbers(number)[:60],
        licence_issuer=issuer,
        verified_by=staff,
        verified_by_name=(staff.name if staff else "电子证照库")[:50],
        verified_at=clock.now(),
        valid_until=found.valid_until,
    )


# --- who sees a kept material's file --------------------------------------------------------


def cases_using(material: VaultMaterial) -> set[int]:
    ids = set(VaultUse.objects.filter(vault_material=material).values_list("case_id", flat=True))
    if material.source_case_id:
        ids.add(material.source_case_id)
    return ids


def may_see_file(actor: Actor | None, material: VaultMaterial) -> bool:
    """Whoever may see a case the material came from or was used on; the client itself."""
    if actor is None:
        return False
    if actor.kind == "client":
        return actor.client.pk == material.client_id
    return visible_cases(actor).filter(pk__in=cases_using(material)).exists()


def file_bytes(material: VaultMaterial) -> bytes:
    if not material.stored_name:
        raise VaultRefused("该材料没有电子文件（未上传，或服务对象已撤回）")
    return files.read(material.stored_name)


def uses_of(client) -> dict[int, list[VaultUse]]:
    """Every use of the client's kept materials, by kept material: one query."""
    found: dict[int, list[VaultUse]] = defaultdict(list)
    for use in VaultUse.objects.filter(vault_material__client=client).select_related("case"):
        found[use.vault_material_id].append(use)
    return found


# --- commitments instead of proof (告知承诺, level D) ---------------------------------------

COMMITMENT_CHECK_WORKDAYS = 30  # the later check: 30 working days after acceptance


def commitment_check_due(case, signed_on: date) -> date:
    """The day the commitment must be checked by: 30 working days after the case's
    acceptance, or after the signing day while the case is not yet accepted."""
    from bangban.workdays.services import current_calendar

    return current_calendar().add_workdays(case.accepted_on or signed_on, COMMITMENT_CHECK_WORKDAYS)


def record_commitment(*, case, material_id: int, actor: Actor) -> VaultMaterial:
    """The client signed a 告知承诺书 for one of the case's materials (in the ``confirm``
    event's transaction): the material is recorded as level D, tied to this case only (never
    offered: ``OFFERED_LEVELS``), with its later check due. No consent needed: it is this
    case's record, not a kept document."""
    material = (
        CaseMaterial.objects.filter(case=case, pk=material_id).select_related("material").first()
    )
    if material is None or material.material is None:
        raise TransitionRefused("请选择本办件中需要告知承诺的材料")
    if not material.material.commitment_allowed:
        raise TransitionRefused(f"“{material.name}”不适用告知承诺，请提交材料")
    existing = VaultMaterial.objects.filter(
        source_material=material, level=TrustLevel.D, state=VaultState.ACTIVE
    ).first()
    if existing is not None:
        return existing
    if material.material.kind_id is None:
        raise TransitionRefused(f"“{material.name}”未设置材料种类，请联系管理员在事项目录中设置")
    staff = actor.staff if actor.kind == "staff" else None
    now = clock.now()
    return VaultMaterial.objects.create(
        client_id=case.client_id,
        kind_id=material.material.kind_id,
        level=TrustLevel.D,
        verified_by=staff,
        verified_by_name=actor.name[:50],
        verified_at=now,
        source_case=case,
        source_material=material,
        check_due=commitment_check_due(case, timezone.localdate(now)),
    )


def commitments_due(actor: Actor, today: date):
    """Commitments not yet checked whose check is due by ``today``, on cases this person may
    see, soonest due first (one query)."""
    return (
        VaultMaterial.objects.filter(
            level=TrustLevel.D,
            state=VaultState.ACTIVE,
            check_result="",
            check_due__lte=today,
            source_case__in=visible_cases(actor),
        )
        .select_related("kind", "source_case", "source_material")
        .order_by("check_due", "id")
    )


@transaction.atomic
def commitment_check(*, material: VaultMaterial, result: str, staff, note: str = "") -> None:
    """Record the later check of a commitment: 核查属实, or 虚假承诺 (the commitment is
    revoked, with the note as its reason)."""
    material = VaultMaterial.objects.select_for_update().get(pk=material.pk)
    if material.level != TrustLevel.D:
        raise VaultRefused("只有告知承诺的材料需要核查")
    if material.check_result:
        raise VaultRefused("该告知承诺已核查")
    if result not in CommitmentCheck.values:
        raise VaultRefused("请选择核查结果：核查属实或虚假承诺")
    note = (note or "").strip()[:200]
    if result == CommitmentCheck.FALSE and not note:
        raise VaultRefused("认定虚假承诺时请填写核查说明")
    material.check_result, material.checked_at = result, clock.now()
    material.checked_by, material.check_note = staff, note
    material.save(update_fields=["check_result", "checked_at", "checked_by", "check_note"])
    if result == CommitmentCheck.FALSE:
        material.end_reason = f"虚假承诺：{note}"[:200]
        _end(material, VaultState.REVOKED)
