"""The roster import (服务机构, 审批部门, 工作人员): the demo roster loads through it, a bad
file is refused whole with every problem named, a second import updates by code and login."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from bangban.network import demo as network_demo
from bangban.network.excel import import_network
from bangban.network.models import Department, Site
from bangban.staff import demo as staff_demo
from bangban.staff.excel import STAFF_COLUMNS, import_staff
from bangban.staff.models import StaffMember
from bangban.xlsx import ImportRefused

pytestmark = pytest.mark.django_db


def _book(sheets: dict[str, list[list]]) -> io.BytesIO:
    book = Workbook()
    book.remove(book.worksheets[0])
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


STAFF_HEADERS = [h for h, _ in STAFF_COLUMNS]


def _staff_row(**values) -> list:
    return [values.get(h) for h in STAFF_HEADERS]


def test_the_demo_roster_loads_through_the_roster_import_command(capsys):
    call_command("roster_import", str(network_demo.DATA))
    call_command("roster_import", str(staff_demo.DATA))
    out = capsys.readouterr().out
    assert "服务机构 10 个，审批部门 13 个。" in out and "新增工作人员 37 名" in out

    assert list(Site.objects.order_by("pk").values_list("code", flat=True)) == [
        "C01", "T01", "T01V01", "T01V02", "T02", "T02V01", "T02V02", "T03", "T03V01", "T03V02",
    ]  # fmt: skip
    assert Site.objects.get(code="T02V01").parent.code == "T02"
    assert Department.objects.count() == 13 and Department.objects.get(code="TYJR")
    staff = {m.user.username: m for m in StaffMember.objects.select_related("user", "department")}
    assert len(staff) == 37
    # 4 agents at the county, 2 at each town and village; a liaison per department but TYJR
    assert sum(m.is_agent for m in staff.values()) == 4 + 2 * 9
    assert sorted(u for u, m in staff.items() if m.is_liaison) == [
        f"liaison_{d.code.lower()}" for d in Department.objects.exclude(code="TYJR")
    ]
    assert staff["liaison_scjg"].department.code == "SCJG"
    assert staff["coordinator"].is_coordinator
    assert [s.code for s in staff["coordinator"].covered_sites.all()] == ["C01"]
    assert staff["supervisor"].is_supervisor and staff["admin"].is_administrator
    assert staff["agent_t01v01_2"].get_employment_display() == "兼职"
    assert str(staff["agent_t01v01_1"].registered_on) == "2026-03-01"
    # the import sets no password and grants no admin access
    admin = staff["admin"].user
    assert not admin.has_usable_password() and not admin.is_staff and not admin.is_superuser


def test_the_demo_loader_adds_the_password_and_the_superuser():
    network_demo.load()
    logins = staff_demo.load()
    User = get_user_model()
    assert [u for u, _ in logins] == [u for u, _ in staff_demo.LOGINS]
    for username, _ in logins:
        assert User.objects.get(username=username).check_password(staff_demo.DEMO_PASSWORD)
    assert User.objects.filter(is_superuser=True).get().username == "admin"


def test_a_second_import_updates_by_code_and_login():
    network_demo.load()
    staff_demo.load()
    sites = _book(
        {
            "服务机构": [
                ["机构编码", "名称", "层级", "上级机构编码"],
                ["T01", "城关镇便民服务中心（新址）", "便民服务中心", "C01"],
                ["T01V03", "南街社区便民服务站", "便民服务站", "T01"],
            ],
            "审批部门": [["部门编码", "部门名称", "所属政务服务中心编码"]],
        }
    )
    assert str(import_network(sites)) == "服务机构 2 个，审批部门 0 个。"
    assert Site.objects.get(code="T01").name == "城关镇便民服务中心（新址）"
    assert Site.objects.get(code="T01V03").path.startswith(Site.objects.get(code="T01").path)

    roster = _book(
        {
            "工作人员": [
                STAFF_HEADERS,
                _staff_row(登录账号="agent_t01v01_1", 姓名="王芳", 所属机构编码="T01V03", 角色="帮办代办员、协调员"),
                _staff_row(登录账号="new_agent", 姓名="李静", 所属机构编码="T01V03", 角色="agent"),
            ]
        }
    )  # fmt: skip
    result = import_staff(roster)
    assert result.updated == ["agent_t01v01_1"] and result.created == ["new_agent"]
    moved = StaffMember.objects.get(user__username="agent_t01v01_1")
    assert (moved.name, moved.site.code, moved.roles) == (
        "王芳",
        "T01V03",
        ["agent", "coordinator"],
    )
    assert moved.user.check_password(staff_demo.DEMO_PASSWORD)  # an update keeps the password
    assert StaffMember.objects.get(user__username="new_agent").is_agent


def test_bad_rows_are_each_reported_and_nothing_is_written(capsys):
    network_demo.load()
    before = (Site.objects.count(), StaffMember.objects.count())
    path = io.BytesIO()
    book = load_workbook(network_demo.DATA)
    book["服务机构"].append(["X1", "某站", "便民服务站", "C01"])  # a village under the county
    book["服务机构"].append(["X2", "", "村委会", "NOPE"])
    book["审批部门"].append(["D1", "某局", "T01"])
    book.create_sheet("工作人员").append(STAFF_HEADERS)
    staff = book["工作人员"]
    staff.append(_staff_row(登录账号="a", 姓名="甲", 所属机构编码="C01", 角色="局长"))
    staff.append(_staff_row(登录账号="b", 姓名="乙", 所属机构编码="C01", 角色="部门对接人员"))
    staff.append(
        _staff_row(登录账号="c", 姓名="丙", 所属机构编码="C01", 角色="帮办代办员", 备案日期="明天")
    )
    staff.append(_staff_row(登录账号="a", 姓名="甲", 所属机构编码="ZZZ", 角色="帮办代办员"))
    book.save(path)
    with pytest.raises(ImportRefused) as raised:
        import_network(io.BytesIO(path.getvalue()))
    assert [str(e) for e in raised.value.errors] == [
        "“服务机构”工作表第12行：便民服务站的上级必须是便民服务中心",
        "“服务机构”工作表第13行：层级应填“政务服务中心”、“便民服务中心”、“便民服务站”之一，现为“村委会”",
        "“服务机构”工作表第13行：未知的上级机构编码“NOPE”（上级机构应列在前面）",
        "“服务机构”工作表第13行：名称不能为空",
        "“审批部门”工作表第15行：“T01”不是政务服务中心的机构编码",
    ]
    with pytest.raises(ImportRefused) as raised:
        import_staff(io.BytesIO(path.getvalue()))
    assert [str(e) for e in raised.value.errors] == [
        "“工作人员”工作表第2行：未知的角色“局长”（可填：帮办代办员、协调员、部门对接人员、监督人员、系统管理员）",
        "“工作人员”工作表第3行：部门对接人员应填所属审批部门编码",
        "“工作人员”工作表第4行：备案日期应为日期（如 2026-03-01），现为“明天”",
        "“工作人员”工作表第5行：登录账号“a”重复",
    ]
    file = io.BytesIO(path.getvalue())
    with pytest.raises(CommandError, match="共 5 处问题，未写入任何数据"):
        call_command("roster_import", _saved(file))
    # the network is checked first: its problems stop the import before the staff sheet
    assert "“审批部门”工作表第15行" in capsys.readouterr().err
    assert (Site.objects.count(), StaffMember.objects.count()) == before
    assert not get_user_model().objects.filter(username__in=["a", "b", "c"]).exists()


def _saved(buffer: io.BytesIO) -> str:
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as file:
        file.write(buffer.getvalue())
    return file.name


def test_a_file_without_roster_sheets_is_refused(tmp_path):
    path = tmp_path / "x.xlsx"
    Workbook().save(path)
    with pytest.raises(CommandError, match="没有“服务机构”“审批部门”或“工作人员”工作表"):
        call_command("roster_import", str(path))
    path.write_bytes(b"not a workbook")
    with pytest.raises(CommandError, match="无法读取"):
        call_command("roster_import", str(path))
