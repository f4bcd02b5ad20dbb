"""Clients (服务对象): natural persons and organisations.

ID numbers, credit codes, phone numbers and addresses are stored encrypted, found by a
keyed hash and shown masked (see ``pii.py``). Reading one in full goes through
``bangban.cases.clients.client_reveal``, which records who looked and why.
"""

from django.db import models

from . import pii


class ClientKind(models.TextChoices):
    PERSON = "person", "自然人"
    ORGANISATION = "organisation", "法人或其他组织"


class Client(models.Model):
    kind = models.CharField("类型", max_length=12, choices=ClientKind.choices)
    name = models.CharField("姓名或名称", max_length=200)
    # 居民身份证 for a person, 统一社会信用代码 for an organisation
    id_number_cipher = models.TextField("证件号码（密文）", blank=True, editable=False)
    id_number_hash = models.CharField(
        "证件号码索引", max_length=64, blank=True, db_index=True, editable=False
    )
    id_number_masked = models.CharField("证件号码", max_length=32, blank=True, editable=False)
    credit_code_override = models.TextField("信用代码校验未通过的确认理由", blank=True)
    mobile_cipher = models.TextField(blank=True, editable=False)
    mobile_hash = models.CharField(
        "手机号索引", max_length=64, blank=True, db_index=True, editable=False
    )
    mobile_masked = models.CharField("手机号码", max_length=20, blank=True, editable=False)
    sms_opt_in = models.BooleanField(
        "接收短信通知",
        default=True,
        help_text="受理、补正、办结等进度短信；服务对象可选择不接收（见 bangban.notifications）",
    )
    address_cipher = models.TextField(blank=True, editable=False)
    address_masked = models.CharField("地址", max_length=200, blank=True, editable=False)
    legal_representative = models.CharField("法定代表人", max_length=50, blank=True)
    contact_person = models.CharField("经办人", max_length=50, blank=True)
    is_elderly = models.BooleanField("老年人", default=False)
    is_disabled = models.BooleanField("残疾人", default=False)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    # Where and by whom the client was first registered: until the client has a case, only
    # staff who may open cases at that site may name it (``bangban.cases.access``).
    registered_site = models.ForeignKey(
        "network.Site",
        verbose_name="登记机构",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    registered_by = models.ForeignKey(
        "staff.StaffMember",
        verbose_name="登记人",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "服务对象"
        verbose_name_plural = "服务对象"
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.id_number_masked or self.mobile_masked}）"

    @property
    def is_priority(self) -> bool:
        return self.is_elderly or self.is_disabled

    @property
    def id_kind(self) -> str:
        return "credit_code" if self.kind == ClientKind.ORGANISATION else "resident_id"

    def set_id_number(self, value: str) -> None:
        self.id_number_cipher, self.id_number_hash, self.id_number_masked = pii.protect(
            self.id_kind, value
        )

    def set_mobile(self, value: str) -> None:
        self.mobile_cipher, self.mobile_hash, self.mobile_masked = pii.protect("mobile", value)

    def set_address(self, value: str) -> None:
        self.address_cipher, _, self.address_masked = pii.protect("address", value)


class RevealField(models.TextChoices):
    ID_NUMBER = "id_number", "证件号码"
    MOBILE = "mobile", "手机号码"
    ADDRESS = "address", "地址"


class PersonalDataAccess(models.Model):
    """Who saw which personal data in full, when and why (a deliberate, recorded action)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="accesses")
    field = models.CharField("字段", max_length=12, choices=RevealField.choices)
    staff = models.ForeignKey("staff.StaffMember", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("查看理由", max_length=200)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("查看时间", auto_now_add=True)

    class Meta:
        verbose_name = "个人信息查看记录"
        verbose_name_plural = "个人信息查看记录"
        indexes = [models.Index(fields=["client", "at"])]


class CorrectionField(models.TextChoices):
    MOBILE = "mobile", "手机号码"
    ADDRESS = "address", "地址"


class ClientCorrection(models.Model):
    """One recorded, reasoned change of a client's mobile or address (the client's history).

    Registering a known ID number again never changes anything; a changed mobile or address
    is corrected here, by a named staff member with a reason. Only masked values are kept:
    the history itself must not become a second copy of the personal data.
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="corrections")
    field = models.CharField("更正项目", max_length=12, choices=CorrectionField.choices)
    old_masked = models.CharField("原信息（脱敏）", max_length=200, blank=True)
    new_masked = models.CharField("新信息（脱敏）", max_length=200)
    reason = models.CharField("更正理由", max_length=200)
    staff = models.ForeignKey(
        "staff.StaffMember", verbose_name="更正人", on_delete=models.PROTECT, related_name="+"
    )
    site = models.ForeignKey(
        "network.Site", verbose_name="更正机构", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("更正时间", auto_now_add=True)

    class Meta:
        verbose_name = "服务对象信息更正记录"
        verbose_name_plural = "服务对象信息更正记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["client", "at"])]

    def __str__(self) -> str:
        return f"{self.client.name}：{self.get_field_display()}更正"
