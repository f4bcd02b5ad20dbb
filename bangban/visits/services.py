"""Appointments at a window (预约) and home visits (上门服务), seed 001 §9.

A slot holds ``capacity`` people. Booking takes a place with one conditional UPDATE
(``booked = booked + 1 WHERE booked < capacity``): two people pressing the button at the same
moment cannot both get the last place, whatever the database, and the check constraint on
``TimeSlot`` refuses an overbooked row even if some other code tried. One person holds at
most one place per slot (a partial unique constraint). Cancelling gives the place back in
the same transaction; rescheduling is a cancel and a booking that succeed or fail together.

Home visits are for any priority client (老年人、残疾人等特殊群体: seed 001 §9, 003 第十一条)
or on a need staff record (seed 002: 必要时…登门受理): the person gives an address and the
times that suit them, a coordinator of the site schedules an agent or declines with a reason,
and the person is told by SMS (the outbox, catalogue templates: ``messages.py``); the agent
records the visit as done.

Both belong to a case when booked from one or linked by staff. Staff take requests by phone
(``appointment_by_phone``, ``home_visit_by_phone``) and record attended / no-show and visited.
Booking and scheduling send a confirmation, and the day before a reminder (``messages.py``).

The portal's pages, the admin and the workbench call these; the area knows no page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Protocol

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q, QuerySet
from django.db.models.functions import Greatest
from django.utils import timezone

from bangban.cases import surge
from bangban.cases.messaging import SmsError, send_sms
from bangban.cases.services import next_number
from bangban.clients import pii
from bangban.clients.identity import IdentityError, validate_mobile
from bangban.network.models import under_q
from bangban.staff.models import StaffMember

from . import messages
from .models import (
    PRIORITY_GROUPS,
    Appointment,
    AppointmentStatus,
    HomeVisitRequest,
    HomeVisitStatus,
    RequestChannel,
    TimeSlot,
)

BOOKABLE_DAYS = 14
MAX_ACTIVE_APPOINTMENTS = 3


class Caller(Protocol):
    """Who books or asks: a person who proved a mobile number. The portal's
    ``PortalIdentity`` is one; this area keeps only what it stores of it."""

    @property
    def mobile_hash(self) -> str: ...

    @property
    def mobile_masked(self) -> str: ...

    @property
    def mobile_cipher(self) -> str: ...


class BookingRefused(Exception):
    def __init__(self, message: str, code: str = "refused"):
        super().__init__(message)
        self.message = message
        self.code = code


# --- slots ------------------------------------------------------------------------------


def slot_capacity(site, day, capacity: int) -> int:
    """How many people a slot of ``site`` on ``day`` takes: ``capacity``, plus the places a
    surge in force that day adds (``cases.surge.Surge.extra_places``). The one rule: new
    slots are opened with it and a declared surge widens the slots already open
    (``slots_widen_for_surge``)."""
    extra = surge.surges_on(site.pk, day).aggregate(extra=Max("extra_places"))["extra"]
    return capacity + (extra or 0)


def slots_widen_for_surge(message: surge.SurgeDeclared) -> int:
    """A site switched into surge: its slots already open in the period take the surge's
    extra places (subscribed to ``cases.surge.SurgeDeclared`` in ``VisitsConfig.ready``)."""
    declared = message.surge
    if not declared.extra_places:
        return 0
    return TimeSlot.objects.filter(
        site_id=declared.site_id, day__gte=declared.starts_on, day__lte=declared.ends_on
    ).update(capacity=F("capacity") + declared.extra_places)


def slots_follow_surge_change(message: surge.SurgeChanged) -> int:
    """A surge's end or extra places changed (edited or ended early): its site's slots from
    today on move from the old extra places of their day to the new ones, so a slot after a
    new, earlier end falls back to its ordinary capacity (never below the places already
    booked: nobody loses an appointment). Past slots are history and stay. Subscribed to
    ``cases.surge.SurgeChanged`` in ``VisitsConfig.ready``."""
    changed = message.surge
    today = timezone.localdate()
    first = max(changed.starts_on, today)
    old_end, new_end = message.old_ends_on, changed.ends_on
    old, new = message.old_extra_places, changed.extra_places
    moves = [
        (first, min(old_end, new_end), new - old),  # the days in both periods
        (max(first, new_end + timedelta(days=1)), old_end, -old),  # no longer in surge
        (max(first, old_end + timedelta(days=1)), new_end, new),  # newly in surge
    ]
    moved = 0
    for since, until, delta in moves:
        if delta == 0 or since > until:
            continue
        moved += TimeSlot.objects.filter(
            site_id=changed.site_id, day__gte=since, day__lte=until
        ).update(capacity=Greatest(F("booked"), F("capacity") + delta))
    return moved


def slots_open(*, site, day, times, capacity: int = 2) -> list[TimeSlot]:
    """Open slots at ``site`` on ``day`` for each (start, end); existing ones are kept."""
    made = []
    capacity = slot_capacity(site, day, capacity)
    for start, end in times:
        slot, _ = TimeSlot.objects.get_or_create(
            site=site, day=day, start=start, defaults={"end": end, "capacity": capacity}
        )
        made.append(slot)
    return made


def _starts_at(slot: TimeSlot) -> datetime:
    return timezone.make_aware(datetime.combine(slot.day, slot.start))


def slots_bookable(site, *, now=None) -> QuerySet[TimeSlot]:
    """Slots at ``site`` from now to ``BOOKABLE_DAYS`` ahead that still have a place."""
    now = timezone.localtime(now or timezone.now())
    today = now.date()
    return (
        TimeSlot.objects.filter(
            site=site, day__gte=today, day__lte=today + timedelta(days=BOOKABLE_DAYS)
        )
        .exclude(day=today, start__lte=now.time())
        .filter(booked__lt=F("capacity"))
        .order_by("day", "start")
    )


# --- booking ----------------------------------------------------------------------------


def appointments_of(identity: Caller) -> QuerySet[Appointment]:
    return Appointment.objects.filter(mobile_hash=identity.mobile_hash).select_related("slot__site")


def upcoming_of(identity: Caller, now=None) -> QuerySet[Appointment]:
    today = timezone.localdate(now or timezone.now())
    return appointments_of(identity).filter(status=AppointmentStatus.BOOKED, slot__day__gte=today)


def _take_place(slot: TimeSlot) -> None:
    taken = TimeSlot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(
        booked=F("booked") + 1
    )
    if not taken:
        raise BookingRefused("该时段已约满，请选择其他时段", "full")


def _give_back(slot_id: int) -> None:
    TimeSlot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)


@transaction.atomic
def appointment_book(
    *,
    slot: TimeSlot,
    identity: Caller,
    name: str,
    purpose: str,
    case=None,
    now=None,
    channel: str = RequestChannel.ONLINE,
    recorded_by=None,
) -> Appointment:
    """Book a place.

    1. the slot must not have started; 2. the person must not already hold it, nor too many
    others; 3. take a place with the conditional UPDATE; 4. write the appointment (the
    unique constraint stops a double booking that slipped past step 2); 5. after the
    commit, the confirmation SMS.
    """
    now = now or timezone.now()
    if _starts_at(slot) <= now:
        raise BookingRefused("该时段已开始或已过去，请选择其他时段", "past")
    if not name.strip() or not purpose.strip():
        raise BookingRefused("请填写称呼和要办理的事项", "incomplete")
    mine = upcoming_of(identity, now)
    if mine.filter(slot=slot).exists():
        raise BookingRefused("您已预约了该时段，无需重复预约", "duplicate")
    if mine.count() >= MAX_ACTIVE_APPOINTMENTS:
        raise BookingRefused(
            f"同一手机号码最多同时保留{MAX_ACTIVE_APPOINTMENTS}个预约，请先取消不需要的预约",
            "too_many",
        )
    _take_place(slot)
    try:
        with transaction.atomic():
            made = Appointment.objects.create(
                number=next_number(site=slot.site, prefix="YY"),
                slot=slot,
                name=name.strip()[:50],
                mobile_cipher=identity.mobile_cipher,
                mobile_hash=identity.mobile_hash,
                mobile_masked=identity.mobile_masked,
                purpose=purpose.strip()[:200],
                case=case,
                channel=channel,
                recorded_by=recorded_by,
            )
    except IntegrityError:
        raise BookingRefused("您已预约了该时段，无需重复预约", "duplicate") from None
    transaction.on_commit(lambda: messages.confirm_appointment(made.pk), robust=True)
    return made


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, now=None) -> Appointment:
    """Cancel and give the place back; cancelling twice gives back nothing twice."""
    now = now or timezone.now()
    if _starts_at(appointment.slot) <= now:
        raise BookingRefused("预约时段已开始，不能取消", "past")
    changed = Appointment.objects.filter(pk=appointment.pk, status=AppointmentStatus.BOOKED).update(
        status=AppointmentStatus.CANCELLED, cancelled_at=now
    )
    if not changed:
        raise BookingRefused("该预约已取消", "cancelled")
    _give_back(appointment.slot_id)
    appointment.refresh_from_db()
    return appointment


@transaction.atomic
def appointment_reschedule(
    *, appointment: Appointment, slot: TimeSlot, identity: Caller, now=None
) -> Appointment:
    """Move to another slot: the old place is freed only if the new one is taken."""
    if slot.pk == appointment.slot_id:
        raise BookingRefused("请选择与原预约不同的时段", "same")
    appointment_cancel(appointment=appointment, now=now)
    return appointment_book(
        slot=slot,
        identity=identity,
        name=appointment.name,
        purpose=appointment.purpose,
        case=appointment.case,
        now=now,
        channel=appointment.channel,
        recorded_by=appointment.recorded_by,
    )


# --- home visits --------------------------------------------------------------------------


NOT_PRIORITY = (
    "上门服务面向行动不便的老年人、残疾人、孕妇等特殊群体；其他确有需要的，"
    "请致电服务点，由工作人员登记需要上门的原因"
)


@transaction.atomic
def home_visit_request(
    *,
    identity: Caller,
    site,
    name: str,
    address: str,
    is_elderly: bool = False,
    is_disabled: bool = False,
    needs: str,
    preferred_times: str,
    groups: frozenset[str] | set[str] = frozenset(),
    need_reason: str = "",
    case=None,
    channel: str = RequestChannel.ONLINE,
    recorded_by=None,
) -> HomeVisitRequest:
    """Ask for a home visit: the person belongs to a 特殊群体 (``groups``, keys of
    ``PRIORITY_GROUPS``; ``is_elderly``/``is_disabled`` are the same as naming those two),
    or staff recorded why a visit is needed (``need_reason``, only with ``recorded_by``)."""
    groups = set(groups) | {
        g for g, on in (("elderly", is_elderly), ("disabled", is_disabled)) if on
    }
    if groups - set(PRIORITY_GROUPS):
        raise BookingRefused("请从列出的情况中选择", "group")
    need_reason = need_reason.strip() if recorded_by is not None else ""
    if not groups and not need_reason:
        raise BookingRefused(NOT_PRIORITY, "not_priority")
    missing = [
        label
        for value, label in (
            (name, "称呼"),
            (address, "上门地址"),
            (needs, "需要办理的事情"),
            (preferred_times, "方便的时间"),
        )
        if not value.strip()
    ]
    if missing:
        raise BookingRefused("请填写：" + "、".join(missing), "incomplete")
    address_cipher, _, address_masked = pii.protect("address", address.strip())
    return HomeVisitRequest.objects.create(
        number=next_number(site=site, prefix="SM"),
        site=site,
        name=name.strip()[:50],
        mobile_cipher=identity.mobile_cipher,
        mobile_hash=identity.mobile_hash,
        mobile_masked=identity.mobile_masked,
        address_cipher=address_cipher,
        address_masked=address_masked,
        is_elderly="elderly" in groups,
        is_disabled="disabled" in groups,
        is_pregnant="pregnant" in groups,
        is_ill="ill" in groups,
        need_reason=need_reason[:2000],
        needs=needs.strip()[:2000],
        preferred_times=preferred_times.strip()[:200],
        case=case,
        channel=channel,
        recorded_by=recorded_by,
    )


def home_visits_for(staff) -> QuerySet[HomeVisitRequest]:
    """The requests a coordinator schedules: those of the sites they cover."""
    if not (staff.is_active and staff.is_coordinator):
        return HomeVisitRequest.objects.none()
    return HomeVisitRequest.objects.filter(under_q(staff.covered_paths(), "site")).select_related(
        "site", "agent"
    )


def agents_for(visit: HomeVisitRequest) -> QuerySet[StaffMember]:
    """Agents who may go: active agents of the site or of the sites above it."""
    ancestors = [p for p in visit.site.path.split("/") if p]
    return StaffMember.objects.active().agents().filter(site_id__in=ancestors).order_by("name")


@transaction.atomic
def home_visit_schedule(
    *, visit: HomeVisitRequest, staff, agent, scheduled_for: datetime, reply: str = ""
) -> HomeVisitRequest:
    visit = home_visits_for(staff).select_for_update(of=("self",)).get(pk=visit.pk)
    if visit.status not in {HomeVisitStatus.REQUESTED, HomeVisitStatus.SCHEDULED}:
        raise BookingRefused("该申请已处理完毕，不能再安排", "closed")
    if not agents_for(visit).filter(pk=agent.pk).exists():
        raise BookingRefused("请选择本服务机构或上级机构的在岗帮办代办员", "agent")
    if scheduled_for <= timezone.now():
        raise BookingRefused("上门时间须晚于现在", "past")
    visit.status = HomeVisitStatus.SCHEDULED
    visit.agent = agent
    visit.scheduled_for = scheduled_for
    visit.reply = reply.strip()[:300]
    visit.handled_by = staff
    # a new time is confirmed and reminded again
    visit.confirmation_sent_at = visit.reminder_sent_at = None
    visit.save()
    when = timezone.localtime(scheduled_for)
    transaction.on_commit(lambda: messages.confirm_visit(visit.pk), robust=True)
    if agent.phone:  # the agent needs the full address and number; pages show them masked
        try:
            send_sms(
                agent.phone,
                f"【帮办代办】上门服务{visit.number}：{when:%m月%d日 %H:%M}，{visit.name}，"
                f"地址{pii.reveal(visit.address_cipher)}，电话{pii.reveal(visit.mobile_cipher)}。"
                f"事项：{visit.needs[:60]}",
            )
        except SmsError:
            pass
    return visit


@transaction.atomic
def home_visit_decline(*, visit: HomeVisitRequest, staff, reply: str) -> HomeVisitRequest:
    visit = home_visits_for(staff).select_for_update(of=("self",)).get(pk=visit.pk)
    if not reply.strip():
        raise BookingRefused("不予安排须说明理由和可选的其他办法", "reason")
    if visit.status != HomeVisitStatus.REQUESTED:
        raise BookingRefused("该申请已处理，不能再改为不予安排", "closed")
    visit.status = HomeVisitStatus.DECLINED
    visit.reply = reply.strip()[:300]
    visit.handled_by = staff
    visit.save()
    messages.decline_visit(visit)  # to the outbox, in this transaction
    return visit


# --- staff: whose requests, attendance, visits done, cases, phone calls ---------------------


def _site_paths(staff) -> list[str]:
    """The sites whose appointments and visits a staff member handles: a coordinator's
    covered sites, an agent's own site (each with the sites below it)."""
    if not staff.is_active:
        return []
    paths = set(staff.covered_paths()) if staff.is_coordinator else set()
    if staff.is_agent:
        paths.add(staff.site.path)
    return sorted(paths)


def appointments_for(staff) -> QuerySet[Appointment]:
    paths = _site_paths(staff)
    if not paths:
        return Appointment.objects.none()
    return Appointment.objects.filter(under_q(paths, "slot__site")).select_related(
        "slot__site", "case"
    )


def visits_for(staff) -> QuerySet[HomeVisitRequest]:
    """The home visits a staff member handles: a coordinator's sites, and an agent's own
    site or those the agent is sent on."""
    paths = _site_paths(staff)
    if not paths:
        return HomeVisitRequest.objects.none()
    found = under_q(paths, "site")
    if staff.is_agent:
        found |= Q(agent=staff)
    return HomeVisitRequest.objects.filter(found).select_related("site", "agent", "case")


@transaction.atomic
def appointment_mark(*, appointment: Appointment, staff, attended: bool, now=None) -> Appointment:
    """到场 or 未到场, once the slot has started; a mark made by mistake may be turned."""
    now = now or timezone.now()
    locked = appointments_for(staff).select_for_update(of=("self",)).get(pk=appointment.pk)
    if locked.status == AppointmentStatus.CANCELLED:
        raise BookingRefused("该预约已取消，不能登记到场情况", "cancelled")
    if _starts_at(locked.slot) > now:
        raise BookingRefused("预约时段还没有开始，不能登记到场情况", "early")
    locked.status = AppointmentStatus.ATTENDED if attended else AppointmentStatus.MISSED
    locked.marked_at, locked.marked_by = now, staff
    locked.save(update_fields=["status", "marked_at", "marked_by"])
    return locked


@transaction.atomic
def home_visit_done(*, visit: HomeVisitRequest, staff, note: str = "", now=None):
    """已上门: recorded by the agent who went or a coordinator of the site."""
    now = now or timezone.now()
    locked = visits_for(staff).select_for_update(of=("self",)).get(pk=visit.pk)
    if locked.status != HomeVisitStatus.SCHEDULED:
        raise BookingRefused("只有已安排的上门服务才能登记为已上门", "not_scheduled")
    if locked.scheduled_for and timezone.localdate(locked.scheduled_for) > timezone.localdate(now):
        raise BookingRefused("还没到安排的上门日期，不能登记为已上门", "early")
    locked.status, locked.visited_at = HomeVisitStatus.DONE, now
    locked.visit_note = note.strip()[:300]
    locked.save(update_fields=["status", "visited_at", "visit_note", "updated_at"])
    return locked


def link_case(*, row: Appointment | HomeVisitRequest, staff, case) -> None:
    """Tie an appointment or a home visit to a case of the same person (``case`` is one
    the staff member may see: the caller looked it up with ``get_case_for``)."""
    mine = appointments_for(staff) if isinstance(row, Appointment) else visits_for(staff)
    if not mine.filter(pk=row.pk).exists():
        raise BookingRefused("该预约不在您的工作范围内", "scope")
    row.case = case
    row.save(update_fields=["case"])


@dataclass(frozen=True)
class PhoneCaller:
    """A caller on the phone: the number staff typed (or the case's client's)."""

    mobile_hash: str
    mobile_masked: str
    mobile_cipher: str

    @classmethod
    def of(cls, mobile: str = "", case=None) -> PhoneCaller:
        if not mobile.strip() and case is not None and case.client.mobile_cipher:
            client = case.client
            return cls(client.mobile_hash, client.mobile_masked, client.mobile_cipher)
        try:
            number = validate_mobile(mobile)
        except IdentityError as error:
            raise BookingRefused(str(error), "mobile") from None
        cipher, lookup, masked = pii.protect("mobile", number)
        return cls(lookup, masked, cipher)


def _staff_may_book(staff, site) -> None:
    if not any(site.path.startswith(p) for p in _site_paths(staff)):
        raise BookingRefused("只能为本机构或所辖服务点登记预约", "scope")


def appointment_by_phone(
    *, staff, slot: TimeSlot, name: str, mobile: str, purpose: str, case=None, now=None
) -> Appointment:
    """A window appointment taken by phone (or at the counter) by staff."""
    _staff_may_book(staff, slot.site)
    caller = PhoneCaller.of(mobile, case)
    return appointment_book(
        slot=slot,
        identity=caller,
        name=name or (case.client.name if case else ""),
        purpose=purpose or (case.title if case else ""),
        case=case,
        now=now,
        channel=RequestChannel.PHONE,
        recorded_by=staff,
    )


def home_visit_by_phone(
    *,
    staff,
    site,
    name: str,
    mobile: str,
    address: str,
    needs: str,
    preferred_times: str,
    groups=frozenset(),
    need_reason: str = "",
    case=None,
) -> HomeVisitRequest:
    """A home visit asked for by phone: staff tick the 特殊群体 or write why it is needed.
    A case's client who is recorded as elderly or disabled counts as such."""
    _staff_may_book(staff, site)
    groups = set(groups)
    if case is not None:
        groups |= {g for g, on in (("elderly", case.client.is_elderly),) if on}
        groups |= {g for g, on in (("disabled", case.client.is_disabled),) if on}
    return home_visit_request(
        identity=PhoneCaller.of(mobile, case),
        site=site,
        name=name or (case.client.name if case else ""),
        address=address,
        needs=needs or (case.title if case else ""),
        preferred_times=preferred_times,
        groups=groups,
        need_reason=need_reason,
        case=case,
        channel=RequestChannel.PHONE,
        recorded_by=staff,
    )


# The usual hour-long slots of a service hall (the demo and the admin action open these).
OPENING_SLOTS = (
    (time(9, 0), time(10, 0)),
    (time(10, 0), time(11, 0)),
    (time(11, 0), time(12, 0)),
    (time(14, 0), time(15, 0)),
    (time(15, 0), time(16, 0)),
    (time(16, 0), time(17, 0)),
)
