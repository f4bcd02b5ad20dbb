"""The one write path for cases.

``case_submit`` opens a case; ``case_transition`` makes every later change. Pages, the
API, jobs and the demo generator all call them; nothing else writes ``Case.state``.
"""

from __future__ import annotations

import json
from datetime import datetime

from django.db import transaction
from pydantic import ValidationError

from . import changes, clock, effects, events
from .access import Actor, can_open_case_at, case_roles, works_at
from .deadlines import case_deadline as case_deadline  # re-exported: pages, API, documents
from .deadlines import recompute_clock
from .details import refusal_message
from .guards import GuardContext, check_guards
from .hashchain import GENESIS, event_hash, make_seal
from .models import (
    EXTERNAL_NUMBER_MAX,
    Case,
    CaseEvent,
    CaseItem,
    CaseMaterial,
    CaseSite,
    Channel,
    DocumentCounter,
)
from .numbers import format_number
from .sealing import audit_key, audit_scheme
from .transitions import check_table
from .workflow import ServiceType, State, Transition, TransitionRefused


class CaseConflict(TransitionRefused):
    def __init__(self):
        super().__init__("该办件已被他人更新，请刷新页面后重试", "conflict")


def next_number(*, site, prefix: str, year: int | None = None) -> str:
    """A number unique per site, year and prefix, e.g. SL-C01-2026-000123 (row-locked)."""
    year = year or clock.today().year
    counter, _ = DocumentCounter.objects.select_for_update().get_or_create(
        site=site, year=year, prefix=prefix
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return format_number(prefix, site.code, year, counter.last)


@clock.backdatable
@transaction.atomic
def case_submit(
    *,
    actor: Actor,
    client,
    service_type: str,
    channel: str,
    site,
    item_versions=(),
    bundle_version=None,
    consultation=None,
    needs: str = "",
    external_number: str = "",
    at: datetime | None = None,
) -> Case:
    """Open a case (state 'received') for one item or a bundle, with its material checklist.

    ``channel``: one of ``models.Channel``; ``external_number``: the application number
    the 政务服务网 gave it (网上、自助、掌上帮办, seed 001 §10.1.2.2–4), recorded on the
    submit event too.

    ``at``: when it was opened, for a backdated load (``clock``); else now.
    """
    if not can_open_case_at(actor, site):
        raise TransitionRefused(f"您不能为{site.name}登记办件", "forbidden")
    versions = list(item_versions)
    if bundle_version is not None:
        versions = [
            entry.item.current_version
            for entry in bundle_version.entries.select_related("item__current_version")
        ]
    if not versions:
        raise TransitionRefused("请选择办理事项")
    if any(v is None for v in versions):
        raise TransitionRefused("该一件事包含尚未发布的事项，暂不能申请")
    unpublished = [v.item.name for v in versions if v.status != "published"]
    if unpublished:
        raise TransitionRefused("以下事项未发布，不能申请：" + "、".join(unpublished))
    if service_type not in set(ServiceType):
        raise TransitionRefused("服务类型无效")
    if channel not in set(Channel):
        raise TransitionRefused("来源渠道无效", "channel")
    external_number = " ".join(str(external_number or "").split())
    if len(external_number) > EXTERNAL_NUMBER_MAX:
        raise TransitionRefused(
            f"政务服务网申办编号不能超过 {EXTERNAL_NUMBER_MAX} 个字符", "external_number"
        )
    title = bundle_version.bundle.name if bundle_version else versions[0].item.name
    case = Case.objects.create(
        number=next_number(site=site, prefix="BJ"),
        service_type=service_type,
        channel=channel,
        external_number=external_number,
        title=title[:200],
        client=client,
        site=site,
        agent=actor.staff if actor.kind == "staff" and works_at(actor.staff, site.pk) else None,
        bundle_version=bundle_version,
        consultation=consultation,
        needs=needs,
    )
    CaseSite.objects.create(site=site, case=case)
    for position, version in enumerate(versions):
        case_item = CaseItem.objects.create(
            case=case,
            item_version=version,
            department_id=version.item.department_id,
            position=position,
        )
        CaseMaterial.objects.bulk_create(
            CaseMaterial(
                case=case,
                case_item=case_item,
                material=m,
                name=m.name,
                required=m.required,
                accept_with_gaps=m.accept_with_gaps,
                obtain_from=m.obtain_from[:300],
            )
            for m in version.materials.all()
        )
    submitted = _record(
        case,
        "submit",
        actor,
        "",
        State.RECEIVED,
        "",
        {"channel": channel, "service_type": service_type}
        | ({"external_number": external_number} if external_number else {}),
    )
    case.save(update_fields=["event_count", "last_event_hash"])
    events.publish_case_event(case, submitted, actor=actor)
    changes.bump([site.pk])  # the site's cached lists (``changes``), in this transaction
    return case


@clock.backdatable
@transaction.atomic
def case_transition(
    *,
    case: Case,
    event: str,
    actor: Actor,
    expected_version: int | None = None,
    at: datetime | None = None,
    **details,
) -> CaseEvent:
    """Make one change to a case.

    1. lock the case row and compare its version with what the actor saw (else CaseConflict);
    2. check the state table for state, service type and the actor's roles on this case,
       the details against the event's schema, then the row's guards (else TransitionRefused with the reason in Chinese);
    3. apply the effects (state, owner, clock, documents, related rows) and bump the version;
    4. append the hash-chained event;
    5. publish it to the areas that subscribed (``events``: the outbox, oversight, …).
    All in one transaction: either all of it happens or none. ``at``: when it happened, for
    a backdated load (demo, imports); every clock read of the change uses it (``clock``).
    """
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("site", "relay_to_site")
        .get(pk=case.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise CaseConflict()
    transition = check_table(
        event, State(locked.state), ServiceType(locked.service_type), case_roles(actor, locked)
    )
    details = _validated(transition, details)
    check_guards(GuardContext(locked, actor, transition, details))
    from_state = State(locked.state)
    seen_by = (locked.site_id, locked.relay_to_site_id)  # sites that saw it before the change
    to_state = transition.next_state(from_state, accepted=bool(locked.accepted_on))
    locked.state = to_state
    recorded = effects.apply(locked, transition, actor, details) or {}
    if locked.accepted_on and transition.clock is not None:
        recompute_clock(locked)
    locked.version += 1
    record = _record(
        locked,
        event,
        actor,
        from_state,
        to_state,
        str(details.get("reason", "")),
        {**details, **recorded},
    )
    locked.save()
    events.publish_case_event(locked, record, actor=actor)
    changes.bump_case(locked, *seen_by)  # cached lists of every site that sees it (``changes``)
    _copy_into(case, locked)
    return record


def _copy_into(case: Case, fresh: Case) -> None:
    """Let the caller's object see the new state without another query."""
    case.__dict__.update({k: v for k, v in fresh.__dict__.items() if k != "_state"})
    case._state.fields_cache = dict(fresh._state.fields_cache)


def _validated(transition: Transition, details: dict) -> dict:
    """The details checked against the event's schema (its row), as stored: defaults filled
    in, text trimmed, unknown fields refused, in the service hall's words."""
    try:
        valid = transition.details.model_validate(details)
    except ValidationError as error:
        message = refusal_message(transition.details, error, transition.label)
        raise TransitionRefused(message, "invalid_details") from None
    return valid.model_dump(mode="json", exclude_none=True)


def _plain(details: dict) -> dict:
    """Details as stored in the event: JSON types only, so the hash is stable after reload."""
    return json.loads(json.dumps(details, default=str, ensure_ascii=False))


def _record(
    case: Case, event: str, actor: Actor, from_state, to_state, reason: str, details: dict
) -> CaseEvent:
    record = CaseEvent(
        case=case,
        seq=case.event_count + 1,
        event=event,
        from_state=str(from_state),
        to_state=str(to_state),
        actor_kind=actor.kind,
        actor_staff=actor.staff if actor.kind == "staff" else None,
        actor_name=actor.name[:50],
        site=case.site,
        at=clock.now(),
        reason=reason,
        details=_plain(details),
        prev_hash=case.last_event_hash or GENESIS,
    )
    # sealed with the current suite and key, the time in its canonical UTC form (hashchain)
    key, scheme = audit_key(), audit_scheme()
    record.seal = make_seal(scheme, key)
    record.hash = event_hash(
        record.prev_hash, record.chain_content(case.number), key, scheme=scheme
    )
    record.save()
    case.event_count = record.seq
    case.last_event_hash = record.hash
    return record
