"""``bangban pii_erase``: erase the personal data of cases kept for their timeline
(crypto-shredding): the delivery address and recipient, and the personal answers of the
一表申请 (法定代表人, 身份证号, 联系电话, 经营场所 …).

``--case NUMBER`` (repeatable) or ``--client ID`` (every case of that client), with
``--reason``. The ciphertexts and each case's digest keys are destroyed; the hash-chained
events are not touched, so ``bangban audit verify`` still passes. See docs/operations.md.
"""

from django.core.management.base import BaseCommand, CommandError

from bangban.cases import application_sealing, delivery
from bangban.cases.models import Case


class Command(BaseCommand):
    help = (
        "按删除请求删除办件的结果交付地址和领取人、一表申请中的个人信息"
        "（销毁密文，不影响哈希链校验）"
    )

    def add_arguments(self, parser):
        parser.add_argument("--case", action="append", default=[], help="办件编号，可重复")
        parser.add_argument("--client", type=int, help="服务对象序号：删除其全部办件的个人信息")
        parser.add_argument("--reason", required=True, help="删除理由，如：服务对象申请删除")

    def handle(self, *args, case, client, reason, **options):
        if not reason.strip():
            raise CommandError("请填写删除理由")
        if not case and client is None:
            raise CommandError("请指定 --case 办件编号 或 --client 服务对象序号")
        cases = list(Case.objects.filter(number__in=case)) if case else []
        missing = set(case) - {c.number for c in cases}
        if missing:
            raise CommandError("找不到办件：" + "、".join(sorted(missing)))
        if client is not None:
            cases += list(Case.objects.filter(client_id=client).exclude(number__in=case))
        erased = []
        for c in cases:
            what = []
            if delivery.erase_case(c, reason.strip()):
                what.append("交付地址和领取人")
            if application_sealing.erase_case(c, reason.strip()):
                what.append("一表申请中的个人信息")
            if what:
                erased.append(c.number)
                self.stdout.write(f"已删除 {c.number} 的" + "、".join(what))
        self.stdout.write(
            self.style.SUCCESS(f"共 {len(cases)} 件办件，删除了 {len(erased)} 件的个人信息")
        )
