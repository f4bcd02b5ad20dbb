"""What administrators enter about the holiday calendar.

``chinesecalendar`` knows the official schedule only for the years it was released with.
For later years (and for local closures) an administrator enters each holiday and make-up
working day as a ``HolidayOverride``, then records the year as a ``CalendarYear`` to say
the year's schedule is complete, which silences the "not yet entered" warning.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from .rules import DayOverride

DAY_ARRANGEMENTS = [(False, "放假"), (True, "调休上班")]


class HolidayOverride(models.Model):
    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField(
        "安排",
        choices=DAY_ARRANGEMENTS,
        default=False,
        help_text="放假：当天不计工作日；调休上班：当天计为工作日（包括周末调休）。",
    )
    name = models.CharField(
        "名称", max_length=50, help_text="如“元旦”“春节”；调休上班填写所调的节日。"
    )
    note = models.TextField("备注", blank=True, help_text="如国务院办公厅通知的文号。")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "节假日调整"
        verbose_name_plural = "节假日调整"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}（{self.get_is_workday_display()}）"

    def as_rule(self) -> DayOverride:
        return DayOverride(is_workday=self.is_workday, name=self.name)


class CalendarYear(models.Model):
    """A year whose whole official schedule an administrator has entered."""

    year = models.PositiveSmallIntegerField(
        "年份",
        unique=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
    )
    note = models.TextField("备注", blank=True, help_text="如国务院办公厅通知的标题和文号。")
    entered_at = models.DateTimeField(
        "录入时间", auto_now_add=True, help_text="管理员已录入该年全部节假日安排"
    )

    class Meta:
        verbose_name = "已录入年度"
        verbose_name_plural = "已录入年度"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年"
