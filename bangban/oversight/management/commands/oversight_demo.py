"""Add the oversight demo data (evaluations, rectifications, complaints, consultations,
return visits, inspections) to a database that already holds the demo cases."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bangban.network.models import Site, SiteLevel
from bangban.oversight.models import Evaluation


class Command(BaseCommand):
    help = "在已加载的演示办件上加载监督评价演示数据"

    def handle(self, *args, **options):
        county = Site.objects.filter(level=SiteLevel.COUNTY).order_by("pk").first()
        if county is None:
            raise CommandError("请先运行 manage.py demo 加载演示数据")
        if Evaluation.objects.exists():
            self.stdout.write("已有评价数据，跳过。")
            return
        from bangban.oversight import demo

        with transaction.atomic():
            counts = demo.load(county)
        self.stdout.write(self.style.SUCCESS(f"监督评价演示数据已加载：{counts}"))
