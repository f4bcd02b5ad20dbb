"""The guards named in the state table: each refuses with a reason a person can act on.

A guard gets the locked case, the actor, the transition and the event's details, and
raises ``TransitionRefused`` or returns None. Guards read; they never write.
"""

from __future__ import annotations

from dataclasses import dataclass

from bangban.network.models import Site
from bangban.staff.models import StaffMember

from . import clock
from .models import (
    RESULT_STATUSES,
    Case,
    CaseMaterial,
    Confirmation,
    Expedite,
    ItemStatus,
    MaterialStatus,
)
from .workflow import (
    FORM_LABELS,
    DeliveryMethod,
    Form,
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
    still = [m for m in still if m.status not in {MaterialStatus.RECEIVED, MaterialStatus.DEFERRED}]
    if still:
        raise TransitionRefused(f"一次性告知单所列材料仍未补齐：{_names(still)}")


def reason_given(ctx: GuardContext) -> None:
    if not str(ctx.details.get("reason", "")).strip():
        raise TransitionRefused(f"“{ctx.transition.label}”须填写书面理由")


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


def basic_materials_reviewed(ctx: GuardContext) -> None:
    materials_reviewed(ctx)


def accepted(ctx: GuardContext) -> None:
    if not ctx.case.accepted_on:
        raise TransitionRefused("办件尚未受理，不能中止")


def suspension_reason_valid(ctx: GuardContext) -> None:
    if ctx.details.get("reason_code") not in set(SuspensionReason):
        raise TransitionRefused("请选择中止原因：未按期提交材料、未缴纳费用或服务对象申请暂停")


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


def termination_reason_valid(ctx: GuardContext) -> None:
    code = ctx.details.get("reason_code")
    allowed = set(TerminationReason) - {TerminationReason.RESUMPTION_LAPSED}
    if code not in allowed:
        raise TransitionRefused("请选择终止原因")
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


def delivery_details_valid(ctx: GuardContext) -> None:
    method = ctx.details.get("method")
    if method not in set(DeliveryMethod):
        raise TransitionRefused("请选择交付方式：当面交付、邮寄送达或电子证照")
    if method == DeliveryMethod.POST:
        missing = [
            label
            for key, label in (
                ("address", "邮寄地址"),
                ("carrier", "快递公司"),
                ("tracking_no", "快递单号"),
            )
            if not str(ctx.details.get(key, "")).strip()
        ]
        if missing:
            raise TransitionRefused("邮寄送达须填写：" + "、".join(missing))
    if method == DeliveryMethod.ELECTRONIC and not str(ctx.details.get("licence_no", "")).strip():
        raise TransitionRefused("电子证照交付须填写证照编号")


def assignee_at_owning_site(ctx: GuardContext) -> None:
    agent_id = ctx.details.get("agent_id")
    if not StaffMember.objects.filter(
        pk=agent_id, site_id=ctx.case.site_id, is_agent=True, is_active=True
    ).exists():
        raise TransitionRefused("只能分派给本办件承办机构的在岗帮办代办员")


def relay_target_valid(ctx: GuardContext) -> None:
    site = Site.objects.filter(pk=ctx.details.get("to_site_id"), is_active=True).first()
    if site is None or site.pk == ctx.case.site_id:
        raise TransitionRefused("请选择其他在用的服务机构作为接收方")
    if site.path.split("/", 1)[0] != ctx.case.site.path.split("/", 1)[0]:
        # a site of another county's network is not a choice (an id in a body is checked
        # as strictly as one in a URL)
        raise TransitionRefused("只能移交给本县（区）服务网络内的服务机构")
    if not str(ctx.details.get("note", "")).strip():
        raise TransitionRefused("移交须填写移交说明（已收材料、办理进度、注意事项）")


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
        and m.status != MaterialStatus.RECEIVED
        and not (m.accept_with_gaps and m.status == MaterialStatus.DEFERRED)
    ]
    if not_ready:
        raise TransitionRefused(
            f"事项“{item.item_version.item.name}”的必要材料尚未收齐：{_names(not_ready)}"
        )


def item_filed(ctx: GuardContext) -> None:
    item = _case_item(ctx)
    if item.status == ItemStatus.PENDING:
        raise TransitionRefused(f"事项“{item.item_version.item.name}”尚未向审批部门报件")
    staff = getattr(ctx.actor, "staff", None)
    if ctx.transition.event == "department_step" and staff is not None and not staff.is_agent:
        if item.department_id != staff.department_id:
            raise TransitionRefused("只能记录本部门事项的办理进度")


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
    if not str(ctx.details.get("reply", "")).strip():
        raise TransitionRefused("请填写答复内容")


def form_known(ctx: GuardContext) -> None:
    if ctx.details.get("form") not in set(Form):
        raise TransitionRefused("请选择需要签字确认的文书")


def text_given(ctx: GuardContext) -> None:
    if not str(ctx.details.get("text", "")).strip():
        raise TransitionRefused("请填写日志内容")


def required_form(case: Case, transition: Transition, details: dict) -> Form | None:
    """The form the client must have signed for this event, if any.

    Most come from the table (``signs``); three depend on the case: acceptance needs the
    application form (assist) or the entrustment (proxy), seed 000 §10.1.2 and §10.2.2;
    a termination after acceptance hands materials back on the 办结（终止）单 (§10.2.6);
    delivery in person is signed for.
    """
    if transition.signs:
        return transition.signs
    if transition.event == "accept":
        return Form.ENTRUSTMENT if case.service_type == ServiceType.PROXY else Form.APPLICATION
    if transition.event == "terminate" and case.accepted_on:
        return Form.COMPLETION_SLIP
    if transition.event == "deliver" and details.get("method") == DeliveryMethod.IN_PERSON:
        return Form.DELIVERY_RECEIPT
    return None


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


GUARDS = {
    name: globals()[name]
    for name in (
        "no_pending_relay materials_reviewed something_missing notice_satisfied reason_given item_offered "
        "basic_materials_reviewed accepted suspension_reason_valid within_resumption_period "
        "resumption_period_passed termination_reason_valid every_item_has_result delivery_details_valid "
        "assignee_at_owning_site relay_target_valid relay_pending item_materials_ready item_filed "
        "expedite_open form_known text_given"
    ).split()
}


def register_guard(name: str, guard) -> None:
    """An area above the core provides a guard the table names (at start-up, in its
    ``AppConfig.ready()``): e.g. ``evaluation_allowed``, 一事一评, from
    ``bangban.oversight``. The core never imports it."""
    GUARDS[name] = guard


def check_guards(ctx: GuardContext) -> None:
    for name in ctx.transition.guards:
        if name not in GUARDS:
            raise RuntimeError(f"guard {name!r} is named in the table but nobody provides it")
        GUARDS[name](ctx)
    form = required_form(ctx.case, ctx.transition, ctx.details)
    if form:
        require_signature(ctx, form)
