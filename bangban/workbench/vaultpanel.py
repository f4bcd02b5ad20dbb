"""The case page's 材料库 block: what the client's vault can fill on this case, read fresh.

Not part of the cached case parts: consent, another case's pre-review and the day change it
without a transition of this case. One query without consent; with it, the offers (``vault.services.offers_for``), the
uses and the licence kinds.
"""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from bangban.catalogue.models import MaterialKind
from bangban.vault import services as vault
from bangban.vault.models import (
    CommitmentCheck,
    TrustLevel,
    VaultConsent,
    VaultMaterial,
    VaultUse,
)


def commitments(case) -> list:
    """The case's materials that allow a 告知承诺, each with its level D record, if signed
    (``commitment``): one query."""
    signed = VaultMaterial.objects.filter(
        source_material=OuterRef("pk"), level=TrustLevel.D
    ).order_by("-id")
    rows = list(
        case.materials.filter(material__commitment_allowed=True)
        .annotate(
            commitment_id=Subquery(signed.values("pk")[:1]),
            commitment_due=Subquery(signed.values("check_due")[:1]),
            commitment_result=Subquery(signed.values("check_result")[:1]),
        )
        .order_by("case_item__position", "id")
    )
    for row in rows:
        row.commitment_result_label = (
            CommitmentCheck(row.commitment_result).label if row.commitment_result else ""
        )
    return rows


def vault_panel(case) -> dict:
    """Two queries for a client who never consented (nothing can have been kept or reused):
    the consent and the case's commitments (告知承诺, which need no consent)."""
    today = timezone.localdate()
    latest = VaultConsent.objects.filter(client_id=case.client_id).first()
    if latest is None:
        return {
            "consent": None,
            "offers": [],
            "used": [],
            "licence_kinds": [],
            "commitments": commitments(case),
        }
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
        "commitments": commitments(case),
    }
