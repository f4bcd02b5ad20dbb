"""``manage.py audit verify`` (``bangban audit verify``): check every case's hash chain.

Prints each problem (case number, event seq and id, what is wrong) and a summary; exits
with status 1 when anything was found, so a scheduled run can alert on it.
"""

from django.core.management.base import BaseCommand, CommandError

from bangban.cases.audit import CHUNK_SIZE, verify_all


class Command(BaseCommand):
    help = "校验办件时间线（事件哈希链），发现篡改或删除时列出问题并以非零状态退出"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"], help="verify：校验全部办件的事件哈希链")
        parser.add_argument(
            "--chunk-size", type=int, default=CHUNK_SIZE, help="每次从数据库读取的行数"
        )

    def handle(self, *args, action, chunk_size, **options):
        report = verify_all(chunk_size=chunk_size)
        for problem in report.problems:
            self.stdout.write(self.style.ERROR(str(problem)))
        if not report.ok:
            raise CommandError(report.summary)
        self.stdout.write(self.style.SUCCESS(report.summary))
