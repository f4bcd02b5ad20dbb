"""The three-level service network: county centre → town centres → village stations.

Each site stores a materialised ``path`` (its ancestors' ids and its own) so that "this
site and everything below it" is one indexed prefix filter, whatever the size of the tree.
"""

from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class SiteLevel(models.TextChoices):
    COUNTY = "county", "政务服务中心"
    TOWN = "town", "便民服务中心"
    VILLAGE = "village", "便民服务站"


PARENT_LEVEL = {
    SiteLevel.COUNTY: None,
    SiteLevel.TOWN: SiteLevel.COUNTY,
    SiteLevel.VILLAGE: SiteLevel.TOWN,
}


def under_q(paths: str | Iterable[str], field: str = "") -> Q:
    """The rows whose site is one of these sites or below one: a prefix test on ``path``
    per path (indexed). ``field`` is the lookup from the rows to their site (``"site"``,
    ``"case__site"``); empty for sites themselves. No paths: no rows.

    The one way to say "this site and its subtree" in a query; ``Site.objects.under`` and
    ``StaffMember.covered_paths`` are built on it.
    """
    paths = [paths] if isinstance(paths, str) else list(paths)
    lookup = f"{field}__path__startswith" if field else "path__startswith"
    rules = [Q(**{lookup: path}) for path in paths]
    return reduce(or_, rules) if rules else Q(pk__in=[])


class SiteQuerySet(models.QuerySet):
    def under(self, paths: str | Iterable[str]):
        """The sites with these paths and every site below them (``under_q``)."""
        paths = [paths] if isinstance(paths, str) else list(paths)
        return self.filter(under_q(paths)) if paths else self.none()


class Site(models.Model):
    name = models.CharField("名称", max_length=100)
    code = models.CharField("机构编码", max_length=32, unique=True)
    level = models.CharField("层级", max_length=10, choices=SiteLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField("层级路径", max_length=64, editable=False, db_index=True, default="")
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=40, blank=True)
    opening_hours = models.CharField(
        "办公时间", max_length=200, blank=True, default="周一至周五 9:00-12:00，13:30-17:00"
    )
    service_area = models.CharField(
        "帮办代办区", max_length=200, blank=True, help_text="帮办代办窗口或区域位置"
    )
    complaint_phone = models.CharField("投诉电话", max_length=40, blank=True)
    is_active = models.BooleanField("启用", default=True)

    objects = SiteQuerySet.as_manager()

    class Meta:
        verbose_name = "服务机构"
        verbose_name_plural = "服务机构"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        expected = PARENT_LEVEL[SiteLevel(self.level)]
        if expected is None and self.parent_id:
            raise ValidationError({"parent": "政务服务中心不设上级机构"})
        if expected is not None and (self.parent is None or self.parent.level != expected):
            raise ValidationError(
                {"parent": f"{self.get_level_display()}的上级必须是{expected.label}"}
            )

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        path = f"{self.parent.path}{self.pk}/" if self.parent_id else f"{self.pk}/"
        if path != self.path:
            self.path = path
            Site.objects.filter(pk=self.pk).update(path=path)

    @property
    def county(self) -> "Site":
        site = self
        while site.parent_id:
            site = site.parent
        return site

    def subtree(self):
        """This site and every site below it."""
        return Site.objects.under(self.path)

    def lineage_paths(self) -> list[str]:
        """The paths of this site and of every site above it, the county's first."""
        parts = [part for part in self.path.split("/") if part]
        return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


class Department(models.Model):
    """审批部门: the authority that decides a matter, attached to the county centre."""

    name = models.CharField("部门名称", max_length=100)
    code = models.CharField("部门编码", max_length=32, unique=True)
    county = models.ForeignKey(
        Site,
        verbose_name="所属政务服务中心",
        on_delete=models.PROTECT,
        related_name="departments",
        limit_choices_to={"level": SiteLevel.COUNTY},
    )
    phone = models.CharField("联系电话", max_length=40, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "审批部门"
        verbose_name_plural = "审批部门"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
