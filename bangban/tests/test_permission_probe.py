"""Issue 12, "what it must show": every id in the API and the workbench is probed.

The API's operations are read from its OpenAPI schema (``bangban.api.api``). Every path
parameter, query parameter and body field that names an object (a client, case, item,
material, site, staff member, document, consultation, expedite …) must have a recipe
below; a new operation with an id and no recipe fails ``test_every_id_bearing_api_field_
has_a_probe_recipe``, so nothing is added unprobed. Each recipe names an object of
*another* county's site (outside every persona's view) and is tried as each staff persona
of the ``world`` fixture; the answer must be a refusal (400 naming the field, 403, 404 or
422, with a Chinese message), never the object's data, and the object must be unchanged.

Two kinds of field are not refusals by design, and each is asserted for what it is:
- cursors and list filters (``after``, ``site`` in a list) answer the caller's own rows
  and none of the other site's;
- a ``client`` object with a known ID number registers the client at the caller's own
  site, which may match that client by the ID card in hand (the one access rule): the
  case opens for the existing client and nothing typed is written onto it.
Public catalogue codes (items, bundles, departments) are published on the portal; naming
them discloses nothing, and each such field is listed with that reason.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import time
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.test import Client as Browser
from django.urls import URLPattern
from django.utils import timezone

from bangban.api import api
from bangban.api.pagination import encode_cursor
from bangban.apiauth.testing import ApiClient
from bangban.cases.access import Actor
from bangban.cases.models import Case, CaseItem, CaseMaterial, Expedite, MaterialStatus
from bangban.cases.services import case_submit
from bangban.cases.tests.helpers import act, review_all, to_handling
from bangban.catalogue.models import MaterialKind
from bangban.clients.models import Client, ClientCorrection, PersonalDataAccess
from bangban.clients.services import ClientInput, client_register
from bangban.consultations.models import Consultation
from bangban.consultations.services import consultation_record
from bangban.documents.kinds import Kind
from bangban.documents.services import document_issue_on_demand
from bangban.network.models import Department, Site, SiteLevel
from bangban.oversight.models import Complaint, Evaluation, Rectification
from bangban.partners.testing import make_partner, signed_post
from bangban.staff.models import StaffMember
from bangban.testing import STAFF_PERSONAS, _item, make_resident_id
from bangban.vault.models import VaultConsent, VaultMaterial
from bangban.visits.models import Appointment, HomeVisitRequest, TimeSlot
from bangban.workbench import urls as workbench_urls

pytestmark = pytest.mark.django_db

PERSONAS = STAFF_PERSONAS
FOREIGN_NAME = "赵六"
FOREIGN_MOBILE = "13700009999"
FOREIGN_ID = make_resident_id("44010619800101001")
REFUSALS = {400, 403, 404, 422}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The public progress lookup is rate-limited in the cache, which outlives a test."""
    cache.clear()


# --- which fields name an object ------------------------------------------------------------

OBJECT_WORDS = {
    "after",
    "cursor",
    "agent",
    "bundle",
    "case",
    "client",
    "consultation",
    "department",
    "document",
    "expedite",
    "id_number",
    "item",
    "items",
    "material",
    "number",
    "received",
    "site",
    "staff",
    "to_site",
}


def names_object(name: str) -> bool:
    return name in OBJECT_WORDS or bool(re.search(r"(^|_)ids?$", name))


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    for key in ("anyOf", "allOf", "oneOf"):
        for option in node.get(key, ()):
            option = _resolve(schema, option)
            if option.get("type") == "object" or option.get("properties"):
                return option
            if option.get("type") == "array":
                return option
    return node


def _body_fields(schema: dict, node: dict, prefix: str = "") -> list[str]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    if "discriminator" in node:  # the event body: every event's own schema is probed
        return [f for option in node["oneOf"] for f in _body_fields(schema, option, prefix)]
    node = _resolve(schema, node)
    if node.get("type") == "array" and "items" in node:
        return _body_fields(schema, node["items"], prefix + "[]")
    found = []
    for name, sub in node.get("properties", {}).items():
        path = f"{prefix}.{name}" if prefix else name
        if names_object(name):
            found.append(path)  # the field names an object: probed as one
        else:
            found.extend(_body_fields(schema, sub, path))
    return found


def id_fields() -> set[str]:
    """``"METHOD /path field"`` for every object-naming parameter of every operation."""
    schema = api.get_openapi_schema()
    found = set()
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            for param in op.get("parameters", ()):
                if param["in"] == "path" or names_object(param["name"]):
                    found.add(f"{method.upper()} {path} {param['name']}")
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                for field in _body_fields(schema, body["schema"]):
                    found.add(f"{method.upper()} {path} {field}")
    return found


# --- the other county: objects no persona of the world may see ------------------------------


@pytest.fixture
def foreign(world):
    county = Site.objects.create(name="邻县政务服务中心", code="X", level=SiteLevel.COUNTY)
    village = Site.objects.create(
        name="邻县河口村便民服务站", code="X1", level=SiteLevel.VILLAGE, parent=county
    )
    department = Department.objects.create(name="邻县市场监督管理局", code="XSC", county=county)
    item = _item(
        "XSC-001", "邻县食品经营许可", department, world.food.category, 5, [("申请书", True, False)]
    )
    agent = StaffMember.objects.create(
        user=get_user_model().objects.create_user("agent_x", password="pw-agent_x"),
        name="邻县代办员",
        site=village,
        is_agent=True,
    )
    client = client_register(
        data=ClientInput(
            kind="person",
            name=FOREIGN_NAME,
            id_number=FOREIGN_ID,
            mobile=FOREIGN_MOBILE,
            address="邻县河口村1号",
        )
    )
    case = case_submit(
        actor=Actor.of_staff(agent),
        client=client,
        service_type="proxy",
        channel="window",
        site=village,
        item_versions=[item.current_version],
    )
    to_handling(case, agent)
    case_item = case.items.get()
    act(case, agent, "file_with_department", case_item_id=case_item.pk)
    act(case, agent, "expedite", case_item_id=case_item.pk, message="请加快")
    consultation = consultation_record(
        staff=agent,
        client_name=FOREIGN_NAME,
        contact=FOREIGN_MOBILE,
        channel="visit",
        content="想在河口村开一家小卖部",
    )
    case.refresh_from_db()
    slot = TimeSlot.objects.create(
        site=village, day=timezone.localdate(), start=time(9), end=time(10)
    )
    appointment = Appointment.objects.create(
        number="YY-X1-000001",
        slot=slot,
        name=FOREIGN_NAME,
        mobile_cipher="x",
        mobile_hash="x",
        mobile_masked="135****0000",
        purpose="邻县食品经营许可",
    )
    home_visit = HomeVisitRequest.objects.create(
        number="SM-X1-000001",
        site=village,
        name=FOREIGN_NAME,
        mobile_cipher="x",
        mobile_hash="x",
        mobile_masked="135****0000",
        address_cipher="x",
        address_masked="邻县河口村*号",
        is_elderly=True,
        needs="上门办理",
        preferred_times="上午",
    )
    now = timezone.now()
    evaluation = Evaluation.objects.create(
        case=case,
        service_type="proxy",
        site=village,
        agent=agent,
        level=1,
        mode="onsite",
        channel="portal",
        created_at=now,
        comment="邻县差评",
    )
    rectification = Rectification.objects.create(
        evaluation=evaluation, case=case, site=village, owner=agent, opened_at=now
    )
    complaint = Complaint.objects.create(
        number="TS-X1-000001",
        channel="phone",
        complainant_name=FOREIGN_NAME,
        content="邻县投诉",
        case=case,
        site=village,
        received_at=now,
        contact_due_on=now.date(),
        due_on=now.date(),
    )
    document = document_issue_on_demand(
        case=case, kind=Kind.ENTRUSTMENT, actor=Actor.of_staff(agent)
    )
    return SimpleNamespace(
        county=county,
        evaluation=evaluation,
        rectification=rectification,
        complaint=complaint,
        document=document,
        appointment=appointment,
        home_visit=home_visit,
        site=village,
        department=department,
        agent=agent,
        client=client,
        case=case,
        case_item=case_item,
        material=case.materials.get(),
        expedite=Expedite.objects.get(case=case),
        # a material kept in the other client's vault (issue 18), with a file name
        vault_material=VaultMaterial.objects.create(
            client=client,
            kind=MaterialKind.objects.get(code="resident_id"),
            level="B",
            verified_at=now,
            source_case=case,
            stored_name="vault/x/probe.png.enc",
        ),
        # a commitment (告知承诺, level D) of the other county's case, its check due
        commitment=VaultMaterial.objects.create(
            client=client,
            kind=MaterialKind.objects.get(code="resident_id"),
            level="D",
            verified_at=now,
            source_case=case,
            check_due=now.date(),
        ),
        consultation=consultation,
    )


def before_client(foreign) -> tuple:
    return (foreign.client.name, foreign.client.mobile_hash, foreign.client.address_cipher)


def fingerprint(foreign) -> tuple:
    """Everything a successful probe could have changed about the other county's objects."""
    client = Client.objects.get(pk=foreign.client.pk)
    case = Case.objects.get(pk=foreign.case.pk)
    return (
        client.name,
        client.mobile_hash,
        client.address_cipher,
        case.version,
        case.state,
        case.agent_id,
        case.relay_to_site_id,
        tuple(CaseItem.objects.filter(case=case).values_list("status", "result")),
        tuple(CaseMaterial.objects.filter(case=case).values_list("status", "note")),
        tuple(Expedite.objects.filter(case=case).values_list("reply", "replied_at")),
        Consultation.objects.get(pk=foreign.consultation.pk).status,
        tuple(Appointment.objects.filter(pk=foreign.appointment.pk).values_list("status", "case")),
        tuple(
            HomeVisitRequest.objects.filter(pk=foreign.home_visit.pk).values_list(
                "status", "case", "visited_at"
            )
        ),
        Case.objects.filter(client=client).count(),
        ClientCorrection.objects.filter(client=client).count(),
        PersonalDataAccess.objects.filter(client=client).count(),
        VaultConsent.objects.filter(client=client).count(),
        tuple(
            VaultMaterial.objects.filter(client=client).values_list(
                "state", "stored_name", "check_result"
            )
        ),
    )


@pytest.fixture
def own(world):
    """Cases of village A in the states the body-id probes need (agent A's own work)."""
    agent = world.agent_a

    def new():
        return case_submit(
            actor=Actor.of_staff(agent),
            client=world.citizen,
            service_type="proxy",
            channel="window",
            site=world.village_a,
            item_versions=[world.food.current_version],
        )

    reviewing = new()
    act(reviewing, agent, "start_review")
    handling = new()
    to_handling(handling, agent)
    act(handling, agent, "file_with_department", case_item_id=handling.items.get().pk)
    awaiting = new()
    act(awaiting, agent, "start_review")
    review_all(awaiting, agent, 营业执照=MaterialStatus.MISSING)
    act(awaiting, agent, "request_supplement")
    consultation = consultation_record(
        staff=agent, client_name="王大爷", contact="13700001111", channel="visit", content="问"
    )
    for case in (reviewing, handling, awaiting):
        case.refresh_from_db()
    return SimpleNamespace(
        reviewing=reviewing, handling=handling, awaiting=awaiting, consultation=consultation
    )


# --- the recipes ----------------------------------------------------------------------------

REFUSED, FILTERED, MATCHED = "refused", "filtered", "matched"


@dataclass
class Recipe:
    expect: str
    call: object  # (api_client, world, foreign, own) -> response


def event(case_attr: str, name: str, **details):
    def call(client, world, foreign, own):
        case = getattr(own, case_attr)
        body = {"event": name, "expected_version": case.version, "details": details}
        return client.post(f"/cases/{case.number}/events", _fill(body, foreign))

    return call


def _fill(value, foreign):
    """Replace ``"@attr.field"`` placeholders with the other county's objects' values."""
    if isinstance(value, dict):
        return {k: _fill(v, foreign) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, foreign) for v in value]
    if isinstance(value, str) and value.startswith("@"):
        obj, attr = value[1:].split(".")
        return getattr(getattr(foreign, obj), attr)
    return value


def takeover() -> dict:
    return {"kind": "person", "name": "冒名者", "id_number": FOREIGN_ID, "mobile": "13566667777"}


def get(path, **query):
    return lambda c, w, f, o: c.get(_fill(path, f).format(f=f, o=o), **_fill(query, f))


def post(path, body=None):
    return lambda c, w, f, o: c.post(path.format(f=f, o=o), _fill(body or {}, f))


REVEAL = {"field": "mobile", "reason": "核对"}
CORRECTION = {"field": "mobile", "value": "13566667777", "reason": "更换号码"}
NEW_CASE = {"service_type": "assist", "items": ["SCJG-001"]}

RECIPES: dict[str, Recipe] = {
    # consultations
    "GET /api/consultations after": Recipe(
        FILTERED, lambda c, w, f, o: c.get("/consultations", after=f.consultation.pk + 1)
    ),
    "POST /api/consultations/{consultation_id}/escalate consultation_id": Recipe(
        REFUSED, post("/consultations/{f.consultation.pk}/escalate", {"department": "SCJG"})
    ),
    "POST /api/consultations/{consultation_id}/escalate department": Recipe(
        REFUSED, post("/consultations/{o.consultation.pk}/escalate", {"department": "XSC"})
    ),
    "POST /api/consultations/{consultation_id}/reply consultation_id": Recipe(
        REFUSED, post("/consultations/{f.consultation.pk}/reply", {"answer": "答复"})
    ),
    "POST /api/consultations/{consultation_id}/to-case consultation_id": Recipe(
        REFUSED,
        lambda c, w, f, o: c.post(
            f"/consultations/{f.consultation.pk}/to-case",
            {"client": takeover(), "service_type": "assist"},
        ),
    ),
    "POST /api/consultations/{consultation_id}/to-case client_id": Recipe(
        REFUSED,
        lambda c, w, f, o: c.post(
            f"/consultations/{o.consultation.pk}/to-case",
            {"client_id": f.client.pk, "service_type": "assist", "items": ["SCJG-001"]},
        ),
    ),
    "POST /api/consultations/{consultation_id}/to-case client": Recipe(
        MATCHED,
        lambda c, w, f, o: c.post(
            f"/consultations/{o.consultation.pk}/to-case",
            {"client": takeover(), "service_type": "assist", "items": ["SCJG-001"]},
        ),
    ),
    # clients
    "POST /api/clients id_number": Recipe(
        REFUSED, lambda c, w, f, o: c.post("/clients", takeover())
    ),
    "GET /api/clients id_number": Recipe(REFUSED, get("/clients", id_number=FOREIGN_ID)),
    "GET /api/clients/{client_id} client_id": Recipe(REFUSED, get("/clients/{f.client.pk}")),
    "GET /api/clients/{client_id}/corrections client_id": Recipe(
        REFUSED, get("/clients/{f.client.pk}/corrections")
    ),
    "POST /api/clients/{client_id}/corrections client_id": Recipe(
        REFUSED, post("/clients/{f.client.pk}/corrections", CORRECTION)
    ),
    "POST /api/clients/{client_id}/reveal client_id": Recipe(
        REFUSED, post("/clients/{f.client.pk}/reveal", REVEAL)
    ),
    "POST /api/clients/{client_id}/reveal case": Recipe(
        REFUSED,
        lambda c, w, f, o: c.post(
            f"/clients/{w.citizen.pk}/reveal", {**REVEAL, "case": f.case.number}
        ),
    ),
    # cases
    "GET /api/cases site": Recipe(FILTERED, get("/cases", site="X1")),
    "GET /api/cases after": Recipe(
        FILTERED, lambda c, w, f, o: c.get("/cases", after=f.case.pk + 1)
    ),
    "POST /api/cases client_id": Recipe(
        REFUSED, lambda c, w, f, o: c.post("/cases", {**NEW_CASE, "client_id": f.client.pk})
    ),
    "POST /api/cases client": Recipe(
        MATCHED, lambda c, w, f, o: c.post("/cases", {**NEW_CASE, "client": takeover()})
    ),
    "POST /api/cases site": Recipe(
        REFUSED,
        lambda c, w, f, o: c.post("/cases", {**NEW_CASE, "client": takeover(), "site": "X1"}),
    ),
    "GET /api/cases/{number} number": Recipe(REFUSED, get("/cases/{f.case.number}")),
    "GET /api/cases/{number}/timeline number": Recipe(
        REFUSED, get("/cases/{f.case.number}/timeline")
    ),
    "GET /api/cases/{number}/materials number": Recipe(
        REFUSED, get("/cases/{f.case.number}/materials")
    ),
    "GET /api/cases/{number}/application number": Recipe(
        REFUSED, get("/cases/{f.case.number}/application")
    ),
    "POST /api/cases/{number}/events number": Recipe(
        REFUSED,
        lambda c, w, f, o: c.post(
            f"/cases/{f.case.number}/events",
            {"event": "note", "expected_version": f.case.version, "details": {"text": "x"}},
        ),
    ),
    "POST /api/cases/{number}/events details.checks[].material_id": Recipe(
        REFUSED,
        event(
            "reviewing",
            "pre_review",
            checks=[{"material_id": "@material.pk", "status": "needs_correction", "note": "x"}],
        ),
    ),
    # ticking one's own material with the other client's kept one (issue 18)
    "POST /api/cases/{number}/events details.checks[].vault_material_id": Recipe(
        REFUSED,
        lambda c, w, f, o: c.post(
            f"/cases/{o.reviewing.number}/events",
            {
                "event": "pre_review",
                "expected_version": o.reviewing.version,
                "details": {
                    "checks": [
                        {
                            "material_id": o.reviewing.materials.order_by("id").first().pk,
                            "status": "received",
                            "vault_material_id": f.vault_material.pk,
                        }
                    ]
                },
            },
        ),
    ),
    # a 告知承诺书 for the other county's material (issue 18)
    "POST /api/cases/{number}/events details.material_id": Recipe(
        REFUSED,
        event(
            "reviewing",
            "confirm",
            form="commitment",
            material_id="@material.pk",
            confirmation={"method": "paper", "signer": "张三"},
        ),
    ),
    "POST /api/cases/{number}/events details.received": Recipe(
        REFUSED, event("awaiting", "supplement", received=["@material.pk"])
    ),
    "POST /api/cases/{number}/events details.case_item_id": Recipe(
        REFUSED, event("handling", "file_with_department", case_item_id="@case_item.pk")
    ),
    "POST /api/cases/{number}/events details.expedite_id": Recipe(
        REFUSED, event("handling", "expedite_reply", expedite_id="@expedite.pk", reply="已办")
    ),
    "POST /api/cases/{number}/events details.agent_id": Recipe(
        REFUSED, event("handling", "assign", agent_id="@agent.pk")
    ),
    "POST /api/cases/{number}/events details.to_site": Recipe(
        REFUSED, event("handling", "relay_out", to_site="X1", note="移交")
    ),
    # partners' systems (signed, not a staff token): a department's system of this county
    "POST /api/partners/progress case": Recipe(
        REFUSED,
        lambda c, w, f, o: signed_post(
            make_partner(code="p", sites=[w.county]),
            {"report_id": "R1", "case": f.case.number, "status": "received"},
        ),
    ),
    "POST /api/partners/progress case_item_id": Recipe(
        REFUSED,
        lambda c, w, f, o: signed_post(
            make_partner(code="p", sites=[w.county]),
            {
                "report_id": "R1",
                "case": o.handling.number,
                "case_item_id": f.case_item.pk,
                "status": "received",
            },
        ),
    ),
    "POST /api/partners/progress report_id": Recipe(
        FILTERED,
        lambda c, w, f, o: (
            signed_post(
                make_partner(code="px", sites=[f.county]),
                {"report_id": "R1", "case": f.case.number, "status": "received"},
            )
            and signed_post(
                make_partner(code="p", sites=[w.county]),
                {"report_id": "R1", "case": o.handling.number, "status": "received"},
            )
        ),
    ),
    # issue 16: every list's cursor is only a position in the caller's own rows
    **{
        f"GET /api{path} cursor": Recipe(
            FILTERED,
            lambda c, w, f, o, path=path, name=name: c.get(path, cursor=encode_cursor(name, 2**40)),
        )
        for path, name in [
            ("/cases", "cases"),
            ("/consultations", "consultations"),
            ("/appointments", "appointments"),
            ("/home-visits", "home-visits"),
            ("/evaluations", "evaluations"),
            ("/rectifications", "rectifications"),
            ("/complaints", "complaints"),
        ]
    },
    # documents of a case: the other county's case, or its document under one's own case
    "GET /api/cases/{number}/documents number": Recipe(
        REFUSED, get("/cases/{f.case.number}/documents")
    ),
    "GET /api/cases/{number}/documents/{document_number} number": Recipe(
        REFUSED, get("/cases/{f.case.number}/documents/{f.document.number}")
    ),
    "GET /api/cases/{number}/documents/{document_number} document_number": Recipe(
        REFUSED, get("/cases/{o.handling.number}/documents/{f.document.number}")
    ),
    "GET /api/cases/{number}/documents/{document_number}/file number": Recipe(
        REFUSED, get("/cases/{f.case.number}/documents/{f.document.number}/file")
    ),
    "GET /api/cases/{number}/documents/{document_number}/file document_number": Recipe(
        REFUSED, get("/cases/{o.handling.number}/documents/{f.document.number}/file")
    ),
    # appointments, home visits, evaluations, rectifications, complaints
    "GET /api/appointments/{number} number": Recipe(
        REFUSED, get("/appointments/{f.appointment.number}")
    ),
    "GET /api/home-visits/{number} number": Recipe(
        REFUSED, get("/home-visits/{f.home_visit.number}")
    ),
    "GET /api/evaluations/{evaluation_id} evaluation_id": Recipe(
        REFUSED, get("/evaluations/{f.evaluation.pk}")
    ),
    "GET /api/rectifications/{rectification_id} rectification_id": Recipe(
        REFUSED, get("/rectifications/{f.rectification.pk}")
    ),
    "GET /api/complaints/{number} number": Recipe(REFUSED, get("/complaints/{f.complaint.number}")),
    # public progress: a number with a phone that is not the client's is nothing
    "GET /api/progress number": Recipe(
        REFUSED, get("/progress", number="@case.number", phone="13566667777")
    ),
    "POST /api/progress/evaluation number": Recipe(
        REFUSED,
        lambda c, w, f, o: c.post(
            "/progress/evaluation",
            {"number": f.case.number, "phone": "13566667777", "level": "不满意"},
        ),
    ),
}

PUBLIC_CATALOGUE = {  # codes published on the portal: naming one discloses nothing
    # the public catalogue, the sites and their agents (the 五公开 pages), and their cursors
    "GET /api/catalogue/items cursor",
    "GET /api/catalogue/items/{code} code",
    "GET /api/catalogue/items/{code}/versions code",
    "GET /api/catalogue/items/{code}/versions/{number}/materials code",
    "GET /api/catalogue/items/{code}/versions/{number}/materials number",
    "GET /api/catalogue/bundles cursor",
    "GET /api/sites cursor",
    "GET /api/sites/{code} code",
    "GET /api/sites/{code}/staff code",
    "GET /api/sites/{code}/staff cursor",
    "POST /api/consultations item",
    "POST /api/consultations/{consultation_id}/to-case items",
    "POST /api/consultations/{consultation_id}/to-case bundle",
    "POST /api/cases items",
    "POST /api/cases bundle",
}


def test_every_id_bearing_api_field_has_a_probe_recipe():
    fields = id_fields()
    missing = sorted(fields - set(RECIPES) - PUBLIC_CATALOGUE)
    assert not missing, "这些接口参数指向对象，但没有越权探测用例：" + "；".join(missing)
    stale = sorted((set(RECIPES) | PUBLIC_CATALOGUE) - fields)
    assert not stale, "探测用例对应的接口参数已不存在：" + "；".join(stale)
    # the enumeration itself is alive: these come from the schema, not from this file
    assert "POST /api/cases client_id" in fields
    assert "POST /api/cases/{number}/events details.checks[].material_id" in fields


def _leaks(text: str, foreign) -> list[str]:
    secrets = [
        FOREIGN_NAME,
        FOREIGN_MOBILE,
        FOREIGN_ID,
        foreign.client.mobile_masked,
        foreign.client.id_number_masked,
        foreign.client.address_masked,
        foreign.consultation.content,
        foreign.agent.name,
    ]
    return [s for s in secrets if s and s in text]


def _chinese(message: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", message))


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_persona_reaches_another_sites_object_through_any_api_field(
    world, foreign, own, persona
):
    caller = ApiClient(getattr(world, persona))
    before = fingerprint(foreign)
    problems = []
    for key, recipe in RECIPES.items():
        with transaction.atomic():
            problems.extend(_probe(key, recipe, caller, world, foreign, own))
            # a MATCHED registration opens a case of the caller's own, by design: undone,
            # so that the probes after it still meet an object the caller may not see
            transaction.set_rollback(True)
    assert fingerprint(foreign) == before
    assert not problems, "\n".join(problems)


def _probe(key, recipe, caller, world, foreign, own) -> list[str]:
    problems = []
    anonymous = key.split()[1].startswith("/api/progress")
    response = recipe.call(ApiClient() if anonymous else caller, world, foreign, own)
    text = json.dumps(response.json(), ensure_ascii=False)
    if recipe.expect == REFUSED:
        body = response.json()
        if response.status_code not in REFUSALS or not _chinese(body.get("message", "")):
            problems.append(f"{key}: {response.status_code} {text[:200]}")
    elif recipe.expect == FILTERED:
        if response.status_code != 200:
            problems.append(f"{key}: {response.status_code} {text[:200]}")
        elif foreign.case.number in text:
            problems.append(f"{key}: 返回了邻县的办件")
    elif recipe.expect == MATCHED:
        allowed = response.status_code == 201 or (
            response.status_code in REFUSALS and _chinese(response.json().get("message", ""))
        )
        if not allowed:
            problems.append(f"{key}: {response.status_code} {text[:200]}")
        elif response.status_code == 201:
            opened = Case.objects.get(number=response.json()["number"])
            if opened.client_id != foreign.client.pk:
                problems.append(f"{key}: 没有匹配已登记的服务对象")
            # a case of one's own for the person whose ID card is at the desk: masked only
            if FOREIGN_ID in text or FOREIGN_MOBILE in text:
                problems.append(f"{key}: 返回了完整的个人信息")
        if fingerprint(foreign)[:3] != before_client(foreign):
            problems.append(f"{key}: 改写了已登记的服务对象")
    leaked = [] if recipe.expect == MATCHED else _leaks(text, foreign)
    if leaked:
        problems.append(f"{key}: 泄露 {leaked}")
    return problems


# --- the workbench: every URL with an id, and the forms that take one -----------------------

WORKBENCH_RECIPES = {
    "desk/consultations/<int:pk>/": ("get", "/work/desk/consultations/{f.consultation.pk}/", {}),
    "desk/consultations/<int:pk>/answer/": (
        "post",
        "/work/desk/consultations/{f.consultation.pk}/answer/",
        {"answer": "答复"},
    ),
    "desk/consultations/<int:pk>/escalate/": (
        "post",
        "/work/desk/consultations/{f.consultation.pk}/escalate/",
        {"department": "XSC"},
    ),
    "desk/consultations/<int:pk>/notice.pdf": (
        "get",
        "/work/desk/consultations/{f.consultation.pk}/notice.pdf",
        {},
    ),
    "visits/<str:kind>/<str:number>/case/": (
        "post",
        "/work/visits/appointment/{f.appointment.number}/case/",
        {"case": ""},
    ),
    "visits/appointments/<str:number>/mark/": (
        "post",
        "/work/visits/appointments/{f.appointment.number}/mark/",
        {"attended": "1"},
    ),
    "visits/home/<str:number>/done/": (
        "post",
        "/work/visits/home/{f.home_visit.number}/done/",
        {"note": "已上门"},
    ),
    # 上门服务安排: scheduling another county's request (its status would change) is refused
    "visits/home/<str:number>/": (
        "post",
        "/work/visits/home/{f.home_visit.number}/",
        {"action": "decline", "reply": "不予安排"},
    ),
    "desk/consultations/<int:pk>/case/": (
        "post",
        "/work/desk/consultations/{f.consultation.pk}/case/",
        {"kind": "person", "id_number": FOREIGN_ID, "service_type": "assist"},
    ),
    "cases/<str:number>/": ("get", "/work/cases/{f.case.number}/", {}),
    "cases/<str:number>/events/<str:event>/": (
        "post",
        "/work/cases/{f.case.number}/events/note/",
        {"text": "x", "expected_version": "0"},
    ),
    "cases/<str:number>/review/": ("post", "/work/cases/{f.case.number}/review/", {}),
    "cases/<str:number>/review/<int:material_id>/": (
        "post",
        "/work/cases/{o.reviewing.number}/review/{f.material.pk}/",
        {"status": "missing", "expected_version": "1"},
    ),
    "cases/<str:number>/materials/<int:material_id>/file/": (
        "get",
        "/work/cases/{o.reviewing.number}/materials/{f.material.pk}/file/",
        {},
    ),
    "cases/<str:number>/note/": ("post", "/work/cases/{f.case.number}/note/", {"text": "x"}),
    # 一表申请 (issue 18): the page of another site's case, and another case's item on one's own
    "cases/<str:number>/application/": (
        "post",
        "/work/cases/{f.case.number}/application/",
        {"applicant_name": "x", "expected_version": "0"},
    ),
    "cases/<str:number>/application/items/<int:item_id>/form/": (
        "post",
        "/work/cases/{o.handling.number}/application/items/{f.case_item.pk}/form/",
        {},
    ),
    # the client's material vault (issue 18)
    "cases/<str:number>/vault/use/": (
        "post",
        "/work/cases/{o.reviewing.number}/vault/use/",
        {
            "material_id": "{f.material.pk}",
            "vault_id": "{f.vault_material.pk}",
            "expected_version": "1",
        },
    ),
    "cases/<str:number>/vault/consent/": ("post", "/work/cases/{f.case.number}/vault/consent/", {}),
    "cases/<str:number>/vault/licence/": (
        "post",
        "/work/cases/{f.case.number}/vault/licence/",
        {"kind": "1", "licence_type": "营业执照", "licence_number": "x", "licence_issuer": "x"},
    ),
    "vault/<int:pk>/file/": ("get", "/work/vault/{f.vault_material.pk}/file/", {}),
    "vault/commitments/<int:pk>/check/": (
        "post",
        "/work/vault/commitments/{f.commitment.pk}/check/",
        {"result": "false", "note": "x"},
    ),
    "cases/<str:number>/reveal/": (
        "post",
        "/work/cases/{f.case.number}/reveal/",
        {"field": "mobile", "reason": "核对"},
    ),
    "cases/<str:number>/client/correct/": (
        "post",
        "/work/cases/{f.case.number}/client/correct/",
        {"field": "mobile", "value": "13700001111", "reason": "本人申请更换手机号码"},
    ),
}

# Form fields that name an object, posted to one of agent A's own cases or desk forms.
WORKBENCH_FORMS = {
    "assign agent_id": ("handling", "assign", {"agent_id": "{f.agent.pk}"}),
    "relay_out to_site": ("handling", "relay_out", {"to_site": "{f.site.code}", "note": "x"}),
    "file_with_department case_item_id": (
        "handling",
        "file_with_department",
        {"case_item_id": "{f.case_item.pk}"},
    ),
    "expedite case_item_id": ("handling", "expedite", {"case_item_id": "{f.case_item.pk}"}),
    "expedite_reply expedite_id": (
        "handling",
        "expedite_reply",
        {"expedite_id": "{f.expedite.pk}", "reply": "x"},
    ),
    "supplement received": ("awaiting", "supplement", {"received": "{f.material.pk}"}),
}


def _workbench_paths() -> set[str]:
    return {
        str(p.pattern)
        for p in workbench_urls.urlpatterns
        if isinstance(p, URLPattern) and "<" in str(p.pattern)
    } - {"desk/check-id/", "desk/items/"}


def test_every_workbench_url_with_an_id_has_a_probe_recipe():
    missing = sorted(_workbench_paths() - set(WORKBENCH_RECIPES))
    assert not missing, "这些工作台地址带有对象编号，但没有越权探测用例：" + "；".join(missing)


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_persona_reaches_another_sites_object_through_the_workbench(
    world, foreign, own, persona
):
    browser = Browser()
    browser.force_login(getattr(world, persona).user)
    before = fingerprint(foreign)
    problems = []
    for pattern, (method, path, data) in WORKBENCH_RECIPES.items():
        url = path.format(f=foreign, o=own)
        response = getattr(browser, method)(url, data)
        text = response.content.decode(errors="replace")
        if response.status_code not in {403, 404, 422} or _leaks(text, foreign):
            problems.append(f"{pattern}: {response.status_code} {_leaks(text, foreign)}")
    for name, (case_attr, event_name, fields) in WORKBENCH_FORMS.items():
        case = getattr(own, case_attr)
        case.refresh_from_db()
        data = {k: v.format(f=foreign, o=own) for k, v in fields.items()}
        data["expected_version"] = str(case.version)
        response = browser.post(f"/work/cases/{case.number}/events/{event_name}/", data)
        text = response.content.decode(errors="replace")
        if response.status_code not in {404, 422} or _leaks(text, foreign):
            problems.append(f"{name}: {response.status_code} {_leaks(text, foreign)}")
    check = browser.get("/work/desk/check-id/", {"kind": "person", "id_number": FOREIGN_ID})
    if _leaks(check.content.decode(), foreign):
        problems.append(f"desk/check-id/: 泄露 {_leaks(check.content.decode(), foreign)}")
    assert fingerprint(foreign) == before
    assert not problems, "\n".join(problems)


# --- remote help (issue 17): the queue's requests and the session records --------------------

REMOTE_RECIPES = {
    "queue/<int:pk>/answer/": ("post", "/work/remote/queue/{r.ringing.pk}/answer/", {}),
    "queue/<int:pk>/call-back/": (
        "post",
        "/work/remote/queue/{r.call_back.pk}/call-back/",
        {"note": "已回电"},
    ),
    "asked/<int:pk>/": ("get", "/work/remote/asked/{r.ringing.pk}/", {}),
    "sessions/<int:pk>/": ("get", "/work/remote/sessions/{r.session.pk}/", {}),
    "sessions/<int:pk>/live/": ("get", "/work/remote/sessions/{r.session.pk}/live/", {}),
    "sessions/<int:pk>/photos/<int:photo_id>/": (
        "get",
        "/work/remote/sessions/{r.session.pk}/photos/{r.photo.pk}/",
        {},
    ),
    "sessions/<int:pk>/photos/<int:photo_id>/keep/": (
        "post",
        "/work/remote/sessions/{r.session.pk}/photos/{r.photo.pk}/keep/",
        {"material": "{r.material.pk}", "consent": "yes"},
    ),
    # asking about another county's case or consultation
    "ask/ case": ("post", "/work/remote/ask/", {"case": "{f.case.number}", "question": "x"}),
    "ask/ consultation": (
        "post",
        "/work/remote/ask/",
        {"consultation": "{f.consultation.pk}", "question": "x"},
    ),
}


@pytest.fixture
def foreign_remote(foreign):
    import io

    from PIL import Image

    from bangban.remote import services as remote

    county = Site.objects.get(code="X")
    expert = StaffMember.objects.create(
        user=get_user_model().objects.create_user("county_x", password="pw-county_x"),
        name="邻县县级代办员",
        site=county,
        is_agent=True,
    )
    asker = Actor.of_staff(foreign.agent)
    answered = remote.help_ask(asker, question="邻县的问题", case=foreign.case)
    session = remote.help_answer(expert, answered)
    image = io.BytesIO()
    Image.new("RGB", (4, 4)).save(image, "PNG")
    photo = remote.session_photo(
        session, sender_actor=asker, content=image.getvalue(), name="邻县.png"
    )
    remote.session_end(session, by_actor=asker, outcome="answered")
    ringing = remote.help_ask(asker, question="邻县的第二个问题", consultation=foreign.consultation)
    second = StaffMember.objects.create(
        user=get_user_model().objects.create_user("agent_x2", password="pw-agent_x2"),
        name="邻县代办员二",
        site=foreign.agent.site,
        is_agent=True,
    )
    call_back = remote.help_ask(Actor.of_staff(second), question="邻县回电", case=foreign.case)
    remote.help_call_back(Actor.of_staff(second), call_back, number="13700008888")
    material = foreign.case.materials.first()
    return SimpleNamespace(
        session=session, photo=photo, material=material, ringing=ringing, call_back=call_back
    )


def test_every_remote_url_with_an_id_has_a_probe_recipe():
    from bangban.remote import urls as remote_urls

    with_ids = {str(p.pattern) for p in remote_urls.urlpatterns if "<" in str(p.pattern)}
    missing = sorted(with_ids - set(REMOTE_RECIPES))
    assert not missing, "这些远程帮办地址带有对象编号，但没有越权探测用例：" + "；".join(missing)


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_persona_reaches_another_countys_remote_help(world, foreign, foreign_remote, persona):
    from bangban.remote.models import HelpRequest

    browser = Browser()
    browser.force_login(getattr(world, persona).user)
    states = list(HelpRequest.objects.order_by("pk").values_list("state", flat=True))
    problems = []
    for pattern, (method, path, data) in REMOTE_RECIPES.items():
        url = path.format(f=foreign, r=foreign_remote)
        body = {k: v.format(f=foreign, r=foreign_remote) for k, v in data.items()}
        response = getattr(browser, method)(url, body)
        text = response.content.decode(errors="replace")
        if response.status_code not in {403, 404} or _leaks(text, foreign) or "邻县" in text:
            problems.append(f"{pattern}: {response.status_code} {_leaks(text, foreign)}")
    for listing in ("/work/remote/sessions/", "/work/remote/queue/", "/work/remote/rota/"):
        text = browser.get(listing).content.decode(errors="replace")
        if "邻县" in text:
            problems.append(f"{listing}: 显示了邻县的求助或记录")
    assert list(HelpRequest.objects.order_by("pk").values_list("state", flat=True)) == states
    assert not problems, "\n".join(problems)


# --- emergency plans and surges (issue 19): another county's plan, drill and surge -----------

PREPAREDNESS_RECIPES = {
    "plans/<int:pk>/ read": ("get", "/work/preparedness/plans/{p.plan.pk}/", {}),
    "plans/<int:pk>/ drill": (
        "post",
        "/work/preparedness/plans/{p.plan.pk}/",
        {"held_on": "2020-01-01", "participants": "x", "findings": "x"},
    ),
    "plans/<int:pk>/ reviewed": (
        "post",
        "/work/preparedness/plans/{p.plan.pk}/",
        {"action": "reviewed"},
    ),
    "surges/<int:pk>/ read": ("get", "/work/preparedness/surges/{p.surge.pk}/", {}),
    "surges/<int:pk>/ assign": (
        "post",
        "/work/preparedness/surges/{p.surge.pk}/",
        {"member": "{p.member}", "starts_on": "2020-01-01", "ends_on": "2020-01-02"},
    ),
    "surges/<int:pk>/ hours": (
        "post",
        "/work/preparedness/surges/{p.surge.pk}/",
        {"action": "hours"},
    ),
    "surges/<int:pk>/ change": (
        "post",
        "/work/preparedness/surges/{p.surge.pk}/",
        {"action": "change", "ends_on": "2099-01-02", "extra_places": "5"},
    ),
    "surges/<int:pk>/ end": ("post", "/work/preparedness/surges/{p.surge.pk}/", {"action": "end"}),
    # naming another county's site in the forms of the list page
    " plan site": (
        "post",
        "/work/preparedness/",
        {"site": "{p.site}", "kind": "peak", "title": "x", "steps": "x", "contacts": "x"},
    ),
    " surge site": (
        "post",
        "/work/preparedness/",
        {"action": "surge", "site": "{p.site}", "starts_on": "2099-01-01", "ends_on": "2099-01-02"},
    ),
}


@pytest.fixture
def foreign_preparedness(foreign):
    from datetime import date

    from bangban.cases.surge import Surge
    from bangban.preparedness.models import EmergencyPlan

    village = foreign.agent.site
    plan = EmergencyPlan.objects.create(
        site=village,
        kind="peak",
        title="邻县高峰期预案",
        owner=foreign.agent,
        steps="邻县步骤",
        contacts="邻县联系人",
        reviewed_on=date(2025, 1, 1),
    )
    surge = Surge.objects.create(
        site=village,
        starts_on=date(2099, 1, 1),
        ends_on=date(2099, 1, 5),
        reason="邻县高峰",
        declared_by=foreign.agent,
    )
    return SimpleNamespace(plan=plan, surge=surge, member=foreign.agent.pk, site=village.pk)


def test_every_preparedness_url_with_an_id_has_a_probe_recipe():
    from bangban.preparedness import urls as preparedness_urls

    with_ids = {str(p.pattern) for p in preparedness_urls.urlpatterns if "<" in str(p.pattern)}
    covered = {key.split(" ")[0] for key in PREPAREDNESS_RECIPES}
    missing = sorted(with_ids - covered)
    assert not missing, "这些应急预案地址带有对象编号，但没有越权探测用例：" + "；".join(missing)


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_persona_reaches_another_countys_plans_or_surges(
    world, foreign, foreign_preparedness, persona
):
    from bangban.cases.surge import Surge, SurgeAssignment
    from bangban.preparedness.models import Drill, EmergencyPlan, SurgeChange

    def state():
        return (
            list(EmergencyPlan.objects.values_list("pk", "reviewed_on")),
            Drill.objects.count(),
            list(Surge.objects.values_list("pk", "hours_count", "ends_on", "extra_places")),
            SurgeAssignment.objects.count(),
            SurgeChange.objects.count(),
        )

    browser = Browser()
    browser.force_login(getattr(world, persona).user)
    before = state()
    problems = []
    for name, (method, path, data) in PREPAREDNESS_RECIPES.items():
        p = foreign_preparedness
        body = {k: v.format(p=p) for k, v in data.items()}
        response = getattr(browser, method)(path.format(p=p), body)
        text = response.content.decode(errors="replace")
        expected = {200} if name.startswith(" ") else {403, 404}  # the list page says why
        if response.status_code not in expected or "邻县" in text:
            problems.append(f"{name}: {response.status_code}")
    if "邻县" in browser.get("/work/preparedness/").content.decode():
        problems.append("/work/preparedness/: 显示了邻县的预案或高峰期")
    assert state() == before
    assert not problems, "\n".join(problems)
