"""A case's issued documents (文书) over the API: the list, each one's status, its PDF.

The case is loaded with ``get_case_for`` (404 for a case the caller may not see, and so
for each of its documents); the PDF is made once from the snapshot taken at issue
(``documents.pdf.document_render``) and served as the workbench serves it
(``downloads.private_file``, never cached, with its SHA-256 in ``X-Content-SHA256``).
"""

from __future__ import annotations

from datetime import datetime

from django.http import Http404
from ninja import Field, Router, Schema

from bangban.apiauth.errors import error_responses
from bangban.apiauth.security import STAFF_AUTH
from bangban.cases.access import get_case_for
from bangban.documents.models import CaseDocument
from bangban.documents.pdf import document_render
from bangban.documents.selectors import documents_of
from bangban.downloads import open_or_404, private_file

router = Router(tags=["文书"], auth=STAFF_AUTH)

NOT_FOUND = "文书不存在"


class DocumentOut(Schema):
    number: str = Field(description="文书编号")
    kind: str = Field(description="文书种类")
    label: str = Field(description="文书名称")
    version: int = Field(description="版本：更正后出具新版本，旧版本保留")
    supersedes: str | None = Field(description="本版本替代的文书编号")
    superseded_by: str | None = Field(description="替代本版本的文书编号；为空表示现行有效")
    reason: str = Field(description="出具或更正原因")
    issued_at: datetime = Field(description="出具时间")
    issued_by_name: str | None = Field(description="出具人")
    rendered: bool = Field(description="PDF 是否已生成（首次下载时也会生成）")
    sha256: str = Field(description="PDF 的 SHA-256；未生成时为空")


def document_out(d: CaseDocument, numbers: dict[int, str], replaced: dict[int, str]) -> dict:
    return {
        "number": d.number,
        "kind": d.kind,
        "label": d.label,
        "version": d.version,
        "supersedes": numbers.get(d.supersedes_id) if d.supersedes_id else None,
        "superseded_by": replaced.get(d.pk),
        "reason": d.reason,
        "issued_at": d.issued_at,
        "issued_by_name": d.issued_by.name if d.issued_by_id else None,
        "rendered": bool(d.sha256),
        "sha256": d.sha256,
    }


def _outs(documents: list[CaseDocument]) -> list[dict]:
    numbers = {d.pk: d.number for d in documents}
    replaced = {d.supersedes_id: d.number for d in documents if d.supersedes_id}
    return [document_out(d, numbers, replaced) for d in documents]


def _document(request, number: str, document_number: str) -> tuple[list, CaseDocument]:
    case = get_case_for(request.auth, number)
    documents = documents_of(case)
    found = next((d for d in documents if d.number == document_number), None)
    if found is None:
        raise Http404(NOT_FOUND)
    return documents, found


@router.get(
    "/{number}/documents",
    response={200: list[DocumentOut], **error_responses(401, 403, 404)},
    summary="办件的文书",
    description="办件出具过的全部文书（受理回执、一次性告知单、委托书、办结通知等），新出具的在前；"
    "已被更正的旧版本也列出，superseded_by 指向新版本。",
)
def case_documents(request, number: str):
    return _outs(documents_of(get_case_for(request.auth, number)))


@router.get(
    "/{number}/documents/{document_number}",
    response={200: DocumentOut, **error_responses(401, 403, 404)},
    summary="文书状态",
    description="一份文书是否现行有效（superseded_by 为空）、PDF 是否已生成及其 SHA-256。",
)
def case_document_status(request, number: str, document_number: str):
    documents, found = _document(request, number, document_number)
    return next(o for o in _outs(documents) if o["number"] == found.number)


@router.get(
    "/{number}/documents/{document_number}/file",
    response={**error_responses(401, 403, 404)},
    summary="下载文书 PDF",
    description="文书的 PDF（出具时的内容，此后不变）；响应头 X-Content-SHA256 为文件摘要，"
    "可与文书状态中的 sha256 核对。",
    openapi_extra={
        "responses": {
            "200": {
                "description": "PDF 文件",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def case_document_file(request, number: str, document_number: str):
    case = get_case_for(request.auth, number)
    document = (
        CaseDocument.objects.filter(case=case, number=document_number)
        .select_related("case__site")
        .first()
    )
    if document is None:
        raise Http404(NOT_FOUND)
    document = document_render(document)
    response = private_file(
        open_or_404(document.file),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"{document.number}_{document.label}.pdf",
    )
    response["X-Content-SHA256"] = document.sha256
    return response
