from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from bangban.apiauth.models import Scope
from bangban.apiauth.tokens import token_create
from bangban.network.models import Site
from bangban.staff.models import StaffMember


class Command(BaseCommand):
    help = "为工作人员账号创建接口令牌；令牌只显示这一次，数据库只保存其摘要"

    def add_arguments(self, parser):
        parser.add_argument("username", help="工作人员的登录账号，接口以其身份和权限办理")
        parser.add_argument("--name", default="接口对接", help="用途，如：省政务服务平台对接")
        parser.add_argument("--days", type=int, default=None, help="有效天数（默认长期有效）")
        parser.add_argument(
            "--scope",
            choices=[s.value for s in Scope],
            default=Scope.READ.value,
            help="权限范围：read 只读（默认）、write 读写、partner 合作系统",
        )
        parser.add_argument(
            "--site", default=None, help="限定服务机构编码：令牌只能看到该机构及其下级机构的办件"
        )

    def handle(self, *args, username, name, days, scope, site, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"账号不存在：{username}")
        staff = StaffMember.objects.filter(user=user).first()
        if staff is None or not staff.is_active or not user.is_active:
            raise CommandError(f"账号 {username} 不是在岗工作人员，不能创建接口令牌")
        tied = None
        if site:
            tied = Site.objects.filter(code=site).first()
            if tied is None:
                raise CommandError(f"服务机构不存在：{site}")
        token, raw = token_create(staff=staff, name=name, days=days, scope=scope, site=tied)
        self.stdout.write(raw)
        where = f"，限定{tied.name}" if tied else ""
        self.stderr.write(
            f"已为 {staff.name} 创建{token.get_scope_display()}令牌“{token.name}”"
            f"（前缀 {token.prefix}{where}）。"
            "令牌只显示这一次，请立即保存；调用时使用请求头 Authorization: Bearer <令牌>"
        )
