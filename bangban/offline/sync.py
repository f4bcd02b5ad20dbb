"""Taking what a village station recorded offline: one record at a time, each exactly once.

``sync_batch(staff, records)`` answers each record, in the order sent, with one of:

- ``accepted``: written now (or earlier: a retry of a key already taken answers the same,
  ``repeat`` true, and writes nothing; ``OfflineRecord`` is the table of taken keys);
- ``refused``: with the reason in Chinese (the same sentence the desk would show: the
  writes go through the same services, ``consultations.services``,
  ``clients.services``, ``cases.services``, ``cases.uploads``); nothing is kept;
- ``conflict``: the server has changed since the record was made (the client's mobile or
  address differs from what the agent typed, a correction made meanwhile named; the item's
  guide was replaced and the version the agent saw retired). Nothing is merged: the agent
  sends the record again with ``resolution`` ``mine`` (a recorded correction of the
  client, with the reason that it came from the offline record) or ``server`` (take what
  the server has).

Each record runs in its own savepoint: a refusal or conflict rolls back only its writes.
A case draft, its photos and its pre-review name earlier records of the same agent by their
keys (``client_key``, ``case_key``), never by a database id.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from bangban.cases.access import Actor, may_see_client, visible_cases
from bangban.cases.clients import client_correct
from bangban.cases.models import Case, Channel, MaterialStatus
from bangban.cases.services import case_submit, case_transition
from bangban.cases.uploads import UploadRefused, material_upload
from bangban.cases.workflow import ServiceType, TransitionRefused
from bangban.catalogue.models import ServiceItem
from bangban.clients import identity, pii
from bangban.clients.models import Client, ClientCorrection, ClientKind, CorrectionField
from bangban.clients.services import (
    ClientInput,
    ClientInvalid,
    client_match_or_register,
    find_client,
)
from bangban.consultations.models import ConsultationChannel
from bangban.consultations.services import ConsultationInvalid, consultation_record

from .models import OfflineKind, OfflineRecord

MAX_RECORDS = 50
KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
PHOTO_MAX_BYTES = 2 * 1024 * 1024
OLDEST = timedelta(days=30)  # an outbox older than this was forgotten: ask the agent to check


class Refused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Conflict(Exception):
    def __init__(self, message: str, server: dict, choices: tuple[str, ...] = ("mine", "server")):
        super().__init__(message)
        self.message = message
        self.server = server
        self.choices = choices


@dataclass
class Answer:
    key: str
    status: str  # accepted | refused | conflict
    message: str = ""
    result: dict = field(default_factory=dict)
    server: dict = field(default_factory=dict)
    choices: tuple[str, ...] = ()
    repeat: bool = False

    def as_dict(self) -> dict:
        out: dict = {"key": self.key, "status": self.status, "message": self.message}
        if self.result:
            out["result"] = self.result
        if self.server:
            out["server"] = self.server
        if self.choices:
            out["choices"] = list(self.choices)
        if self.repeat:
            out["repeat"] = True
        return out


def may_sync(staff) -> bool:
    """Offline work is the village agent's: an active agent with a site."""
    return bool(staff and staff.is_active and staff.is_agent and staff.site_id)


def sync_batch(staff, records: list) -> list[Answer]:
    if not isinstance(records, list):
        raise Refused("同步数据格式不正确")
    if len(records) > MAX_RECORDS:
        raise Refused(f"一次最多同步 {MAX_RECORDS} 条记录，请分批同步")
    return [sync_record(staff, record) for record in records]


def sync_record(staff, record) -> Answer:
    key = str(record.get("key", "")) if isinstance(record, dict) else ""
    if not KEY_RE.match(key):
        return Answer(key[:64], "refused", "记录缺少有效的幂等键，无法同步")
    taken = OfflineRecord.objects.filter(staff=staff, key=key).first()
    if taken is not None:
        return Answer(
            key, "accepted", taken.result.get("label", "已同步"), taken.result, repeat=True
        )
    kind = record.get("kind")
    if kind not in set(OfflineKind):
        return Answer(key, "refused", "记录类型无效")
    made_at = parse_datetime(str(record.get("made_at", "")))
    if made_at is None:
        return Answer(key, "refused", "记录时间无效")
    if timezone.is_naive(made_at):
        made_at = timezone.make_aware(made_at)
    now = timezone.now()
    if made_at > now + timedelta(minutes=10):
        return Answer(key, "refused", "记录时间晚于当前时间，请核对设备的日期和时间")
    if made_at < now - OLDEST:
        return Answer(key, "refused", "该记录已超过 30 天未同步，请核实后重新登记")
    payload = record.get("payload")
    if not isinstance(payload, dict):
        return Answer(key, "refused", "记录内容为空")
    try:
        with transaction.atomic():
            result = HANDLERS[kind](staff, payload, made_at)
            OfflineRecord.objects.create(
                staff=staff, key=key, kind=kind, made_at=made_at, result=result
            )
    except Refused as refusal:
        return Answer(key, "refused", refusal.message)
    except Conflict as conflict:
        return Answer(
            key, "conflict", conflict.message, server=conflict.server, choices=conflict.choices
        )
    except IntegrityError:  # the same key taken at this moment by a parallel sync
        taken = OfflineRecord.objects.filter(staff=staff, key=key).first()
        if taken is None:
            raise
        return Answer(
            key, "accepted", taken.result.get("label", "已同步"), taken.result, repeat=True
        )
    return Answer(key, "accepted", result.get("label", "已同步"), result)


# --- the kinds ------------------------------------------------------------------------------


def _text(payload: dict, name: str, limit: int = 2000) -> str:
    value = payload.get(name, "")
    return str(value).strip()[:limit] if value is not None else ""


def _item(code: str) -> ServiceItem | None:
    if not code:
        return None
    item = (
        ServiceItem.objects.filter(code=code[:32], is_published=True)
        .select_related("current_version")
        .first()
    )
    if item is None:
        raise Refused(f"事项“{code[:32]}”不存在或已不再公布，请在联网后重新查找事项")
    return item


def _consultation(staff, payload: dict, made_at: datetime) -> dict:
    channel = _text(payload, "channel") or ConsultationChannel.VISIT
    try:
        consultation = consultation_record(
            staff=staff,
            client_name=_text(payload, "client_name", 200),
            contact=_text(payload, "contact", 40),
            channel=channel,
            content=_text(payload, "content"),
            item=_item(_text(payload, "item_code")),
            answer=_text(payload, "answer"),
        )
    except ConsultationInvalid as error:
        raise Refused(error.message) from None
    return {
        "consultation_id": consultation.pk,
        "label": "咨询已登记",
        "url": f"/work/desk/consultations/{consultation.pk}/",
    }


def _client_input(payload: dict) -> ClientInput:
    return ClientInput(
        kind=ClientKind.PERSON,
        name=_text(payload, "name", 200),
        id_number=_text(payload, "id_number", 40),
        mobile=_text(payload, "mobile", 40),
        address=_text(payload, "address", 200),
        is_elderly=bool(payload.get("is_elderly")),
        is_disabled=bool(payload.get("is_disabled")),
    )


def _differences(client, data: ClientInput) -> dict[str, str]:
    """What the agent typed that the server holds otherwise: {field: the server's, masked}."""
    found = {}
    if data.mobile:
        mine = identity.validate_mobile(data.mobile)
        if not client.mobile_hash or pii.lookup("mobile", mine) != client.mobile_hash:
            found[CorrectionField.MOBILE] = client.mobile_masked or "（未登记）"
    if data.address and (
        not client.address_cipher or pii.reveal(client.address_cipher) != data.address
    ):
        found[CorrectionField.ADDRESS] = client.address_masked or "（未登记）"
    return found


LABELS = {CorrectionField.MOBILE: "手机号码", CorrectionField.ADDRESS: "地址"}


def _client(staff, payload: dict, made_at: datetime) -> dict:
    data = _client_input(payload)
    actor = Actor.of_staff(staff)
    resolution = payload.get("resolution")
    try:
        existing = None
        if data.id_number:
            identity.validate_resident_id(data.id_number)
            existing = find_client(kind=ClientKind.PERSON, id_number=data.id_number)
        if existing is not None and may_see_client(actor, existing):
            differs = _differences(existing, data)
            if differs and resolution not in {"mine", "server"}:
                changed = (
                    ClientCorrection.objects.filter(client=existing, at__gt=made_at)
                    .order_by("-at")
                    .first()
                )
                what = "、".join(LABELS[f] for f in differs)
                when = (
                    f"已于 {timezone.localtime(changed.at):%Y-%m-%d %H:%M} 在平台更正"
                    if changed
                    else "与平台登记的不同"
                )
                # no name or number in the message: the outbox keeps it in clear
                raise Conflict(
                    f"服务对象的{what}{when}，请选择保留哪一份",
                    {"name": existing.name, **{LABELS[f]: v for f, v in differs.items()}},
                )
            if differs and resolution == "mine":
                stamp = f"{timezone.localtime(made_at):%Y-%m-%d %H:%M}"
                for name in differs:
                    client_correct(
                        staff=staff,
                        client=existing,
                        field=name,
                        value=data.mobile if name == CorrectionField.MOBILE else data.address,
                        reason=f"离线登记时服务对象提供（{stamp} 记录），同步时确认保留",
                    )
            client, created = existing, False
        else:
            client, created = client_match_or_register(data=data, staff=staff, site=staff.site)
    except identity.IdentityError as error:
        raise Refused(error.message) from None
    except ClientInvalid as error:
        raise Refused(str(error)) from None
    return {
        "client_id": client.pk,
        "label": "服务对象已登记" if created else "已匹配已登记的服务对象",
    }


def _taken(staff, key, kind: str, what: str) -> OfflineRecord:
    taken = OfflineRecord.objects.filter(staff=staff, key=str(key or "")[:64], kind=kind).first()
    if taken is None:
        raise Refused(f"{what}尚未同步成功，请先处理该记录，再同步本条")
    return taken


def _case_of(staff, payload: dict) -> Case:
    taken = _taken(staff, payload.get("case_key"), OfflineKind.CASE, "所属的办件草稿")
    # still one the agent may see (a case relayed away since is no longer the station's)
    case = visible_cases(Actor.of_staff(staff)).filter(pk=taken.result.get("case_id")).first()
    if case is None:
        raise Refused("所属的办件已不存在或已移交，不能再补充")
    return case


def _case(staff, payload: dict, made_at: datetime) -> dict:
    actor = Actor.of_staff(staff)
    if payload.get("client_key"):
        taken = _taken(staff, payload["client_key"], OfflineKind.CLIENT, "服务对象登记")
        client_id = taken.result.get("client_id")
        client = Client.objects.filter(pk=client_id).first()
    else:
        id_number = _text(payload, "id_number", 40)
        try:
            identity.validate_resident_id(id_number)
        except identity.IdentityError as error:
            raise Refused(error.message) from None
        client = find_client(kind=ClientKind.PERSON, id_number=id_number)
    if client is None:
        raise Refused("服务对象尚未登记，请先登记服务对象")
    item = _item(_text(payload, "item_code"))
    if item is None:
        raise Refused("请选择办理事项")
    version = item.current_version
    seen = payload.get("item_version")
    if version is not None and str(seen) != str(version.pk):
        if payload.get("resolution") != "server":
            raise Conflict(
                f"事项“{item.name}”的办事指南已更新，离线时使用的版本已停用，材料清单可能不同；"
                "只能按新版本办理",
                {"事项": item.name, "现行版本": f"第 {version.number} 版"},
                choices=("server",),
            )
    service_type = _text(payload, "service_type")
    if service_type not in set(ServiceType):
        raise Refused("请选择帮办或代办")
    needs = _text(payload, "needs", 1000)
    try:
        case = case_submit(
            actor=actor,
            client=client,
            service_type=service_type,
            channel=Channel.WINDOW,
            site=staff.site,
            item_versions=[version] if version else [],
            needs=needs,
        )
        case_transition(case=case, event="start_review", actor=actor, needs=needs or None)
    except TransitionRefused as refusal:
        raise Refused(refusal.message) from None
    return {
        "case_id": case.pk,
        "number": case.number,
        "label": f"办件已登记：{case.number}",
        "url": f"/work/cases/{case.number}/",
    }


def _photo(staff, payload: dict, made_at: datetime) -> dict:
    case = _case_of(staff, payload)
    material = case.materials.filter(material_id=payload.get("material")).first()
    if material is None:
        raise Refused("该办件没有这份材料")
    text = str(payload.get("data", ""))
    if "," in text[:64]:
        text = text.split(",", 1)[1]  # a data: URL
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise Refused("照片数据不完整，请重新拍照") from None
    if len(data) > PHOTO_MAX_BYTES:
        raise Refused("照片过大，请重新拍照")
    name = _text(payload, "name", 100) or "photo.jpg"
    try:
        material_upload(material=material, upload=ContentFile(data, name=name))
    except UploadRefused as refusal:
        raise Refused(refusal.message) from None
    return {"label": f"材料照片已保存：{material.name}", "url": f"/work/cases/{case.number}/"}


REVIEW_STATUSES = {s.value for s in MaterialStatus} - {MaterialStatus.PENDING.value}


def _review(staff, payload: dict, made_at: datetime) -> dict:
    case = _case_of(staff, payload)
    materials = {m.material_id: m for m in case.materials.all()}
    checks = []
    for check in payload.get("checks") or []:
        if not isinstance(check, dict):
            continue
        material = materials.get(check.get("material"))
        status = str(check.get("status", ""))
        if material is None or status not in REVIEW_STATUSES:
            continue
        checks.append(
            {"material_id": material.pk, "status": status, "note": str(check.get("note", ""))[:300]}
        )
    if not checks:
        return {"label": "没有需要预审的材料", "url": f"/work/cases/{case.number}/"}
    try:
        case_transition(case=case, event="pre_review", actor=Actor.of_staff(staff), checks=checks)
    except TransitionRefused as refusal:
        raise Refused(refusal.message) from None
    return {"label": f"已预审 {len(checks)} 份材料", "url": f"/work/cases/{case.number}/"}


HANDLERS = {
    OfflineKind.CONSULTATION: _consultation,
    OfflineKind.CLIENT: _client,
    OfflineKind.CASE: _case,
    OfflineKind.PHOTO: _photo,
    OfflineKind.REVIEW: _review,
}
