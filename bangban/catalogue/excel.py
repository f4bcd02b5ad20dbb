"""Excel exchange of the catalogue: export the published items, import the same format.

The workbook has sheets with Chinese headers: 事项 (one row per item, its current guide)
and 材料 (one row per material, tied to an item by 事项编码; its optional 材料种类 names the
shared kind, by name or code, that lets a kept material be reused), and, optionally, 一件事 (one
row per bundle) and 一件事事项 (one row per item of a bundle, with its prerequisites).
Import is all or nothing: every row of every sheet is checked first and every problem is
reported with its sheet, row number and reason; only a clean file is written, in one
transaction. An imported item whose guide or materials differ from its current version
gets a new version, published (the old one is retired) unless its 直接发布 says 否, when
it waits as a draft for an editor; an unchanged item gets none. Bundles likewise: a new
published version when their items or prerequisites changed.

The demo catalogue (``catalogue/demo.xlsx``) is loaded through ``import_workbook``.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max, Prefetch

from bangban.network.models import Department, Site
from bangban.xlsx import NO, YES, ImportRefused, Row, RowError, open_workbook, read_sheet, safe_row

from . import services
from .models import (
    Bundle,
    BundleVersion,
    Channel,
    FormField,
    FormFieldKind,
    ItemCategory,
    ItemVersion,
    Material,
    MaterialForm,
    MaterialKind,
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
    ("直接发布", "publish"),  # 否: the new version waits as a draft; blank: 是
    # optional: the fields of the item's application form (一表申请), by code or name, in
    # order; a field marked （选填） is optional, e.g. applicant_name、contact_phone、employees（选填）
    ("申请表字段", "form_fields"),
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
    ("材料种类", "kind"),  # optional: a shared kind (名称或编码), for reuse from the vault
    ("告知承诺", "commitment_allowed"),  # optional (blank: 否): a commitment may replace it
]
BUNDLE_SHEET = "一件事"
ENTRY_SHEET = "一件事事项"
BUNDLE_COLUMNS = [
    ("一件事编码", "code"),
    ("一件事名称", "name"),
    ("办事场景", "life_event"),
    ("关键词", "keywords"),
    ("说明", "description"),
    ("牵头部门编码", "lead_department"),  # optional: a department's code
]
ENTRY_COLUMNS = [
    ("一件事编码", "bundle"),
    ("事项编码", "item"),
    ("前置事项编码", "depends_on"),  # items of the same bundle, listed above this one
]
COLUMNS_OF = {
    ITEM_SHEET: ITEM_COLUMNS,
    MATERIAL_SHEET: MATERIAL_COLUMNS,
    BUNDLE_SHEET: BUNDLE_COLUMNS,
    ENTRY_SHEET: ENTRY_COLUMNS,
}
# Optional: 版本号 (ignored on import), 直接发布 (blank: 是), a bundle's texts, prerequisites.
REQUIRED_HEADERS = {
    ITEM_SHEET: {h for h, key in ITEM_COLUMNS if key not in {"number", "publish", "form_fields"}},
    MATERIAL_SHEET: {h for h, key in MATERIAL_COLUMNS if key not in {"kind", "commitment_allowed"}},
    BUNDLE_SHEET: {h for h, key in BUNDLE_COLUMNS if key in {"code", "name"}},
    ENTRY_SHEET: {h for h, key in ENTRY_COLUMNS if key in {"bundle", "item"}},
}
BUNDLE_FIELDS = [key for _, key in BUNDLE_COLUMNS if key != "lead_department"]

IMMEDIATE, PROMISED = "即办件", "承诺件"
CHANNEL_BY_TEXT = {
    **{label: code for code, label in Channel.choices},
    **{c: c for c in Channel.values},
}
FORM_BY_TEXT = {
    **{label: code for code, label in MaterialForm.choices},
    **{c: c for c in MaterialForm.values},
}
TEXT_FIELDS = ("legal_basis", "conditions", "process", "fees")
OPTIONAL_MARKS = ("（选填）", "(选填)")


def _form_field_words(version: ItemVersion) -> str:
    return "、".join(
        f.kind.code + ("" if f.required else OPTIONAL_MARKS[0]) for f in version.form_fields.all()
    )


MATERIAL_COMPARED = (
    "name",
    "kind_id",
    "required",
    "form",
    "copies",
    "accept_with_gaps",
    "commitment_allowed",
    "obtain_from",
    "note",
)


class CatalogueImportError(ImportRefused):
    """The catalogue file was refused; ``errors`` lists every problem. Nothing was written."""


@dataclass
class ImportResult:
    created_items: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    drafts: list[str] = field(default_factory=list)
    new_bundle_versions: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = (
            f"新增事项 {len(self.created_items)} 个，发布新版本 {len(self.new_versions)} 个，"
            f"未变化 {len(self.unchanged)} 个。"
        )
        if self.drafts:
            text += f"保存草稿 {len(self.drafts)} 个（待发布）。"
        if self.new_bundle_versions:
            text += f"发布一件事新版本 {len(self.new_bundle_versions)} 个。"
        return text


# ---------------------------------------------------------------------------- export


def _yes_no(value: bool) -> str:
    return YES if value else NO


def export_workbook(target) -> int:
    """Write every published item and bundle to ``target`` (a path or a binary file); return
    the number of items."""
    from openpyxl import Workbook  # here, not with the module: see bangban/xlsx.py
    from openpyxl.styles import Font

    items = list(
        ServiceItem.objects.filter(is_published=True)
        .select_related("category", "department", "current_version")
        .prefetch_related(
            "current_version__materials__kind",
            "current_version__form_fields__kind",
            Prefetch("current_version__sites", queryset=Site.objects.order_by("path")),
        )
        .order_by("code")
    )
    bundles = list(
        Bundle.objects.filter(is_published=True)
        .select_related("current_version", "lead_department")
        .prefetch_related("current_version__entries__item", "current_version__entries__depends_on")
        .order_by("code")
    )
    book = Workbook()
    sheets = {title: book.create_sheet(title) for title in COLUMNS_OF}
    book.remove(book.worksheets[0])
    for title, columns in COLUMNS_OF.items():
        sheets[title].append([h for h, _ in columns])
    for item in items:
        _append_version(sheets, item, item.current_version)
    for bundle in bundles:
        _append_bundle(sheets, bundle)
    for sheet in sheets.values():
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    book.save(target)
    return len(items)


def _append_version(sheets, item: ServiceItem, version: ItemVersion) -> None:
    """Append a published guide of ``item`` to the item and material sheets (``sheets`` by
    title), as the import reads it back."""
    channel_labels = dict(Channel.choices)
    item_sheet, material_sheet = sheets[ITEM_SHEET], sheets[MATERIAL_SHEET]
    row = {
        "code": item.code,
        "name": item.name,
        "category": item.category.name,
        "department": item.department.code,
        "keywords": item.keywords,
        "number": version.number,
        **{key: getattr(version, key) for key in TEXT_FIELDS},
        "statutory_limit_days": version.statutory_limit_days,
        "promised_limit_days": version.promised_limit_days,
        "is_immediate": IMMEDIATE if version.is_immediate else PROMISED,
        "channels": "、".join(channel_labels.get(c, c) for c in version.channels),
        "offers_assist": _yes_no(version.offers_assist),
        "offers_proxy": _yes_no(version.offers_proxy),
        "sites": "、".join(site.code for site in version.sites.all()),
        "publish": YES,
        "form_fields": _form_field_words(version),
    }
    item_sheet.append(safe_row(item_sheet, [row[key] for _, key in ITEM_COLUMNS]))
    for m in version.materials.all():
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
                    m.kind.name if m.kind else "",
                    _yes_no(m.commitment_allowed),
                ],
            )
        )


def _append_bundle(sheets, bundle: Bundle) -> None:
    bundle_sheet, entry_sheet = sheets[BUNDLE_SHEET], sheets[ENTRY_SHEET]
    bundle_sheet.append(
        safe_row(
            bundle_sheet,
            [
                bundle.code,
                bundle.name,
                bundle.life_event,
                bundle.keywords,
                bundle.description,
                bundle.lead_department.code if bundle.lead_department else "",
            ],
        )
    )
    entries = sorted(bundle.current_version.entries.all(), key=lambda e: (e.position, e.pk))
    codes = {entry.pk: entry.item.code for entry in entries}
    for entry in entries:
        depends_on = sorted(codes[dep.pk] for dep in entry.depends_on.all())
        entry_sheet.append(
            safe_row(entry_sheet, [bundle.code, entry.item.code, "、".join(depends_on)])
        )


# ---------------------------------------------------------------------------- import


def _parse_form_fields(row: Row, kinds: dict[str, int]) -> list[dict]:
    fields: list[dict] = []
    for word in row.words("form_fields"):
        required = True
        for mark in OPTIONAL_MARKS:
            if word.endswith(mark):
                word, required = word[: -len(mark)], False
        kind_id = kinds.get(word)
        if kind_id is None:
            row.error(f"未知的申请表字段“{word}”（请先在管理后台“申请表字段”中添加）")
        elif any(f["kind_id"] == kind_id for f in fields):
            row.error(f"申请表字段“{word}”重复")
        else:
            fields.append({"kind_id": kind_id, "required": required, "position": len(fields) + 1})
    return fields


def _parse_items(rows: list[Row], lookups) -> dict[str, dict]:
    categories, departments, sites, form_kinds = lookups
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
        for word in row.words("channels"):
            if word not in CHANNEL_BY_TEXT:
                row.error(f"未知的办理渠道“{word}”（可填：{'、'.join(Channel.labels)}）")
            else:
                channels.append(CHANNEL_BY_TEXT[word])
        data["channels"] = channels
        data["offers_assist"] = row.yes_no("offers_assist", "提供帮办")
        data["offers_proxy"] = row.yes_no("offers_proxy", "提供代办")
        data["publish"] = row.yes_no("publish", "直接发布", default=True)
        data["sites"] = []
        for site_code in row.words("sites"):
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
        data["form_fields"] = _parse_form_fields(row, form_kinds)
        data["materials"] = []
        parsed[code] = data
    return parsed


def _parse_materials(rows: list[Row], items: dict[str, dict], item_codes_seen: set[str]) -> None:
    kinds: dict[str, int] = {}
    for kind in MaterialKind.objects.all():
        kinds[kind.name] = kinds[kind.code] = kind.pk
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
        kind_text = row.text("kind")
        kind_id = kinds.get(kind_text) if kind_text else None
        if kind_text and kind_id is None:
            row.error(f"未知的材料种类“{kind_text}”（请先在管理后台“材料种类”中添加）")
        material = {
            "position": row.integer("position", "序号", required=False),
            "name": name,
            "kind_id": kind_id,
            "required": row.yes_no("required", "是否必需"),
            "form": form,
            "copies": row.integer("copies", "份数", minimum=1),
            "accept_with_gaps": row.yes_no("accept_with_gaps", "容缺受理"),
            "commitment_allowed": row.yes_no("commitment_allowed", "告知承诺", default=False),
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


def _open_drafts(model, owner: str, codes) -> dict[str, int]:
    """The number of the open draft of each item (or bundle) of ``codes`` that has one."""
    return dict(
        model.objects.filter(
            **{f"{owner}__code__in": codes}, status=VersionStatus.DRAFT
        ).values_list(f"{owner}__code", "number")
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
        "form_fields": [(f.kind_id, f.required) for f in version.form_fields.all()],
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
        "form_fields": [(f["kind_id"], f["required"]) for f in data["form_fields"]],
    }


def _parse_bundles(
    bundle_rows: list[Row], entry_rows: list[Row], items: dict[str, dict], errors, departments
) -> dict[str, dict]:
    """The bundles of the file, each with its entries as (item code, prerequisite codes)."""
    published = set(ServiceItem.objects.filter(is_published=True).values_list("code", flat=True))
    published |= {code for code, data in items.items() if data["publish"]}
    bundles: dict[str, dict] = {}
    for row in bundle_rows:
        code = row.text("code")
        if not code:
            row.error("一件事编码不能为空")
            continue
        if code in bundles:
            row.error(f"一件事编码“{code}”重复（第{bundles[code]['row']}行已出现）")
            continue
        if not row.text("name"):
            row.error("一件事名称不能为空")
        lead = row.text("lead_department")
        if lead and lead not in departments:
            row.error(f"未知的牵头部门编码“{lead}”")
        bundles[code] = {
            "row": row.number,
            **{key: row.text(key) for key in BUNDLE_FIELDS},
            "lead_department_id": departments[lead].pk if lead in departments else None,
            "entries": [],
        }
    for row in entry_rows:
        code, item = row.text("bundle"), row.text("item")
        if code not in bundles:
            row.error(f"“{code}”不在“{BUNDLE_SHEET}”工作表中" if code else "一件事编码不能为空")
            continue
        listed = [listed_item for listed_item, _ in bundles[code]["entries"]]
        if not item:
            row.error("事项编码不能为空")
            continue
        if item in listed:
            row.error(f"事项“{item}”在一件事“{code}”中重复")
            continue
        if item not in published:
            row.error(f"事项“{item}”不存在或未发布，不能纳入一件事")
        depends_on = row.words("depends_on")
        for prerequisite in depends_on:
            if prerequisite not in listed:
                row.error(f"前置事项“{prerequisite}”应是一件事“{code}”中排在前面的事项")
        bundles[code]["entries"].append((item, tuple(sorted(set(depends_on) & set(listed)))))
    for code, data in bundles.items():
        if not data["entries"]:
            errors.append(RowError(BUNDLE_SHEET, data["row"], f"一件事“{code}”至少应包含一个事项"))
    return bundles


def import_workbook(source) -> ImportResult:
    """Import a workbook (path or binary file). Raises ``CatalogueImportError`` if any row is bad.

    1. Read every sheet and check every row; collect all problems.
    2. Refuse items and bundles that have an unpublished draft (the import would overtake it).
    3. If anything is wrong, raise with the full list: nothing is written.
    4. Otherwise, in one transaction: create or update the items, and give each item whose
       guide or materials changed a new version (published, unless 直接发布 says 否).
       Files attached to a material (blank form, sample) carry over to the new version by
       material name. Then the bundles: a new published version for each whose items or
       prerequisites changed.
    """
    errors: list[RowError] = []
    book = open_workbook(source, CatalogueImportError)
    rows = {
        title: read_sheet(book, title, columns, REQUIRED_HEADERS[title], errors)
        for title, columns in COLUMNS_OF.items()
        # the bundle sheets are optional (both or neither)
        if title in (ITEM_SHEET, MATERIAL_SHEET)
        or {BUNDLE_SHEET, ENTRY_SHEET} & set(book.sheetnames)
    }
    book.close()

    categories: dict[str, ItemCategory] = {}
    for category in ItemCategory.objects.all():
        categories[category.name] = categories[category.code] = category
    departments = {d.code: d for d in Department.objects.all()}
    sites = {s.code: s for s in Site.objects.all()}
    form_kinds: dict[str, int] = {}
    for kind in FormFieldKind.objects.all():
        form_kinds[kind.label] = form_kinds[kind.code] = kind.pk
    items = _parse_items(rows[ITEM_SHEET], (categories, departments, sites, form_kinds))
    codes_seen = {row.text("code") for row in rows[ITEM_SHEET]}
    _parse_materials(rows[MATERIAL_SHEET], items, codes_seen)
    bundles = _parse_bundles(
        rows.get(BUNDLE_SHEET, []), rows.get(ENTRY_SHEET, []), items, errors, departments
    )
    for code, number in _open_drafts(ItemVersion, "item", items).items():
        errors.append(
            RowError(
                ITEM_SHEET,
                items[code]["row"],
                f"事项“{code}”有未发布的草稿（第{number}版），请先发布或删除草稿后再导入",
            )
        )
    for code, number in _open_drafts(BundleVersion, "bundle", bundles).items():
        errors.append(
            RowError(
                BUNDLE_SHEET,
                bundles[code]["row"],
                f"一件事“{code}”有未发布的草稿（第{number}版），请先发布或删除草稿后再导入",
            )
        )
    if errors:
        order = list(COLUMNS_OF)
        errors.sort(key=lambda e: (order.index(e.sheet) if e.sheet in order else -1, e.row))
        raise CatalogueImportError(errors)
    with transaction.atomic():
        result = _write(items)
        _write_bundles(bundles, result)
        return result


def _write(items: dict[str, dict]) -> ImportResult:
    result = ImportResult()
    existing = {
        item.code: item
        for item in ServiceItem.objects.filter(code__in=items)
        .select_related("current_version")
        .prefetch_related(
            "current_version__materials",
            "current_version__sites",
            Prefetch(
                "current_version__form_fields",
                queryset=FormField.objects.order_by("position", "id"),
            ),
        )
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
        FormField.objects.bulk_create(FormField(version=version, **f) for f in data["form_fields"])
        if data["publish"]:
            services.item_version_publish(version=version)
            result.new_versions.append(f"{code} 第{version.number}版")
        else:
            result.drafts.append(f"{code} 第{version.number}版")
    return result


def _entries_of(version: BundleVersion) -> list[tuple[str, tuple[str, ...]]]:
    entries = version.entries.select_related("item").prefetch_related("depends_on__item")
    return [
        (entry.item.code, tuple(sorted(dep.item.code for dep in entry.depends_on.all())))
        for entry in entries.order_by("position", "id")
    ]


def _write_bundles(bundles: dict[str, dict], result: ImportResult) -> None:
    existing = {
        bundle.code: bundle
        for bundle in Bundle.objects.filter(code__in=bundles).select_related("current_version")
    }
    items = {
        item.code: item
        for item in ServiceItem.objects.filter(
            code__in={code for data in bundles.values() for code, _ in data["entries"]}
        )
    }
    for code, data in bundles.items():
        fields = {key: data[key] for key in BUNDLE_FIELDS if key != "code"}
        fields["lead_department_id"] = data["lead_department_id"]
        bundle = existing.get(code)
        if bundle is None:
            bundle = Bundle.objects.create(code=code, **fields)
        elif any(getattr(bundle, k) != v for k, v in fields.items()):
            for key, value in fields.items():
                setattr(bundle, key, value)
            bundle.save(update_fields=list(fields))
        current = bundle.current_version
        if current is not None and _entries_of(current) == data["entries"]:
            continue
        top = bundle.versions.aggregate(top=Max("number"))["top"] or 0
        version = BundleVersion.objects.create(bundle=bundle, number=top + 1)
        added: dict[str, Any] = {}
        for item_code, depends_on in data["entries"]:
            added[item_code] = services.bundle_entry_add(
                version=version,
                item=items[item_code],
                depends_on=[added[prerequisite] for prerequisite in depends_on],
            )
        services.bundle_version_publish(version=version)
        result.new_bundle_versions.append(f"{code} 第{version.number}版")
