"""Load the demo data: a whole county's network, staff, catalogue, cases, their evaluations
and complaints, and the portal's window slots.

Each area keeps its own demo loader beside its models (``<app>/demo.py``); this command
only runs them in order inside one transaction, so a failure leaves nothing half-loaded.
The network, the staff and the catalogue are data files (``<app>/demo.xlsx``) that their
loaders import through the administrators' own imports (``roster_import``,
``catalogue_import``); the cases, evaluations, complaints and slots are generated.
"""

import importlib

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bangban.network.models import Site
from bangban.staff.demo import DEMO_PASSWORD
from bangban.workdays.services import calendar_scope

# Loaded after the network and staff, in this order; each module has load(county). The
# oversight demo evaluates and complains about the demo cases, so it comes after them.
FURTHER_LOADERS = [
    "bangban.catalogue.demo",
    "bangban.cases.demo",
    "bangban.oversight.demo",
    "bangban.visits.demo",
]


class Command(BaseCommand):
    help = "加载演示数据（示范县三级服务网络、工作人员、事项清单、办件、评价投诉、预约时段）"

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="数据库已有数据时跳过")

    def handle(self, *args, if_empty=False, **options):
        if Site.objects.exists():
            if if_empty:
                self.stdout.write("数据库已有数据，跳过演示数据加载。")
                self._print_logins(None)
                return
            raise CommandError("数据库已有数据；演示数据只能加载到空数据库。")
        with transaction.atomic():
            logins = self._load()
        self.stdout.write(self.style.SUCCESS("演示数据已加载。"))
        self._print_logins(logins)

    def _load(self):
        from bangban.network import demo as network_demo
        from bangban.staff import demo as staff_demo

        county = network_demo.load()
        logins = staff_demo.load(county)
        for name in FURTHER_LOADERS:
            module = importlib.import_module(name)
            # One calendar check for the whole loader, not two queries per date it counts.
            with calendar_scope():
                module.load(county)
        return logins

    def _print_logins(self, logins):
        from django.contrib.auth import get_user_model

        if logins is None:
            usernames = (
                get_user_model()
                .objects.filter(staff__isnull=False)
                .values_list("username", flat=True)
            )
            logins = [(u, "") for u in usernames[:8]]
        self.stdout.write(f"\n演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, description in logins:
            self.stdout.write(f"  {username:<22} {description}")
        self.stdout.write("\n打开 http://127.0.0.1:8000/ ；管理后台 http://127.0.0.1:8000/admin/\n")
