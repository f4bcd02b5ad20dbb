"""Demo-like cases that have reached the point where each form is issued.

``issued(world, kind)`` walks a case through the write path (``case_transition``) to the
event that issues ``kind`` (or issues it on demand) and returns the case and the document.
"""

from bangban.cases.access import Actor
from bangban.cases.models import CaseMaterial, MaterialStatus
from bangban.cases.tests.helpers import (
    SIGNED,
    act,
    finish_items,
    open_case,
    review_all,
    to_handling,
)
from bangban.documents.kinds import Kind
from bangban.documents.models import CaseDocument
from bangban.documents.services import document_issue_on_demand, document_render


def liaisons(world):
    return {"SCJG": world.liaison_market, "ZJ": world.liaison_housing}


def newest(case, kind) -> CaseDocument:
    return CaseDocument.objects.filter(case=case, kind=kind).latest("id")


def with_form_fields(item, codes, optional=()):
    """一表申请: a new published guide of ``item`` whose application form asks ``codes``."""
    from bangban.catalogue.models import FormField, FormFieldKind
    from bangban.catalogue.services import item_version_draft, item_version_publish

    draft = item_version_draft(item=item)
    kinds = {k.code: k for k in FormFieldKind.objects.filter(code__in=codes)}
    for position, code in enumerate(codes, start=1):
        FormField.objects.create(
            version=draft, kind=kinds[code], required=code not in optional, position=position
        )
    item_version_publish(version=draft)
    item.refresh_from_db()
    return item


def _department_form(world):
    from bangban.documents.department_forms import department_form_issue
    from bangban.testing import make_resident_id

    agent = world.agent_a
    codes = ["applicant_name", "id_number", "contact_phone", "premises", "employees"]
    with_form_fields(world.food, codes)
    case = open_case(world)
    answers = {
        "applicant_name": "张三",
        "id_number": make_resident_id(),
        "contact_phone": "13812345678",
        "premises": "示范县城关镇东街1号",
        "employees": "6",
    }
    act(case, agent, "application_answered", answers=answers)
    item = case.items.get()
    return case, department_form_issue(case=case, case_item_id=item.pk, actor=Actor.of_staff(agent))


def _walk(world, kind):
    agent = world.agent_a
    if kind == Kind.DEPARTMENT_FORM:
        return _department_form(world)
    if kind in (Kind.APPLICATION, Kind.SERVICE_NOTICE):
        case = open_case(world, service_type="assist")
        return case, document_issue_on_demand(case=case, kind=kind, actor=Actor.of_staff(agent))
    if kind == Kind.ENTRUSTMENT:
        case = open_case(world)
        return case, document_issue_on_demand(case=case, kind=kind, actor=Actor.of_staff(agent))
    case = open_case(world)
    if kind == Kind.REFUSAL_NOTICE:
        act(case, agent, "start_review")
        act(
            case,
            agent,
            "refuse",
            reason="申请事项属于县级权限，本服务站不能受理，请向县政务服务中心申请",
        )
    elif kind == Kind.ONE_TIME_NOTICE:
        act(case, agent, "start_review")
        CaseMaterial.objects.filter(case=case, name="营业执照").update(
            obtain_from="县市场监督管理局窗口或网上申领"
        )
        review_all(
            case,
            agent,
            营业执照=MaterialStatus.MISSING,
            食品经营许可申请书=MaterialStatus.NEEDS_CORRECTION,
        )
        act(case, agent, "request_supplement")
    elif kind == Kind.ACCEPTANCE_SLIP:
        act(case, agent, "start_review")
        review_all(case, agent)
        act(case, agent, "accept", confirmation=SIGNED)
    else:
        to_handling(case, agent)
        if kind in (Kind.SUSPENSION_SLIP, Kind.RESUMPTION_ENTRUSTMENT):
            act(
                case,
                agent,
                "suspend",
                reason_code="fees_unpaid",
                fee_amount="120",
                fee_payee="收费窗口",
                confirmation=SIGNED,
            )
            if kind == Kind.RESUMPTION_ENTRUSTMENT:
                act(case, agent, "resume", confirmation=SIGNED)
        elif kind == Kind.TERMINATION_SLIP:
            act(
                case,
                agent,
                "terminate",
                reason_code="client_withdrew",
                reason="委托人书面提出终止委托",
                confirmation=SIGNED,
            )
        elif kind in (Kind.COMPLETION_SLIP, Kind.EVALUATION):
            finish_items(case, agent, liaisons(world))
            act(case, agent, "complete", confirmation=SIGNED)
            if kind == Kind.EVALUATION:
                return case, document_issue_on_demand(
                    case=case, kind=kind, actor=Actor.of_staff(agent)
                )
    return case, newest(case, kind)


def issued(world, kind, render=True):
    case, document = _walk(world, Kind(kind))
    if render:
        document = document_render(document)
    return case, document
