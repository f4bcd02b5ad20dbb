"""我的材料库: what the platform keeps of the client's verified materials, where each was
used, and withdrawing consent (the files are deleted; that a case used one stays)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from bangban.vault import services as vault
from bangban.vault.models import ConsentChannel, VaultMaterial

from ..identity import clients_of, identity_required


@identity_required
def vault_page(request):
    clients = list(clients_of(request.identity))
    kept = list(
        VaultMaterial.objects.filter(client__in=clients)
        .select_related("kind", "client", "source_case")
        .order_by("client_id", "kind__position", "-verified_at")
    )
    used = {}
    for client in clients:
        used.update(vault.uses_of(client))
    today = timezone.localdate()
    for material in kept:
        material.state_label = material.state_label_on(today)
        material.used = used.get(material.pk, [])
    return render(
        request,
        "portal/vault.html",
        {
            "owners": [(c, vault.consent_of(c)) for c in clients],
            "kept": kept,
        },
    )


def _own_client(request):
    wanted = request.POST.get("client", "")
    return next((c for c in clients_of(request.identity) if str(c.pk) == wanted), None)


@require_POST
@identity_required
def vault_consent(request):
    client = _own_client(request)
    if client is not None:
        if request.POST.get("action") == "withdraw":
            count = vault.consent_withdraw(client=client)
            messages.success(request, f"已撤回同意，{count} 份材料的电子文件已删除")
        else:
            vault.consent_give(client=client, channel=ConsentChannel.PORTAL)
            messages.success(request, "已同意保存材料，下次办事可直接复用")
    return redirect("portal:vault")


@require_POST
@identity_required
def vault_withdraw(request, pk):
    material = VaultMaterial.objects.filter(pk=pk, client__in=clients_of(request.identity)).first()
    if material is not None:
        vault.material_withdraw(material=material)
        messages.success(request, f"已撤回“{material.kind.name}”，其电子文件已删除")
    return redirect("portal:vault")
