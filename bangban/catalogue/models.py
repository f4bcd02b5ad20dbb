"""The item catalogue (事项清单): service items, their versioned guides, materials and bundles.

A service guide (办事指南) changes over time, but a case must keep the guide it was opened
under. So the guide lives on ``ItemVersion``: drafts are edited freely, a published version
is frozen, and publishing a new version retires the previous one. ``ServiceItem`` holds
what does not change with the guide (code, name, category, department, search words) and
points at its current published version. Bundles (一件事) are versioned the same way.

Writes that move a version between states go through ``services.py``; the guards below
only make sure nothing else can edit a frozen version by accident.
"""

import re
import uuid

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse

from bangban.network.models import Department, Site

from .rules import guide_problems

FROZEN_MESSAGE = "已发布或已停用的版本不可修改；如需调整，请生成新版本草稿。"
# Fields a service may still write on a frozen version (publish → retire).
STATE_FIELDS = {"status", "retired_at"}


class CatalogueVersion(models.Model):
    """One row whose token every write to what the public catalogue pages show replaces.

    The item search's index and the cached item pages are keyed by it (``search``,
    ``views``). It is replaced in the writer's own transaction, after the write, by the
    signals at the end of this module (every save and delete of the catalogue's models, of
    sites and departments, and changes to a version's sites or an entry's prerequisites)
    and by ``CatalogueQuerySet`` (``update``, ``bulk_create``, ``bulk_update``). A token,
    not a counter: a rolled-back write's number would come back with other data, a random
    token never does, and a database restored from a backup never meets its old pages.
    """

    token = models.CharField("版本标记", max_length=32)
    changed_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "事项清单版本"
        verbose_name_plural = "事项清单版本"


VERSION_ROW = 1


def catalogue_changed() -> None:
    """Give the catalogue a new version (call after a write the signals do not see)."""
    token = uuid.uuid4().hex
    if not CatalogueVersion.objects.filter(pk=VERSION_ROW).update(token=token):
        CatalogueVersion.objects.update_or_create(pk=VERSION_ROW, defaults={"token": token})


def catalogue_version() -> str | None:
    """The catalogue's current version token; None if the row is missing (then cache nothing).

    A raw query: it runs on every public search, and building it costs more than running it.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT token FROM {CatalogueVersion._meta.db_table} WHERE id = %s", [VERSION_ROW]
        )
        row = cursor.fetchone()
    return row[0] if row else None


class CatalogueQuerySet(models.QuerySet):
    """A queryset whose bulk writes, which send no signals, also replace the version."""

    def update(self, **kwargs) -> int:
        rows = super().update(**kwargs)
        if rows:
            catalogue_changed()
        return rows

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        if created:
            catalogue_changed()
        return created

    def bulk_update(self, objs, *args, **kwargs) -> int:
        rows = super().bulk_update(objs, *args, **kwargs)
        if rows:
            catalogue_changed()
        return rows


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    RETIRED = "retired", "已停用"


class Channel(models.TextChoices):
    WINDOW = "window", "窗口"
    ONLINE = "online", "网上"
    KIOSK = "kiosk", "自助终端"
    MOBILE = "mobile", "掌上"
    HOME_VISIT = "home_visit", "上门"


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", "原件"
    COPY = "copy", "复印件"
    ORIGINAL_AND_COPY = "original_and_copy", "原件及复印件"


class ItemCategory(models.Model):
    objects = CatalogueQuerySet.as_manager()

    code = models.SlugField("类别编码", max_length=40, unique=True)
    name = models.CharField("类别名称", max_length=50)
    position = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "事项类别"
        verbose_name_plural = "事项类别"
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class ServiceItem(models.Model):
    objects = CatalogueQuerySet.as_manager()

    code = models.CharField("事项编码", max_length=32, unique=True, help_text="如 SCJG-001")
    name = models.CharField("事项名称", max_length=200)
    category = models.ForeignKey(
        ItemCategory, verbose_name="事项类别", on_delete=models.PROTECT, related_name="items"
    )
    department = models.ForeignKey(
        Department, verbose_name="审批部门", on_delete=models.PROTECT, related_name="items"
    )
    keywords = models.TextField(
        "关键词", blank=True, help_text="群众常用的说法，用空格或逗号分隔，如：开饭店 开餐馆 办执照"
    )
    current_version = models.ForeignKey(
        "ItemVersion",
        verbose_name="当前发布版本",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    is_published = models.BooleanField("已发布", default=False, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "政务服务事项"
        verbose_name_plural = "政务服务事项"
        ordering = ["code"]
        indexes = [
            models.Index(fields=["is_published", "code"], name="catalogue_item_pub_code"),
            models.Index(fields=["category", "is_published"], name="catalogue_item_cat_pub"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def get_absolute_url(self) -> str:
        return reverse("catalogue:item-detail", args=[self.code])


class ItemVersion(models.Model):
    objects = CatalogueQuerySet.as_manager()

    item = models.ForeignKey(
        ServiceItem, verbose_name="事项", on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField("版本号", editable=False)
    status = models.CharField(
        "状态",
        max_length=10,
        choices=VersionStatus.choices,
        default=VersionStatus.DRAFT,
        editable=False,
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True, editable=False)
    retired_at = models.DateTimeField("停用时间", null=True, blank=True, editable=False)

    legal_basis = models.TextField("设定依据", blank=True)
    conditions = models.TextField("受理条件", blank=True)
    process = models.TextField("办理流程", blank=True)
    fees = models.TextField("收费标准", default="不收费")
    statutory_limit_days = models.PositiveSmallIntegerField("法定时限（工作日）")
    promised_limit_days = models.PositiveSmallIntegerField("承诺时限（工作日）")
    is_immediate = models.BooleanField(
        "即办件", default=False, help_text="即办件当场办结；否则为承诺件"
    )
    channels = models.JSONField("办理渠道", default=list, blank=True)
    offers_assist = models.BooleanField("提供帮办", default=True)
    offers_proxy = models.BooleanField("提供代办", default=True)
    sites = models.ManyToManyField(
        Site,
        verbose_name="提供帮办代办的服务机构",
        blank=True,
        related_name="item_versions",
        help_text="不选表示全部服务机构均可提供",
    )

    class Meta:
        verbose_name = "办事指南版本"
        verbose_name_plural = "办事指南版本"
        ordering = ["item__code", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "number"], name="catalogue_version_number_unique"
            ),
            models.UniqueConstraint(
                fields=["item"],
                condition=models.Q(status="published"),
                name="catalogue_one_published_version",
            ),
            models.UniqueConstraint(
                fields=["item"],
                condition=models.Q(status="draft"),
                name="catalogue_one_draft_version",
            ),
        ]
        indexes = [models.Index(fields=["item", "status"], name="catalogue_version_status")]

    def __str__(self) -> str:
        return f"{self.item.name} 第{self.number}版（{self.get_status_display()}）"

    def get_absolute_url(self) -> str:
        return reverse("catalogue:item-version", args=[self.item.code, self.number])

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    @property
    def channel_labels(self) -> list[str]:
        labels = dict(Channel.choices)
        return [labels.get(code, code) for code in self.channels or []]

    @property
    def service_types_label(self) -> str:
        types = [
            name
            for offered, name in ((self.offers_assist, "帮办"), (self.offers_proxy, "代办"))
            if offered
        ]
        return "、".join(types)

    def is_offered_at(self, site: Site) -> bool:
        """Whether this guide's help is offered at ``site``: no sites listed means everywhere.

        Exact sites, not subtrees: a town listed does not imply its villages.
        """
        listed = [s.pk for s in self.sites.all()]  # uses a prefetch when there is one
        return not listed or site.pk in listed

    def offers_service(self, service_type: str) -> bool:
        """``"assist"`` (帮办) or ``"proxy"`` (代办)."""
        return {"assist": self.offers_assist, "proxy": self.offers_proxy}[service_type]

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        for field, message in guide_problems(
            statutory_limit_days=self.statutory_limit_days,
            promised_limit_days=self.promised_limit_days,
            is_immediate=self.is_immediate,
            channels=self.channels if isinstance(self.channels, list) else None,
            offers_assist=self.offers_assist,
            offers_proxy=self.offers_proxy,
        ):
            errors.setdefault(field, []).append(message)
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            stored = ItemVersion.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored is not None and stored != VersionStatus.DRAFT:
                update_fields = kwargs.get("update_fields")
                if update_fields is None or not set(update_fields) <= STATE_FIELDS:
                    raise ValidationError(FROZEN_MESSAGE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if not self.is_draft:
            raise ValidationError("只能删除草稿版本；已发布或已停用的版本作为历史保留。")
        return super().delete(*args, **kwargs)


class MaterialKind(models.Model):
    """A kind of document shared by every checklist that asks for it (居民身份证, 营业执照 …).

    Checklist entries of different items and departments point to one kind, so a material
    the client handed over once (kept in the client's vault, ``bangban.vault``) can be
    offered on a later case whose checklist needs the same kind. Seeded with the common
    kinds (migration ``seed_material_kinds``); administrators add more in the admin.
    """

    objects = CatalogueQuerySet.as_manager()

    code = models.SlugField("种类编码", max_length=40, unique=True)
    name = models.CharField("材料种类", max_length=50, unique=True)
    electronic = models.BooleanField(
        "有电子证照", default=False, help_text="可由电子证照库核验（证照类型、编号、发证机关）"
    )
    position = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "材料种类"
        verbose_name_plural = "材料种类"
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class Material(models.Model):
    objects = CatalogueQuerySet.as_manager()

    version = models.ForeignKey(
        ItemVersion, verbose_name="指南版本", on_delete=models.CASCADE, related_name="materials"
    )
    position = models.PositiveSmallIntegerField("序号", default=0)
    name = models.CharField("材料名称", max_length=200)
    kind = models.ForeignKey(
        MaterialKind,
        verbose_name="材料种类",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="materials",
        help_text="同一种类的材料可从服务对象的材料库复用",
    )
    required = models.BooleanField("必需", default=True)
    form = models.CharField(
        "材料形式", max_length=20, choices=MaterialForm.choices, default=MaterialForm.ORIGINAL
    )
    copies = models.PositiveSmallIntegerField("份数", default=1)
    accept_with_gaps = models.BooleanField("可容缺受理", default=False)
    # 告知承诺: the client may sign a commitment on screen instead of bringing the document;
    # the case records it as a level D material with a later check (bangban.vault)
    commitment_allowed = models.BooleanField(
        "可告知承诺", default=False, help_text="服务对象可签署告知承诺书代替提交该材料，事后核查"
    )
    blank_form = models.FileField("空白表格", upload_to="catalogue/forms/%Y/", blank=True)
    sample = models.FileField("示例样表", upload_to="catalogue/samples/%Y/", blank=True)
    obtain_from = models.TextField("来源渠道", blank=True, help_text="在哪里、怎样取得这份材料")
    note = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["version", "position", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.copies < 1:
            raise ValidationError({"copies": "份数至少为1"})

    def _check_version_is_draft(self) -> None:
        if not ItemVersion.objects.filter(pk=self.version_id, status=VersionStatus.DRAFT).exists():
            raise ValidationError(FROZEN_MESSAGE)

    def save(self, *args, **kwargs) -> None:
        self._check_version_is_draft()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_version_is_draft()
        return super().delete(*args, **kwargs)


class FieldType(models.TextChoices):
    TEXT = "text", "文字"
    DATE = "date", "日期"
    NUMBER = "number", "数字"


class FieldMask(models.TextChoices):
    """How a printed department form shows the answer (``clients.pii.MASKERS``' keys)."""

    NONE = "", "不遮盖"
    NAME = "name", "姓名"
    MOBILE = "mobile", "手机号码"
    RESIDENT_ID = "resident_id", "身份证号"
    CREDIT_CODE = "credit_code", "统一社会信用代码"
    ADDRESS = "address", "地址"


class FormFieldKind(models.Model):
    """A field of departments' application forms, shared by every form that asks it
    (申请人名称, 统一社会信用代码, 联系电话 …), as ``MaterialKind`` is for materials.

    Item versions list the fields of their own form (``FormField``); for a case of several
    items the fields two forms share are asked once (一表申请, ``catalogue.formfields``) and
    each department's form is filled from that one answer set. Seeded with the common fields
    (migration ``form_field_kinds``); administrators add more in the admin.
    """

    objects = CatalogueQuerySet.as_manager()

    code = models.SlugField("字段编码", max_length=40, unique=True)
    label = models.CharField("字段名称", max_length=50, unique=True)
    type = models.CharField("类型", max_length=8, choices=FieldType.choices, default=FieldType.TEXT)
    pattern = models.CharField(
        "格式（正则表达式）",
        max_length=200,
        blank=True,
        help_text="留空不检查；如手机号码 1\\d{10}",
    )
    pattern_hint = models.CharField(
        "格式说明", max_length=100, blank=True, help_text="格式不符时提示，如：11位手机号码"
    )
    mask = models.CharField(
        "打印时遮盖",
        max_length=12,
        choices=FieldMask.choices,
        default=FieldMask.NONE,
        blank=True,
        help_text="个人信息在部门申请表上遮盖打印",
    )
    help = models.CharField("填写说明", max_length=200, blank=True)
    position = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "申请表字段"
        verbose_name_plural = "申请表字段"
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        if self.pattern:
            try:
                re.compile(self.pattern)
            except re.error:
                raise ValidationError({"pattern": "格式不是有效的正则表达式"}) from None


class FormField(models.Model):
    """One field of an item version's application form, in the form's order."""

    objects = CatalogueQuerySet.as_manager()

    version = models.ForeignKey(
        ItemVersion, verbose_name="指南版本", on_delete=models.CASCADE, related_name="form_fields"
    )
    kind = models.ForeignKey(
        FormFieldKind, verbose_name="字段", on_delete=models.PROTECT, related_name="uses"
    )
    required = models.BooleanField("必填", default=True)
    position = models.PositiveSmallIntegerField("序号", default=0)

    class Meta:
        verbose_name = "申请表字段"
        verbose_name_plural = "申请表字段"
        ordering = ["version", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "kind"], name="catalogue_form_field_unique")
        ]

    def __str__(self) -> str:
        return str(self.kind)

    def _check_version_is_draft(self) -> None:
        if not ItemVersion.objects.filter(pk=self.version_id, status=VersionStatus.DRAFT).exists():
            raise ValidationError(FROZEN_MESSAGE)

    def save(self, *args, **kwargs) -> None:
        self._check_version_is_draft()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_version_is_draft()
        return super().delete(*args, **kwargs)


class Bundle(models.Model):
    """一件事: several items a client needs for one life event, handled together."""

    objects = CatalogueQuerySet.as_manager()

    code = models.CharField("一件事编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    description = models.TextField("说明", blank=True)
    life_event = models.CharField(
        "办事场景", max_length=100, blank=True, help_text="如：开饭店、孩子出生"
    )
    keywords = models.TextField("关键词", blank=True)
    lead_department = models.ForeignKey(
        "network.Department",
        verbose_name="牵头部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="统筹协调这件事各事项办理的部门",
    )
    current_version = models.ForeignKey(
        "BundleVersion",
        verbose_name="当前发布版本",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    is_published = models.BooleanField("已发布", default=False, editable=False)

    class Meta:
        verbose_name = "一件事"
        verbose_name_plural = "一件事"
        ordering = ["code"]
        indexes = [models.Index(fields=["is_published", "code"], name="catalogue_bundle_pub_code")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalogue:bundle-detail", args=[self.code])


class BundleVersion(models.Model):
    objects = CatalogueQuerySet.as_manager()

    bundle = models.ForeignKey(
        Bundle, verbose_name="一件事", on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField("版本号", editable=False)
    status = models.CharField(
        "状态",
        max_length=10,
        choices=VersionStatus.choices,
        default=VersionStatus.DRAFT,
        editable=False,
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True, editable=False)
    retired_at = models.DateTimeField("停用时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "一件事版本"
        verbose_name_plural = "一件事版本"
        ordering = ["bundle__code", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["bundle", "number"], name="catalogue_bundle_version_unique"
            ),
            models.UniqueConstraint(
                fields=["bundle"],
                condition=models.Q(status="published"),
                name="catalogue_one_published_bundle_version",
            ),
            models.UniqueConstraint(
                fields=["bundle"],
                condition=models.Q(status="draft"),
                name="catalogue_one_draft_bundle_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bundle.name} 第{self.number}版（{self.get_status_display()}）"

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            stored = (
                BundleVersion.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            )
            if stored is not None and stored != VersionStatus.DRAFT:
                update_fields = kwargs.get("update_fields")
                if update_fields is None or not set(update_fields) <= STATE_FIELDS:
                    raise ValidationError(FROZEN_MESSAGE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if not self.is_draft:
            raise ValidationError("只能删除草稿版本；已发布或已停用的版本作为历史保留。")
        return super().delete(*args, **kwargs)


class BundleEntry(models.Model):
    objects = CatalogueQuerySet.as_manager()

    bundle_version = models.ForeignKey(
        BundleVersion, verbose_name="一件事版本", on_delete=models.CASCADE, related_name="entries"
    )
    item = models.ForeignKey(
        ServiceItem, verbose_name="事项", on_delete=models.PROTECT, related_name="bundle_entries"
    )
    position = models.PositiveSmallIntegerField("顺序", default=0)
    depends_on = models.ManyToManyField(
        "self",
        verbose_name="前置事项",
        symmetrical=False,
        blank=True,
        related_name="dependents",
        help_text="须先办结的事项（同一版本内）",
    )

    class Meta:
        verbose_name = "一件事包含的事项"
        verbose_name_plural = "一件事包含的事项"
        ordering = ["bundle_version", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["bundle_version", "item"], name="catalogue_bundle_item_unique"
            )
        ]

    def __str__(self) -> str:
        return self.item.name

    def _check_version_is_draft(self) -> None:
        if not BundleVersion.objects.filter(
            pk=self.bundle_version_id, status=VersionStatus.DRAFT
        ).exists():
            raise ValidationError(FROZEN_MESSAGE)

    def save(self, *args, **kwargs) -> None:
        self._check_version_is_draft()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_version_is_draft()
        return super().delete(*args, **kwargs)


def _frozen_pks(model, pks) -> bool:
    return model.objects.filter(pk__in=pks).exclude(status=VersionStatus.DRAFT).exists()


@receiver(m2m_changed, sender=ItemVersion.sites.through)
def _guard_version_sites(sender, instance, action, reverse, pk_set, **kwargs):
    """A published version's sites are frozen too, from whichever side they are changed."""
    if action not in {"pre_add", "pre_remove", "pre_clear"}:
        return
    if not reverse:
        frozen = bool(instance.pk) and _frozen_pks(ItemVersion, [instance.pk])
    elif action == "pre_clear":
        frozen = instance.item_versions.exclude(status=VersionStatus.DRAFT).exists()
    else:
        frozen = bool(pk_set) and _frozen_pks(ItemVersion, pk_set)
    if frozen:
        raise ValidationError(FROZEN_MESSAGE)


@receiver(m2m_changed, sender=BundleEntry.depends_on.through)
def _guard_bundle_dependencies(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"pre_add", "pre_remove", "pre_clear"}:
        return
    entry_pks = {instance.pk} | set(pk_set or ())
    frozen = (
        BundleEntry.objects.filter(pk__in=entry_pks)
        .exclude(bundle_version__status=VersionStatus.DRAFT)
        .exists()
    )
    if frozen:
        raise ValidationError(FROZEN_MESSAGE)


class Synonym(models.Model):
    """An everyday phrase (俗称) and the catalogue's words it means, for the guide's search.

    People say 卖房子 or 看病报销; the catalogue says 不动产转移登记 and 门诊慢特病. An
    administrator keeps this table in the admin; ``search`` treats the phrase as a keyword
    of every item and bundle whose name or keywords contain one of the meanings, the
    earlier meanings first. Seeded with common phrases (migration ``seed_synonyms``).
    """

    objects = CatalogueQuerySet.as_manager()

    phrase = models.CharField(
        "群众常用说法", max_length=30, unique=True, help_text="如：卖房子、看病报销"
    )
    means = models.CharField(
        "对应的事项名称或关键词",
        max_length=300,
        help_text="以空格或顿号分隔，可写事项名称的一部分；排在前面的优先显示，"
        "如：不动产转移登记、二手房",
    )
    is_active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "常用说法（同义词）"
        verbose_name_plural = "常用说法（同义词）"
        ordering = ["phrase"]

    def __str__(self) -> str:
        return f"{self.phrase} → {self.means}"

    def clean(self) -> None:
        self.phrase = " ".join((self.phrase or "").split())
        if not self.phrase:
            raise ValidationError({"phrase": "请填写群众常用说法"})
        if not synonym_meanings(self.means):
            raise ValidationError({"means": "请至少填写一个对应的事项名称或关键词"})


def synonym_meanings(means: str) -> list[str]:
    """The meanings of a synonym row, in order, without blanks or repeats."""
    pieces = re.split(r"[\s,，、;；/]+", means or "")
    return list(dict.fromkeys(p for p in pieces if p))


# --- the catalogue's version ------------------------------------------------------------
# What the public item list, search and guide pages show: the catalogue's own models, the
# sites (the filter, where a version is offered) and the departments (named on each item).

VERSIONED_MODELS = (
    ItemCategory,
    ServiceItem,
    ItemVersion,
    MaterialKind,
    Material,
    FormFieldKind,
    FormField,
    Bundle,
    BundleVersion,
    BundleEntry,
    Synonym,
    Site,
    Department,
)


def _changed(sender, **kwargs) -> None:
    catalogue_changed()


def _links_changed(sender, action, **kwargs) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        catalogue_changed()


for _model in VERSIONED_MODELS:
    _uid = f"catalogue-version-{_model._meta.label_lower}"
    post_save.connect(_changed, sender=_model, dispatch_uid=_uid)
    post_delete.connect(_changed, sender=_model, dispatch_uid=_uid)
for _through in (ItemVersion.sites.through, BundleEntry.depends_on.through):
    m2m_changed.connect(
        _links_changed,
        sender=_through,
        dispatch_uid=f"catalogue-version-{_through._meta.label_lower}",
    )
