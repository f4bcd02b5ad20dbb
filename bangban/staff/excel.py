"""Import of the staff roster (工作人员) from Excel, one row per person, matched by login.

A new login gets an account without a usable password (an administrator sets one in the
admin) and its staff record; a known one is updated. Roles are listed by name in one cell
(帮办代办员、协调员、部门对接人员、监督人员、系统管理员); a liaison names its department. The
import grants no access to the admin site: that stays an administrator's decision there.
All or nothing, every problem reported with its row number. ``bangban roster_import``
runs it; the demo staff (``staff/demo.xlsx``) are loaded through it.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction

from bangban.network.models import Department, Site
from bangban.xlsx import ImportRefused, RowError, open_workbook, read_sheet

from .models import Employment, RegistrationStatus, Role, StaffMember, StaffSource

STAFF_SHEET = "工作人员"
# (header, field)
STAFF_COLUMNS = [
    ("登录账号", "username"),
    ("姓名", "name"),
    ("所属机构编码", "site"),
    ("角色", "roles"),
    ("岗位", "title"),
    ("所属审批部门编码", "department"),
    ("负责协调的机构编码", "covered_sites"),
    ("联系电话", "phone"),
    ("用工性质", "employment"),  # blank: 专职
    ("人员来源", "source"),  # blank: 服务机构指派
    ("备案状态", "registration_status"),  # blank: 待备案
    ("备案日期", "registered_on"),
    ("备案编号", "registration_no"),
    ("岗前培训考试通过日期", "training_passed_on"),
    ("岗位职责", "duties"),
]
REQUIRED_HEADERS = {"登录账号", "姓名", "所属机构编码", "角色"}
ROLE_BY_TEXT = {**{label: value for value, label in Role.choices}, **{v: v for v in Role.values}}


@dataclass
class StaffResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"新增工作人员 {len(self.created)} 名，更新 {len(self.updated)} 名。"


def import_staff(source) -> StaffResult:
    """Create or update the staff of a workbook's 工作人员 sheet (a path or a binary file).

    Raises ``ImportRefused`` with every problem found; then nothing was written.
    """
    errors: list[RowError] = []
    book = open_workbook(source)
    rows = read_sheet(book, STAFF_SHEET, STAFF_COLUMNS, REQUIRED_HEADERS, errors)
    book.close()
    if errors:
        raise ImportRefused(errors)
    User = get_user_model()
    sites = {site.code: site for site in Site.objects.all()}
    departments = {d.code: d for d in Department.objects.all()}
    result = StaffResult()
    seen: set[str] = set()
    with transaction.atomic():
        for row in rows:
            username, name = row.text("username"), row.text("name")
            if not username or username in seen:
                row.error(f"登录账号“{username}”重复" if username else "登录账号不能为空")
                continue
            seen.add(username)
            if not name:
                row.error("姓名不能为空")
            site = sites.get(row.text("site"))
            if site is None:
                row.error(f"未知的机构编码“{row.text('site')}”")
            roles = set()
            for word in row.words("roles"):
                if word not in ROLE_BY_TEXT:
                    row.error(f"未知的角色“{word}”（可填：{'、'.join(Role.labels)}）")
                roles.add(ROLE_BY_TEXT.get(word))
            if not roles:
                row.error("角色不能为空")
            department_code = row.text("department")
            department = departments.get(department_code)
            if department_code and department is None:
                row.error(f"未知的审批部门编码“{department_code}”")
            if Role.LIAISON in roles and department is None and not department_code:
                row.error("部门对接人员应填所属审批部门编码")
            covered = []
            for code in row.words("covered_sites"):
                if code not in sites:
                    row.error(f"未知的机构编码“{code}”（负责协调的机构）")
                covered.append(sites.get(code))
            fields = {
                "name": name,
                "site": site,
                "department": department,
                "title": row.text("title"),
                "phone": row.text("phone"),
                "duties": row.text("duties"),
                "registration_no": row.text("registration_no"),
                **{f"is_{role}": role in roles for role in Role.values},
                "employment": row.choice(
                    "employment", "用工性质", Employment.choices, default=Employment.FULL_TIME
                ),
                "source": row.choice(
                    "source", "人员来源", StaffSource.choices, default=StaffSource.ASSIGNED
                ),
                "registration_status": row.choice(
                    "registration_status",
                    "备案状态",
                    RegistrationStatus.choices,
                    default=RegistrationStatus.PENDING,
                ),
                "registered_on": row.date("registered_on", "备案日期"),
                "training_passed_on": row.date("training_passed_on", "岗前培训考试通过日期"),
            }
            if any(e.row == row.number and e.sheet == STAFF_SHEET for e in errors):
                continue
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create_user(username=username, password=None, first_name=name)
            elif user.first_name != name:
                user.first_name = name
                user.save(update_fields=["first_name"])
            staff = StaffMember.objects.filter(user=user).first()
            (result.updated if staff else result.created).append(username)
            staff = staff or StaffMember(user=user)
            for key, value in fields.items():
                setattr(staff, key, value)
            staff.save()
            staff.covered_sites.set(covered)
        if errors:
            raise ImportRefused(errors)  # rolls back what the good rows wrote
    return result
