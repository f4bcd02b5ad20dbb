"""``manage.py audit …`` (``bangban audit …``): the audit of the case timelines.

- ``verify``: check every case (its hash chain, its row against its events, the newest
  checkpoint, the case numbering) and print each problem (case number, event seq and id,
  what is wrong) and a summary; ``--checkpoint PATH`` holds the database to an exported
  checkpoint file instead. Exits with status 1 when anything was found, so a scheduled run
  can alert on it.
- ``checkpoint``: record every case's head now; ``--export PATH`` also writes it, SM2-signed,
  to a file to archive.
- ``rechain``: re-seal chains written in the old time form, under the legacy suite or an
  old key, each only after it verifies (``--dry-run``: only say what it would do). Also
  the re-key step of a key rotation (``docs/operations.md``).
- ``keygen``: print a new SM2 key pair for ``BANGBAN_AUDIT_SIGNING_KEY`` /
  ``BANGBAN_AUDIT_PUBLIC_KEY``.
"""

from django.core.management.base import BaseCommand, CommandError

from bangban.cases import signing
from bangban.cases.audit import CHUNK_SIZE, rechain, verify_all
from bangban.cases.checkpoints import (
    CheckpointError,
    export_checkpoint,
    file_source,
    make_checkpoint,
)


class Command(BaseCommand):
    help = (
        "办件时间线审计：verify 校验（哈希链、办件记录、检查点、编号），checkpoint 生成检查点"
        "（--export 导出签名文件），rechain 重新封存旧格式或旧密钥的哈希链，keygen 生成 SM2 密钥对"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "action",
            choices=["verify", "checkpoint", "rechain", "keygen"],
            help="verify：校验；checkpoint：生成检查点；rechain：重新封存；keygen：生成 SM2 密钥对",
        )
        parser.add_argument(
            "--chunk-size", type=int, default=CHUNK_SIZE, help="每次从数据库读取的行数"
        )
        parser.add_argument(
            "--checkpoint",
            metavar="PATH",
            help="verify：与导出的检查点文件核对（默认：最新检查点）",
        )
        parser.add_argument(
            "--public-key", default="", help="verify --checkpoint：用于验签的 SM2 公钥（十六进制）"
        )
        parser.add_argument(
            "--no-checkpoint", action="store_true", help="verify：不与数据库中的检查点核对"
        )
        parser.add_argument("--export", metavar="PATH", help="checkpoint：导出签名的检查点文件")
        parser.add_argument(
            "--dry-run", action="store_true", help="rechain：只校验并报告，不改动任何数据"
        )

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except CheckpointError as error:
            raise CommandError(str(error)) from error

    def _verify(self, *, chunk_size, checkpoint, public_key, no_checkpoint, **_):
        source = file_source(checkpoint, public_key) if checkpoint else None
        report = verify_all(
            chunk_size=chunk_size, checkpoint=source, use_newest_checkpoint=not no_checkpoint
        )
        for problem in report.problems:
            self.stdout.write(self.style.ERROR(str(problem)))
        for note in report.notes:
            self.stdout.write(self.style.WARNING(note))
        if not report.ok:
            raise CommandError(report.summary)
        self.stdout.write(self.style.SUCCESS(report.summary))

    def _checkpoint(self, *, chunk_size, export, **_):
        if export and not signing_configured():
            raise CommandError(
                "未配置 BANGBAN_AUDIT_SIGNING_KEY，无法签名导出；"
                "请先运行 bangban audit keygen 生成密钥对并配置"
            )
        checkpoint = make_checkpoint(chunk_size=chunk_size)
        signed = "，已 SM2 签名" if checkpoint.signature else "（未配置签名密钥，未签名）"
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成检查点 #{checkpoint.pk}：{checkpoint.case_count} 个办件、"
                f"{checkpoint.event_count} 个事件{signed}"
            )
        )
        if export:
            path = export_checkpoint(checkpoint, export)
            self.stdout.write(
                self.style.SUCCESS(f"已导出到 {path}；请将其归档到数据库管理者无法改写之处")
            )

    def _rechain(self, *, chunk_size, dry_run, **_):
        report = rechain(dry_run=dry_run, chunk_size=chunk_size)
        for problem in report.refused:
            self.stdout.write(self.style.ERROR(str(problem)))
        if report.resealed and not dry_run and not report.refused:
            checkpoint = make_checkpoint(chunk_size=chunk_size)
            self.stdout.write(
                f"已生成新的检查点 #{checkpoint.pk}（此前的检查点对重新封存的办件只核对事件数）；"
                "请用 bangban audit checkpoint --export 导出并归档"
            )
        if report.refused:
            raise CommandError(report.summary)
        self.stdout.write(self.style.SUCCESS(report.summary))

    def _keygen(self, **_):
        private_key, public_key = signing.generate_keypair()
        self.stdout.write(
            "新的 SM2 密钥对（私钥只放在生成检查点的服务器上；公钥可随归档文件保存）："
        )
        self.stdout.write(f"BANGBAN_AUDIT_SIGNING_KEY={private_key}")
        self.stdout.write(f"BANGBAN_AUDIT_PUBLIC_KEY={public_key}")


def signing_configured() -> bool:
    from bangban.cases.sealing import signing_key

    return bool(signing_key())
