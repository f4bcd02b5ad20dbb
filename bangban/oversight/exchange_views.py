"""The 好差评 upload file, downloaded from the oversight pages (``exchange``)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse

from .access import can_manage, get_site_for, staff_required
from .exchange import ExportRefused, evaluations_for, export_records, to_jsonl, to_xlsx

KINDS = {
    "jsonl": "application/x-ndjson; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _day(text: str | None, label: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text or "")
    except ValueError:
        raise Http404(f"{label}应为 2026-11-01 的格式") from None


@staff_required
def haochaping_download(request, staff, site_id, fmt):
    """?from=2026-11-01&to=2026-11-30: the site's (and its subtree's) evaluations."""
    if fmt not in KINDS:
        raise Http404("格式应为 jsonl 或 xlsx")
    site = get_site_for(staff, site_id)
    if not can_manage(staff, site):
        raise PermissionDenied("仅协调员、监督人员和管理员可导出好差评数据")
    start, end = _day(request.GET.get("from"), "起始日期"), _day(request.GET.get("to"), "截止日期")
    if end < start or (end - start).days > 366:
        raise Http404("导出时段应在一年以内，且截止日期不早于起始日期")
    try:
        records = export_records(evaluations_for(site, start, end))
    except ExportRefused as refused:
        return HttpResponse(
            "无法导出：" + "；".join(refused.problems),
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    body = to_xlsx(records) if fmt == "xlsx" else to_jsonl(records)
    response = HttpResponse(body, content_type=KINDS[fmt])
    name = f"haochaping-{site.code}-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
