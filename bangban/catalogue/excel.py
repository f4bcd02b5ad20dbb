"""Excel exchange of the catalogue: export the published items, import the same format.

The workbook has two sheets with Chinese headers: 事项 (one row per item, its current
guide) and 材料 (one row per material, tied to an item by 事项编码). Import is all or
nothing: every row of both sheets is checked first and every problem is reported with
its sheet, row number and reason; only a clean file is written, in one transaction.
An imported item whose guide or materials differ from its current version gets a new
published version (the old one is retired); an unchanged item gets none.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max, Prefetch
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from bangban.network.models import Department, Site
from bangban.xlsx import safe_row

from . import services
from .models import (
    Channel,
    ItemCategory,
    ItemVersion,
    Material,
    MaterialForm,
    ServiceItem,
    VersionStatus,
)
from .rules import guide_problems

ITEM_SHEET = "事项"
MATERIAL_SHEET = "材料"

# (header, key); the key names the model field, or a column handled specially.
ITEM_COLUMNS = [
    ("事项编码", "code"),
    ("事项名称", "name"),
    ("事项类别", "category"),
    ("审批部门编码", "department"),
    ("关键词", "keywords"),
    ("版本号", "number"),  # exported for information, ignored on import
    ("设定依据", "legal_basis"),
    ("受理条件", "conditions"),
    ("办理流程", "process"),
    ("收费标准", "fees"),
    ("法定时限（工作日）", "statutory_limit_days"),
    ("承诺时限（工作日）", "promised_limit_days"),
    ("办件类型", "is_immediate"),
    ("办理渠道", "channels"),
    ("提供帮办", "offers_assist"),
    ("提供代办", "offers_proxy"),
    ("服务机构编码", "sites"),
]
MATERIAL_COLUMNS = [
    ("事项编码", "item"),
    ("序号", "position"),
    ("材料名称", "name"),
    ("是否必需", "required"),
    ("材料形式", "form"),
    ("份数", "copies"),
    ("容缺受理", "accept_with_gaps"),
    ("来源渠道", "obtain_from"),
    ("备注", "note"),
]
REQUIRED_ITEM_HEADERS = {h for h, k in ITEM_COLUMNS if k != "number"}
REQUIRED_MATERIAL_HEADERS = {h for h, _ in MATERIAL_COLUMNS}

YES, NO = "是", "否"
IMMEDIATE, PROMISED = "即办件", "承诺件"
LIST_SEPARATORS = re.compile(r"[、,，;；/\s]+")
CHANNEL_BY_TEXT = {
    **{label: code for code, label in Channel.choices},
    **{c: c for c in Channel.values},
}
FORM_BY_TEXT = {
    **{label: code for code, label in MaterialForm.choices},
    **{c: c for c in MaterialForm.values},
}
TEXT_FIELDS = ("legal_basis", "conditions", "process", "fees")
MATERIAL_COMPARED = (
    "name",
    "required",
    "form",
    "copies",
    "accept_with_gaps",
    "obtain_from",
    "note",
)


@dataclass
class RowError:
    sheet: str
    row: int
    reason: str

    def __str__(self) -> str:
        return (
            f"“{self.sheet}”工作表第{self.row}行：{self.reason}"
            if self.row
            else f"“{self.sheet}”工作表：{self.reason}"
        )


class CatalogueImportError(Exception):
    """The file was refused; ``errors`` lists every problem found. Nothing was written."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("\n".join(map(str, errors)))


@dataclass
class ImportResult:
    created_items: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"新增事项 {len(self.created_items)} 个，发布新版本 {len(self.new_versions)} 个，"
            f"未变化 {len(self.unchanged)} 个。"
        )


# ---------------------------------------------------------------------------- export


def _yes_no(value: bool) -> str:
    return YES if value else NO


def export_workbook(target) -> int:
    """Write every published item to ``target`` (a path or a binary file); return the count."""
    items = list(
        ServiceItem.objects.filter(is_published=True)
        .select_related("category", "department", "current_version")
        .prefetch_related(
            "current_version__materials",
            Prefetch("current_version__sites", queryset=Site.objects.order_by("path")),
        )
        .order_by("code")
    )
    book = Workbook()
    item_sheet = book.active
    item_sheet.title = ITEM_SHEET
    material_sheet = book.create_sheet(MATERIAL_SHEET)
    item_sheet.append([h for h, _ in ITEM_COLUMNS])
    material_sheet.append([h for h, _ in MATERIAL_COLUMNS])
    for item in items:
        v = item.current_version
        channel_labels = dict(Channel.choices)
        item_sheet.append(
            safe_row(
                item_sheet,
                [
                    item.code,
                    item.name,
                    item.category.name,
                    item.department.code,
                    item.keywords,
                    v.number,
                    v.legal_basis,
                    v.conditions,
                    v.process,
                    v.fees,
                    v.statutory_limit_days,
                    v.promised_limit_days,
                    IMMEDIATE if v.is_immediate else PROMISED,
                    "、".join(channel_labels.get(c, c) for c in v.channels),
                    _yes_no(v.offers_assist),
                    _yes_no(v.offers_proxy),
                    "、".join(site.code for site in v.sites.all()),
                ],
            )
        )
        for m in v.materials.all():
            material_sheet.append(
                safe_row(
                    material_sheet,
                    [
                        item.code,
                        m.position,
                        m.name,
                        _yes_no(m.required),
                        m.get_form_display(),
                        m.copies,
                        _yes_no(m.accept_with_gaps),
                        m.obtain_from,
                        m.note,
                    ],
                )
            )
    for sheet in (item_sheet, material_sheet):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    book.save(target)
    return len(items)


# ---------------------------------------------------------------------------- import


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class _Row:
    """One data row: reads cells by key and collects the row's problems."""

    def __init__(self, sheet: str, number: int, values: dict[str, Any], errors: list[RowError]):
        self.sheet, self.number, self.values, self.errors = sheet, number, values, errors

    def error(self, reason: str) -> None:
        self.errors.append(RowError(self.sheet, self.number, reason))

    def text(self, key: str) -> str:
        return _text(self.values.get(key))

    def integer(self, key: str, label: str, *, required=True, minimum=0) -> int | None:
        raw = self.values.get(key)
        text = _text(raw)
        if not text:
            if required:
                self.error(f"{label}不能为空")
            return None
        if isinstance(raw, bool) or not re.fullmatch(r"\d+", text):
            self.error(f"{label}应为不小于{minimum}的整数，现为“{text}”")
            return None
        number = int(text)
        if number < minimum:
            self.error(f"{label}应为不小于{minimum}的整数，现为“{text}”")
            return None
        return number

    def yes_no(self, key: str, label: str) -> bool | None:
        text = self.text(key)
        if text in {YES, "Y", "y", "1", "TRUE", "True", "true"}:
            return True
        if text in {NO, "N", "n", "0", "FALSE", "False", "false"}:
            return False
        self.error(f"{label}应填“是”或“否”，现为“{text}”")
        return None


def _read_sheet(book, title: str, columns, required_headers, errors) -> list[_Row]:
    if title not in book.sheetnames:
        errors.append(RowError(title, 0, f"缺少“{title}”工作表"))
        return []
    sheet = book[title]
    rows = sheet.iter_rows(values_only=True)
    header = [_text(h) for h in next(rows, ())]
    missing = [h for h in required_headers if h not in header]
    if missing:
        errors.append(RowError(title, 1, "缺少列：" + "、".join(sorted(missing))))
        return []
    keys = {key: header.index(h) for h, key in columns if h in header}
    result = []
    for number, cells in enumerate(rows, start=2):
        if all(_text(c) == "" for c in cells):
            continue
        values = {key: cells[i] if i < len(cells) else None for key, i in keys.items()}
        result.append(_Row(title, number, values, errors))
    return result


def _parse_items(rows: list[_Row], lookups) -> dict[str, dict]:
    categories, departments, sites = lookups
    parsed: dict[str, dict] = {}
    for row in rows:
        code = row.text("code")
        if not code:
            row.error("事项编码不能为空")
            continue
        if code in parsed:
            row.error(f"事项编码“{code}”重复（第{parsed[code]['row']}行已出现）")
            continue
        data: dict[str, Any] = {"row": row.number, "code": code}
        data["name"] = row.text("name")
        if not data["name"]:
            row.error("事项名称不能为空")
        category_text = row.text("category")
        data["category"] = categories.get(category_text)
        if data["category"] is None:
            row.error(f"未知的事项类别“{category_text}”" if category_text else "事项类别不能为空")
        department_code = row.text("department")
        data["department"] = departments.get(department_code)
        if data["department"] is None:
            row.error(
                f"未知的审批部门编码“{department_code}”"
                if department_code
                else "审批部门编码不能为空"
            )
        data["keywords"] = row.text("keywords")
        for key in TEXT_FIELDS:
            data[key] = row.text(key)
        if not data["fees"]:
            data["fees"] = "不收费"
        data["statutory_limit_days"] = row.integer("statutory_limit_days", "法定时限")
        data["promised_limit_days"] = row.integer("promised_limit_days", "承诺时限")
        kind = row.text("is_immediate")
        data["is_immediate"] = {IMMEDIATE: True, "即办": True, PROMISED: False, "承诺": False}.get(
            kind
        )
        if data["is_immediate"] is None:
            row.error(f"办件类型应填“即办件”或“承诺件”，现为“{kind}”")
        channels = []
        for word in LIST_SEPARATORS.split(row.text("channels")):
            if not word:
                continue
            if word not in CHANNEL_BY_TEXT:
                row.error(f"未知的办理渠道“{word}”（可填：{'、'.join(Channel.labels)}）")
            else:
                channels.append(CHANNEL_BY_TEXT[word])
        data["channels"] = channels
        data["offers_assist"] = row.yes_no("offers_assist", "提供帮办")
        data["offers_proxy"] = row.yes_no("offers_proxy", "提供代办")
        data["sites"] = []
        for site_code in LIST_SEPARATORS.split(row.text("sites")):
            if not site_code:
                continue
            if site_code not in sites:
                row.error(f"未知的服务机构编码“{site_code}”")
            else:
                data["sites"].append(sites[site_code])
        if None not in (data["is_immediate"], data["offers_assist"], data["offers_proxy"]):
            for _, message in guide_problems(
                statutory_limit_days=data["statutory_limit_days"],
                promised_limit_days=data["promised_limit_days"],
                is_immediate=data["is_immediate"],
                channels=channels,
                offers_assist=data["offers_assist"],
                offers_proxy=data["offers_proxy"],
            ):
                row.error(message)
        data["materials"] = []
        parsed[code] = data
    return parsed


def _parse_materials(rows: list[_Row], items: dict[str, dict], item_codes_seen: set[str]) -> None:
    for row in rows:
        code = row.text("item")
        if not code:
            row.error("事项编码不能为空")
        elif code not in item_codes_seen:
            row.error(f"材料所属事项“{code}”不在“{ITEM_SHEET}”工作表中")
        name = row.text("name")
        if not name:
            row.error("材料名称不能为空")
        form_text = row.text("form")
        form = FORM_BY_TEXT.get(form_text)
        if form is None:
            row.error(f"材料形式应填“原件”“复印件”或“原件及复印件”，现为“{form_text}”")
        material = {
            "position": row.integer("position", "序号", required=False),
            "name": name,
            "required": row.yes_no("required", "是否必需"),
            "form": form,
            "copies": row.integer("copies", "份数", minimum=1),
            "accept_with_gaps": row.yes_no("accept_with_gaps", "容缺受理"),
            "obtain_from": row.text("obtain_from"),
            "note": row.text("note"),
        }
        if code in items:
            data = items[code]
            if any(m["name"] == name for m in data["materials"]) and name:
                row.error(f"事项“{code}”的材料“{name}”重复")
            data["materials"].append(material)
    for data in items.values():
        # Positions as given, else the order of the rows, renumbered 1, 2, 3 …
        ordered = sorted(
            enumerate(data["materials"]),
            key=lambda pair: (
                pair[1]["position"] if pair[1]["position"] is not None else 10**6,
                pair[0],
            ),
        )
        data["materials"] = [dict(m, position=i) for i, (_, m) in enumerate(ordered, start=1)]


def _open_drafts(codes) -> dict[str, int]:
    return dict(
        ItemVersion.objects.filter(item__code__in=codes, status=VersionStatus.DRAFT).values_list(
            "item__code", "number"
        )
    )


def _guide_of(version: ItemVersion) -> dict:
    return {
        **{key: getattr(version, key) for key in TEXT_FIELDS},
        "statutory_limit_days": version.statutory_limit_days,
        "promised_limit_days": version.promised_limit_days,
        "is_immediate": version.is_immediate,
        "channels": list(version.channels),
        "offers_assist": version.offers_assist,
        "offers_proxy": version.offers_proxy,
        "sites": sorted(site.pk for site in version.sites.all()),
        "materials": [
            tuple(getattr(m, f) for f in MATERIAL_COMPARED) for m in version.materials.all()
        ],
    }


def _guide_in_row(data: dict) -> dict:
    return {
        **{key: data[key] for key in TEXT_FIELDS},
        **{
            key: data[key]
            for key in (
                "statutory_limit_days",
                "promised_limit_days",
                "is_immediate",
                "offers_assist",
                "offers_proxy",
            )
        },
        "channels": data["channels"],
        "sites": sorted(site.pk for site in data["sites"]),
        "materials": [tuple(m[f] for f in MATERIAL_COMPARED) for m in data["materials"]],
    }


def import_workbook(source) -> ImportResult:
    """Import a workbook (path or binary file). Raises ``CatalogueImportError`` if any row is bad.

    1. Read both sheets and check every row; collect all problems.
    2. Refuse items that have an unpublished draft (the import would overtake it).
    3. If anything is wrong, raise with the full list: nothing is written.
    4. Otherwise, in one transaction: create or update the items, and publish a new
       version for each item whose guide or materials changed. Files attached to a
       material (blank form, sample) carry over to the new version by material name.
    """
    errors: list[RowError] = []
    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several kinds for a file that is not xlsx
        raise CatalogueImportError(
            [RowError("文件", 0, f"无法读取 Excel 文件（{error.__class__.__name__}）")]
        ) from error
    item_rows = _read_sheet(book, ITEM_SHEET, ITEM_COLUMNS, REQUIRED_ITEM_HEADERS, errors)
    material_rows = _read_sheet(
        book, MATERIAL_SHEET, MATERIAL_COLUMNS, REQUIRED_MATERIAL_HEADERS, errors
    )
    book.close()

    categories: dict[str, ItemCategory] = {}
    for category in ItemCategory.objects.all():
        categories[category.name] = categories[category.code] = category
    departments = {d.code: d for d in Department.objects.all()}
    sites = {s.code: s for s in Site.objects.all()}
    items = _parse_items(item_rows, (categories, departments, sites))
    codes_seen = {row.text("code") for row in item_rows}
    _parse_materials(material_rows, items, codes_seen)
    for code, number in _open_drafts(items).items():
        errors.append(
            RowError(
                ITEM_SHEET,
                items[code]["row"],
                f"事项“{code}”有未发布的草稿（第{number}版），请先发布或删除草稿后再导入",
            )
        )
    if errors:
        errors.sort(key=lambda e: (e.sheet != ITEM_SHEET, e.row))
        raise CatalogueImportError(errors)
    with transaction.atomic():
        return _write(items)


def _write(items: dict[str, dict]) -> ImportResult:
    result = ImportResult()
    existing = {
        item.code: item
        for item in ServiceItem.objects.filter(code__in=items)
        .select_related("current_version")
        .prefetch_related("current_version__materials", "current_version__sites")
    }
    next_numbers = dict(
        ItemVersion.objects.filter(item__code__in=items)
        .values("item__code")
        .annotate(top=Max("number"))
        .values_list("item__code", "top")
    )
    for code, data in items.items():
        item = existing.get(code)
        item_fields = {
            "name": data["name"],
            "category": data["category"],
            "department": data["department"],
            "keywords": data["keywords"],
        }
        if item is None:
            item = ServiceItem.objects.create(code=code, **item_fields)
            result.created_items.append(code)
        elif any(getattr(item, k) != v for k, v in item_fields.items()):
            for key, value in item_fields.items():
                setattr(item, key, value)
            item.save(update_fields=[*item_fields, "updated_at"])
        current = item.current_version
        if current is not None and _guide_of(current) == _guide_in_row(data):
            result.unchanged.append(code)
            continue
        files = (
            {m.name: (m.blank_form.name, m.sample.name) for m in current.materials.all()}
            if current
            else {}
        )
        version = ItemVersion.objects.create(
            item=item,
            number=next_numbers.get(code, 0) + 1,
            **{k: data[k] for k in (*TEXT_FIELDS, "statutory_limit_days", "promised_limit_days")},
            is_immediate=data["is_immediate"],
            channels=data["channels"],
            offers_assist=data["offers_assist"],
            offers_proxy=data["offers_proxy"],
        )
        version.sites.set(data["sites"])
        Material.objects.bulk_create(
            Material(
                version=version,
                blank_form=files.get(m["name"], ("", ""))[0],
                sample=files.get(m["name"], ("", ""))[1],
                **m,
            )
            for m in data["materials"]
        )
        services.item_version_publish(version=version)
        result.new_versions.append(f"{code} 第{version.number}版")
    return result
