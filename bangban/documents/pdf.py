"""The PDF of an issued document: made once, from the snapshot taken when it was issued.

Called by the render job (``tasks.render_document``) after the issuing transaction has
committed, and by a download that finds it still missing.
"""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from bangban.cases.models import CaseEvent

from .kinds import KINDS, Kind
from .models import CaseDocument
from .rendering import render_pdf


def _file_name(document: CaseDocument) -> str:
    year = document.issued_at.year if document.issued_at else timezone.now().year
    return f"documents/{year}/{document.case.site.code}/{document.number}.pdf"


def document_render(document: CaseDocument) -> CaseDocument:
    """Make the PDF of a document once; a document already made is returned unchanged."""
    if document.sha256:
        return document
    info = KINDS[Kind(document.kind)]
    pdf = render_pdf(document.fields, info.template, tuple(document.fields.get("site_codes", ())))
    digest = hashlib.sha256(pdf).hexdigest()
    name = default_storage.save(_file_name(document), ContentFile(pdf))
    now = timezone.now()
    made = CaseDocument.objects.filter(pk=document.pk, sha256="").update(
        file=name, sha256=digest, rendered_at=now
    )
    if not made:  # someone else made it meanwhile: theirs stands
        default_storage.delete(name)
        document.refresh_from_db()
    else:
        document.file.name, document.sha256, document.rendered_at = name, digest, now
    link_event(document)
    return document


def link_event(document: CaseDocument) -> None:
    """Link a document to the event whose details name it (set once, never changed)."""
    if document.event_id:
        return
    event = (
        CaseEvent.objects.filter(case_id=document.case_id, details__document=document.number)
        .order_by("seq")
        .first()
    )
    if event is not None:
        CaseDocument.objects.filter(pk=document.pk, event__isnull=True).update(event=event)
        document.event = event
