from django.core.management.base import BaseCommand

from bangban.catalogue.excel import export_workbook


class Command(BaseCommand):
    help = "导出已发布的事项清单（现行办事指南及申请材料）到 Excel 文件"

    def add_arguments(self, parser):
        parser.add_argument("path", help="输出的 .xlsx 文件路径")

    def handle(self, *args, path, **options):
        count = export_workbook(path)
        self.stdout.write(self.style.SUCCESS(f"已导出 {count} 个事项到 {path}"))
