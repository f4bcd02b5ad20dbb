"""The client's material vault on the case page: tick from it, record consent and electronic
licences, and open a kept file (only for who may see a case that uses it; 404 otherwise)."""

from __future__ import annotations

import io

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from bangban.cases.access import visible_cases
from bangban.cases.services import CaseConflict, case_transition
from bangban.cases.workflow import TransitionRefused
from bangban.catalogue.models import MaterialKind
from bangban.downloads import private_file
from bangban.inputs import bounded_int
from bangban.vault import files
from bangban.vault import services as vault
from bangban.vault.models import ConsentChannel, TrustLevel, VaultMaterial, VaultState

from .. import events as ev
from ..auth import staff_required
from .case import _done, _flash_error, _load


def _note(kept: VaultMaterial) -> str:
    return f"取自材料库：{kept.get_level_display()}，{kept.verified_at:%Y-%m-%d}核验"


def _own_commitment(case, material_id: int):
    """The case's material and its active 告知承诺 (level D), or None."""
    kept = (
        VaultMaterial.objects.filter(
            source_case=case,
            source_material_id=material_id,
            level=TrustLevel.D,
            state=VaultState.ACTIVE,
        )
        .select_related("source_material")
        .first()
    )
    return (kept.source_material, kept) if kept is not None else None


@require_POST
@staff_required
def use(request, number):
    """Tick one material (``material_id``, ``vault_id``) or every offered one from the vault."""
    case = _load(request, number)
    offers = vault.offers_for(case)
    wanted = bounded_int(request.POST.get("material_id"), 0, low=0, high=2**31 - 1)
    committed = _own_commitment(case, wanted) if wanted else None
    if committed is not None:  # 告知承诺: the material signed for, as level D
        picks = [committed]
    elif wanted:
        offer = next((o for o in offers if o.material.pk == wanted), None)
        if offer is None:
            raise Http404("没有可从材料库取用的这份材料")
        chosen = bounded_int(request.POST.get("vault_id"), offer.best.pk, low=0, high=2**31 - 1)
        kept = next((k for k in offer.kept if k.pk == chosen), None)
        if kept is None:
            raise Http404("材料库中没有这份材料")
        picks = [(offer.material, kept)]
    else:
        picks = [(o.material, o.best) for o in offers]
    if not picks:
        return _flash_error(request, case, "材料库中没有本办件可复用的材料")
    checks = [
        {"material_id": m.pk, "status": "received", "note": _note(k), "vault_material_id": k.pk}
        for m, k in picks
    ]
    try:
        version = ev.version_from(request.POST)
        case_transition(
            case=case,
            event="pre_review",
            actor=request.actor,
            expected_version=version,
            checks=checks,
        )
    except (ev.FormInvalid, TransitionRefused) as refusal:
        return _flash_error(request, case, refusal.message, isinstance(refusal, CaseConflict))
    names = "、".join(f"{m.name}（{k.level}级）" for m, k in picks)
    return _done(request, case, f"已从材料库取用：{names}")


@require_POST
@staff_required
def consent(request, number):
    """The client signed the consent to keep its materials at the window."""
    case = _load(request, number)
    vault.consent_give(client=case.client, channel=ConsentChannel.WINDOW, staff=request.staff)
    return _done(request, case, "已记录服务对象同意保存材料以便复用")


@require_POST
@staff_required
def licence(request, number):
    """Record one of the client's electronic licences (level A), checked with the 电子证照库."""
    case = _load(request, number)
    kind = MaterialKind.objects.filter(
        pk=bounded_int(request.POST.get("kind"), 0, low=0, high=2**31 - 1), electronic=True
    ).first()
    if kind is None:
        return _flash_error(request, case, "请选择证照种类")
    try:
        vault.licence_record(
            client=case.client,
            kind=kind,
            licence_type=request.POST.get("licence_type", "")[:60],
            number=request.POST.get("licence_number", "")[:60],
            issuer=request.POST.get("licence_issuer", "")[:100],
            staff=request.staff,
        )
    except vault.VaultRefused as refusal:
        return _flash_error(request, case, refusal.message)
    return _done(request, case, f"已核验电子证照：{kind.name}（A 电子证照）")


@require_GET
@staff_required
def kept_file(request, pk):
    """A kept material's file, decrypted, for whoever may see a case that uses it."""
    kept = VaultMaterial.objects.filter(pk=pk).first()
    if kept is None or not kept.stored_name or not vault.may_see_file(request.actor, kept):
        raise Http404("文件不存在")
    name = files.plain_name(kept.stored_name)
    return private_file(io.BytesIO(vault.file_bytes(kept)), filename=name)


@require_POST
@staff_required
def commitment_check(request, pk):
    """The coordinator records the later check of a 告知承诺: 核查属实 or 虚假承诺. 404 for
    anyone else, or for a commitment on a case this coordinator may not see."""
    kept = VaultMaterial.objects.filter(pk=pk, level=TrustLevel.D).first()
    if (
        kept is None
        or not request.staff.is_coordinator
        or not visible_cases(request.actor).filter(pk=kept.source_case_id).exists()
    ):
        raise Http404("告知承诺不存在")
    try:
        vault.commitment_check(
            material=kept,
            result=request.POST.get("result", ""),
            staff=request.staff,
            note=request.POST.get("note", "")[:200],
        )
    except vault.VaultRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"已记录告知承诺核查结果：{kept.source_case.number}")
    return redirect("workbench:home")
