"""What the public portal keeps of its own: sign-in codes, the client's choice of how to
receive the result, and a log of uploaded files. Appointments, time slots and home-visit
requests are the visits area's (``bangban.visits.models``).

Phone numbers and addresses are personal data: stored encrypted with a lookup hash and a
mask (``clients.pii``), as on ``clients.Client``. Sign-in codes are stored hashed only.
"""

from django.db import models

from bangban.cases.workflow import DELIVERY_METHODS


class LoginCode(models.Model):
    """A one-time code sent by SMS: to sign in (demo identity, see identity.py) or to confirm
    a form online. ``purpose`` keeps the two apart: a sign-in code confirms nothing."""

    purpose = models.CharField(max_length=60, default="login")
    mobile_hash = models.CharField(max_length=64)
    code_hash = models.CharField(max_length=64)
    ip_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"
        indexes = [
            models.Index(fields=["mobile_hash", "purpose", "created_at"]),
            models.Index(fields=["ip_hash", "created_at"]),
        ]


class DeliveryChoice(models.Model):
    """How the client wants to receive the result (当面领取、邮寄、电子证照), chosen online.

    The agent records the actual delivery with the ``deliver`` event; this is the wish.
    """

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="delivery_choice"
    )
    method = models.CharField(
        "领取方式", max_length=12, choices=[(str(k), v) for k, v in DELIVERY_METHODS.items()]
    )
    address_cipher = models.TextField(blank=True, editable=False)
    address_masked = models.CharField("邮寄地址", max_length=200, blank=True, editable=False)
    chosen_at = models.DateTimeField("选择时间", auto_now=True)

    class Meta:
        verbose_name = "结果领取方式"
        verbose_name_plural = "结果领取方式"


class MaterialUpload(models.Model):
    """Every file a client uploaded for a material: what, how big, its digest, when."""

    material = models.ForeignKey(
        "cases.CaseMaterial", on_delete=models.CASCADE, related_name="uploads"
    )
    stored_name = models.CharField("存储文件名", max_length=200)
    kind = models.CharField("文件类型", max_length=10)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "材料上传记录"
        verbose_name_plural = "材料上传记录"
        ordering = ["-uploaded_at", "-id"]
