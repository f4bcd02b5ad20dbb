"""The client confirms a form: a signature drawn on a screen, or a one-time SMS code.

This is the one confirmation service. The desk (``documents/views.py``: a staff member
beside the client) and the portal (``portal/views/apply.py``: the client alone, signed in
with the phone the case is registered to) both call it, so whichever way a client confirms
the result is the same:

- the workflow's ``confirm`` event (``case_transition``), which creates the
  ``Confirmation`` row the guards read; the event's actor says who took the confirmation
  (the staff member at the desk, or the client in the portal);
- that row completed in the same transaction with what the event cannot carry: the
  signature PNG (encrypted at rest: ``signatures``), or the masked phone the code went to
  and when it was sent. The PNG's SHA-256 and the code's id are part of the event's
  details, so the hash-chained timeline vouches for them;
- for the forms signed before an event (帮办申请表, 代办服务委托书), the signed version of
  the form, issued by the system and linked to the ``confirm`` event. Forms an event
  issues (中止单, 续办委托书, 办结（终止）单) pick up the newest confirmation when the
  event issues them.

SMS codes: 6 digits, stored only as a keyed hash with a per-code salt, valid 10 minutes,
5 tries; a new code closes the previous one and may be sent once a minute, at most
``MAX_PER_HOUR`` an hour for one form of one case. The code always goes to the client's
registered mobile, never to a number typed in.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import secrets
from datetime import timedelta

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from PIL import Image, ImageOps, UnidentifiedImageError

from bangban.cases import services as case_services
from bangban.cases.access import Actor, case_roles
from bangban.cases.behalf import ApplicationOnBehalf
from bangban.cases.messaging import SmsError, send_sms
from bangban.cases.models import Case, Confirmation, ConfirmationMethod
from bangban.cases.transitions import check_table as workflow_check_table
from bangban.cases.workflow import FORM_LABELS, Form, ServiceType, State, TransitionRefused
from bangban.clients import pii

from . import signatures
from .kinds import SIGNED_ON_DEMAND
from .models import ConfirmationCode
from .services import current_version, document_issue

PNG_PREFIX = "data:image/png;base64,"
SIGNATURE_MAX_BYTES = 600_000
SIGNATURE_MAX_SIDE = 3000
CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=10)
CODE_MINUTES = int(CODE_TTL.total_seconds() // 60)
CODE_TRIES = 5
RESEND_AFTER = timedelta(seconds=60)
MAX_PER_HOUR = 5
SIGNED_REASON = "服务对象签字确认"


def _form(form: str) -> Form:
    if form not in set(Form):
        raise TransitionRefused("请选择需要签字确认的文书")
    return Form(form)


def _check_may_confirm(case: Case, actor: Actor) -> None:
    """The table's check for ``confirm`` (state, role), before a code is sent or stored."""
    workflow_check_table(
        "confirm", State(case.state), ServiceType(case.service_type), case_roles(actor, case)
    )


# --- the signature image ---------------------------------------------------------------


def signature_png(data_url: str) -> bytes:
    """Check a canvas PNG data URL and return a clean, cropped PNG (refuses blank ones)."""
    if not isinstance(data_url, str) or not data_url.startswith(PNG_PREFIX):
        raise TransitionRefused("签名图像格式不正确，请重新签名")
    encoded = data_url[len(PNG_PREFIX) :]
    if len(encoded) > SIGNATURE_MAX_BYTES * 4 // 3 + 4:
        raise TransitionRefused("签名图像过大，请清除后重新签名")
    try:
        raw = base64.b64decode(encoded, validate=True)
        with Image.open(io.BytesIO(raw)) as probe:
            if probe.format != "PNG":
                raise TransitionRefused("签名图像格式不正确，请重新签名")
            if max(probe.size) > SIGNATURE_MAX_SIDE:
                raise TransitionRefused("签名图像过大，请清除后重新签名")
            probe.verify()
        image = Image.open(io.BytesIO(raw)).convert("RGBA")
    except (binascii.Error, UnidentifiedImageError, OSError, SyntaxError) as error:
        raise TransitionRefused("签名图像无法识别，请重新签名") from error
    # Strokes over white: whatever the canvas background was, ink is what is dark or opaque.
    flat = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image).convert("L")
    ink = ImageOps.invert(flat).point(lambda v: 255 if v > 60 else 0)
    box = ink.getbbox()
    if box is None or (box[2] - box[0]) < 20 or (box[3] - box[1]) < 8:
        raise TransitionRefused("未检测到签名笔迹，请在签名框内签名")
    margin = 8
    box = (
        max(box[0] - margin, 0),
        max(box[1] - margin, 0),
        min(box[2] + margin, image.width),
        min(box[3] + margin, image.height),
    )
    out = io.BytesIO()
    flat.crop(box).save(out, format="PNG", optimize=True)
    return out.getvalue()


def _attach_and_issue(case: Case, event, form: Form, **changes) -> Confirmation:
    """Complete the event's ``Confirmation`` row and issue the form's signed version.

    The signed version is the system's act, linked to the ``confirm`` event: the same
    record and the same document whoever took the confirmation, at the desk or online.
    """
    confirmation = Confirmation.objects.get(pk=event.details["confirmation_id"])
    Confirmation.objects.filter(pk=confirmation.pk).update(**changes)
    for key, value in changes.items():
        setattr(confirmation, key, value)
    kind = SIGNED_ON_DEMAND.get(form)
    if kind is not None:
        fresh = Case.objects.select_related("site", "client").get(pk=case.pk)
        document_issue(
            case=fresh,
            kind=kind,
            actor=None,
            event=event,
            supersedes=current_version(case, kind),
            reason=SIGNED_REASON,
            confirmation=confirmation,
        )
    return confirmation


def confirm_with_signature(
    *,
    case: Case,
    form: str,
    actor: Actor,
    data_url: str,
    signer: str = "",
    material_id: int | None = None,
) -> Confirmation:
    """Store a handwritten signature as the client's confirmation of ``form`` (for a 告知承诺书,
    ``material_id`` names the case's material committed to: ``bangban.vault`` records it)."""
    form = _form(form)
    png = signature_png(data_url)
    digest = hashlib.sha256(png).hexdigest()
    signer = (signer or case.client.name).strip()[:50]
    with transaction.atomic():
        event = case_services.case_transition(
            case=case,
            event="confirm",
            actor=actor,
            form=form,
            confirmation={
                "method": ConfirmationMethod.SIGNATURE,
                "signer": signer,
                "signature_sha256": digest,
            },
            **({"material_id": material_id} if material_id else {}),
        )
        year = timezone.localdate().year
        name = default_storage.save(  # encrypted at rest (bangban.documents.signatures)
            signatures.stored_name(
                f"signatures/{year}/{case.number}-{event.details['confirmation_id']}.png"
            ),
            signatures.sealed(png),
        )
        return _attach_and_issue(case, event, form, signature=name, signature_sha256=digest)


# --- one-time codes by SMS -----------------------------------------------------------------


def _code_hash(salt: str, code: str) -> str:
    return salted_hmac(
        "bangban.documents.confirmation-code", f"{salt}:{code}", algorithm="sha256"
    ).hexdigest()


def open_code(case: Case, form: str) -> ConfirmationCode | None:
    return (
        ConfirmationCode.objects.filter(case=case, form=form, closed=False).order_by("-id").first()
    )


def sms_code_send(*, case: Case, form: str, actor: Actor, signer: str = "") -> ConfirmationCode:
    """Send a one-time code to the client's registered mobile to confirm ``form``."""
    form = _form(form)
    _check_may_confirm(case, actor)
    client = case.client
    mobile = pii.reveal(client.mobile_cipher)  # to the gateway only; staff see it masked
    if not mobile:
        raise TransitionRefused("服务对象未登记手机号码，请改用屏幕签名或纸质签字")
    now = timezone.now()
    with transaction.atomic():
        previous = (
            ConfirmationCode.objects.select_for_update()
            .filter(case=case, form=form, closed=False)
            .order_by("-id")
            .first()
        )
        if previous is not None and now - previous.sent_at < RESEND_AFTER:
            wait = int((RESEND_AFTER - (now - previous.sent_at)).total_seconds()) + 1
            raise TransitionRefused(f"验证码已发送，请 {wait} 秒后再重新发送")
        sent_this_hour = ConfirmationCode.objects.filter(
            case=case, form=form, sent_at__gte=now - timedelta(hours=1)
        ).count()
        if sent_this_hour >= MAX_PER_HOUR:
            raise TransitionRefused("验证码发送次数过多，请一小时后再试，或改用其他方式签字确认")
        ConfirmationCode.objects.filter(case=case, form=form, closed=False).update(closed=True)
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        salt = secrets.token_hex(8)
        record = ConfirmationCode.objects.create(
            case=case,
            form=form,
            signer=(signer or client.name).strip()[:50],
            phone_masked=client.mobile_masked,
            salt=salt,
            code_hash=_code_hash(salt, code),
            expires_at=now + CODE_TTL,
            sent_by=actor.staff if actor.kind == "staff" else None,
        )
        try:
            send_sms(mobile, _code_text(code, case, form, actor))
        except SmsError as error:
            raise TransitionRefused(f"验证码发送失败：{error}") from error
    return record


def _code_text(code: str, case: Case, form: Form, actor: Actor) -> str:
    """The message: the same code and terms; only whom to tell it differs by face.

    Online, for a case a family member applied for (``cases.behalf``), the code is the
    client's consent to that application: the text names who applied and whom to tell.
    """
    behalf = (
        ApplicationOnBehalf.objects.filter(case=case).first() if actor.kind == "client" else None
    )
    if behalf is not None:
        return (
            f"【帮办代办】验证码 {code}，用于确认《{FORM_LABELS[form]}》"
            f"（办件 {case.number}），{CODE_MINUTES} 分钟内有效。您的家人{behalf.label}"
            f"在网上为您申请，如同意由其代为申请，请将验证码告诉{behalf.applicant_name}；"
            "不同意请勿告知他人。"
        )
    tell = (
        "请当面告知工作人员；非本人办理请勿告知他人。"
        if actor.kind == "staff"
        else "请在网上办件页面输入；非本人操作请勿告知他人。"
    )
    return (
        f"【帮办代办】验证码 {code}，用于确认《{FORM_LABELS[form]}》"
        f"（办件 {case.number}），{CODE_MINUTES} 分钟内有效。{tell}"
    )


def _refusal(record: ConfirmationCode | None, code: str, now) -> str | None:
    """None when the code is right; otherwise the message, after counting the try."""
    if record is None:
        return "没有待验证的验证码，请先发送验证码"
    if now > record.expires_at:
        record.closed = True
        record.save(update_fields=["closed"])
        return "验证码已过期，请重新发送"
    record.attempts += 1
    right = (
        len(code) == CODE_DIGITS
        and code.isdigit()
        and constant_time_compare(_code_hash(record.salt, code), record.code_hash)
    )
    if right:
        record.closed = True
        record.save(update_fields=["attempts", "closed"])
        return None
    record.closed = record.attempts >= CODE_TRIES
    record.save(update_fields=["attempts", "closed"])
    if record.closed:
        return "验证码错误次数过多，已作废，请重新发送"
    return f"验证码不正确，还可尝试 {CODE_TRIES - record.attempts} 次"


def sms_code_verify(*, case: Case, form: str, actor: Actor, code: str) -> Confirmation:
    """Check the code the client read out; when right, record the confirmation."""
    form = _form(form)
    code = (code or "").strip()
    now = timezone.now()
    with transaction.atomic():
        record = (
            ConfirmationCode.objects.select_for_update()
            .filter(case=case, form=form, closed=False)
            .order_by("-id")
            .first()
        )
        refusal = _refusal(record, code, now)
        if refusal is None:
            event = case_services.case_transition(
                case=case,
                event="confirm",
                actor=actor,
                form=form,
                confirmation={
                    "method": ConfirmationMethod.SMS_CODE,
                    "signer": record.signer,
                    "sms_phone": record.phone_masked,
                    "sms_code_id": record.pk,
                },
            )
            confirmation = _attach_and_issue(
                case, event, form, sms_phone=record.phone_masked, sms_sent_at=record.sent_at
            )
            ConfirmationCode.objects.filter(pk=record.pk).update(confirmation=confirmation)
    # A wrong or stale code is refused after the transaction: the counted try stays counted.
    if refusal is not None:
        raise TransitionRefused(refusal)
    return confirmation
