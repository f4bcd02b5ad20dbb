"""The guards the state table's rows hold (``cases.transitions``): each refuses with a
reason a person can act on. The details have already passed the event's schema, so a
guard checks only what needs the case or other rows, or ties fields together.

A guard gets the locked case, the actor, the transition and the event's details, and
raises ``TransitionRefused`` or returns None. Guards read; they never write.
"""

from __future__ import annotations

from dataclasses import dataclass

from bangban.catalogue.models import BundleEntry
from bangban.network.models import Site
from bangban.staff.models import StaffMember

from . import clock
from .models import (
    RESULT_STATUSES,
    Case,
    CaseMaterial,
    Confirmation,
    DeliveryChoice,
    Expedite,
    ItemStatus,
    MaterialStatus,
)
from .workflow import (
    DELIVERY_METHODS,
    FORM_LABELS,
    DeliveryMethod,
    Form,
    Guard,
    ServiceType,
    SuspensionReason,
    TerminationReason,
    Transition,
    TransitionRefused,
)


@dataclass
class GuardContext:
    case: Case
    actor: object
    transition: Transition
    details: dict

    @property
    def today(self):
        return clock.today()


# What stands in for a material received: deferred (容缺) and not applicable (不适用).
SATISFIED = frozenset(
    {MaterialStatus.RECEIVED, MaterialStatus.DEFERRED, MaterialStatus.NOT_APPLICABLE}
)


def _names(materials) -> str:
    return "、".join(m.name for m in materials)


def no_pending_relay(ctx: GuardContext) -> None:
    if ctx.case.relay_to_site_id:
        raise TransitionRefused(
            f"办件正移交至{ctx.case.relay_to_site.name}，待对方接收或退回后再办理"
        )


def materials_reviewed(ctx: GuardContext) -> None:
    pending = list(ctx.case.materials.filter(status=MaterialStatus.PENDING))
    if pending:
        raise TransitionRefused(f"以下材料尚未预审：{_names(pending)}")


def something_missing(ctx: GuardContext) -> None:
    if not ctx.case.materials.filter(
        status__in=[MaterialStatus.MISSING, MaterialStatus.NEEDS_CORRECTION]
    ).exists():
        raise TransitionRefused("材料均已符合要求，无需出具补正告知")


def notice_satisfied(ctx: GuardContext) -> None:
    """Supplements are checked against the one-time notice: everything it asked for is in."""
    notice = ctx.case.notices.first()
    if notice is None:
        raise TransitionRefused("该办件没有一次性告知单，无法登记补正")
    now_received = {int(i) for i in ctx.details.get("received", [])}
    needed_ids = [n["material_id"] for n in notice.needed if n.get("required", True)]
    still = CaseMaterial.objects.filter(pk__in=needed_ids).exclude(pk__in=now_received)
    still = [m for m in still if m.status not in SATISFIED]
    if still:
        raise TransitionRefused(f"一次性告知单所列材料仍未补齐：{_names(still)}")


def not_applicable_explained(ctx: GuardContext) -> None:
    """A required material marked 不适用 says why (e.g. 申请人已成年，无需监护人身份证):
    the one-time notice prints it, and an unexplained one reads like a material skipped."""
    marked = {
        int(c["material_id"]): c
        for c in ctx.details.get("checks", [])
        if c.get("status") == MaterialStatus.NOT_APPLICABLE and not str(c.get("note", "")).strip()
    }
    if not marked:
        return
    required = list(ctx.case.materials.filter(pk__in=marked, required=True))
    if required:
        raise TransitionRefused(
            f"必要材料“{_names(required)}”标为“不适用”时须填写说明（如：申请人已成年，无需监护人身份证）"
        )


def fee_details_complete(ctx: GuardContext) -> None:
    """Suspended for an unpaid fee: the slip and the SMS say how much and where to pay."""
    if ctx.details.get("reason_code") != SuspensionReason.FEES_UNPAID:
        return
    missing = [
        label
        for key, label in (("fee_amount", "应缴金额（元）"), ("fee_payee", "缴费地点或方式"))
        if not str(ctx.details.get(key) or "").strip()
    ]
    if missing:
        raise TransitionRefused("因未缴纳行政事业性收费中止的，须填写：" + "、".join(missing))


def item_offered(ctx: GuardContext) -> None:
    case = ctx.case
    for case_item in case.items.select_related("item_version__item").prefetch_related(
        "item_version__sites"
    ):
        version = case_item.item_version
        offered = (
            version.offers_proxy
            if case.service_type == ServiceType.PROXY
            else version.offers_assist
        )
        name = version.item.name
        if not offered:
            kind = "代办" if case.service_type == ServiceType.PROXY else "帮办"
            raise TransitionRefused(f"事项“{name}”未开通{kind}服务")
        if not version.is_offered_at(case.site):  # exact sites: a county-only item is relayed up
            raise TransitionRefused(f"本服务点未开通事项“{name}”的帮办代办服务")


def accepted(ctx: GuardContext) -> None:
    if not ctx.case.accepted_on:
        raise TransitionRefused("办件尚未受理，不能中止")


def within_resumption_period(ctx: GuardContext) -> None:
    due = ctx.case.resumption_due_on
    if due and ctx.today > due:
        raise TransitionRefused(
            f"已超过续办期限（{due:%Y-%m-%d}），视为服务终止，请重新提出代办委托"
        )


def resumption_period_passed(ctx: GuardContext) -> None:
    due = ctx.case.resumption_due_on
    if not due or ctx.today <= due:
        raise TransitionRefused("续办期限尚未届满")


def other_reason_explained(ctx: GuardContext) -> None:
    code = ctx.details.get("reason_code")
    if code == TerminationReason.OTHER and not str(ctx.details.get("reason", "")).strip():
        raise TransitionRefused("终止原因为“其他”时须填写具体说明")


def every_item_has_result(ctx: GuardContext) -> None:
    waiting = [
        ci
        for ci in ctx.case.items.select_related("item_version__item")
        if ci.status not in RESULT_STATUSES
    ]
    if waiting:
        raise TransitionRefused(
            "以下事项尚未取得办理结果：" + "、".join(ci.item_version.item.name for ci in waiting)
        )


def delivery_details_complete(ctx: GuardContext) -> None:
    """What the chosen way of delivery needs (the schema has checked each field's shape)."""
    method = ctx.details.get("method")
    chosen = ctx.details.get("use_client_choice")
    if chosen:
        client_choice_usable(ctx.case, method, ctx.details)
    if method == DeliveryMethod.POST:
        missing = [
            label
            for key, label in (
                *(() if chosen else (("address", "邮寄地址"),)),
                ("carrier", "快递公司"),
                ("tracking_no", "快递单号"),
            )
            if not str(ctx.details.get(key, "")).strip()
        ]
        if missing:
            raise TransitionRefused("邮寄送达须填写：" + "、".join(missing))
    if method == DeliveryMethod.ELECTRONIC and not str(ctx.details.get("licence_no", "")).strip():
        raise TransitionRefused("电子证照交付须填写证照编号")


def client_choice_usable(case: Case, method, details: dict) -> None:
    """``use_client_choice``: the client chose this method online (and, to post, an address
    that is still held), and the agent typed no other address."""
    choice = DeliveryChoice.objects.filter(case=case).first()
    if choice is None:
        raise TransitionRefused("服务对象没有在网上选择领取方式，请填写交付信息")
    if choice.method != method:
        raise TransitionRefused(
            f"服务对象选择的是“{DELIVERY_METHODS[DeliveryMethod(choice.method)]}”，"
            "与所选交付方式不一致；如需改变，请不要勾选按服务对象选择交付"
        )
    if method == DeliveryMethod.POST:
        if not choice.address_cipher:
            raise TransitionRefused("服务对象选择的邮寄地址已删除，请填写邮寄地址")
        if str(details.get("address") or "").strip():
            raise TransitionRefused("已选择按服务对象填写的地址邮寄，请不要再填写邮寄地址")


def assignee_at_owning_site(ctx: GuardContext) -> None:
    agent_id = ctx.details.get("agent_id")
    if not StaffMember.objects.filter(
        pk=agent_id, site_id=ctx.case.site_id, is_agent=True, is_active=True
    ).exists():
        raise TransitionRefused("只能分派给本办件承办机构的在岗帮办代办员")


def relay_target_valid(ctx: GuardContext) -> None:
    site = Site.objects.filter(code=ctx.details.get("to_site"), is_active=True).first()
    if site is None or site.pk == ctx.case.site_id:
        raise TransitionRefused("请选择其他在用的服务机构作为接收方")
    if site.path.split("/", 1)[0] != ctx.case.site.path.split("/", 1)[0]:
        # a site of another county's network is not a choice (an id in a body is checked
        # as strictly as one in a URL)
        raise TransitionRefused("只能移交给本县（区）服务网络内的服务机构")


def relay_pending(ctx: GuardContext) -> None:
    if not ctx.case.relay_to_site_id:
        raise TransitionRefused("该办件没有待接收的移交")


def _case_item(ctx: GuardContext):
    item = (
        ctx.case.items.filter(pk=ctx.details.get("case_item_id"))
        .select_related("item_version__item")
        .first()
    )
    if item is None:
        raise TransitionRefused("请选择本办件中的事项")
    return item


def item_materials_ready(ctx: GuardContext) -> None:
    item = _case_item(ctx)
    if item.status != ItemStatus.PENDING:
        raise TransitionRefused(f"事项“{item.item_version.item.name}”已报件")
    not_ready = [
        m
        for m in item.materials.all()
        if m.required
        and m.status not in {MaterialStatus.RECEIVED, MaterialStatus.NOT_APPLICABLE}
        and not (m.accept_with_gaps and m.status == MaterialStatus.DEFERRED)
    ]
    if not_ready:
        raise TransitionRefused(
            f"事项“{item.item_version.item.name}”的必要材料尚未收齐：{_names(not_ready)}"
        )


def prerequisites_have_results(ctx: GuardContext) -> None:
    """一件事: an item whose prerequisites (the bundle version's ``depends_on``) have no
    result yet cannot be filed; the refusal names the results awaited. One query."""
    if not ctx.case.bundle_version_id:
        return
    item = _case_item(ctx)
    prerequisites = BundleEntry.objects.filter(
        dependents__bundle_version_id=ctx.case.bundle_version_id,
        dependents__item_id=item.item_version.item_id,
    ).values("item_id")
    waiting = (
        ctx.case.items.filter(item_version__item_id__in=prerequisites)
        .exclude(status__in=RESULT_STATUSES)
        .select_related("item_version__item")
        .order_by("position", "id")
    )
    names = "、".join(f"“{ci.item_version.item.name}”" for ci in waiting)
    if names:
        raise TransitionRefused(
            f"须先取得{names}的办理结果，才能为“{item.item_version.item.name}”报件"
        )


def item_filed(ctx: GuardContext) -> None:
    item = _case_item(ctx)
    if item.status == ItemStatus.PENDING:
        raise TransitionRefused(f"事项“{item.item_version.item.name}”尚未向审批部门报件")
    staff = getattr(ctx.actor, "staff", None)
    if ctx.transition.event == "department_step" and staff is not None and not staff.is_agent:
        if item.department_id != staff.department_id:
            raise TransitionRefused("只能记录本部门事项的办理进度")
    partner = getattr(ctx.actor, "partner", None)  # a department's system: its own items
    if partner is not None and partner.department_id not in (None, item.department_id):
        raise TransitionRefused("只能上报本部门事项的办理进度")


def expedite_open(ctx: GuardContext) -> None:
    staff = ctx.actor.staff
    expedite = Expedite.objects.filter(
        pk=ctx.details.get("expedite_id"),
        case=ctx.case,
        department_id=staff.department_id,
        replied_at__isnull=True,
    ).first()
    if expedite is None:
        raise TransitionRefused("没有待本部门答复的促办")


def required_form(case: Case, transition: Transition, details: dict) -> Form | None:
    """The form the client must have signed for this event, if any (the row's ``signs``)."""
    return transition.signed_form(case, details)


# Forms signed once for the whole case; the others are signed for one event each.
LASTING_FORMS = frozenset({Form.APPLICATION, Form.ENTRUSTMENT})


def signature_on_file(case: Case, form: Form):
    signed = Confirmation.objects.filter(case=case, form=form)
    if form not in LASTING_FORMS:
        signed = signed.filter(used=False)
    return signed.order_by("-at", "-id").first()


def require_signature(ctx: GuardContext, form: Form) -> None:
    """The client signs this form with the event (details['confirmation']) or signed it before."""
    if ctx.details.get("confirmation"):
        return
    if signature_on_file(ctx.case, form) is None:
        raise TransitionRefused(f"须由服务对象签字确认《{FORM_LABELS[form]}》")


_PROVIDED: dict[str, Guard] = {}


def provided(name: str) -> Guard:
    """A guard an area above the core provides (the core never imports it): the row holds
    this stand-in, and the area registers the real check at start-up with
    ``register_guard`` in its ``AppConfig.ready()``, e.g. ``evaluation_allowed`` (一事一评)
    from ``bangban.oversight``."""

    def guard(ctx: GuardContext) -> None:
        if name not in _PROVIDED:
            raise RuntimeError(f"guard {name!r} is named in the table but nobody provides it")
        _PROVIDED[name](ctx)

    guard.__name__ = guard.__qualname__ = name
    return guard


def register_guard(name: str, guard: Guard) -> None:
    _PROVIDED[name] = guard


def check_guards(ctx: GuardContext) -> None:
    for guard in ctx.transition.guards:
        guard(ctx)
    form = required_form(ctx.case, ctx.transition, ctx.details)
    if form:
        require_signature(ctx, form)
