"""API tokens (接口令牌) that let another government platform call the API as a staff member.

A token belongs to one staff account: the API acts as that person, with that person's
roles and sites, and every case event it causes names that person. Only the SHA-256 of a
token is stored; the token itself is shown once, when it is created (admin or
``manage.py api_token_create``), and cannot be read back. Tokens are revoked, never deleted,
so that the record of which system held which token stays.
"""

from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    staff = models.ForeignKey(
        "staff.StaffMember",
        verbose_name="所属工作人员",
        on_delete=models.PROTECT,
        related_name="api_tokens",
        help_text="接口以该工作人员的身份和权限办理",
    )
    name = models.CharField("用途", max_length=100, help_text="如：省一体化政务服务平台对接")
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
