"""Staff members of the service network (seed 000 §7, seed 002 二(二)).

Staff are deactivated, never deleted, so that every case event keeps the name of who
did it. Roles are a fixed set from the standard, stored as flags: cheap to filter on
and plain to edit in the admin.

Which sites a staff member covers is decided here and nowhere else:

- a coordinator covers its ``covered_sites`` and everything below them, or, with none
  set, its own site and everything below it (``covered_roots``, ``covered_paths``,
  ``covers``; ``StaffMember.objects.covering(site)`` asks the other way round);
- a supervisor or an administrator oversees its own site and everything below it, and a
  coordinator what it covers (``jurisdiction_paths``);
- an agent's or a liaison's own site is theirs exactly, not the sites below it: callers
  add ``site_id`` themselves.

The subtree of a path is ``network.models.under_q`` / ``Site.objects.under(paths)``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from bangban.network.models import Department, Site


class Role(models.TextChoices):
    AGENT = "agent", "帮办代办员"
    COORDINATOR = "coordinator", "协调员"
    LIAISON = "liaison", "部门对接人员"
    SUPERVISOR = "supervisor", "监督人员"
    ADMINISTRATOR = "administrator", "系统管理员"


class Employment(models.TextChoices):
    FULL_TIME = "full_time", "专职"
    PART_TIME = "part_time", "兼职"


class StaffSource(models.TextChoices):
    ASSIGNED = "assigned", "服务机构指派"
    INVESTMENT_CENTRE = "investment_centre", "镇（街道）招商中心"
    COMMUNITY_WORKER = "community_worker", "全科社工"
    GRID_WORKER = "grid_worker", "网格员"
    DEPARTMENT = "department", "审批部门"
    OTHER = "other", "其他"


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", "待备案"
    REGISTERED = "registered", "已备案"
    REVOKED = "revoked", "已注销"


class StaffQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def agents(self):
        return self.filter(is_agent=True)

    def covering(self, site: Site):
        """Coordinators covering ``site``: one of its covered sites is ``site`` or a site
        above it (or, with none set, its own site is). The reverse of ``covers``."""
        lineage = site.lineage_paths()
        return (
            self.filter(is_coordinator=True)
            .filter(
                Q(covered_sites__path__in=lineage)
                | Q(covered_sites__isnull=True, site__path__in=lineage)
            )
            .distinct()
        )


class StaffMember(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        on_delete=models.PROTECT,
        related_name="staff",
    )
    name = models.CharField("姓名", max_length=50)
    site = models.ForeignKey(
        Site, verbose_name="所属机构", on_delete=models.PROTECT, related_name="staff"
    )
    department = models.ForeignKey(
        Department,
        verbose_name="所属审批部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="liaisons",
        help_text="部门对接人员必填",
    )
    covered_sites = models.ManyToManyField(
        Site,
        verbose_name="负责协调的机构",
        blank=True,
        related_name="coordinators",
        help_text="协调员负责的机构（含下级）",
    )
    phone = models.CharField("联系电话", max_length=20, blank=True)
    title = models.CharField("岗位", max_length=50, blank=True)
    is_agent = models.BooleanField(Role.AGENT.label, default=False)
    is_coordinator = models.BooleanField(Role.COORDINATOR.label, default=False)
    is_liaison = models.BooleanField(Role.LIAISON.label, default=False)
    is_supervisor = models.BooleanField(Role.SUPERVISOR.label, default=False)
    is_administrator = models.BooleanField(Role.ADMINISTRATOR.label, default=False)
    employment = models.CharField(
        "用工性质", max_length=10, choices=Employment.choices, default=Employment.FULL_TIME
    )
    source = models.CharField(
        "人员来源", max_length=20, choices=StaffSource.choices, default=StaffSource.ASSIGNED
    )
    registration_status = models.CharField(
        "备案状态",
        max_length=10,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.PENDING,
    )
    registered_on = models.DateField("备案日期", null=True, blank=True)
    registration_no = models.CharField("备案编号", max_length=40, blank=True)
    training_passed_on = models.DateField("岗前培训考试通过日期", null=True, blank=True)
    duties = models.TextField("岗位职责", blank=True)
    is_active = models.BooleanField("在岗", default=True)
    deactivated_on = models.DateField("离岗日期", null=True, blank=True)
    # the last day of any temporary assignment to a site in surge (``cases.surge``): kept on
    # the member, read with the session, so the access rule looks for assignments only
    # for someone ever lent, and every other request's case queries stay as they were
    lent_until = models.DateField("临时调配截止日期", null=True, blank=True, editable=False)

    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = "工作人员"
        verbose_name_plural = "工作人员"
        ordering = ["site__path", "name"]
        indexes = [models.Index(fields=["site", "is_active", "is_agent"])]

    def __str__(self) -> str:
        return self.name

    @property
    def roles(self) -> list[str]:
        return [role.value for role in Role if getattr(self, f"is_{role.value}")]

    def has_role(self, role: str) -> bool:
        return bool(getattr(self, f"is_{role}", False))

    @property
    def role_labels(self) -> str:
        return "、".join(Role(r).label for r in self.roles)

    # --- which sites this person covers (the one rule; see the module's docstring) -------

    def covered_roots(self) -> list[Site]:
        """The top sites a coordinator covers (each with everything below it): its covered
        sites, or its own site when none are set. Empty for anyone not a coordinator.

        Reads ``covered_sites`` (prefetch it when asking often in one request).
        """
        if not self.is_coordinator:
            return []
        return list(self.covered_sites.all()) or [self.site]

    def covered_paths(self) -> list[str]:
        """The paths of ``covered_roots``: a site is covered when its path starts with one."""
        return [site.path for site in self.covered_roots()]

    def covers(self, site: Site) -> bool:
        """Whether this person coordinates ``site`` (it or a site above it is covered)."""
        return any(site.path.startswith(path) for path in self.covered_paths())

    def jurisdiction_paths(self) -> list[str]:
        """The paths of everything this person oversees, each with everything below it:
        its own site for a supervisor or an administrator, then what it covers as a
        coordinator. An agent's or a liaison's own site is not in here (not its subtree)."""
        own = [self.site.path] if self.is_supervisor or self.is_administrator else []
        return own + self.covered_paths()

    def delete(self, *args, **kwargs):
        raise PermissionError("工作人员不可删除，请设为离岗以保留历史记录")
