"""``manage.py deliver_messages``: send what the outbox holds now, or keep sending.

The job queue does this every minute; the command is for operators (flush after a
gateway outage) and for a delivery process of its own. Safe beside any number of others.
"""

import time

from django.core.management.base import BaseCommand

from bangban.notifications.delivery import deliver_due_messages


class Command(BaseCommand):
    help = "发送发件箱中到期的消息（--loop 持续运行）"
    # A delivery process must not refuse to send because a page's URL is misconfigured.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", action="store_true", help="持续运行，每隔 --interval 秒检查一次"
        )
        parser.add_argument("--interval", type=float, default=5.0)

    def handle(self, *args, loop=False, interval=5.0, **options):
        while True:
            report = deliver_due_messages()
            if any(vars(report).values()):
                self.stdout.write(
                    f"已发送{report.sent}，待重试{report.retrying}，失败{report.failed}，"
                    f"未发送{report.skipped}，收回{report.reclaimed}"
                )
            if not loop:
                return
            time.sleep(interval)
