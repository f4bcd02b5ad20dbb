"""Issued documents (文书), the letterhead a centre prints them under, and SMS codes.

A ``CaseDocument`` is written once. At issue it gets its number and ``fields``, a snapshot
of everything printed on it (so later changes to the case or the letterhead never alter
it); the PDF rendered from that snapshot is stored once, with its SHA-256, right after the
transaction commits (or on first download, whichever is first). After that nothing
changes: a correction is a new version of the same series that references the old one.
"""

from __future__ import annotations

from django.db import models

from .kinds import KIND_LABELS


class DocumentImmutable(Exception):
    pass


def _choices(labels: dict) -> list[tuple[str, str]]:
    return [(str(key), label) for key, label in labels.items()]


class CaseDocument(models.Model):
    case = models.ForeignKey(
        "cases.Case", verbose_name="办件", on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField("文书", max_length=30, choices=_choices(KIND_LABELS))
    number = models.CharField("编号", max_length=48, unique=True)
    series = models.CharField("原始编号", max_length=40, db_index=True)
    version = models.PositiveSmallIntegerField("版本", default=1)
    supersedes = models.OneToOneField(
        "self",
        verbose_name="替代",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    reason = models.CharField("出具或更正原因", max_length=200, blank=True)
    fields = models.JSONField("填写内容", default=dict)
    confirmation = models.ForeignKey(
        "cases.Confirmation",
        verbose_name="所附签字确认",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    file = models.FileField("PDF", upload_to="documents/%Y/", blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    rendered_at = models.DateTimeField("生成时间", null=True, blank=True)
    issued_at = models.DateTimeField("出具时间", auto_now_add=True)
    issued_by = models.ForeignKey(
        "staff.StaffMember",
        verbose_name="出具人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    event = models.ForeignKey(
        "cases.CaseEvent",
        verbose_name="办件事件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )

    class Meta:
        verbose_name = "文书"
        verbose_name_plural = "文书"
        ordering = ["issued_at", "id"]
        indexes = [models.Index(fields=["case", "kind"])]

    def __str__(self) -> str:
        return f"{self.number} {self.label}"

    @property
    def label(self) -> str:
        return self.fields.get("title") or KIND_LABELS.get(self.kind, self.kind)

    @property
    def is_rendered(self) -> bool:
        return bool(self.sha256)

    def save(self, *args, **kwargs):
        # The PDF, its digest and the event link are filled once through
        # ``services`` with conditional UPDATEs; the record itself never changes.
        if not self._state.adding:
            raise DocumentImmutable("文书出具后不可修改，更正请出具新版本")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DocumentImmutable("文书不可删除")


class Letterhead(models.Model):
    """What a centre prints at the top and bottom of its forms; the nearest one up the tree
    from the case's site applies, so a county sets it once for every town and village."""

    site = models.OneToOneField(
        "network.Site", verbose_name="服务机构", on_delete=models.CASCADE, related_name="letterhead"
    )
    title = models.CharField(
        "抬头", max_length=100, blank=True, help_text="留空则用服务机构名称，如“示范县政务服务中心”"
    )
    subtitle = models.CharField(
        "副标题或品牌", max_length=100, blank=True, help_text="如“帮吾办”帮办代办服务"
    )
    logo = models.ImageField(
        "标志", upload_to="letterheads/", blank=True, help_text="PNG 或 JPG，印在抬头左侧"
    )
    footer = models.CharField(
        "页脚", max_length=200, blank=True, help_text="留空则印服务机构地址、电话和投诉电话"
    )
    public_url = models.URLField(
        "公众查询网址",
        blank=True,
        help_text="二维码打开的进度查询页所在网址，如 https://zwfw.example.gov.cn；留空则用系统默认",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "文书抬头"
        verbose_name_plural = "文书抬头"

    def __str__(self) -> str:
        return self.title or str(self.site)


class FormWording(models.Model):
    """A centre's own wording for one form; blank fields keep the standard text."""

    letterhead = models.ForeignKey(Letterhead, on_delete=models.CASCADE, related_name="wordings")
    kind = models.CharField("文书", max_length=30, choices=_choices(KIND_LABELS))
    title = models.CharField("标题", max_length=100, blank=True)
    intro = models.TextField("开头段落", blank=True, help_text="替换标准的开头说明")
    clauses = models.TextField(
        "条款", blank=True, help_text="每行一条，替换标准条款（承诺、职责、须知等）"
    )
    remark = models.TextField("备注", blank=True, help_text="印在表格下方")

    class Meta:
        verbose_name = "文书措辞"
        verbose_name_plural = "文书措辞"
        constraints = [
            models.UniqueConstraint(fields=["letterhead", "kind"], name="form_wording_unique")
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class ConfirmationCode(models.Model):
    """A one-time code sent to the client's mobile to confirm a form (6 digits, hashed)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    form = models.CharField("文书", max_length=30)
    signer = models.CharField("确认人", max_length=50)
    phone_masked = models.CharField("发送至", max_length=20)
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    sent_at = models.DateTimeField("发送时间", auto_now_add=True)
    expires_at = models.DateTimeField("有效期至")
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    sent_by = models.ForeignKey(
        "staff.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmation = models.OneToOneField(
        "cases.Confirmation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed = models.BooleanField(default=False, help_text="已使用、已作废或尝试次数用尽")

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"
        indexes = [models.Index(fields=["case", "form", "closed"])]
