"""Import of the service network from Excel: sites (服务机构) and departments (审批部门).

Two sheets with Chinese headers, one row per site or department, matched by code: a new
code is created, a known one updated. A site's parent is given by its code and must be a
site of the level above, listed in an earlier row or already in the database. All or
nothing: every row is checked and every problem reported with its sheet, row number and
reason; if there is any, nothing is written. ``bangban roster_import`` runs it (with the
staff sheet of ``bangban.staff.excel``); the demo network (``network/demo.xlsx``) is
loaded through it.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from bangban.xlsx import ImportRefused, RowError, open_workbook, read_sheet

from .models import Department, Site, SiteLevel

SITE_SHEET = "服务机构"
DEPARTMENT_SHEET = "审批部门"
# (header, field)
SITE_COLUMNS = [
    ("机构编码", "code"),
    ("名称", "name"),
    ("层级", "level"),  # 政务服务中心、便民服务中心、便民服务站
    ("上级机构编码", "parent"),
    ("地址", "address"),
    ("联系电话", "phone"),
    ("投诉电话", "complaint_phone"),
    ("帮办代办区", "service_area"),
    ("办公时间", "opening_hours"),  # blank: the usual hours
]
DEPARTMENT_COLUMNS = [
    ("部门编码", "code"),
    ("部门名称", "name"),
    ("所属政务服务中心编码", "county"),
    ("联系电话", "phone"),
]
SITE_TEXTS = ("name", "address", "phone", "complaint_phone", "service_area", "opening_hours")


@dataclass
class NetworkResult:
    sites: int = 0
    departments: int = 0

    def __str__(self) -> str:
        return f"服务机构 {self.sites} 个，审批部门 {self.departments} 个。"


def import_network(source) -> NetworkResult:
    """Create or update the sites and departments of a workbook (a path or a binary file).

    Raises ``ImportRefused`` with every problem found; then nothing was written.
    """
    errors: list[RowError] = []
    book = open_workbook(source)
    site_rows = read_sheet(
        book, SITE_SHEET, SITE_COLUMNS, {"机构编码", "名称", "层级", "上级机构编码"}, errors
    )
    department_rows = read_sheet(
        book,
        DEPARTMENT_SHEET,
        DEPARTMENT_COLUMNS,
        {"部门编码", "部门名称", "所属政务服务中心编码"},
        errors,
    )
    book.close()
    if errors:
        raise ImportRefused(errors)
    result = NetworkResult()
    with transaction.atomic():
        sites = {site.code: site for site in Site.objects.all()}
        default_hours = Site._meta.get_field("opening_hours").get_default()
        seen: set[str] = set()
        for row in site_rows:
            code = row.text("code")
            if not code or code in seen:
                row.error(f"机构编码“{code}”重复" if code else "机构编码不能为空")
                continue
            seen.add(code)
            site = sites.get(code) or Site(code=code)
            site.level = row.choice("level", "层级", SiteLevel.choices)
            parent_code = row.text("parent")
            site.parent = sites.get(parent_code) if parent_code else None
            if parent_code and site.parent is None:
                row.error(f"未知的上级机构编码“{parent_code}”（上级机构应列在前面）")
            for key in SITE_TEXTS:
                setattr(site, key, row.text(key))
            site.opening_hours = site.opening_hours or default_hours
            if not site.name:
                row.error("名称不能为空")
            if site.level is None or not site.name or (parent_code and site.parent is None):
                continue
            try:
                site.clean()
            except ValidationError as problem:
                row.error("；".join(problem.messages))
                continue
            site.save()
            sites[code] = site
            result.sites += 1

        departments = {d.code: d for d in Department.objects.all()}
        for row in department_rows:
            code, name, county_code = row.text("code"), row.text("name"), row.text("county")
            county = sites.get(county_code)
            if not code:
                row.error("部门编码不能为空")
            if not name:
                row.error("部门名称不能为空")
            if county is None or county.level != SiteLevel.COUNTY:
                row.error(f"“{county_code}”不是政务服务中心的机构编码")
            if not code or not name or county is None or county.level != SiteLevel.COUNTY:
                continue
            department = departments.get(code) or Department(code=code)
            department.name, department.county, department.phone = name, county, row.text("phone")
            department.save()
            departments[code] = department
            result.departments += 1
        if errors:
            raise ImportRefused(errors)  # rolls back what the good rows wrote
    return result
