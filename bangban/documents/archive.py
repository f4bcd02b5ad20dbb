"""The archive copy of a case: every document, material and signature in one ZIP.

Inside: ``文书/`` (every version of every document, superseded ones too), ``材料/`` (the
electronic materials), ``签字确认/`` (signature images), ``index.html`` (the case, each
file with its number, kind, date and SHA-256, and the timeline with its hash chain) and
``SHA256SUMS`` (``sha256sum -c SHA256SUMS`` checks the package offline). A file whose
bytes no longer match the digest recorded at issue is listed as such, not silently packed.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.template.loader import render_to_string
from django.utils import timezone

from bangban.cases.models import Case
from bangban.cases.transitions import BY_EVENT
from bangban.cases.uploads import material_file_bytes, material_file_name
from bangban.cases.workflow import FORM_LABELS

from .models import CaseDocument
from .services import document_render
from .signatures import signature_bytes

SPOOL_BYTES = 32 * 1024 * 1024


@dataclass
class Entry:
    path: str
    kind: str
    number: str
    title: str
    date: str
    sha256: str
    size: int
    note: str = ""


def _safe(name: str, limit: int = 60) -> str:
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", name).strip(" ._") or "文件"
    return cleaned[:limit]


def _read(field_file) -> bytes:
    with field_file.open("rb") as handle:
        return handle.read()


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def archive_package(case: Case):
    """Write the package to a temporary file; returns (file object at 0, file name)."""
    documents = list(
        CaseDocument.objects.filter(case=case).select_related("case__site").order_by("id")
    )
    materials = list(
        case.materials.exclude(file="").select_related("case_item__item_version__item")
    )
    confirmations = list(case.confirmations.order_by("id"))
    events = [
        {
            "seq": e.seq,
            "at": _local(e.at),
            "label": BY_EVENT[e.event].label if e.event in BY_EVENT else "提交申请",
            "actor": e.actor_name,
            "text": e.reason or e.details.get("text", ""),
            "document": e.details.get("document", ""),
            "hash": e.hash,
        }
        for e in case.events.order_by("seq")
    ]
    entries: list[Entry] = []
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as package:

        def add(entry: Entry, data: bytes) -> None:
            package.writestr(entry.path, data)
            entries.append(entry)

        for doc in documents:
            document_render(doc)
            data = _read(doc.file)
            digest = hashlib.sha256(data).hexdigest()
            note = [f"第 {doc.version} 版"]
            if doc.supersedes_id:
                note.append(f"替代 {doc.fields.get('supersedes', '')}")
            if any(d.supersedes_id == doc.pk for d in documents):
                note.append("已被更正")
            if digest != doc.sha256:
                note.append(f"校验不符（出具时 {doc.sha256}）")
            add(
                Entry(
                    f"文书/{_safe(doc.number)}_{_safe(doc.label)}.pdf",
                    "文书",
                    doc.number,
                    doc.label,
                    _local(doc.issued_at),
                    digest,
                    len(data),
                    "；".join(note),
                ),
                data,
            )
        for material in materials:
            data = material_file_bytes(material)  # plain: the file is encrypted at rest
            suffix = PurePosixPath(material_file_name(material)).suffix.lower()[:8]
            add(
                Entry(
                    f"材料/{material.pk:05d}_{_safe(material.name)}{suffix}",
                    "材料",
                    "",
                    f"{material.name}（{material.case_item.item_version.item.name}）",
                    _local(material.checked_at),
                    hashlib.sha256(data).hexdigest(),
                    len(data),
                    material.get_status_display(),
                ),
                data,
            )
        for confirmation in confirmations:
            if not confirmation.signature:
                continue
            data = signature_bytes(confirmation.signature)
            digest = hashlib.sha256(data).hexdigest()
            label = FORM_LABELS.get(confirmation.form, confirmation.form)
            add(
                Entry(
                    f"签字确认/{confirmation.pk:05d}_{_safe(label)}_{_safe(confirmation.signer)}.png",
                    "签名",
                    "",
                    f"《{label}》 {confirmation.signer}",
                    _local(confirmation.at),
                    digest,
                    len(data),
                    "" if digest == confirmation.signature_sha256 else "校验不符",
                ),
                data,
            )
        built_at = timezone.now()
        index = render_to_string(
            "documents/pages/archive_index.html",
            {
                "case": case,
                "entries": entries,
                "confirmations": confirmations,
                "events": events,
                "built_at": built_at,
            },
        )
        package.writestr("index.html", index)
        sums = "".join(f"{e.sha256}  {e.path}\n" for e in entries)
        package.writestr("SHA256SUMS", sums)
    spool.seek(0)
    return spool, f"{case.number}-归档.zip"
