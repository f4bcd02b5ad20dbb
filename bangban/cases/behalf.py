"""A family member applies online for a registered relative (issue 14, item 8).

A son signs in to the portal with his own phone and applies for his mother, who is
registered under hers. The case is the mother's (its client, its actor); this row records
who applied on her behalf: the son's name, his relation to her and his mobile (encrypted,
found by its keyed hash, shown masked), so that he can follow the case he applied for and
staff can see who to call.

Her consent is the form acceptance needs anyway (代办服务委托书 or 帮办申请表), confirmed
through the one confirmation service (``bangban.documents.confirmations``): the code goes
to her registered mobile, never to his. Until she confirms, the case cannot be accepted.

The model lives here (imported by ``models.py``) and imports nothing of the core's models:
the rest of the core need not know of it.
"""

from __future__ import annotations

from django.db import models

from bangban.clients import pii


class Relation(models.TextChoices):
    CHILD = "child", "子女"
    SPOUSE = "spouse", "配偶"
    GRANDCHILD = "grandchild", "孙子女、外孙子女"
    SIBLING = "sibling", "兄弟姐妹"
    OTHER = "other", "其他近亲属"


class ApplicationOnBehalf(models.Model):
    """Who applied online for the case's client, and how they are related."""

    case = models.OneToOneField(
        "cases.Case", verbose_name="办件", on_delete=models.PROTECT, related_name="on_behalf"
    )
    applicant_name = models.CharField("代为申请人", max_length=50)
    relation = models.CharField("与服务对象关系", max_length=12, choices=Relation.choices)
    applicant_mobile_cipher = models.TextField(blank=True, editable=False)
    applicant_mobile_hash = models.CharField(
        "代为申请人手机号索引", max_length=64, db_index=True, editable=False
    )
    applicant_mobile_masked = models.CharField("代为申请人手机号码", max_length=20, editable=False)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)

    class Meta:
        app_label = "cases"
        verbose_name = "家属代为申请记录"
        verbose_name_plural = "家属代为申请记录"

    def __str__(self) -> str:
        return f"{self.applicant_name}（{self.get_relation_display()}）代为申请"

    @property
    def label(self) -> str:
        """How staff and messages name the applicant: 张三（子女，手机 138****0000）."""
        return (
            f"{self.applicant_name}（{self.get_relation_display()}，"
            f"手机 {self.applicant_mobile_masked}）"
        )


def behalf_record(*, case, applicant_name: str, relation: str, mobile: str) -> ApplicationOnBehalf:
    """Record that ``case`` was applied for by a family member with the proven ``mobile``."""
    cipher, lookup, masked = pii.protect("mobile", mobile)
    return ApplicationOnBehalf.objects.create(
        case=case,
        applicant_name=applicant_name.strip()[:50],
        relation=relation if relation in Relation.values else Relation.OTHER,
        applicant_mobile_cipher=cipher,
        applicant_mobile_hash=lookup,
        applicant_mobile_masked=masked,
    )


def applied_for_by(number: str, mobile_hashes: list[str]) -> ApplicationOnBehalf | None:
    """The on-behalf record of case ``number`` made from one of these mobile hashes, if any."""
    hashes = [h for h in mobile_hashes if h]
    if not hashes:
        return None
    return (
        ApplicationOnBehalf.objects.select_related("case__client")
        .filter(case__number=number, applicant_mobile_hash__in=hashes)
        .first()
    )
