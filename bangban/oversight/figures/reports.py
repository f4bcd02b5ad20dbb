"""The monthly report of a site (with the sites below it) or of the county: Excel and PDF.

Contents (seed 000 §11.2.2, seed 003 第十六条): the metrics against their targets, the
units below, the cases behind each miss, the month's bad-review rectifications and
complaints, and per-staff figures for performance reviews. Built from the same
``metrics`` as the dashboard, so the report and the screen never disagree.

Excel by openpyxl with Chinese headers; PDF by WeasyPrint with the CJK font embedded
(WenQuanYi Zen Hei from fonts-wqy-zenhei, named by file in ``@font-face``).
"""

from __future__ import annotations

import io
from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from bangban.cases.access import Actor
from bangban.inputs import DATE_MAX, DATE_MIN, int_or_none
from bangban.xlsx import put, safe_row

from ..access import get_site_for, staff_required, visible_complaints, visible_rectifications
from . import dashboard, metrics
from .metrics import Period, Rate, Scope
from .views import counting

MISS_LIMIT = 500  # cases listed per missed metric (the sheet says when there are more)
MISS_CODES = ["on_time", "response", "records", "resolution"]
STAFF_CODES = ["on_time", "satisfaction", "response", "resolution"]
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)


def month_period(month: str) -> Period:
    try:
        year, number = (int_or_none(x, low=1) for x in month.split("-"))
        first = date(year, number, 1)
    except (TypeError, ValueError):
        raise Http404("月份格式应为 YYYY-MM") from None
    if not DATE_MIN <= first <= DATE_MAX:
        raise Http404("月份超出范围")
    return Period(first, date(year, number, monthrange(year, number)[1]))


@dataclass
class Report:
    scope: Scope
    figures: list
    units: list
    misses: list  # (label, total missed, cases)
    rectifications: list
    complaints: list
    staff_rows: list  # (name, site, completed, rates..., days, bad reviews)
    handling_days: float | None
    volumes: dict
    generated_at: object

    @property
    def title(self) -> str:
        p = self.scope.period
        return f"{self.scope.site.name} 帮办代办服务质量月报（{p.start:%Y年%m月}）"


def build(scope: Scope) -> Report:
    children = dashboard.children_of(scope.site, scope.rollup)
    figures = dashboard.figures(scope)
    units = dashboard.unit_rows(scope, children) if children else []
    misses = []
    for code in MISS_CODES:
        rows = metrics.drill_rows(code, scope, "missed").select_related("site", "agent")
        count = rows.count()
        if count:
            misses.append(
                (
                    metrics.METRICS[code].label,
                    count,
                    list(rows.order_by("site__path", "number")[:MISS_LIMIT]),
                )
            )
    start, end = scope.period.bounds()
    site_rows = (
        {"site__path__startswith": scope.site.path} if scope.rollup else {"site": scope.site}
    )
    rectifications = list(
        visible_rectifications(scope.staff)
        .filter(opened_at__gte=start, opened_at__lt=end, **site_rows)
        .select_related("case", "site", "owner", "evaluation")
        .order_by("opened_at")[:MISS_LIMIT]
    )
    complaints = list(
        visible_complaints(scope.staff)
        .filter(received_at__gte=start, received_at__lt=end, **site_rows)
        .select_related("site", "assigned_to")
        .order_by("received_at")[:MISS_LIMIT]
    )
    per_staff = metrics.rates_by(STAFF_CODES, scope, "agent", handling=True)
    completed = per_staff["resolution"]  # met: completed in the period (on time or not)
    days = per_staff.pop("_handling")
    bad = per_staff["satisfaction"]
    keys = sorted({k for v in per_staff.values() for k in v if k is not None})
    names = dashboard.key_labels("agent", keys)
    staff_rows = [
        (
            names.get(k, str(k)),
            completed.get(k, Rate(0, 0)).met,
            [per_staff[c].get(k, Rate(0, 0)) for c in STAFF_CODES],
            days.get(k),
            bad.get(k, Rate(0, 0)).missed,
        )
        for k in keys
    ]
    return Report(
        scope=scope,
        figures=figures,
        units=units,
        misses=misses,
        rectifications=rectifications,
        complaints=complaints,
        staff_rows=staff_rows,
        handling_days=metrics.handling_days(scope),
        volumes=metrics.volumes(scope),
        generated_at=timezone.localtime(),
    )


def _pct(rate: Rate) -> str:
    return "—" if rate.value is None else f"{rate.value:g}%"


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    bold, red = Font(bold=True), Font(color="A4161A", bold=True)
    head_fill = PatternFill("solid", fgColor="DCE6F2")
    book = Workbook()

    def sheet(title, headers, rows, widths=None, first=False):
        ws = book.active if first else book.create_sheet()
        ws.title = title
        ws.append(headers)
        for cell in ws[1]:
            cell.font, cell.fill = bold, head_fill
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for row in rows:
            ws.append(safe_row(ws, row))
        for index, width in enumerate(widths or [], start=1):
            ws.column_dimensions[chr(64 + index)].width = width
        ws.freeze_panes = "A2"
        return ws

    scope = report.scope
    ws = sheet(
        "指标",
        ["指标", "实际值", "目标", "达标数", "应计数", "是否达标", "统计口径"],
        [
            (
                f.label,
                _pct(f.rate),
                "—" if f.target is None else f"≥{f.target:g}%",
                f.rate.met,
                f.rate.total,
                "无数据" if f.value is None else ("未达标" if f.missed_target else "达标"),
                f.definition,
            )
            for f in report.figures
        ]
        + [
            (
                "平均办理时长（工作日）",
                report.handling_days if report.handling_days is not None else "—",
                "",
                "",
                "",
                "",
                dashboard.DEFINITIONS["handling_days"],
            )
        ]
        + [(metrics.VOLUMES[k], v, "", "", "", "", "") for k, v in report.volumes.items()],
        [24, 12, 10, 10, 10, 10, 80],
        first=True,
    )
    ws.insert_rows(1, 2)
    put(ws, "A1", report.title).font = Font(bold=True, size=14)
    put(ws, "A2", f"统计期间：{scope.period.label}；生成时间：{report.generated_at:%Y-%m-%d %H:%M}")
    for row in ws.iter_rows(min_row=4):
        if row[5].value == "未达标":
            row[5].font = red
    if report.units:
        codes = dashboard.RANK_CODES + ["disclosure"]
        sheet(
            "下级单位",
            ["单位"] + [dashboard.LABELS[c] for c in codes] + ["平均办理时长"],
            [
                [u.site.name + ("（本级）" if u.own_only else "")]
                + [_pct(u.rates[c]) for c in codes]
                + [u.handling_days if u.handling_days is not None else "—"]
                for u in report.units
            ],
            [28, 14, 14, 18, 14, 16, 14],
        )
    miss_rows = []
    for label, count, cases in report.misses:
        for c in cases:
            miss_rows.append(
                (
                    label,
                    c.number,
                    c.title,
                    c.site.name,
                    c.agent.name if c.agent else "",
                    c.get_state_display(),
                    c.accepted_on,
                    c.due_on,
                    c.completed_on,
                )
            )
        if count > len(cases):
            miss_rows.append(
                (
                    label,
                    f"另有 {count - len(cases)} 件未列出，请在看板中查看",
                    "",
                    "",
                    "",
                    "",
                    None,
                    None,
                    None,
                )
            )
    sheet(
        "未达标办件",
        [
            "指标",
            "办件编号",
            "办理事项",
            "承办机构",
            "帮办代办员",
            "状态",
            "受理日期",
            "到期日",
            "办结日期",
        ],
        miss_rows,
        [14, 24, 30, 22, 12, 10, 12, 12, 12],
    )
    sheet(
        "差评整改",
        [
            "发起时间",
            "办件编号",
            "评价",
            "责任机构",
            "责任人",
            "状态",
            "处理方式",
            "整改期限",
            "服务对象评价",
        ],
        [
            (
                timezone.localtime(r.opened_at).strftime("%Y-%m-%d %H:%M"),
                r.case.number,
                r.evaluation.get_level_display(),
                r.site.name,
                r.owner.name if r.owner else "",
                r.get_status_display(),
                r.get_outcome_display() if r.outcome else "",
                r.deadline_on,
                r.get_client_level_display() if r.client_level else "",
            )
            for r in report.rectifications
        ],
        [18, 24, 12, 22, 12, 16, 12, 12, 14],
    )
    sheet(
        "投诉",
        [
            "投诉编号",
            "受理时间",
            "渠道",
            "被投诉机构",
            "承办人",
            "阶段",
            "联系期限",
            "办结期限",
            "答复时间",
        ],
        [
            (
                c.number,
                timezone.localtime(c.received_at).strftime("%Y-%m-%d %H:%M"),
                c.get_channel_display(),
                c.site.name,
                c.assigned_to.name if c.assigned_to else "",
                c.get_stage_display(),
                c.contact_due_on,
                c.due_on,
                timezone.localtime(c.replied_at).strftime("%Y-%m-%d %H:%M") if c.replied_at else "",
            )
            for c in report.complaints
        ],
        [24, 18, 10, 22, 12, 10, 12, 12, 18],
    )
    sheet(
        "工作人员",
        ["工作人员", "办结件数"]
        + [dashboard.LABELS[c] for c in STAFF_CODES]
        + ["平均办理时长", "差评数"],
        [
            [name, done] + [_pct(r) for r in rates] + [days if days is not None else "—", bad]
            for name, done, rates, days, bad in report.staff_rows
        ],
        [30, 10, 12, 10, 10, 10, 12, 8],
    )
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def font_path() -> Path:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return Path(candidate)
    raise RuntimeError("找不到中文字体：请安装 fonts-wqy-zenhei（bash scripts/system-deps）")


def _no_fetch(url, *args, **kwargs):
    """The report fetches nothing but its font: no network, no other files."""
    from weasyprint.urls import default_url_fetcher

    if url == font_path().as_uri():
        return default_url_fetcher(url)
    raise ValueError(f"月报不加载外部资源：{url}")


def to_pdf(report: Report) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "oversight/report.html",
        {
            "r": report,
            "font_uri": font_path().as_uri(),
            "unit_codes": [(c, dashboard.LABELS[c]) for c in dashboard.RANK_CODES + ["disclosure"]],
            "staff_codes": [dashboard.LABELS[c] for c in STAFF_CODES],
        },
    )
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf()


@staff_required
@counting
def report_download(request, staff, site_id, month, fmt):
    if fmt not in ("xlsx", "pdf"):
        raise Http404("格式应为 xlsx 或 pdf")
    site = get_site_for(staff, site_id)
    scope = Scope(
        actor=Actor.of_staff(staff),
        period=month_period(month),
        site=site,
        rollup=request.GET.get("rollup", "1") != "0",
    )
    report = build(scope)
    name = f"monthly-{site.code}-{month}.{fmt}"
    if fmt == "xlsx":
        body = to_xlsx(report)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = to_pdf(report)
        kind = "application/pdf"
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
