"""``bangban pii_rekey``: re-encrypt every personal field under the current suite and key.

After ``BANGBAN_CRYPTO_SUITE`` changed (``legacy`` → ``sm``), or to rotate the key
(``BANGBAN_PERSONAL_DATA_KEY`` the new one, ``BANGBAN_PERSONAL_DATA_KEY_OLD`` the old one).
Row by row, each in its own transaction: safe to interrupt and start again. ``--dry-run``
only counts what is left. See docs/operations.md, 密钥轮换.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bangban.cases.rekey import clear_deliver_events, rekey_all


class Command(BaseCommand):
    help = "按当前密码算法套件和密钥重新加密全部个人信息并重算检索索引（可中断、可重复执行）"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只统计尚需重新加密的行数")
        parser.add_argument("--chunk-size", type=int, default=500, help="每次读取的行数")

    def handle(self, *args, dry_run, chunk_size, **options):
        old = "，同时读取旧密钥" if settings.PERSONAL_DATA_KEY_OLD else ""
        self.stdout.write(f"当前密码算法套件：{settings.CRYPTO_SUITE}{old}")
        report = rekey_all(dry_run=dry_run, chunk_size=chunk_size, progress=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(report.summary(dry_run=dry_run)))
        clear = clear_deliver_events()
        if clear:
            self.stdout.write(
                self.style.WARNING(
                    f"另有 {clear} 条“结果交付”事件在哈希链中含明文地址或领取人（本版本之前写入），"
                    "无法重新加密或删除，见运维手册“删除个人信息”"
                )
            )
        if report.unreadable:
            for row in report.unreadable:
                self.stderr.write(self.style.ERROR(f"{row}：当前密钥和旧密钥都无法解密"))
            raise CommandError(
                f"{len(report.unreadable)} 行无法解密（密钥不对或密文已损坏），其余已处理；"
                "设置正确的 BANGBAN_PERSONAL_DATA_KEY_OLD 后再次执行"
            )
