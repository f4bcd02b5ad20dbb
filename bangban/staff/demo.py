"""Demo staff: every role at every level, with the demo logins printed by `make run`."""

import datetime
from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from bangban.network.models import Department, Site, SiteLevel

from .models import Employment, RegistrationStatus, StaffMember, StaffSource

DEMO_PASSWORD = "bangban2026"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = [
    "静",
    "伟",
    "芳",
    "敏",
    "强",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "华",
    "丽",
    "建国",
    "晓东",
]


def _name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)]


@cache
def _demo_password_hash() -> str:
    """Hash the shared demo password once: a slow hash per user made the demo take 12 s."""
    return make_password(DEMO_PASSWORD)


def _staff(username: str, name: str, site: Site, *, superuser=False, **fields) -> StaffMember:
    User = get_user_model()
    user = User.objects.create(username=username, password=_demo_password_hash(), first_name=name)
    if superuser:
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    fields.setdefault("registration_status", RegistrationStatus.REGISTERED)
    fields.setdefault("registered_on", datetime.date(2026, 3, 1))
    fields.setdefault("training_passed_on", datetime.date(2026, 2, 20))
    return StaffMember.objects.create(user=user, name=name, site=site, **fields)


def load(county: Site) -> list[tuple[str, str]]:
    """Create the staff; return (username, description) of the logins worth showing."""
    logins = []
    counter = iter(range(1000))
    _staff("admin", "系统管理员", county, superuser=True, is_administrator=True, title="系统管理员")
    logins.append(("admin", "系统管理员（管理后台）"))
    coordinator = _staff(
        "coordinator", _name(next(counter)), county, is_coordinator=True, title="帮办代办协调员"
    )
    coordinator.covered_sites.add(county)
    logins.append(("coordinator", "协调员（全县）"))
    _staff("supervisor", _name(next(counter)), county, is_supervisor=True, title="督查专员")
    logins.append(("supervisor", "监督人员（只读）"))
    for site in Site.objects.order_by("path"):
        for n in range(2 if site.level != SiteLevel.COUNTY else 4):
            part_time = site.level == SiteLevel.VILLAGE and n == 1
            username = f"agent_{site.code.lower()}_{n + 1}"
            _staff(
                username,
                _name(next(counter)),
                site,
                is_agent=True,
                title="帮办代办员",
                employment=Employment.PART_TIME if part_time else Employment.FULL_TIME,
                source=StaffSource.GRID_WORKER if part_time else StaffSource.ASSIGNED,
                duties="接待咨询、一次性告知、材料预审、帮办代办全程跟踪并记录工作日志",
                phone=f"1380000{next(counter):04d}",
            )
            if n == 0 and site.code in {"C01", "T01", "T01V01"}:
                logins.append((username, f"帮办代办员（{site.name}）"))
    for department in Department.objects.order_by("code"):
        username = f"liaison_{department.code.lower()}"
        _staff(
            username,
            _name(next(counter)),
            county,
            is_liaison=True,
            department=department,
            title="帮办代办对接人员",
            source=StaffSource.DEPARTMENT,
        )
        if department.code in {"SCJG", "ZJ"}:
            logins.append((username, f"部门对接人员（{department.name}）"))
    return logins
