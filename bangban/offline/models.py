"""The records a village station made offline and the server has taken (the idempotency table).

A record the station's outbox sends carries a key it made when the record was made. The first
time a key is taken, the record's writes and this row commit together; a retry of the same key
(the answer lost on a weak link, the batch sent twice) finds the row and gets the same answer,
writing nothing. Keys are per staff member: one agent's keys never answer another's.
Refused and conflicting records leave no row, so the agent can correct or resolve them and
send them again under the same key.
"""

from django.db import models


class OfflineKind(models.TextChoices):
    CONSULTATION = "consultation", "咨询登记"
    CLIENT = "client", "服务对象登记"
    CASE = "case", "办件草稿"
    PHOTO = "photo", "材料照片"
    REVIEW = "review", "预审材料"


class OfflineRecord(models.Model):
    staff = models.ForeignKey(
        "staff.StaffMember", verbose_name="工作人员", on_delete=models.PROTECT, related_name="+"
    )
    key = models.CharField("幂等键", max_length=64)
    kind = models.CharField("类型", max_length=16, choices=OfflineKind.choices)
    made_at = models.DateTimeField("离线记录时间")
    synced_at = models.DateTimeField("同步时间", auto_now_add=True)
    # what the station is told again on a retry: ids of what was written, a label, a link
    result = models.JSONField("同步结果", default=dict)

    class Meta:
        verbose_name = "离线记录"
        verbose_name_plural = "离线记录"
        constraints = [
            models.UniqueConstraint(fields=["staff", "key"], name="offline_record_once_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}"
