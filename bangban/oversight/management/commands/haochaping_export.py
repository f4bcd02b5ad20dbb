"""Write a site's evaluations of a date range as the national 好差评 upload file.

    manage.py haochaping_export --site XQ-001 --from 2026-11-01 --to 2026-11-30 \\
        --format jsonl --output haochaping-2026-11.jsonl
"""

from __future__ import annotations

import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError

from bangban.network.models import Site
from bangban.oversight import exchange


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期应为 2026-11-01 的格式，现为“{text}”") from None


class Command(BaseCommand):
    help = "按国家好差评数据项导出某机构（含下级）某时间段的服务评价（JSON Lines 或 Excel）"

    def add_arguments(self, parser):
        parser.add_argument("--site", required=True, help="机构编码（含下级机构）")
        parser.add_argument("--from", dest="start", required=True, help="起始日期（含）")
        parser.add_argument("--to", dest="end", required=True, help="截止日期（含）")
        parser.add_argument("--format", choices=["jsonl", "xlsx"], default="jsonl")
        parser.add_argument("--output", help="输出文件（默认：标准输出，仅 jsonl）")

    def handle(self, *args, **options):
        site = Site.objects.filter(code=options["site"]).first()
        if site is None:
            raise CommandError(f"找不到机构编码“{options['site']}”")
        start, end = _day(options["start"]), _day(options["end"])
        if end < start:
            raise CommandError("截止日期不能早于起始日期")
        try:
            records = exchange.export_records(exchange.evaluations_for(site, start, end))
        except exchange.ExportRefused as refused:
            raise CommandError("无法导出：" + "；".join(refused.problems)) from None
        if options["format"] == "xlsx":
            if not options["output"]:
                raise CommandError("Excel 格式须用 --output 指定文件")
            body = exchange.to_xlsx(records)
        else:
            body = exchange.to_jsonl(records)
        if options["output"]:
            with open(options["output"], "wb") as out:
                out.write(body)
            self.stderr.write(f"已导出{len(records)}条评价到 {options['output']}")
        else:
            sys.stdout.buffer.write(body)
            sys.stdout.flush()
