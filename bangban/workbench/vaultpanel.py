"""The case page's 材料库 block: what the client's vault can fill on this case, read fresh.

Not part of the cached case parts: consent, another case's pre-review and the day change it
without a transition of this case. One query without consent; with it, the offers (``vault.services.offers_for``), the
uses and the licence kinds.
"""

from __future__ import annotations

from django.utils import timezone

from bangban.catalogue.models import MaterialKind
from bangban.vault import services as vault
from bangban.vault.models import VaultConsent, VaultUse


def vault_panel(case) -> dict:
    """One query for a client who never consented (nothing can have been kept or reused)."""
    today = timezone.localdate()
    latest = VaultConsent.objects.filter(client_id=case.client_id).first()
    if latest is None:
        return {"consent": None, "offers": [], "used": [], "licence_kinds": []}
    consent = latest if latest.withdrawn_at is None else None
    return {
        "consent": consent,
        "offers": vault.offers_for(case, today) if consent else [],
        "used": list(
            VaultUse.objects.filter(case=case)
            .select_related("vault_material__kind", "case_material")
            .order_by("id")
        ),
        "licence_kinds": list(MaterialKind.objects.filter(electronic=True)) if consent else [],
    }
