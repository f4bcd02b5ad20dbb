"""Clients over the API: register, find, read, correct (recorded) and reveal (recorded).

Every client is loaded through ``bangban.cases.access`` (``visible_clients`` /
``get_client_for``): a staff member may name, read, correct or reveal a client only
through a case they may see, or while registering the client at their own site. What a
person may not see answers 404 "服务对象不存在", whether or not it exists.
"""

from ninja import Query, Router, Status
from ninja.errors import HttpError

from bangban.apiauth.errors import error_responses
from bangban.apiauth.security import STAFF_AUTH
from bangban.cases.access import (
    CLIENT_NOT_FOUND,
    get_case_for,
    get_client_for,
    may_register_at,
    may_see_client,
)
from bangban.cases.clients import client_correct as correct
from bangban.cases.clients import client_reveal as reveal
from bangban.cases.workflow import TransitionRefused
from bangban.clients import services
from bangban.clients.models import ClientCorrection
from bangban.clients.schemas import (
    ClientIn,
    ClientLookup,
    ClientOut,
    CorrectionIn,
    CorrectionOut,
    RevealIn,
    RevealOut,
)

router = Router(tags=["服务对象"], auth=STAFF_AUTH)

NOT_FOUND = CLIENT_NOT_FOUND
REGISTERED_ELSEWHERE = (
    "该证件号码已登记。请直接提交办件申请（client 中填写证件号码），系统将使用已登记的信息；"
    "手机号码、地址有变化的，办件登记后按“更正”办理并说明理由"
)


@router.post(
    "",
    response={201: ClientOut, 200: ClientOut, **error_responses(400, 401, 403, 422)},
    summary="登记服务对象",
    description="校验证件号码等信息后在本人所在机构登记，返回 201。证件号码已登记、且本人可见该服务"
    "对象的，返回 200 和原登记信息，本次填写的内容一律不覆盖原信息（手机号码、地址的变化请用"
    "“更正”）；本人不可见的，返回 422，不返回任何信息。",
)
def client_create(request, payload: ClientIn):
    actor = request.auth
    staff = actor.staff
    if not may_register_at(actor, staff.site):
        raise TransitionRefused("只有帮办代办员或协调员可以在本机构登记服务对象", "forbidden")
    data = services.ClientInput(**payload.dict())
    client, created = services.client_match_or_register(data=data, staff=staff, site=staff.site)
    if created:
        return Status(201, client)
    if not may_see_client(actor, client):
        raise TransitionRefused(REGISTERED_ELSEWHERE, "client_registered")
    return Status(200, client)


@router.get(
    "",
    response={200: ClientOut, **error_responses(400, 401, 403, 404)},
    summary="按证件号码查找服务对象",
    description="按证件号码的索引（加密摘要）精确查找本人可见的服务对象；只返回脱敏信息。",
)
def client_find(request, lookup: Query[ClientLookup]):
    client = services.find_client(kind=lookup.kind, id_number=lookup.id_number)
    if client is None or not may_see_client(request.auth, client):
        raise HttpError(404, NOT_FOUND)
    return client


@router.get(
    "/{int:client_id}",
    response={200: ClientOut, **error_responses(401, 403, 404)},
    summary="服务对象信息（脱敏）",
    description="只能查看本人可见办件的服务对象，或本人在本机构登记、尚无办件的服务对象。",
)
def client_detail(request, client_id: int):
    return get_client_for(request.auth, client_id)


@router.get(
    "/{int:client_id}/corrections",
    response={200: list[CorrectionOut], **error_responses(401, 403, 404)},
    summary="服务对象信息更正记录",
    description="手机号码、地址的每一次更正：谁、何时、在哪个机构、为何更正，原信息和新信息均为脱敏显示。",
)
def client_corrections(request, client_id: int):
    client = get_client_for(request.auth, client_id)
    return list(ClientCorrection.objects.filter(client=client).select_related("staff", "site"))


@router.post(
    "/{int:client_id}/corrections",
    response={201: CorrectionOut, **error_responses(400, 401, 403, 404)},
    summary="更正手机号码或地址（留痕）",
    description="服务对象的手机号码或地址有变化时，由可见该服务对象的帮办代办员或协调员登记更正，"
    "须说明理由；更正记录保存谁、何时、为何更正。",
)
def client_correct(request, client_id: int, payload: CorrectionIn):
    actor = request.auth
    client = get_client_for(actor, client_id)
    staff = actor.staff
    if not (staff.is_agent or staff.is_coordinator):
        raise HttpError(403, "只有帮办代办员或协调员可以更正服务对象信息")
    correction = correct(
        staff=staff, client=client, field=payload.field, value=payload.value, reason=payload.reason
    )
    return Status(201, correction)


@router.post(
    "/{int:client_id}/reveal",
    response={200: RevealOut, **error_responses(400, 401, 403, 404)},
    summary="查看完整个人信息（留痕）",
    description="只能查看本人可见办件的服务对象；谁、何时、为何查看都被记录。",
)
def client_reveal(request, client_id: int, payload: RevealIn):
    actor = request.auth
    case = None
    if payload.case:
        case = get_case_for(actor, payload.case)
        if case.client_id != client_id:
            raise HttpError(404, NOT_FOUND)
        client = case.client
    else:
        # Only the clients this person may see: an ID is not a licence to read.
        client = get_client_for(actor, client_id)
    value = reveal(
        client=client, field=payload.field, staff=actor.staff, reason=payload.reason, case=case
    )
    return {"field": payload.field, "value": value}
