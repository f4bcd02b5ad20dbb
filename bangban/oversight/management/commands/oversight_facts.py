"""Bring the per-case statistics (CaseFact) and the daily roll-up up to date; --rebuild
recomputes them all (after rows were changed without an event: an import, a repair)."""

from django.core.management.base import BaseCommand

from bangban.oversight.figures.facts import refresh_facts
from bangban.oversight.figures.rollup import refresh_rollup


class Command(BaseCommand):
    help = "更新监督评价所用的办件统计要素（--rebuild 全部重算）"

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="全部重新计算")

    def handle(self, *args, rebuild=False, **options):
        written = refresh_facts(full=True, rebuild=rebuild)
        rows = refresh_rollup(rebuild=rebuild)
        self.stdout.write(
            self.style.SUCCESS(f"已更新 {written} 件办件的统计要素，{rows} 行每日统计汇总。")
        )
