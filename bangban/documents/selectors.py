"""Reads of the documents area for other pages (the workbench's case page, for instance)."""

from __future__ import annotations

from django.urls import reverse

from .models import CaseDocument


def documents_of(case) -> list[CaseDocument]:
    """Every document of a case, newest first, in one query (superseded versions too)."""
    return list(
        CaseDocument.objects.filter(case=case)
        .select_related("issued_by")
        .only(
            "number",
            "kind",
            "version",
            "fields",
            "issued_at",
            "sha256",
            "reason",
            "supersedes_id",
            "case_id",
            "issued_by__name",
        )
        .order_by("-id")
    )


def case_documents_url(case) -> str:
    """The page where staff print, correct and sign a case's forms."""
    return reverse("documents:case", args=[case.number])


def document_url(case, document: CaseDocument) -> str:
    return reverse("documents:download", args=[case.number, document.number])
