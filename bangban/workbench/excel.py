"""The 工作台账 as an Excel workbook (.xlsx) with Chinese headers.

One row per case of ``cases.selectors.case_list`` (the ledger's list, with its filters),
the columns of the ledger page; personal data masked as on screen.
Written with openpyxl's write-only mode so a large ledger does not build a sheet of cell
objects in memory; capped at ``EXPORT_LIMIT`` rows, which the 说明 sheet then says.
openpyxl is imported at the first export, not with the ledger's views (bangban/xlsx.py).
"""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

from django.utils import timezone

from bangban.clients.masking import mask_name
from bangban.clients.models import ClientKind
from bangban.xlsx import safe_row

from .selectors import time_left

EXPORT_LIMIT = 20000
HEADERS = [
    "办件编号",
    "办理事项",
    "服务类型",
    "服务对象",
    "证件号码",
    "承办机构",
    "帮办代办员",
    "来源渠道",
    "政务服务网申办编号",
    "状态",
    "申请时间",
    "受理日期",
    "承诺时限（工作日）",
    "到期日",
    "时限状态",
    "剩余或超期",
    "办结日期",
]
WIDTHS = [24, 30, 8, 10, 22, 22, 10, 10, 20, 14, 18, 12, 10, 12, 10, 18, 12]


def ledger_row(case, today, calendar) -> list:
    left = time_left(case, today, calendar)
    return [
        case.number,
        case.title,
        case.get_service_type_display(),
        case.client.name
        if case.client.kind == ClientKind.ORGANISATION
        else mask_name(case.client.name),
        case.client.id_number_masked,
        case.site.name,
        case.agent.name if case.agent_id else "",
        case.get_channel_display(),
        case.external_number,
        case.state_label,
        timezone.localtime(case.created_at).strftime("%Y-%m-%d %H:%M"),
        case.accepted_on,
        case.promised_days,
        case.due_on,
        left.word if left.status != "none" else "",
        left.text,
        case.completed_on,
    ]


def ledger_workbook(cases, *, today, calendar, filters: list[str]) -> bytes:
    """The workbook bytes: sheet 工作台账 (headers, then one row per case) and sheet 说明."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet("工作台账")
    for column, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[chr(64 + column)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title in HEADERS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    written, truncated = 0, False
    for case in cases[: EXPORT_LIMIT + 1].iterator(chunk_size=2000):
        if written == EXPORT_LIMIT:
            truncated = True
            break
        sheet.append(safe_row(sheet, ledger_row(case, today, calendar)))
        written += 1
    notes = book.create_sheet("说明")
    notes.append(
        ["导出时间", datetime.now(timezone.get_current_timezone()).strftime("%Y-%m-%d %H:%M")]
    )
    notes.append(safe_row(notes, ["筛选条件", "；".join(filters) or "全部（本人可查看的办件）"]))
    notes.append(["件数", written])
    notes.append(["服务对象信息", "已脱敏显示"])
    if truncated:
        notes.append(
            ["提示", f"超过 {EXPORT_LIMIT} 件，仅导出前 {EXPORT_LIMIT} 件，请缩小筛选范围"]
        )
    out = BytesIO()
    book.save(out)
    return out.getvalue()
