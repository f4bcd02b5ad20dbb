"""API tokens (接口令牌) that let another government platform call the API as a staff member.

A token belongs to one staff account: the API acts as that person, with that person's
roles and sites, and every case event it causes names that person. A token has a scope
(read: GET only; write: GET and POST; partner: the few reads a partner system needs) and
may be tied to a site, which narrows what it sees to that site and the sites below it. Only the SHA-256 of a
token is stored; the token itself is shown once, when it is created (admin or
``manage.py api_token_create``), and cannot be read back. Tokens are revoked, never deleted,
so that the record of which system held which token stays.
"""

from django.db import models
from django.utils import timezone


class Scope(models.TextChoices):
    """What a token may do (``security.BearerToken`` enforces it, see docs/integration.md §1)."""

    READ = "read", "只读（只能查询，GET）"
    WRITE = "write", "读写（查询和办理，GET 和 POST）"
    PARTNER = "partner", "合作系统（只能查询所属机构的办件、办件的文书，以及事项目录和服务机构）"


class ApiToken(models.Model):
    staff = models.ForeignKey(
        "staff.StaffMember",
        verbose_name="所属工作人员",
        on_delete=models.PROTECT,
        related_name="api_tokens",
        help_text="接口以该工作人员的身份和权限办理",
    )
    name = models.CharField("用途", max_length=100, help_text="如：省一体化政务服务平台对接")
    scope = models.CharField(
        "权限范围",
        max_length=10,
        choices=Scope.choices,
        default=Scope.READ,
        help_text="只读令牌只能查询；读写令牌可以办理；合作系统令牌只能使用合作系统所需的查询接口",
    )
    site = models.ForeignKey(
        "network.Site",
        verbose_name="限定服务机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="选定后，令牌只能看到该服务机构及其下级机构的办件和服务对象，"
        "即使所属工作人员负责的范围更大；留空则与所属工作人员相同",
    )
    prefix = models.CharField("令牌前缀", max_length=12, editable=False)
    key_hash = models.CharField("令牌摘要", max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField(
        "失效时间", null=True, blank=True, help_text="留空表示长期有效"
    )
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
