"""Issue 12, finding 5: schemathesis against the API's own OpenAPI schema, run by the suite.

Every operation of the schema served at ``/api/openapi.json`` is called in-process through
the WSGI application (``bangban.wsgi.application``) with data schemathesis generates from
the schema — valid and invalid (its positive and negative modes), NUL characters included —
as a staff member with an API token, and no answer may be 5xx. It runs on the suite's
database: SQLite, and PostgreSQL when BANGBAN_DATABASE_URL is set (where a NUL character
once answered 500 in every string field).

The operations are read from ``api.get_openapi_schema()`` when the tests are collected, one
test per operation (``test_the_served_schema_is_the_one_fuzzed`` checks that it is the
schema the site serves). Schemathesis's own pytest loader (``from_fixture``) does not work
with pytest 9, so each operation's strategy is driven with Hypothesis directly.

The requests go straight to the WSGI application, not through Django's test client, so the
database connection is kept open across them the way the test client keeps it
(``close_old_connections`` would otherwise end the test's transaction after one request).

Issue 16, item 4: every answer is also held to the schema (``CHECKS``: the status code is
one the operation declares, the content type and the body are the declared ones), and every
operation is called with VALID examples that reach its logic: each must answer 2xx at least
once (``test_every_operation_reaches_its_logic_with_valid_examples``). The examples come from

- the schema itself: ``examples`` on a request schema's fields or on the whole body
  (``Field(examples=[...])`` / ``json_schema_extra={"examples": [...]}``), which
  schemathesis's examples phase sends. This is how a new operation brings its own;
- ``EXAMPLES`` below, for bodies that must name objects of the fixture world (a case's
  version, a consultation to answer), built from its real ids;
- generation in positive mode with the path parameters of ``real_ids`` (a parameter named
  there is always a real object: ``number``, ``client_id``, ``item_code``, ``site_code`` …),
  overridden per operation by ``PATH_IDS`` where the same name means another kind of object
  (``{code}``, ``{number}``) or the object must be made first (a document, an evaluation
  and its rectification, a complaint, an appointment, a home visit).

And every event of the state table is sent through ``POST /api/cases/{number}/events`` with
a valid body, on a case in a state that allows it, by the role the row names
(``test_every_event_of_the_state_table_succeeds_through_the_api``).
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from bangban.api import api
from bangban.apiauth.tokens import token_create
from bangban.testing import make_resident_id


def served_form(schema: dict) -> dict:
    """The schema as JSON has it (response codes as text keys, as the site serves it)."""
    return json.loads(json.dumps(schema, cls=DjangoJSONEncoder))


SCHEMA = schemathesis.openapi.from_dict(served_form(api.get_openapi_schema()))
OPERATIONS = {op.label: op for op in (r.ok() for r in SCHEMA.get_all_operations())}


def test_the_served_schema_is_the_one_fuzzed(db):
    served = Client().get("/api/openapi.json")
    assert served.status_code == 200
    assert served.json() == served_form(api.get_openapi_schema())
    assert len(OPERATIONS) >= 15  # every operation, none lost to a schema error


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def app(db, world):
    """The WSGI application, with a case, its client and a consultation to be named."""
    from bangban.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def real_ids(world) -> dict:
    """Parameters that name real objects, by name, so the calls get past "not found".

    A path parameter named here gets this value in the examples phase unless ``PATH_IDS``
    gives its operation another; a new operation whose parameter names a new kind of object
    adds it here, or in ``PATH_IDS`` if the name already means something else."""
    from bangban.cases.tests.helpers import open_case
    from bangban.consultations.models import ConsultationChannel
    from bangban.consultations.services import consultation_record

    case = open_case(world)
    consultation = consultation_record(
        staff=world.coordinator,
        client_name="张三",
        contact="13812345678",
        channel=list(ConsultationChannel)[0],
        content="开饭店要办哪些证",
    )
    material = case.materials.order_by("pk").first()
    return {
        "number": case.number,
        "case_number": case.number,
        "client_id": case.client_id,
        "consultation_id": consultation.pk,
        "case_item_id": case.items.first().pk,
        "material_id": material.pk,
        "item_code": world.food.code,
        "bundle_code": world.bundle_version.bundle.code,
        "site_code": world.village_a.code,
        "department_code": world.market.code,
        "staff_id": world.agent_a.pk,
        "version": case.version,
    }


# Path parameters per operation (label: method and path), over those ``real_ids`` gives by
# name: where a name means another kind of object (``{code}`` is an item's code under the
# catalogue and a site's under the sites, ``{number}`` a version's, a complaint's, an
# appointment's …), or the object must first be made. Each a function of (world, real_ids),
# called only for its own operation, so the objects are made only where they are named.
PATH_IDS = {
    "GET /api/catalogue/items/{code}": lambda world, ids: {"code": world.food.code},
    "GET /api/catalogue/items/{code}/versions": lambda world, ids: {"code": world.food.code},
    "GET /api/catalogue/items/{code}/versions/{number}/materials": lambda world, ids: {
        "code": world.food.code,
        "number": world.food.current_version.number,
    },
    "GET /api/sites/{code}": lambda world, ids: {"code": world.village_a.code},
    "GET /api/sites/{code}/staff": lambda world, ids: {"code": world.village_a.code},
    "GET /api/cases/{number}/documents/{document_number}": lambda world, ids: {
        "document_number": _document(world, ids["number"]).number
    },
    "GET /api/cases/{number}/documents/{document_number}/file": lambda world, ids: {
        "document_number": _document(world, ids["number"]).number
    },
    "GET /api/evaluations/{evaluation_id}": lambda world, ids: {
        "evaluation_id": _bad_review(world).evaluation_id
    },
    "GET /api/rectifications/{rectification_id}": lambda world, ids: {
        "rectification_id": _bad_review(world).pk
    },
    "GET /api/complaints/{number}": lambda world, ids: {"number": _complaint(world).number},
    "GET /api/appointments/{number}": lambda world, ids: {"number": _appointment(world).number},
    "GET /api/home-visits/{number}": lambda world, ids: {"number": _home_visit(world).number},
}


def real_path(label: str, world, real_ids: dict) -> dict:
    """The real path parameters of one operation: by name, then its own (``PATH_IDS``)."""
    names = {p.name for p in OPERATIONS[label].path_parameters}
    real = {k: v for k, v in real_ids.items() if k in names}
    real.update(PATH_IDS.get(label, lambda w, i: {})(world, real_ids))
    return real


def _document(world, number: str):
    """A form issued on the case (its PDF is made at the first download)."""
    from bangban.cases.access import Actor
    from bangban.cases.models import Case
    from bangban.documents.kinds import Kind
    from bangban.documents.services import document_issue_on_demand

    return document_issue_on_demand(
        case=Case.objects.get(number=number),
        kind=Kind.ENTRUSTMENT,
        actor=Actor.of_staff(world.agent_a),
    )


def _bad_review(world):
    """A completed case rated 非常不满意 by its client: the evaluation opens a rectification."""
    from bangban.cases.access import Actor
    from bangban.oversight.models import Rectification
    from bangban.oversight.records.services import evaluation_submit
    from bangban.oversight.tests.helpers import completed_case

    case = completed_case(world)
    evaluation_submit(
        case=case,
        actor=Actor.of_client(case.client),
        level=1,
        indicators={},
        comment="跑了三次才办好",
        channel="portal",
    )
    return Rectification.objects.get(case=case)


def _complaint(world):
    from bangban.oversight.records.services import complaint_submit

    return complaint_submit(
        channel="phone",
        complainant_name="张三",
        contact="13812345678",
        content="窗口人员让我跑了三次",
        site=world.village_a,
    )


def _appointment(world):
    """A window appointment at the village site tomorrow, taken by phone by the coordinator."""
    from datetime import time, timedelta

    from django.utils import timezone

    from bangban.visits.services import appointment_by_phone, slots_open

    day = timezone.localdate() + timedelta(days=1)
    slot = slots_open(site=world.village_a, day=day, times=[(time(9), time(10))])[0]
    return appointment_by_phone(
        staff=world.coordinator, slot=slot, name="张三", mobile="13812345678", purpose="开饭店"
    )


def _home_visit(world):
    from bangban.visits.services import home_visit_by_phone

    return home_visit_by_phone(
        staff=world.coordinator,
        site=world.village_a,
        name="王奶奶",
        mobile="13812340000",
        address="示范县城关镇东街 12 号",
        needs="办理高龄津贴",
        preferred_times="工作日上午",
        groups={"elderly"},
    )


def _token(staff) -> dict:
    _, raw = token_create(staff=staff, name="模糊测试")
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def api_headers(world):
    """A coordinator's token: the persona that may see and do the most at the county."""
    return _token(world.coordinator)


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_finding_5_fuzzing_the_api_never_answers_5xx(label, app, api_headers, real_ids, world):
    operation = OPERATIONS[label]
    names = {p.name for p in operation.path_parameters}
    real = real_path(label, world, real_ids)
    strategies = [operation.as_strategy(mode) for mode in GenerationMode]
    if real and names <= set(real):  # and half the time, an object that exists
        strategies += [operation.as_strategy(mode, path_parameters=real) for mode in GenerationMode]
    cases = st.one_of(*strategies)

    @settings(
        max_examples=30,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def run(case):
        cache.clear()  # the API's own rate limits would soon answer 429 to everything
        response = case.call(app=app, headers=api_headers)
        case.validate_response(response, checks=CHECKS)

    run()


# --- valid examples: every operation reaches its logic ------------------------------------

SIGNED = {"method": "paper", "signer": "张三"}


def _consultation(world, **kw):
    from bangban.consultations.services import consultation_record

    return consultation_record(
        staff=world.coordinator,
        client_name="王五",
        contact="13812340000",
        channel="visit",
        content="办理食品经营许可需要什么材料",
        **kw,
    )


# Example requests built from the fixture world, per operation (label: method and path):
# each a function of (world, real_ids) giving the keyword arguments of ``operation.Case``.
# Only for what a schema example cannot say (an object made for the call, a version read).
EXAMPLES = {
    "POST /api/clients": lambda world, ids: [
        {
            "body": {
                "kind": "person",
                "name": "赵六",
                "id_number": make_resident_id("11010519700101003"),
                "mobile": "13700001234",
            }
        },
        {"body": {"kind": "person", "name": "张三", "id_number": make_resident_id()}},
    ],
    "GET /api/clients": lambda world, ids: [{"query": {"id_number": make_resident_id()}}],
    "POST /api/clients/{client_id}/corrections": lambda world, ids: [
        {"body": {"field": "mobile", "value": "13600002222", "reason": "服务对象更换号码"}}
    ],
    "POST /api/clients/{client_id}/reveal": lambda world, ids: [
        {"body": {"field": "mobile", "reason": "电话通知领取结果", "case": ids["number"]}}
    ],
    "POST /api/consultations": lambda world, ids: [
        {
            "body": {
                "client_name": "王五",
                "contact": "13812340000",
                "channel": "phone",
                "content": "开饭店要办哪些证",
                "item": world.food.code,
            }
        }
    ],
    "POST /api/consultations/{consultation_id}/escalate": lambda world, ids: [
        {
            "path_parameters": {"consultation_id": _consultation(world).pk},
            "body": {"department": world.market.code},
        }
    ],
    "POST /api/consultations/{consultation_id}/reply": lambda world, ids: [
        {
            "path_parameters": {"consultation_id": _consultation(world).pk},
            "body": {"answer": "需要营业执照和食品经营许可申请书"},
        }
    ],
    "POST /api/consultations/{consultation_id}/to-case": lambda world, ids: [
        {
            "path_parameters": {"consultation_id": _consultation(world).pk},
            "body": {
                "client_id": world.citizen.pk,
                "service_type": "proxy",
                "items": [world.food.code],
            },
        }
    ],
    "POST /api/cases": lambda world, ids: [
        {
            "body": {
                "client_id": world.citizen.pk,
                "service_type": "proxy",
                "items": [world.food.code],
                "site": world.county.code,
            }
        }
    ],
    "POST /api/cases/{number}/events": lambda world, ids: [
        {
            "body": {
                "event": "note",
                "expected_version": _version(ids["number"]),
                "details": {"text": "电话联系服务对象，约定下周一来窗口"},
            }
        }
    ],
    "POST /api/partners/progress": lambda world, ids: [_signed_report(world)],
    "GET /api/progress": lambda world, ids: [
        {"query": {"number": ids["number"], "phone": "13812345678"}}
    ],
    "POST /api/progress/evaluation": lambda world, ids: [
        {"body": {"number": _evaluable(world), "phone": "13812345678", "level": "非常满意"}}
    ],
}


def _signed_report(world) -> dict:
    """A department system's progress report on a filed item, signed with its key."""
    from bangban.cases.tests.helpers import act, open_case, to_handling
    from bangban.partners.models import Partner, Scope
    from bangban.partners.signing import sign

    partner = Partner(
        name="县市场监管审批系统",
        code="scjg-approval",
        scopes=list(Scope.values),
        department=world.market,
    )
    key = partner.rotate_secret()
    partner.save()
    partner.sites.add(world.county)
    case = open_case(world)
    to_handling(case, world.agent_a)
    item = case.items.get()
    act(case, world.agent_a, "file_with_department", case_item_id=item.pk)
    body = {
        "report_id": "SP-0001",
        "case": case.number,
        "case_item_id": item.pk,
        "status": "received",
    }
    raw = json.dumps(body).encode()  # as schemathesis sends it
    return {"body": body, "headers": sign(partner=partner.code, secret=key, body=raw)}


def _version(number: str) -> int:
    from bangban.cases.models import Case

    return Case.objects.get(number=number).version


def _evaluable(world) -> str:
    """A case delivered to its client, which the client may now rate."""
    from bangban.cases.tests.helpers import deliver_by_post

    return deliver_by_post(world, address="示范县城关镇人民路 1 号", recipient="张三").number


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_every_operation_reaches_its_logic_with_valid_examples(
    label, app, api_headers, real_ids, world
):
    """Valid examples, from the schema, ``EXAMPLES`` and positive generation with real
    ids: no answer breaks the schema, and at least one is a success (2xx)."""
    operation = OPERATIONS[label]
    names = {p.name for p in operation.path_parameters}
    real = real_path(label, world, real_ids)
    answers: list[int] = []

    def send(case):
        cache.clear()
        # the token last: positive generation also makes up an ``Authorization`` header from
        # the security scheme ("Bearer 7\"O…"), which answers 401 and reaches no logic; an
        # example's own headers (a partner's signature) are kept
        response = case.call(app=app, headers={**(case.headers or {}), **api_headers})
        case.validate_response(response, checks=CHECKS)
        answers.append(response.status_code)

    for example in EXAMPLES.get(label, lambda w, i: [])(world, real_ids):
        kwargs = {**example, "path_parameters": {**real, **example.get("path_parameters", {})}}
        if "body" in kwargs:
            kwargs.setdefault("media_type", "application/json")
        send(operation.Case(**kwargs))

    strategies = operation.get_strategies_from_examples(path_parameters=real) if real else []
    strategies = strategies or operation.get_strategies_from_examples()
    if real or not names:  # generation only where no path parameter is left to chance
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=real))

    @settings(
        max_examples=10,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(*strategies))
    def run(case):
        send(case)

    if strategies:
        run()
    assert any(200 <= code < 300 for code in answers), (
        f"{label}：有效示例没有一次成功（应答 {sorted(set(answers))}）；"
        "请在请求模型的字段上加 examples，或在 EXAMPLES / real_ids 中补充"
    )


# --- every event of the state table, through the API --------------------------------------

# Events the API cannot send: the scheduler's, when a resumption period has run out.
NOT_BY_THE_API = {"lapse": "续办期限届满由定时任务终止（system 角色），接口不能发出"}


class Desk:
    """Sends events to one case over the API, as the staff member whose token it holds,
    with the version the last answer gave, and checks each answer against the schema."""

    def __init__(self, app, tokens, sent):
        self.app, self.tokens, self.sent = app, tokens, sent
        self.operation = OPERATIONS["POST /api/cases/{number}/events"]

    def __call__(self, case, who, event, **details):
        from bangban.cases.models import Case

        number = case if isinstance(case, str) else case.number
        body = {
            "event": event,
            "expected_version": Case.objects.get(number=number).version,
            "details": details,
        }
        call = self.operation.Case(
            path_parameters={"number": number}, body=body, media_type="application/json"
        )
        cache.clear()
        response = call.call(app=self.app, headers=self.tokens[who])
        call.validate_response(response, checks=CHECKS)
        assert response.status_code == 201, (event, response.json())
        self.sent.add(event)
        return response.json()


def test_every_event_of_the_state_table_succeeds_through_the_api(app, world):
    from bangban.cases.models import Case, CaseItem
    from bangban.cases.tests.helpers import open_case
    from bangban.cases.transitions import TRANSITIONS

    sent: set[str] = set()
    tokens = {
        "agent": _token(world.agent_a),
        "coordinator": _token(world.coordinator),
        "liaison": _token(world.liaison_market),
        "receiver": _token(world.town_agent),
    }
    send = Desk(app, tokens, sent)

    # a proxy case from first contact to the archive
    case = open_case(world)
    send(case, "agent", "note", text="电话联系服务对象，约定周一来窗口")
    send(case, "coordinator", "assign", agent_id=world.agent_a.pk)
    send(case, "agent", "confirm", form="entrustment", confirmation=SIGNED)
    send(case, "agent", "relay_out", to_site=world.town.code, note="服务对象住在城关镇")
    send(case, "receiver", "relay_return", reason="材料在村里，仍由村服务站办理")
    send(case, "agent", "start_assessment", needs="老人行动不便，需全程代办")
    send(case, "agent", "start_review")
    materials = list(case.materials.order_by("pk"))
    checks = [{"material_id": m.pk, "status": "received"} for m in materials]
    checks[0]["status"] = "missing"
    send(case, "agent", "pre_review", checks=checks)
    send(case, "agent", "request_supplement", days=5)
    send(case, "coordinator", "remind")
    send(case, "agent", "supplement", received=[materials[0].pk])
    send(case, "agent", "accept", confirmation=SIGNED)
    send(case, "agent", "start_handling")
    item = CaseItem.objects.filter(case__number=case.number).first()
    send(case, "agent", "file_with_department", case_item_id=item.pk, external_number="SW2024001")
    send(case, "agent", "expedite", case_item_id=item.pk, message="请加快办理")
    expedite_id = Case.objects.get(number=case.number).expedites.get().pk
    send(case, "liaison", "expedite_reply", expedite_id=expedite_id, reply="已在审批，周五出证")
    send(
        case, "liaison", "department_step", case_item_id=item.pk, status="approved", result="JY001"
    )
    send(case, "agent", "complete", confirmation=SIGNED)
    send(case, "agent", "deliver", method="in_person", recipient="张三", confirmation=SIGNED)
    send(case, "coordinator", "evaluate", level=5, channel="return_visit", comment="回访满意")
    send(case, "agent", "archive")

    # a proxy case suspended, resumed and ended
    case = open_case(world)
    for event, details in [
        ("start_review", {}),
        (
            "pre_review",
            {
                "checks": [
                    {"material_id": m.pk, "status": "received"}
                    for m in case.materials.order_by("pk")
                ]
            },
        ),
        ("accept", {"confirmation": SIGNED}),
        ("start_handling", {}),
    ]:
        send(case, "agent", event, **details)
    send(case, "agent", "suspend", reason_code="client_pause", confirmation=SIGNED)
    send(case, "agent", "resume", confirmation=SIGNED)
    send(case, "agent", "terminate", reason_code="client_withdrew", confirmation=SIGNED)

    # an assist case turned into a proxy one, and one refused
    send(open_case(world, service_type="assist"), "agent", "convert_to_proxy", confirmation=SIGNED)
    send(open_case(world), "agent", "refuse", reason="所申请事项不属于本服务点受理范围")

    # a case relayed to the town and taken up there
    case = open_case(world)
    send(case, "agent", "relay_out", to_site=world.town.code, note="服务对象住在城关镇")
    send(case, "receiver", "relay_accept", note="已接收")

    # 一表申请: a case whose item's application form asks two fields, answered once
    from bangban.documents.tests.cases import with_form_fields

    with_form_fields(world.food, ["applicant_name", "contact_phone"])
    answers = {"applicant_name": "张记小吃店", "contact_phone": "13812345678"}
    send(open_case(world), "agent", "application_answered", answers=answers)

    missing = {t.event for t in TRANSITIONS} - sent - set(NOT_BY_THE_API)
    assert not missing, f"没有经接口成功发出的事件：{sorted(missing)}"
