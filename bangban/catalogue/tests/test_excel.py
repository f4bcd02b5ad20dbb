"""Excel export and import of the catalogue: round trip, all-or-nothing, every bad row named."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from bangban.catalogue import services
from bangban.catalogue.excel import (
    ITEM_COLUMNS,
    CatalogueImportError,
    export_workbook,
    import_workbook,
)
from bangban.catalogue.models import (
    Bundle,
    BundleVersion,
    ItemVersion,
    Material,
    ServiceItem,
    VersionStatus,
)

from . import factories


def _export() -> io.BytesIO:
    buffer = io.BytesIO()
    export_workbook(buffer)
    buffer.seek(0)
    return buffer


def _edit(buffer: io.BytesIO, edits) -> io.BytesIO:
    """Apply ``edits(book)`` to an exported workbook and return the new file."""
    book = load_workbook(buffer)
    edits(book)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def _column(sheet, header: str) -> int:
    return [c.value for c in sheet[1]].index(header) + 1


@pytest.fixture
def catalogue(dept, county, town):
    factories.department(county, "ZJ", "县住房和城乡建设局")
    first = factories.published_item(
        "SCJG-005", "食品经营许可", dept=dept, sites=[town], materials=4
    )
    second = factories.published_item(
        "SCJG-001",
        "个体工商户设立登记",
        dept=dept,
        is_immediate=True,
        promised_limit_days=0,
        materials=3,
    )
    factories.draft_item("D-001", "未发布事项", dept=dept)
    return [first, second]


def _counts():
    return (ServiceItem.objects.count(), ItemVersion.objects.count(), Material.objects.count())


def test_export_writes_published_items_and_their_materials_with_chinese_headers(catalogue):
    book = load_workbook(_export())
    # the bundle sheets are always written, empty here (no bundle is published)
    assert book.sheetnames == ["事项", "材料", "一件事", "一件事事项"]
    items = book["事项"]
    headers = [c.value for c in items[1]]
    assert headers[:4] == ["事项编码", "事项名称", "事项类别", "审批部门编码"]
    assert "承诺时限（工作日）" in headers and "服务机构编码" in headers
    codes = [row[0] for row in items.iter_rows(min_row=2, values_only=True)]
    assert codes == ["SCJG-001", "SCJG-005"]  # the draft item is not exported
    food = next(row for row in items.iter_rows(min_row=2, values_only=True) if row[0] == "SCJG-005")
    assert food[headers.index("办件类型")] == "承诺件"
    assert food[headers.index("办理渠道")] == "窗口、网上"
    assert food[headers.index("服务机构编码")] == "T01"
    assert book["材料"].max_row == 1 + 4 + 3


def test_importing_an_unchanged_export_writes_no_new_version(catalogue):
    before = _counts()
    result = import_workbook(_export())
    assert sorted(result.unchanged) == ["SCJG-001", "SCJG-005"]
    assert result.new_versions == [] and result.created_items == []
    assert _counts() == before


def test_a_round_trip_with_changes_publishes_new_versions_only_for_changed_items(catalogue):
    food = catalogue[0]
    food.current_version.materials.filter(position=1).update(
        blank_form=ContentFile(b"x", name="form.pdf").name
    )  # a file that must survive the import
    old_version = food.current_version

    def edits(book):
        items, materials = book["事项"], book["材料"]
        for row in range(2, items.max_row + 1):
            if items.cell(row, 1).value == "SCJG-005":
                items.cell(row, _column(items, "承诺时限（工作日）")).value = 3
        materials.append(
            [
                "SCJG-005",
                9,
                "食品安全管理人员培训合格证明",
                "否",
                "复印件",
                1,
                "是",
                "培训机构出具",
                "",
            ]
        )
        items.append(
            [
                "ZJ-002",
                "城镇污水排入排水管网许可证核发",
                "投资建设",
                "ZJ",
                "排水 开饭店",
                None,
                "《城镇排水与污水处理条例》第二十一条",
                "",
                "",
                "",
                15,
                5,
                "承诺件",
                "窗口、网上",
                "是",
                "是",
                "",
            ]
        )
        materials.append(
            ["ZJ-002", 1, "《城镇污水排入排水管网许可申请表》", "是", "原件", 1, "否", "", ""]
        )

    result = import_workbook(_edit(_export(), edits))
    assert result.created_items == ["ZJ-002"]
    assert sorted(result.new_versions) == ["SCJG-005 第2版", "ZJ-002 第1版"]
    assert result.unchanged == ["SCJG-001"]

    food.refresh_from_db()
    old_version.refresh_from_db()
    assert old_version.status == VersionStatus.RETIRED
    assert food.current_version.number == 2
    assert food.current_version.promised_limit_days == 3
    assert list(food.current_version.sites.values_list("code", flat=True)) == ["T01"]
    names = list(food.current_version.materials.values_list("name", flat=True))
    assert names[-1] == "食品安全管理人员培训合格证明" and len(names) == 5
    assert (
        food.current_version.materials.get(position=1).blank_form.name
        == old_version.materials.get(position=1).blank_form.name
    )
    drainage = ServiceItem.objects.get(code="ZJ-002")
    assert drainage.is_published and drainage.category.code == "investment_construction"

    # Exporting again and importing gives nothing new: the round trip is stable.
    assert import_workbook(_export()).new_versions == []


def test_bad_rows_are_each_reported_and_nothing_is_written(catalogue):
    def edits(book):
        items, materials = book["事项"], book["材料"]
        col = {c.value: i + 1 for i, c in enumerate(items[1])}
        items.cell(2, col["事项编码"]).value = None  # row 2: missing code
        items.cell(3, col["承诺时限（工作日）"]).value = 30  # row 3: promised > statutory (10)
        items.append(
            [
                "N-1",
                "新事项",
                "不存在的类别",
                "NOPE",
                "",
                None,
                "",
                "",
                "",
                "",
                "十",
                1,
                "承诺件",
                "传真",
                "是",
                "否",
                "ZZZ",
            ]
        )
        materials.append(["NO-SUCH", 1, "某材料", "是", "原件", 1, "否", "", ""])
        materials.append(["SCJG-005", 1, "", "也许", "扫描件", 0, "否", "", ""])

    before = _counts()
    versions_before = list(ItemVersion.objects.values_list("pk", "status"))
    with pytest.raises(CatalogueImportError) as raised:
        import_workbook(_edit(_export(), edits))
    messages = [str(e) for e in raised.value.errors]
    text = "\n".join(messages)

    assert "“事项”工作表第2行：事项编码不能为空" in messages
    assert "“事项”工作表第3行：承诺时限（30个工作日）不能超过法定时限（10个工作日）" in messages
    assert "“事项”工作表第4行：未知的事项类别“不存在的类别”" in messages
    assert "“事项”工作表第4行：未知的审批部门编码“NOPE”" in messages
    assert "“事项”工作表第4行：法定时限应为不小于0的整数，现为“十”" in messages
    assert "“事项”工作表第4行：未知的办理渠道“传真”" in text
    assert "“事项”工作表第4行：未知的服务机构编码“ZZZ”" in messages
    material_rows = load_workbook(_export())["材料"].max_row
    assert (
        f"“材料”工作表第{material_rows + 1}行：材料所属事项“NO-SUCH”不在“事项”工作表中" in messages
    )
    assert f"“材料”工作表第{material_rows + 2}行：材料名称不能为空" in messages
    assert f"“材料”工作表第{material_rows + 2}行：是否必需应填“是”或“否”，现为“也许”" in messages
    assert (
        f"“材料”工作表第{material_rows + 2}行：材料形式应填“原件”“复印件”或“原件及复印件”，现为“扫描件”"
        in messages
    )
    assert f"“材料”工作表第{material_rows + 2}行：份数应为不小于1的整数，现为“0”" in messages

    assert _counts() == before
    assert list(ItemVersion.objects.values_list("pk", "status")) == versions_before
    assert not ServiceItem.objects.filter(code="N-1").exists()


def test_an_item_with_an_open_draft_is_refused(catalogue):
    services.item_version_draft(item=catalogue[0])
    with pytest.raises(CatalogueImportError, match="未发布的草稿"):
        import_workbook(_export())


def test_a_file_that_is_not_a_workbook_is_refused(db):
    with pytest.raises(CatalogueImportError, match="无法读取"):
        import_workbook(io.BytesIO(b"not a workbook"))


def test_a_workbook_without_the_sheets_is_refused(db):
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    buffer.seek(0)
    with pytest.raises(CatalogueImportError) as raised:
        import_workbook(buffer)
    assert {str(e) for e in raised.value.errors} == {
        "“事项”工作表：缺少“事项”工作表",
        "“材料”工作表：缺少“材料”工作表",
    }


def test_the_management_commands_export_and_import(catalogue, tmp_path, capsys):
    path = tmp_path / "catalogue.xlsx"
    call_command("catalogue_export", str(path))
    call_command("catalogue_import", str(path))
    assert "未变化 2 个" in capsys.readouterr().out

    book = load_workbook(path)
    book["事项"].cell(2, 1).value = None
    book.save(path)
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("catalogue_import", str(path))
    assert "“事项”工作表第2行：事项编码不能为空" in capsys.readouterr().err


# ------------------------------------------------------------------ drafts and bundles


def _rows(sheet) -> list[dict]:
    headers = [c.value for c in sheet[1]]
    return [
        dict(zip(headers, row, strict=False))
        for row in sheet.iter_rows(min_row=2, values_only=True)
    ]


def _set(sheet, code: str, header: str, value) -> None:
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, 1).value == code:
            sheet.cell(row, _column(sheet, header)).value = value


def test_an_item_marked_not_to_publish_is_imported_as_a_draft(catalogue):
    def edits(book):
        _set(book["事项"], "SCJG-005", "承诺时限（工作日）", 4)
        _set(book["事项"], "SCJG-005", "直接发布", "否")

    result = import_workbook(_edit(_export(), edits))
    assert result.drafts == ["SCJG-005 第2版"] and result.new_versions == []
    food = ServiceItem.objects.get(code="SCJG-005")
    assert food.current_version.number == 1  # still the published guide
    draft = food.versions.get(number=2)
    assert draft.status == VersionStatus.DRAFT and draft.promised_limit_days == 4
    assert "保存草稿 1 个" in str(result)


def test_bundles_export_and_import_with_their_prerequisites(catalogue):
    food, licence = catalogue
    factories.bundle("KYFD", "开饭店一件事", [(licence, []), (food, [0])])
    book = load_workbook(_export())
    assert _rows(book["一件事"]) == [
        {
            "一件事编码": "KYFD",
            "一件事名称": "开饭店一件事",
            "办事场景": "开饭店",
            "关键词": None,
            "说明": None,
            "牵头部门编码": None,
        }
    ]
    assert _rows(book["一件事事项"]) == [
        {"一件事编码": "KYFD", "事项编码": "SCJG-001", "前置事项编码": None},
        {"一件事编码": "KYFD", "事项编码": "SCJG-005", "前置事项编码": "SCJG-001"},
    ]
    # unchanged: no new bundle version
    assert import_workbook(_export()).new_bundle_versions == []

    def edits(book):
        book["一件事"].append(["XB", "新办一件事", "开店", "开店 执照", "一次办"])
        book["一件事事项"].append(["XB", "SCJG-005", ""])
        book["一件事事项"].append(["XB", "SCJG-001", "SCJG-005"])
        _set(book["一件事事项"], "KYFD", "前置事项编码", None)  # KYFD loses its prerequisite

    result = import_workbook(_edit(_export(), edits))
    assert sorted(result.new_bundle_versions) == ["KYFD 第2版", "XB 第1版"]
    new = Bundle.objects.get(code="XB")
    assert new.is_published and new.life_event == "开店"
    entries = list(new.current_version.entries.order_by("position"))
    assert [e.item.code for e in entries] == ["SCJG-005", "SCJG-001"]
    assert [d.item.code for d in entries[1].depends_on.all()] == ["SCJG-005"]
    restaurant = Bundle.objects.get(code="KYFD")
    assert restaurant.current_version.number == 2
    assert not any(e.depends_on.exists() for e in restaurant.current_version.entries.all())
    assert BundleVersion.objects.get(bundle=restaurant, number=1).status == VersionStatus.RETIRED
    assert import_workbook(_export()).new_bundle_versions == []  # the round trip is stable


def test_bad_bundle_rows_are_each_reported_and_nothing_is_written(catalogue):
    def edits(book):
        new_item = dict.fromkeys(h for h, _ in ITEM_COLUMNS)
        new_item.update(
            {
                "事项编码": "N-1",
                "事项名称": "新事项",
                "事项类别": "企业开办",
                "审批部门编码": "SCJG",
                "法定时限（工作日）": 10,
                "承诺时限（工作日）": 5,
                "办件类型": "承诺件",
                "办理渠道": "窗口",
                "提供帮办": "是",
                "提供代办": "是",
                "直接发布": "否",
            }
        )
        book["事项"].append(list(new_item.values()))
        book["材料"].append(["N-1", 1, "申请书", "是", "原件", 1, "否", "", ""])
        bundles, entries = book["一件事"], book["一件事事项"]
        bundles.append(["KB", "空的一件事"])
        bundles.append(["B1", "一件事"])
        entries.append(["B1", "SCJG-001", "SCJG-005"])  # its prerequisite comes later
        entries.append(["B1", "SCJG-005", ""])
        entries.append(["B1", "N-1", ""])  # only a draft after this import
        entries.append(["B1", "D-001", ""])  # a draft item
        entries.append(["NOPE", "SCJG-001", ""])

    before = (_counts(), Bundle.objects.count())
    with pytest.raises(CatalogueImportError) as raised:
        import_workbook(_edit(_export(), edits))
    messages = [str(e) for e in raised.value.errors]
    assert messages == [
        "“一件事”工作表第2行：一件事“KB”至少应包含一个事项",
        "“一件事事项”工作表第2行：前置事项“SCJG-005”应是一件事“B1”中排在前面的事项",
        "“一件事事项”工作表第4行：事项“N-1”不存在或未发布，不能纳入一件事",
        "“一件事事项”工作表第5行：事项“D-001”不存在或未发布，不能纳入一件事",
        "“一件事事项”工作表第6行：“NOPE”不在“一件事”工作表中",
    ]
    assert (_counts(), Bundle.objects.count()) == before


def test_a_workbook_with_one_bundle_sheet_only_is_refused(catalogue):
    with pytest.raises(CatalogueImportError, match="缺少“一件事事项”工作表"):
        import_workbook(_edit(_export(), lambda book: book.remove(book["一件事事项"])))
    # without either bundle sheet the file is an item file, as before
    without = _edit(
        _export(), lambda book: [book.remove(book[t]) for t in ("一件事", "一件事事项")]
    )
    assert sorted(import_workbook(without).unchanged) == ["SCJG-001", "SCJG-005"]


def test_a_bundle_with_an_open_draft_is_refused(catalogue):
    food, licence = catalogue
    restaurant = factories.bundle("KYFD", "开饭店一件事", [(licence, []), (food, [0])])
    services.bundle_version_draft(bundle=restaurant)
    with pytest.raises(CatalogueImportError) as raised:
        import_workbook(_export())
    assert [str(e) for e in raised.value.errors] == [
        "“一件事”工作表第2行：一件事“KYFD”有未发布的草稿（第2版），请先发布或删除草稿后再导入"
    ]


def test_the_material_sheet_carries_each_materials_kind_both_ways(catalogue):
    """Checklist entries point to shared kinds; the Excel export writes the kind and the
    import reads it back (by name or code), and an unknown kind is refused by row."""
    from bangban.catalogue.models import MaterialKind

    food = catalogue[0]
    licence = MaterialKind.objects.get(name="营业执照")
    first = food.current_version.materials.order_by("position").first()
    Material.objects.filter(pk=first.pk).update(kind=licence)  # frozen version: set directly
    sheet = load_workbook(_export())["材料"]
    col = _column(sheet, "材料种类")
    kinds = {(row[0], row[2]): row[col - 1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert kinds[("SCJG-005", first.name)] == "营业执照"

    def set_kind(value):
        def edits(book):
            materials = book["材料"]
            column = _column(materials, "材料种类")
            for row in range(2, materials.max_row + 1):
                if materials.cell(row, 1).value == "SCJG-005":
                    materials.cell(row, column).value = value
                    return

        return edits

    refused = pytest.raises(CatalogueImportError)
    with refused as problem:
        import_workbook(_edit(_export(), set_kind("会员卡")))
    assert "未知的材料种类“会员卡”" in str(problem.value.errors)
    result = import_workbook(_edit(_export(), set_kind("resident_id")))  # by code
    assert result.new_versions == ["SCJG-005 第2版"]
    food.refresh_from_db()
    first_now = food.current_version.materials.order_by("position").first()
    assert first_now.kind.name == "居民身份证"
    assert import_workbook(_export()).new_versions == []  # unchanged kinds: no new version


def test_the_material_sheet_carries_whether_a_commitment_may_replace_it(catalogue):
    """告知承诺 (issue 18): the export writes 是/否, the import reads it back; blank is 否."""
    food = catalogue[0]
    first = food.current_version.materials.order_by("position").first()
    Material.objects.filter(pk=first.pk).update(commitment_allowed=True)  # frozen version
    sheet = load_workbook(_export())["材料"]
    col = _column(sheet, "告知承诺")
    allowed = {
        (row[0], row[2]): row[col - 1] for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert allowed[("SCJG-005", first.name)] == "是"

    def set_allowed(value):
        def edits(book):
            materials = book["材料"]
            column = _column(materials, "告知承诺")
            for row in range(2, materials.max_row + 1):
                if materials.cell(row, 1).value == "SCJG-005":
                    materials.cell(row, column).value = value
                    return

        return edits

    assert import_workbook(_export()).new_versions == []  # unchanged: nothing new
    result = import_workbook(_edit(_export(), set_allowed(None)))  # blank: 否
    assert result.new_versions == ["SCJG-005 第2版"]
    food.refresh_from_db()
    assert not food.current_version.materials.order_by("position").first().commitment_allowed
    with pytest.raises(CatalogueImportError) as problem:
        import_workbook(_edit(_export(), set_allowed("也许")))
    assert "告知承诺应填“是”或“否”" in str(problem.value.errors)


def test_a_bundle_carries_its_lead_department_both_ways(catalogue, dept):
    """牵头部门 (issue 18): the export writes the department's code, the import reads it back
    and refuses an unknown one by row."""
    food, licence = catalogue
    restaurant = factories.bundle("KYFD", "开饭店一件事", [(licence, []), (food, [0])])
    Bundle.objects.filter(pk=restaurant.pk).update(lead_department=dept)
    assert _rows(load_workbook(_export())["一件事"])[0]["牵头部门编码"] == dept.code
    assert import_workbook(_export()).new_bundle_versions == []  # unchanged

    def lead(code):
        return lambda book: _set(book["一件事"], "KYFD", "牵头部门编码", code)

    with pytest.raises(CatalogueImportError) as problem:
        import_workbook(_edit(_export(), lead("NOPE")))
    assert "未知的牵头部门编码“NOPE”" in str(problem.value.errors)
    import_workbook(_edit(_export(), lead("ZJ")))
    assert Bundle.objects.get(code="KYFD").lead_department.name == "县住房和城乡建设局"
    import_workbook(_edit(_export(), lead(None)))
    assert Bundle.objects.get(code="KYFD").lead_department is None
