"""The client's material vault (材料库): what was verified once, reused on later cases.

A ``VaultMaterial`` is one document of a client, of a shared kind (``catalogue.MaterialKind``),
with its trust level (A 电子证照, B 窗口核验原件, C 服务对象上传, D 告知承诺), who verified it
and when, how long it is valid and the case it came from. Its file, if any, is stored
encrypted (``files.py``). It is kept only while the client has consented (``VaultConsent``),
and offered on the client's next cases whose checklists ask for the same kind; each reuse is
a ``VaultUse`` (which case used it, for which of its materials, by whom, when).

Consent is a record of its own, not a flag on the client: when and how it was given (on the
portal, or signed at the window and recorded by staff), and when it was withdrawn. Withdrawal
deletes every kept file; the rows stay without them, so the fact that a case was
pre-reviewed with a material (its ``VaultUse`` and the hash-chained ``pre_review`` event)
is never lost.
"""

from __future__ import annotations

from datetime import date

from django.db import models


class TrustLevel(models.TextChoices):
    A = "A", "A 电子证照"
    B = "B", "B 窗口核验原件"
    C = "C", "C 服务对象上传"
    D = "D", "D 告知承诺"


# The order an offer is made in: the most trusted first.
LEVEL_ORDER = {TrustLevel.A: 0, TrustLevel.B: 1, TrustLevel.C: 2, TrustLevel.D: 3}


class VaultState(models.TextChoices):
    ACTIVE = "active", "有效"
    EXPIRED = "expired", "已过期"
    REVOKED = "revoked", "已撤销"
    WITHDRAWN = "withdrawn", "已撤回"


class ConsentChannel(models.TextChoices):
    PORTAL = "portal", "网上同意"
    WINDOW = "window", "窗口签字同意"


class VaultConsent(models.Model):
    """The client's consent to keep verified materials for reuse; the newest row decides."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="vault_consents"
    )
    channel = models.CharField("同意方式", max_length=10, choices=ConsentChannel.choices)
    given_at = models.DateTimeField("同意时间")
    recorded_by = models.ForeignKey(
        "staff.StaffMember",
        verbose_name="记录人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)

    class Meta:
        verbose_name = "材料库授权"
        verbose_name_plural = "材料库授权"
        ordering = ["-given_at", "-id"]

    def __str__(self) -> str:
        return f"{self.client} {self.get_channel_display()}"


class CommitmentCheck(models.TextChoices):
    VERIFIED = "verified", "核查属实"
    FALSE = "false", "虚假承诺"


class VaultMaterial(models.Model):
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="vault_materials"
    )
    kind = models.ForeignKey(
        "catalogue.MaterialKind",
        verbose_name="材料种类",
        on_delete=models.PROTECT,
        related_name="+",
    )
    level = models.CharField("可信等级", max_length=1, choices=TrustLevel.choices)
    state = models.CharField(
        "状态", max_length=10, choices=VaultState.choices, default=VaultState.ACTIVE
    )
    # level A: the electronic licence, checked against the licence lookup (``licences``)
    licence_type = models.CharField("证照类型", max_length=60, blank=True)
    licence_number_cipher = models.TextField(blank=True, editable=False)
    licence_number_masked = models.CharField("证照编号", max_length=60, blank=True)
    licence_issuer = models.CharField("发证机关", max_length=100, blank=True)
    verified_by = models.ForeignKey(
        "staff.StaffMember",
        verbose_name="核验人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_by_name = models.CharField("核验人", max_length=50, blank=True)
    verified_at = models.DateTimeField("核验时间")
    valid_until = models.DateField("有效期至", null=True, blank=True)
    source_case = models.ForeignKey(
        "cases.Case",
        verbose_name="来源办件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source_material = models.ForeignKey(
        "cases.CaseMaterial", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # the encrypted file (``files.py``); blank without one, or once withdrawn
    stored_name = models.CharField("存储文件名", max_length=200, blank=True, editable=False)
    file_type = models.CharField("文件类型", max_length=10, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    # level D (告知承诺): signed on its case's confirmation, never offered elsewhere; checked
    # later by the coordinator (``commitment_check``): due on ``check_due``
    check_due = models.DateField("核查期限", null=True, blank=True)
    check_result = models.CharField(
        "核查结果", max_length=10, choices=CommitmentCheck.choices, blank=True
    )
    checked_at = models.DateTimeField("核查时间", null=True, blank=True)
    checked_by = models.ForeignKey(
        "staff.StaffMember",
        verbose_name="核查人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    check_note = models.CharField("核查说明", max_length=200, blank=True)
    created_at = models.DateTimeField("入库时间", auto_now_add=True)
    ended_at = models.DateTimeField("撤销或撤回时间", null=True, blank=True)
    end_reason = models.CharField("撤销原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "材料库材料"
        verbose_name_plural = "材料库材料"
        ordering = ["kind__position", "-verified_at", "-id"]
        indexes = [
            models.Index(fields=["client", "kind", "state"], name="vault_client_kind"),
            models.Index(
                fields=["level", "check_result", "check_due"], name="vault_commitment_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind.name}（{self.get_level_display()}）"

    def state_on(self, today: date) -> str:
        """The state as of ``today``: an active material past its validity is expired."""
        if self.state == VaultState.ACTIVE and self.valid_until and self.valid_until < today:
            return VaultState.EXPIRED
        return self.state

    def state_label_on(self, today: date) -> str:
        return VaultState(self.state_on(today)).label

    @property
    def has_file(self) -> bool:
        return bool(self.stored_name)


class VaultUse(models.Model):
    """A case pre-reviewed one of its materials with a kept one: kept after withdrawal."""

    vault_material = models.ForeignKey(VaultMaterial, on_delete=models.PROTECT, related_name="uses")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    case_material = models.ForeignKey(
        "cases.CaseMaterial", on_delete=models.PROTECT, related_name="vault_uses"
    )
    used_by = models.ForeignKey(
        "staff.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    used_at = models.DateTimeField("复用时间")

    class Meta:
        verbose_name = "材料复用记录"
        verbose_name_plural = "材料复用记录"
        ordering = ["-used_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["vault_material", "case_material"], name="vault_use_once_per_material"
            )
        ]
