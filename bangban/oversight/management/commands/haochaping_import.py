"""Record evaluations collected elsewhere (评价器, the provincial app) from a file in the
export's format, each on its case; prints one line per row and a summary.

    manage.py haochaping_import evaluations.jsonl
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bangban.oversight import exchange


class Command(BaseCommand):
    help = "导入其他渠道采集的服务评价（国家好差评数据项，JSON Lines 或 Excel），按办件编号匹配"

    def add_arguments(self, parser):
        parser.add_argument("path", help="JSON Lines（.jsonl）或 Excel（.xlsx）文件")

    def handle(self, *args, **options):
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"找不到文件 {path}")
        try:
            report = exchange.import_file(path.read_bytes(), path.name)
        except exchange.FileRefused as refused:
            raise CommandError(refused.message) from None
        for row in report.rows:
            self.stdout.write(str(row))
        self.stdout.write(report.summary())
