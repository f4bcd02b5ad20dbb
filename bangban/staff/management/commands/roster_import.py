from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from openpyxl import load_workbook

from bangban.network.excel import DEPARTMENT_SHEET, SITE_SHEET, import_network
from bangban.staff.excel import STAFF_SHEET, import_staff
from bangban.xlsx import ImportRefused


class Command(BaseCommand):
    help = (
        "从 Excel 文件导入服务机构、审批部门和工作人员名册（“服务机构”“审批部门”“工作人员”工作表，"
        "有哪几张导入哪几张）；有任何一行不合格则全部不导入，并列出每一处问题"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="要导入的 .xlsx 文件路径")

    def handle(self, *args, path, **options):
        try:
            sheets = set(load_workbook(path, read_only=True).sheetnames)
        except Exception as error:  # openpyxl raises several kinds for a file that is not xlsx
            raise CommandError(f"无法读取 Excel 文件（{error.__class__.__name__}）") from error
        if not sheets & {SITE_SHEET, DEPARTMENT_SHEET, STAFF_SHEET}:
            raise CommandError(
                f"文件中没有“{SITE_SHEET}”“{DEPARTMENT_SHEET}”或“{STAFF_SHEET}”工作表"
            )
        done = []
        try:
            with transaction.atomic():
                if sheets & {SITE_SHEET, DEPARTMENT_SHEET}:
                    done.append(import_network(path))
                if STAFF_SHEET in sheets:
                    done.append(import_staff(path))
        except ImportRefused as error:
            for problem in error.errors:
                self.stderr.write(str(problem))
            raise CommandError(
                f"导入失败：共 {len(error.errors)} 处问题，未写入任何数据。"
            ) from error
        self.stdout.write(self.style.SUCCESS("导入完成：" + "".join(map(str, done))))
