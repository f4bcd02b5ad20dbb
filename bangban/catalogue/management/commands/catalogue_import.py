from django.core.management.base import BaseCommand, CommandError

from bangban.catalogue.excel import CatalogueImportError, import_workbook


class Command(BaseCommand):
    help = "从 Excel 文件导入事项清单；有任何一行不合格则全部不导入，并列出每一处问题"

    def add_arguments(self, parser):
        parser.add_argument("path", help="要导入的 .xlsx 文件路径（格式同 catalogue_export）")

    def handle(self, *args, path, **options):
        try:
            result = import_workbook(path)
        except CatalogueImportError as error:
            for problem in error.errors:
                self.stderr.write(str(problem))
            raise CommandError(
                f"导入失败：共 {len(error.errors)} 处问题，未写入任何数据。"
            ) from error
        self.stdout.write(self.style.SUCCESS(f"导入完成：{result}"))
        for line in result.new_versions:
            self.stdout.write(f"  发布 {line}")
        for line in result.drafts:
            self.stdout.write(f"  草稿 {line}（待发布）")
        for line in result.new_bundle_versions:
            self.stdout.write(f"  发布一件事 {line}")
