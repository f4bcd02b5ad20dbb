"""Writes of remote help: ask, answer, chat, photos, end, escalate, call back.

Every function is atomic and refuses with ``RemoteRefused`` whose message is a Chinese
sentence for the person on screen. Who asks or speaks is an ``Actor`` (a staff member, or
a client) or a ``Caller``: a citizen who proved a mobile on the portal (the portal's
``PortalIdentity`` is one). After the commit, each change that alters a queue is announced
to it (``_announce`` → ``live.queue_changed(site_id)``, the realtime side's; pages poll
without it).

The one access rule for a live session is ``may_join``: its two parties only. The record
afterwards is read through ``access.py`` (whoever may see its case or consultation).
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Avg

from bangban.cases import clock
from bangban.cases.access import Actor, case_roles, visible_cases
from bangban.cases.uploads import UploadRefused, check, material_upload
from bangban.clients import pii
from bangban.clients.identity import IdentityError, validate_mobile
from bangban.consultations.selectors import visible_consultations
from bangban.staff.models import StaffMember

from . import photos, rota
from .models import (
    OPEN,
    RINGING,
    AskerKind,
    HelpRequest,
    HelpSession,
    Outcome,
    RequestState,
    SenderKind,
    SessionMessage,
    SessionPhoto,
)


class RemoteRefused(ValueError):
    """A remote-help write was refused; ``message`` is for people, ``code`` for programs."""

    def __init__(self, message: str, code: str = "refused"):
        super().__init__(message)
        self.message = message
        self.code = code


class Caller(Protocol):
    """A citizen who proved a mobile number (the portal's ``PortalIdentity``)."""

    @property
    def mobile_hash(self) -> str: ...

    @property
    def mobile_masked(self) -> str: ...

    @property
    def mobile_cipher(self) -> str: ...


Asker = Actor | Caller


@dataclass(frozen=True)
class _Party:
    kind: str  # AskerKind
    name: str
    staff: object | None = None
    hashes: tuple[str, ...] = ()
    cipher: str = ""
    masked: str = ""


def _party(actor) -> _Party:
    if isinstance(actor, Actor):
        if actor.kind == "staff":
            staff = actor.staff
            if staff is None or not staff.is_active:
                raise RemoteRefused("只有在岗工作人员可以远程帮办", "forbidden")
            return _Party(AskerKind.STAFF, staff.name, staff=staff)
        if actor.kind == "client" and actor.client.mobile_hash:
            client = actor.client
            return _Party(
                AskerKind.CITIZEN,
                client.name,
                hashes=(client.mobile_hash,),
                cipher=client.mobile_cipher,
                masked=client.mobile_masked,
            )
        raise RemoteRefused("请先登录后再求助", "forbidden")
    if getattr(actor, "mobile_hash", ""):
        hashes = tuple(getattr(actor, "mobile_hashes", None) or (actor.mobile_hash,))
        return _Party(
            AskerKind.CITIZEN,
            getattr(actor, "name", "") or f"群众（{actor.mobile_masked}）",
            hashes=hashes,
            cipher=actor.mobile_cipher,
            masked=actor.mobile_masked,
        )
    raise RemoteRefused("请先登录后再求助", "forbidden")


def _announce(*site_ids) -> None:
    """After the commit, tell the queues of these sites that they changed (realtime side)."""
    ids = sorted({s for s in site_ids if s})

    def send() -> None:
        try:
            live = importlib.import_module("bangban.remote.live")
        except ImportError:  # the realtime side is not installed: the pages poll
            return
        for site_id in ids:
            live.queue_changed(site_id)

    transaction.on_commit(send)


def _locked(help_request: HelpRequest) -> HelpRequest:
    return HelpRequest.objects.select_for_update().get(pk=help_request.pk)


def _copy_into(target, fresh) -> None:
    target.__dict__.update({k: v for k, v in fresh.__dict__.items() if k != "_state"})


# --- asking ---------------------------------------------------------------------------------


@transaction.atomic
def help_ask(
    actor: Asker, *, question: str, item=None, case=None, consultation=None, site=None
) -> HelpRequest:
    """Ask for remote help; the request rings the first site of its ladder (``rota.ladder``).

    A staff member asks from their own site, about a case or consultation they may see; a
    citizen about their own case, or an item at a ``site`` they choose (the case's site when
    there is a case). Asking again while a request of the same person is still open gives
    that request back rather than ringing twice.
    """
    party = _party(actor)
    question = " ".join((question or "").split())
    if not question:
        raise RemoteRefused("请简单写下您要咨询的问题", "question")
    if len(question) > 500:
        raise RemoteRefused("问题请控制在 500 字以内，详细情况可在通话中说明", "question")
    if party.kind == AskerKind.STAFF:
        staff = party.staff
        if case is not None and not visible_cases(actor).filter(pk=case.pk).exists():
            raise RemoteRefused("只能就本人可查看的办件发起远程求助", "case")
        if (
            consultation is not None
            and not visible_consultations(staff).filter(pk=consultation.pk).exists()
        ):
            raise RemoteRefused("只能就本人可查看的咨询发起远程求助", "consultation")
        site = staff.site
    else:
        if consultation is not None:
            raise RemoteRefused("请从办件或事项页面发起求助", "consultation")
        if case is not None:
            if case.client.mobile_hash not in party.hashes:
                raise RemoteRefused("只能就本人的办件发起求助", "case")
            site = case.site
        if site is None or not site.is_active:
            raise RemoteRefused("请选择服务机构", "site")
    if item is None and consultation is not None:
        item = consultation.item
    open_request = _open_request_of(party)
    if open_request is not None:
        return open_request
    steps = rota.ladder(site, citizen=party.kind == AskerKind.CITIZEN)
    help_request = HelpRequest.objects.create(
        asker_kind=party.kind,
        asker_staff=party.staff,
        asker_name=party.name[:200],
        asker_mobile_hash=party.hashes[0] if party.hashes else "",
        asker_mobile_cipher=party.cipher,
        asker_mobile_masked=party.masked,
        site=site,
        ring_site=steps[0] if steps else None,
        item=item,
        case=case,
        consultation=consultation,
        question=question,
        state=RequestState.WAITING,
        target_seconds=rota.target_seconds(site),
        asked_at=clock.now(),
    )
    _announce(help_request.ring_site_id, help_request.site_id)
    return help_request


def _open_request_of(party: _Party) -> HelpRequest | None:
    requests = HelpRequest.objects.filter(state__in=OPEN)
    if party.kind == AskerKind.STAFF:
        requests = requests.filter(asker_staff=party.staff)
    else:
        requests = requests.filter(asker_mobile_hash__in=party.hashes)
    return requests.order_by("-asked_at").first()


def is_asker(actor, help_request: HelpRequest) -> bool:
    try:
        party = _party(actor)
    except RemoteRefused:
        return False
    if party.kind == AskerKind.STAFF:
        return help_request.asker_staff_id == party.staff.pk
    return bool(help_request.asker_mobile_hash) and help_request.asker_mobile_hash in party.hashes


# --- answering ------------------------------------------------------------------------------


def may_answer(staff, help_request: HelpRequest) -> bool:
    """An active agent of the site it rings now, or a coordinator covering the asker's site."""
    if staff is None or not staff.is_active:
        return False
    if staff.is_agent and help_request.ring_site_id and staff.site_id == help_request.ring_site_id:
        return True
    return staff.is_coordinator and staff.covers(help_request.site)


def _seconds(since: datetime, until: datetime) -> int:
    return max(0, math.floor((until - since).total_seconds()))


@transaction.atomic
def help_answer(staff, help_request: HelpRequest) -> HelpSession:
    """Answer a ringing request: the session starts, the waiting time is recorded."""
    locked = _locked(help_request)
    if locked.state == RequestState.ANSWERED:
        by = HelpSession.objects.filter(request=locked).values_list("expert__name", flat=True)
        raise RemoteRefused(f"该求助已由{by.first() or '其他人员'}接听", "answered")
    if locked.state not in RINGING:
        raise RemoteRefused(f"该求助{locked.get_state_display()}，不能再接听", "state")
    if not may_answer(staff, locked):
        raise RemoteRefused("该求助不在您值守的队列中", "forbidden")
    now = clock.now()
    locked.state = RequestState.ANSWERED
    locked.answered_at = now
    locked.wait_seconds = _seconds(locked.asked_at, now)
    locked.save(update_fields=["state", "answered_at", "wait_seconds"])
    _copy_into(help_request, locked)
    session = HelpSession.objects.create(
        request=locked,
        expert=staff,
        case_id=locked.case_id,
        consultation_id=locked.consultation_id,
        started_at=now,
    )
    _announce(locked.ring_site_id, locked.site_id, staff.site_id)
    return session


# --- the live session -----------------------------------------------------------------------


def may_join(actor, session: HelpSession) -> bool:
    """The one access rule for a live session: its two parties only (the expert who
    answered and the asker)."""
    if isinstance(actor, Actor) and actor.kind == "staff":
        staff = actor.staff
        if staff is None or not staff.is_active:
            return False
        if staff.pk == session.expert_id:
            return True
    return is_asker(actor, session.request)


def _sender(actor, session: HelpSession) -> _Party:
    if not may_join(actor, session):
        raise RemoteRefused("您不是本次远程帮办的参与人", "forbidden")
    if session.ended_at is not None:
        raise RemoteRefused("本次远程帮办已结束", "ended")
    return _party(actor)


def _sender_kind(party: _Party) -> str:
    return SenderKind.STAFF if party.kind == AskerKind.STAFF else SenderKind.CITIZEN


@transaction.atomic
def session_message(session: HelpSession, *, sender_actor, text: str) -> SessionMessage:
    party = _sender(sender_actor, session)
    text = (text or "").strip()
    if not text:
        raise RemoteRefused("消息不能为空", "text")
    if len(text) > 2000:
        raise RemoteRefused("一条消息请控制在 2000 字以内", "text")
    return SessionMessage.objects.create(
        session=session,
        sender_kind=_sender_kind(party),
        sender_name=party.name[:200],
        text=text,
        at=clock.now(),
    )


@transaction.atomic
def session_photo(session: HelpSession, *, sender_actor, content: bytes, name: str) -> SessionPhoto:
    """A photo (or PDF) of a material sent in the session, checked like every upload."""
    party = _sender(sender_actor, session)
    try:
        checked = check(ContentFile(content, name=name))
    except UploadRefused as error:
        raise RemoteRefused(error.message, "photo") from error
    photo = SessionPhoto(
        session=session,
        sender_kind=_sender_kind(party),
        sender_name=party.name[:200],
        name=name[:200],
        kind=checked.kind,
        size=len(checked.data),
        sha256=checked.sha256,
        at=clock.now(),
    )
    stored = f"session-{session.pk}-{checked.sha256[:16]}.{checked.extension}{photos.SUFFIX}"
    photo.file.save(stored, photos.sealed(checked.data), save=False)  # encrypted at rest
    photo.save()
    return photo


CONSENT_WORDS = "服务对象已同意将此照片作为办件材料"  # what the staff member ticks


def may_keep_photos(staff, session: HelpSession) -> bool:
    """Whether ``staff`` may keep this session's photos as case materials (the rule of
    ``photo_to_case_material``, for the pages to offer the form only to those)."""
    if staff is None or session.case_id is None:
        return False
    actor = Actor.of_staff(staff)
    return may_join(actor, session) and bool(
        case_roles(actor, session.case) & {"agent", "coordinator"}
    )


@transaction.atomic
def photo_to_case_material(photo: SessionPhoto, *, staff, consent: bool, material):
    """Keep a session's photo as a material of the session's case, with the client's consent.

    The staff member records that the client agreed (``consent`` true, e.g. after asking on
    screen); who recorded it and when stay on the photo. Only a staff party of the session
    who acts on the case (agent or coordinator of it), for a material of that case.
    """
    session = photo.session
    if not consent:
        raise RemoteRefused("须经服务对象同意，照片才能作为办件材料", "consent")
    if not may_join(Actor.of_staff(staff), session):
        raise RemoteRefused("只有本次远程帮办的工作人员可以转存照片", "forbidden")
    if session.case_id is None or material is None or material.case_id != session.case_id:
        raise RemoteRefused("请选择本办件的一项材料", "material")
    if not case_roles(Actor.of_staff(staff), session.case) & {"agent", "coordinator"}:
        raise RemoteRefused("只有本办件的帮办代办员或协调员可以转存材料", "forbidden")
    if photo.material_id is not None:
        raise RemoteRefused("该照片已转为办件材料", "kept")
    try:
        data = photos.read(photo.file)
    except FileNotFoundError:
        raise RemoteRefused("照片文件已不存在，请重新拍照", "photo") from None
    try:
        material_upload(material=material, upload=ContentFile(data, name=photo.name))
    except UploadRefused as error:
        raise RemoteRefused(error.message, "material") from error
    photo.consent_recorded_at = clock.now()
    photo.consent_recorded_by = staff
    photo.consent_words = CONSENT_WORDS
    photo.material = material
    photo.save(
        update_fields=["consent_recorded_at", "consent_recorded_by", "consent_words", "material"]
    )
    return material


@transaction.atomic
def session_media(session: HelpSession, *, audio=False, video=False, screen=False) -> None:
    """Note which media the session used (the realtime side calls it when a track starts)."""
    fields = {"used_audio": audio, "used_video": video, "used_screen": screen}
    update = {k: True for k, v in fields.items() if v}
    if update:
        HelpSession.objects.filter(pk=session.pk).update(**update)
        for key in update:
            setattr(session, key, True)


@transaction.atomic
def session_consent_recording(session: HelpSession, *, by_actor) -> None:
    """The client agreed on screen to record audio and video; only if the county allows it."""
    if not is_asker(by_actor, session.request) or session.request.asker_kind != AskerKind.CITIZEN:
        raise RemoteRefused("须由服务对象本人在屏幕上同意录制", "forbidden")
    if not rota.recording_enabled(session.request.site):
        raise RemoteRefused("本县未开启远程帮办录制", "disabled")
    HelpSession.objects.filter(pk=session.pk).update(recording_consented=True)
    session.recording_consented = True


@transaction.atomic
def session_end(session: HelpSession, *, by_actor, outcome: str) -> None:
    """End the session (either party; a second end changes nothing).

    ``outcome``: answered / became_case / call_back; a call back puts the request back in
    the queue as a call-back to the asker's number (see ``help_call_back``).
    """
    if not may_join(by_actor, session):
        raise RemoteRefused("您不是本次远程帮办的参与人", "forbidden")
    if outcome not in set(Outcome):
        raise RemoteRefused("请选择结果：已解答、转为办件或约定回电", "outcome")
    locked = HelpSession.objects.select_for_update().get(pk=session.pk)
    if locked.ended_at is not None:
        _copy_into(session, locked)
        return
    now = clock.now()
    locked.ended_at = now
    locked.duration_seconds = _seconds(locked.started_at, now)
    locked.ended_by = _party(by_actor).name[:200]
    locked.outcome = outcome
    locked.save(update_fields=["ended_at", "duration_seconds", "ended_by", "outcome"])
    _copy_into(session, locked)
    request = _locked(session.request)
    request.closed_at = now
    request.save(update_fields=["closed_at"])
    if outcome == Outcome.CALL_BACK:
        _to_call_back(request, number=None)
    _copy_into(session.request, request)
    _announce(request.ring_site_id, request.site_id)


# --- escalation, waiting, call-back ---------------------------------------------------------


def _due_at(help_request: HelpRequest) -> datetime:
    since = help_request.escalated_at or help_request.asked_at
    return since + timedelta(seconds=help_request.target_seconds)


@transaction.atomic
def help_escalate_due(now: datetime | None = None) -> int:
    """Move every request nobody answered within its target one step up its ladder: the
    next site above, then the coordinators covering the asker's site. How many moved."""
    now = now or clock.now()
    moved = 0
    ringing = (
        HelpRequest.objects.select_for_update()
        .filter(state__in=RINGING, ring_site__isnull=False)
        .select_related("site", "ring_site")
    )
    for help_request in ringing:
        if _due_at(help_request) > now:
            continue
        steps = rota.ladder(help_request.site, citizen=help_request.asker_kind == AskerKind.CITIZEN)
        ids = [s.pk for s in steps]
        here = ids.index(help_request.ring_site_id) if help_request.ring_site_id in ids else -1
        previous = help_request.ring_site_id
        help_request.ring_site = steps[here + 1] if here + 1 < len(steps) else None
        help_request.level += 1
        help_request.state = RequestState.ESCALATED
        help_request.escalated_at = now
        help_request.save(update_fields=["ring_site", "level", "state", "escalated_at"])
        _announce(previous, help_request.ring_site_id, help_request.site_id)
        moved += 1
    return moved


@dataclass(frozen=True)
class Wait:
    """What the asker is told about the wait, honestly."""

    waited_seconds: int
    ahead: int  # requests ringing the same place, asked earlier
    on_duty: int  # staff on duty where it rings now (coordinators: those covering)
    ringing: str  # whom it rings, in words ("县政务服务中心", "协调员")
    typical_seconds: int | None  # mean wait of answered requests there in the last 30 days
    target_seconds: int
    over_target: bool

    @property
    def sentence(self) -> str:
        if self.on_duty == 0:
            return f"{self.ringing}现在没有值班人员在线，建议您留下电话，我们尽快回电。"
        parts = []
        if self.ahead:
            parts.append(f"您前面还有 {self.ahead} 位")
        if self.typical_seconds is not None:
            parts.append(f"近期平均等待约 {_words(self.typical_seconds)}")
        if self.over_target:
            parts.append(f"已超过 {_words(self.target_seconds)}的接听目标，正在转接上一级")
        text = "，".join(parts) or "正在呼叫值班人员"
        return f"{text}。等不及可以留下电话，我们回电给您。"


def _words(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} 秒"
    return f"{seconds // 60} 分 {seconds % 60} 秒" if seconds % 60 else f"{seconds // 60} 分钟"


def wait_for(help_request: HelpRequest, now: datetime | None = None) -> Wait:
    """How long it has waited, who is ahead, who is on duty (four small queries)."""
    now = now or clock.now()
    ring = help_request.ring_site
    if ring is not None:
        place = HelpRequest.objects.filter(ring_site=ring)
        on_duty = rota.on_duty(ring, now).count()
        ringing = ring.name
    else:
        place = HelpRequest.objects.filter(ring_site__isnull=True, site=help_request.site)
        on_duty = StaffMember.objects.covering(help_request.site).filter(is_active=True).count()
        ringing = "协调员"
    ahead = (
        place.filter(state__in=RINGING, asked_at__lt=help_request.asked_at)
        .exclude(pk=help_request.pk)
        .count()
    )
    typical = place.filter(
        wait_seconds__isnull=False, asked_at__gte=now - timedelta(days=30)
    ).aggregate(mean=Avg("wait_seconds"))["mean"]
    waited = _seconds(help_request.asked_at, now)
    return Wait(
        waited_seconds=waited,
        ahead=ahead,
        on_duty=on_duty,
        ringing=ringing,
        typical_seconds=round(typical) if typical is not None else None,
        target_seconds=help_request.target_seconds,
        over_target=now >= _due_at(help_request),
    )


def _default_callback(request: HelpRequest) -> tuple[str, str]:
    if request.asker_mobile_cipher:
        return request.asker_mobile_cipher, request.asker_mobile_masked
    if request.case_id and request.case.client.mobile_cipher:
        client = request.case.client
        return client.mobile_cipher, client.mobile_masked
    if request.asker_staff_id and request.asker_staff.phone:
        cipher, _, masked = pii.protect("mobile", request.asker_staff.phone)
        return cipher, masked
    return "", ""


def _to_call_back(request: HelpRequest, *, number: str | None) -> None:
    if number:
        try:
            number = validate_mobile(number)
        except IdentityError as error:
            raise RemoteRefused(error.message, "number") from error
        cipher, _, masked = pii.protect("mobile", number)
    else:
        cipher, masked = _default_callback(request)
        if not cipher:
            raise RemoteRefused("请留下回电的手机号码", "number")
    request.state = RequestState.CALL_BACK
    request.callback_cipher = cipher
    request.callback_masked = masked
    request.callback_asked_at = clock.now()
    request.save(update_fields=["state", "callback_cipher", "callback_masked", "callback_asked_at"])


@transaction.atomic
def help_call_back(actor, help_request: HelpRequest, *, number: str = "") -> HelpRequest:
    """The asker stops waiting and leaves a number (their proven mobile, the case's client's
    or their own phone when none is typed); the request shows in the queue as a call-back."""
    if not is_asker(actor, help_request):
        raise RemoteRefused("只有求助人本人可以申请回电", "forbidden")
    locked = _locked(help_request)
    if locked.state not in RINGING:
        raise RemoteRefused(f"该求助{locked.get_state_display()}，无需再申请回电", "state")
    _to_call_back(locked, number=number.strip() or None)
    _copy_into(help_request, locked)
    _announce(locked.ring_site_id, locked.site_id)
    return help_request


def callback_number(help_request: HelpRequest) -> str:
    """The number to call back, in clear, for the one who calls (never shown in lists)."""
    return pii.reveal(help_request.callback_cipher)


@transaction.atomic
def help_call_back_done(staff, help_request: HelpRequest, *, note: str) -> HelpRequest:
    """Close a call-back: whoever called back says what came of it."""
    locked = _locked(help_request)
    if locked.state != RequestState.CALL_BACK:
        raise RemoteRefused(f"该求助{locked.get_state_display()}，不是待回电的求助", "state")
    if not may_answer(staff, locked) and not (
        staff and staff.is_active and staff.covers(locked.site)
    ):
        raise RemoteRefused("该求助不在您值守的队列中", "forbidden")
    note = " ".join((note or "").split())
    if not note:
        raise RemoteRefused("请填写回电结果", "note")
    now = clock.now()
    locked.state = RequestState.CALLED_BACK
    locked.called_back_at = now
    locked.called_back_by = staff
    locked.callback_note = note[:500]
    locked.closed_at = now
    locked.save(
        update_fields=["state", "called_back_at", "called_back_by", "callback_note", "closed_at"]
    )
    _copy_into(help_request, locked)
    _announce(locked.ring_site_id, locked.site_id)
    return help_request


@transaction.atomic
def help_cancel(actor, help_request: HelpRequest) -> HelpRequest:
    """The asker hangs up before anyone answered."""
    if not is_asker(actor, help_request):
        raise RemoteRefused("只有求助人本人可以取消", "forbidden")
    locked = _locked(help_request)
    if locked.state in RINGING:
        locked.state = RequestState.CANCELLED
        locked.closed_at = clock.now()
        locked.save(update_fields=["state", "closed_at"])
        _announce(locked.ring_site_id, locked.site_id)
    _copy_into(help_request, locked)
    return help_request
