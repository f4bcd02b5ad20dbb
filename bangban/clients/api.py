"""Clients over the API: register, find by ID number, reveal one field (recorded)."""

from django.http import Http404
from ninja import Query, Router, Status

from bangban.apiauth.errors import error_responses
from bangban.apiauth.security import STAFF_AUTH
from bangban.cases.access import get_case_for, visible_cases

from . import services
from .models import Client
from .schemas import ClientIn, ClientLookup, ClientOut, RevealIn, RevealOut

router = Router(tags=["服务对象"], auth=STAFF_AUTH)

NOT_FOUND = "服务对象不存在"


@router.post(
    "",
    response={201: ClientOut, **error_responses(400, 401, 403)},
    summary="登记服务对象",
    description="校验证件号码等信息后登记；证件号码已登记的，更新并返回原服务对象。",
)
def client_create(request, payload: ClientIn):
    return Status(201, services.client_register(data=services.ClientInput(**payload.dict())))


@router.get(
    "",
    response={200: ClientOut, **error_responses(400, 401, 403, 404)},
    summary="按证件号码查找服务对象",
    description="按证件号码的索引（加密摘要）精确查找；只返回脱敏信息。",
)
def client_find(request, lookup: Query[ClientLookup]):
    client = services.find_client(kind=lookup.kind, id_number=lookup.id_number)
    if client is None:
        raise Http404(NOT_FOUND)
    return client


@router.post(
    "/{int:client_id}/reveal",
    response={200: RevealOut, **error_responses(400, 401, 403, 404)},
    summary="查看完整个人信息（留痕）",
    description="只能查看本人可见办件的服务对象；谁、何时、为何查看都被记录。",
)
def client_reveal(request, client_id: int, payload: RevealIn):
    actor = request.auth
    if payload.case:
        case = get_case_for(actor, payload.case)
        if case.client_id != client_id:
            raise Http404(NOT_FOUND)
        client = case.client
    else:
        case = None
        # Only the clients of cases this person may see: an ID is not a licence to read.
        client = Client.objects.filter(
            pk=client_id, pk__in=visible_cases(actor).values("client_id")
        ).first()
        if client is None:
            raise Http404(NOT_FOUND)
    value = services.client_reveal(
        client=client, field=payload.field, staff=actor.staff, reason=payload.reason, case=case
    )
    return {"field": payload.field, "value": value}
