"""The one-time notice (一次性告知单) of a consultation, issued with no case (seed 002 附件3:
"适用于应申请人请求的事项办理答疑、咨询辅导"; seed 000 §10.1.1).

Who asked and about which items is handed in as plain data by the page that prints it:
this area does not read consultations (the areas are independent of each other). What the
notice lists is the materials of the published guide of each item, read here from the
catalogue, so the notice and the guide never disagree. Nothing is stored: the consultation
is the record, and the notice is printed again from it whenever asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

from bangban.cases import clock
from bangban.catalogue.models import ItemVersion

from .fields import _letterhead_fields, cn_date, letterhead_for, public_url, site_codes, wording_for
from .kinds import KINDS, Kind
from .rendering import render_pdf

TEMPLATE = "documents/consultation_notice.html"


@dataclass(frozen=True)
class AskedAbout:
    """What the face knows of the consultation, as plain data."""

    reference: str  # printed as the notice's number, e.g. 咨询-000123
    site: object  # network.Site the question was asked of
    client_name: str
    asked_on: object  # a date
    content: str
    item_version_ids: tuple[int, ...]
    issued_by: str
    page_url: str = ""  # where the QR code leads (the client's page), else the public site


def _materials(version: ItemVersion) -> list[dict]:
    return [
        {
            "name": m.name,
            "required": m.required,
            "form": m.get_form_display(),
            "copies": m.copies,
            "obtain_from": m.obtain_from,
            "note": m.note,
        }
        for m in version.materials.all()
    ]


def notice_fields(asked: AskedAbout) -> dict:
    """The filled-in notice: letterhead, who asked, and the materials of each item asked about."""
    info = KINDS[Kind.ONE_TIME_NOTICE]
    letterhead, chain = letterhead_for(asked.site)
    wording = wording_for(chain, info.kind)
    versions = (
        ItemVersion.objects.filter(pk__in=asked.item_version_ids)
        .select_related("item__department")
        .prefetch_related("materials")
    )
    items = [
        {
            "name": v.item.name,
            "code": v.item.code,
            "department": v.item.department.name if v.item.department_id else "",
            "materials": _materials(v),
        }
        for v in versions
    ]
    now = clock.now()
    return {
        "kind": info.kind.value,
        "title": wording.get("title") or info.label,
        "number": asked.reference,
        "version": 1,
        "issued_on": cn_date(now),
        "issued_by": asked.issued_by,
        "letterhead": _letterhead_fields(SimpleNamespace(site=asked.site), letterhead),
        "wording": {k: v for k, v in wording.items() if k != "intro"},
        "track_url": asked.page_url or public_url(letterhead),
        "case": {"number": "未立件（咨询）"},
        "client": {"name": asked.client_name},
        "specific": {
            "asked_on": cn_date(asked.asked_on),
            "content": asked.content,
            "items": items,
        },
    }


def consultation_notice_pdf(asked: AskedAbout) -> bytes:
    return render_pdf(notice_fields(asked), TEMPLATE, tuple(site_codes(asked.site)))
