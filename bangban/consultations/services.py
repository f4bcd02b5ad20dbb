"""Writes about consultations (咨询登记), with first-contact responsibility (首问负责制).

seed 000 §10.1.1 / §10.2.1: whoever is asked first records the consultation (name,
contact, content, result) and owns the answer. It is answered on the spot, or, when it
cannot be answered directly, taken up with the department and answered within one
working day (§10.1.1.2). One action turns a consultation into an application.

Every function is keyword-only and atomic, and refuses with ``ConsultationInvalid``
whose message is a Chinese sentence for the person at the desk. The case write path's
own refusals (``TransitionRefused``) pass through ``consultation_to_case`` unchanged.
"""

from __future__ import annotations

import re
import unicodedata

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from bangban.cases import clock, messaging
from bangban.cases.access import Actor
from bangban.cases.models import Case, Channel
from bangban.cases.services import case_submit
from bangban.clients import pii
from bangban.clients.identity import IdentityError, validate_mobile
from bangban.staff.models import StaffMember
from bangban.workdays.services import current_calendar

from .models import (
    AWAITING_REPLY,
    REPLY_WORKDAYS,
    Consultation,
    ConsultationChannel,
    ConsultationStatus,
)


class ConsultationInvalid(ValueError):
    """A consultation write was refused; ``message`` is for people, ``code`` for programs."""

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code


# How a consultation's channel becomes a case's channel when it turns into an application.
CASE_CHANNEL = {
    ConsultationChannel.VISIT: Channel.WINDOW,
    ConsultationChannel.PHONE: Channel.PHONE,
    ConsultationChannel.ONLINE: Channel.ONLINE,
}

# A fixed-line number: optional area code (0 + 2-3 digits), a 7- or 8-digit local number
# not starting with 0 or 1, and an optional extension.
_LANDLINE_RE = re.compile(r"^(?:0\d{2,3}-?)?[2-9]\d{6,7}(?:-\d{1,6})?$")


def normalize_contact(value: str) -> str:
    """A mobile as 11 digits, or a landline as digits and dashes; else ConsultationInvalid.

    Mobiles are checked with the clients' rule. A landline may be written with spaces,
    full-width digits, parentheses around the area code or 转 before an extension.
    """
    try:
        return validate_mobile(value)
    except IdentityError:
        pass
    text = "".join(unicodedata.normalize("NFKC", value or "").split())
    text = re.sub(r"^\((0\d{2,3})\)", r"\1-", text).replace("转", "-")
    if _LANDLINE_RE.match(text):
        return text
    raise ConsultationInvalid(
        "联系方式应为手机号码或固定电话（如 13812345678、0571-88886666）", "contact"
    )


def _is_mobile(value: str) -> bool:
    try:
        validate_mobile(value)
    except IdentityError:
        return False
    return True


def _protect_contact(value: str) -> tuple[str, str, str]:
    """(ciphertext, lookup hash, masked) of a normalized contact.

    The lookup hash is kept for a mobile only: the citizen who proves it on the portal
    finds their questions by it. The mobile masker also masks a landline generically
    (first 3 and last 4 shown, dashes dropped).
    """
    cipher, lookup, masked = pii.protect("mobile", value)
    return cipher, (lookup if _is_mobile(value) else ""), masked


def contact_mobile(consultation: Consultation) -> str:
    """The consultation's contact in clear when it is a mobile, else "".

    What the desk's open-case form uses as the client's mobile when none is typed, so the
    number the client left when asking is not typed again.
    """
    if not consultation.contact_cipher:
        return ""
    contact = pii.reveal(consultation.contact_cipher)
    return contact if _is_mobile(contact) else ""


# The personal link of a consultation's page on the portal: the id, signed.
_PAGE_SIGNER = signing.Signer(salt="bangban.consultations.page", sep=".")


def page_token(consultation: Consultation) -> str:
    return _PAGE_SIGNER.sign(str(consultation.pk))


def page_path(consultation: Consultation) -> str:
    """The portal page where the client reads the question, the deadline and the answer."""
    return f"/ask/{page_token(consultation)}/"


def consultation_by_token(token: str) -> Consultation | None:
    try:
        pk = int(_PAGE_SIGNER.unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    return Consultation.objects.select_related("site", "item", "department").filter(pk=pk).first()


def _required(value: str, message: str, code: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ConsultationInvalid(message, code)
    return value


def _check_active(staff) -> None:
    if staff is None or not staff.is_active:
        raise ConsultationInvalid("只有在岗工作人员可以办理咨询", "forbidden")


def _covers_site(staff, site) -> bool:
    """A coordinator covering the consultation's site (or a site above it)."""
    return staff.covers(site)


def _locked(consultation: Consultation) -> Consultation:
    return (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("site", "department")
        .get(pk=consultation.pk)
    )


def _copy_into(target: Consultation, fresh: Consultation) -> None:
    """Let the caller's object see what was saved without another query."""
    target.__dict__.update({k: v for k, v in fresh.__dict__.items() if k != "_state"})
    target._state.fields_cache = dict(fresh._state.fields_cache)


@transaction.atomic
def consultation_record(
    *, staff, client_name: str, contact: str, channel: str, content: str, item=None, answer=""
) -> Consultation:
    """Record a consultation; the staff member asked first owns it (首问负责制).

    With an ``answer`` it was answered on the spot (status answered). Without one it is
    pending, with its reply due ``REPLY_WORKDAYS`` working day after today, until the
    first-contact person answers it or escalates it to a department.
    """
    _check_active(staff)
    client_name = _required(client_name, "请填写服务对象姓名或名称", "client_name")
    content = _required(content, "请填写咨询内容", "content")
    if channel not in set(ConsultationChannel):
        raise ConsultationInvalid("咨询方式应为来访、电话或网上", "channel")
    contact = normalize_contact(_required(contact, "请填写服务对象的联系方式", "contact"))
    cipher, lookup, masked = _protect_contact(contact)
    answer = (answer or "").strip()
    consultation = Consultation(
        site=staff.site,
        handled_by=staff,
        client_name=client_name[:200],
        contact_cipher=cipher,
        contact_hash=lookup,
        contact_masked=masked,
        channel=channel,
        item=item,
        content=content,
    )
    if answer:
        consultation.status = ConsultationStatus.ANSWERED
        consultation.answer = answer
        consultation.replied_at = clock.now()
        consultation.replied_by = staff
    else:
        consultation.status = ConsultationStatus.PENDING
        consultation.reply_due_on = current_calendar().add_workdays(clock.today(), REPLY_WORKDAYS)
    consultation.save()
    return consultation


ASK_PER_MOBILE_PER_DAY = 5  # a citizen's online questions a day (more: call or visit)


def _first_contact_for(site):
    """Who owns an online question asked of ``site``: its active agent with the fewest
    questions awaiting a reply (the lowest id on a tie)."""
    return (
        StaffMember.objects.active()
        .agents()
        .filter(site=site)
        .annotate(
            waiting=Count("consultations", filter=Q(consultations__status__in=AWAITING_REPLY))
        )
        .order_by("waiting", "pk")
        .first()
    )


@transaction.atomic
def consultation_ask(
    *, site, client_name: str, mobile: str, content: str, item=None
) -> Consultation:
    """A citizen's own question on the portal (网上咨询), from a mobile they proved.

    It is recorded like one taken at the desk by phone or visit, with channel ``online``:
    pending, its reply due ``REPLY_WORKDAYS`` working day after today, owned by an agent of
    the site asked (``_first_contact_for``), who answers it or escalates it. At most
    ``ASK_PER_MOBILE_PER_DAY`` a day from one mobile.
    """
    client_name = _required(client_name, "请填写您的姓名或称呼", "client_name")
    content = _required(content, "请写下您想咨询的问题", "content")
    if site is None or not site.is_active:
        raise ConsultationInvalid("请选择服务机构", "site")
    try:
        mobile = validate_mobile(mobile)
    except IdentityError as error:
        raise ConsultationInvalid(error.message, "mobile") from error
    cipher, lookup, masked = _protect_contact(mobile)
    today_start = timezone.localtime(clock.now()).replace(hour=0, minute=0, second=0, microsecond=0)
    asked_today = Consultation.objects.filter(
        contact_hash__in=pii.lookups("mobile", mobile),
        channel=ConsultationChannel.ONLINE,
        created_at__gte=today_start,
    ).count()
    if asked_today >= ASK_PER_MOBILE_PER_DAY:
        raise ConsultationInvalid(
            f"同一手机号每天最多在线咨询 {ASK_PER_MOBILE_PER_DAY} 次，请明天再来，或拨打服务电话",
            "too_many",
        )
    staff = _first_contact_for(site)
    if staff is None:
        raise ConsultationInvalid(
            f"{site.name}暂时没有在岗的帮办代办员，请选择其他服务机构", "site"
        )
    return Consultation.objects.create(
        site=site,
        handled_by=staff,
        client_name=client_name[:200],
        contact_cipher=cipher,
        contact_hash=lookup,
        contact_masked=masked,
        channel=ConsultationChannel.ONLINE,
        item=item,
        content=content[:4000],
        status=ConsultationStatus.PENDING,
        reply_due_on=current_calendar().add_workdays(clock.today(), REPLY_WORKDAYS),
    )


@transaction.atomic
def consultation_escalate(*, consultation: Consultation, staff, department) -> Consultation:
    """Hand a consultation that cannot be answered directly to a department (§10.1.1.2).

    Only the first-contact person or a coordinator covering the site may escalate. The
    reply is due ``REPLY_WORKDAYS`` working day after today, or earlier if the
    consultation already had a due date (counted from the day the client asked).
    Escalating again (to the right department) keeps the due date.
    """
    _check_active(staff)
    locked = _locked(consultation)
    if locked.status not in AWAITING_REPLY:
        raise ConsultationInvalid(
            f"该咨询{locked.get_status_display()}，不能再转交部门", "wrong_status"
        )
    if staff.pk != locked.handled_by_id and not _covers_site(staff, locked.site):
        raise ConsultationInvalid("只有首问责任人或负责该机构的协调员可以转交部门", "forbidden")
    if department is None or not department.is_active:
        raise ConsultationInvalid("请选择在用的审批部门", "department")
    if not locked.site.path.startswith(department.county.path):
        raise ConsultationInvalid("只能转交本县（区）的审批部门", "department")
    due = current_calendar().add_workdays(clock.today(), REPLY_WORKDAYS)
    locked.status = ConsultationStatus.ESCALATED
    locked.department = department
    locked.escalated_at = clock.now()
    locked.reply_due_on = min(locked.reply_due_on, due) if locked.reply_due_on else due
    locked.save(update_fields=["status", "department", "escalated_at", "reply_due_on"])
    _copy_into(consultation, locked)
    return consultation


@transaction.atomic
def consultation_reply(*, consultation: Consultation, staff, answer: str) -> Consultation:
    """Record the answer to a consultation still awaiting one.

    Allowed to the first-contact person, and, once escalated, to a liaison of the
    department it was escalated to.
    """
    _check_active(staff)
    answer = _required(answer, "请填写答复内容", "answer")
    locked = _locked(consultation)
    if locked.status not in AWAITING_REPLY:
        raise ConsultationInvalid(
            f"该咨询{locked.get_status_display()}，无需再答复", "wrong_status"
        )
    is_liaison = (
        locked.status == ConsultationStatus.ESCALATED
        and staff.is_liaison
        and staff.department_id is not None
        and staff.department_id == locked.department_id
    )
    if staff.pk != locked.handled_by_id and not is_liaison:
        raise ConsultationInvalid("只有首问责任人或转交部门的对接人员可以答复该咨询", "forbidden")
    locked.status = ConsultationStatus.REPLIED
    locked.answer = answer
    locked.replied_at = clock.now()
    locked.replied_by = staff
    locked.answer_sms_at = _tell_answer(locked)
    locked.save(update_fields=["status", "answer", "replied_at", "replied_by", "answer_sms_at"])
    _copy_into(consultation, locked)
    return consultation


ANSWER_SMS = "client.consultation_answered"  # the notifications catalogue's template


def answer_sms_context(consultation: Consultation) -> dict:
    """What the answer SMS says (template ``client.consultation_answered``, which the
    administrator may edit): the question's day and start, the answer (long ones cut, the
    whole on the page) and the personal link to the question's page."""
    asked = timezone.localdate(consultation.created_at)
    answer = consultation.answer
    if len(answer) > 60:
        answer = answer[:60] + "…（全文见链接）"
    return {
        "client_name": consultation.client_name,
        "asked_on": f"{asked.month}月{asked.day}日",
        "content": consultation.content[:20],
        "answer": answer,
        "page_url": settings.PUBLIC_URL.rstrip("/") + page_path(consultation),
    }


def _tell_answer(consultation: Consultation):
    """Write the answer SMS to the outbox (sent after the commit, retried, seen by staff);
    when it was written, or None for a contact that is not a mobile."""
    if not contact_mobile(consultation):
        return None
    messaging.notify(
        template=ANSWER_SMS,
        recipients=[messaging.Mobile(consultation.contact_cipher, consultation.contact_masked)],
        context=answer_sms_context(consultation),
        dedupe=f"consultation:{consultation.pk}:answer",
        ref=f"consultation:{consultation.pk}",
    )
    return clock.now()


@transaction.atomic
def consultation_to_case(
    *,
    consultation: Consultation,
    staff,
    client,
    service_type: str,
    item_versions=(),
    bundle_version=None,
    channel: str | None = None,
    external_number: str = "",
) -> Case:
    """Turn a consultation into an application (one action) through ``case_submit``.

    The case is opened at the consultation's site, comes from the consultation's channel
    (visit → window, phone → phone, online → online) unless ``channel`` is given, and is
    for the consulted item when no item or bundle is named; what the client asked becomes
    the case's needs (需求分析), so nothing is typed again. Allowed to an agent of that
    site or a coordinator covering it; a consultation becomes at most one case, so a
    second click does not open a duplicate. In the same transaction the consultation is
    marked handled (see ``_record_conversion``).
    """
    _check_active(staff)
    locked = _locked(consultation)
    if not (
        (staff.is_agent and staff.site_id == locked.site_id) or _covers_site(staff, locked.site)
    ):
        raise ConsultationInvalid(
            "只有该机构的帮办代办员或负责该机构的协调员可以将咨询转为办件申请", "forbidden"
        )
    existing = Case.objects.filter(consultation=locked).values_list("number", flat=True).first()
    if existing:
        raise ConsultationInvalid(f"该咨询已转为办件{existing}", "already_converted")
    versions = list(item_versions)
    if not versions and bundle_version is None and locked.item_id:
        if locked.item.current_version_id is None:
            raise ConsultationInvalid(
                f"咨询事项“{locked.item.name}”暂无已发布的办事指南，请选择其他事项", "item"
            )
        versions = [locked.item.current_version]
    if channel is not None and channel not in set(Channel):
        raise ConsultationInvalid("办件来源渠道无效", "channel")
    case = case_submit(
        actor=Actor.of_staff(staff),
        client=client,
        service_type=service_type,
        channel=channel or CASE_CHANNEL[ConsultationChannel(locked.channel)],
        site=locked.site,
        item_versions=versions,
        bundle_version=bundle_version,
        consultation=locked,
        needs=locked.content,
        external_number=external_number,
    )
    _record_conversion(locked, case, staff)
    _copy_into(consultation, locked)
    return case


def _record_conversion(locked: Consultation, case: Case, staff) -> None:
    """The application is the consultation's 处理结果 (§10.1.1.1): it is handled now.

    One still awaiting a reply becomes ``replied`` at this moment, by whoever opened the
    case, with the case number as its answer; so it leaves every "reply due" list, and
    the timely-handling rate counts it as handled in time when the case was opened by the
    end of its reply day (late otherwise, as a late reply would). One answered on the
    spot keeps its answer. The case's ``consultation`` link says which case it became.
    """
    if locked.status not in AWAITING_REPLY:
        return
    locked.status = ConsultationStatus.REPLIED
    locked.answer = f"已转为{case.get_service_type_display()}申请，办件编号 {case.number}"
    locked.replied_at = clock.now()
    locked.replied_by = staff
    locked.save(update_fields=["status", "answer", "replied_at", "replied_by"])
