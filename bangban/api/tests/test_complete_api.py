"""Issue 16, "a complete API": cursor pagination everywhere, tokens scoped (read / write /
partner) and tied to a site, and the new operations (catalogue, sites, documents,
appointments and home visits, evaluations, rectifications, complaints), each with its
query count pinned."""

from datetime import time, timedelta

import pytest
from django.test import Client as Browser
from django.utils import timezone

from bangban.api.pagination import encode_cursor
from bangban.apiauth.models import ApiToken
from bangban.apiauth.security import PARTNER_OPERATIONS
from bangban.apiauth.testing import ApiClient
from bangban.apiauth.tokens import token_create
from bangban.cases.access import Actor
from bangban.cases.models import Case
from bangban.cases.tests.helpers import open_case
from bangban.clients.services import ClientInput, client_register
from bangban.consultations.services import consultation_record
from bangban.documents.kinds import Kind
from bangban.documents.services import document_issue_on_demand
from bangban.oversight.models import Complaint, Evaluation
from bangban.testing import make_resident_id
from bangban.visits.models import Appointment, HomeVisitRequest, TimeSlot

pytestmark = pytest.mark.django_db


class TokenClient(ApiClient):
    """An API client with a token of the given scope and site."""

    def __init__(self, staff, scope="write", site=None):
        super().__init__()
        _, raw = token_create(staff=staff, name="测试", scope=scope, site=site)
        self.headers["Authorization"] = f"Bearer {raw}"


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# --- cursor pagination ---------------------------------------------------------------------


def walk(client, path, limit=2, **query):
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": limit, **query, **({"cursor": cursor} if cursor else {})}
        answer = client.get(path, **params)
        assert answer.status_code == 200, answer.content
        body = answer.json()
        seen += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return seen, pages


def test_the_case_list_pages_by_cursor_and_still_by_after(world):
    cases = [open_case(world) for _ in range(5)]
    client = ApiClient(world.agent_a)
    rows, pages = walk(client, "/cases")
    assert [r["number"] for r in rows] == [c.number for c in reversed(cases)] and pages == 3
    first = client.get("/cases", limit=2).json()
    by_after = client.get("/cases", limit=2, after=first["next_after"]).json()
    by_cursor = client.get("/cases", limit=2, cursor=first["next_cursor"]).json()
    assert by_after == by_cursor


def test_the_consultation_list_pages_by_cursor(world):
    for n in range(3):
        consultation_record(
            staff=world.agent_a,
            client_name="王",
            contact="13700001111",
            channel="visit",
            content=f"问题{n}",
        )
    rows, pages = walk(ApiClient(world.agent_a), "/consultations")
    assert [r["content"] for r in rows] == ["问题2", "问题1", "问题0"] and pages == 2


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!",
        "",
        "e30",
        encode_cursor("consultations", 5),
        encode_cursor("cases", "x"),
        encode_cursor("cases", 2**70),
        "W10",
    ],
)
def test_a_tampered_cursor_answers_400_in_chinese_never_500(world, cursor):
    answer = ApiClient(world.agent_a).get("/cases", cursor=cursor)
    if cursor == "":
        assert answer.status_code == 200  # no cursor: the first page
        return
    assert answer.status_code == 400, answer.content
    assert answer.json()["errors"][0]["field"] == "cursor" and chinese(answer.json()["message"])


def test_a_tampered_cursor_on_a_public_list_answers_400(world):
    answer = ApiClient().get("/catalogue/items", cursor=encode_cursor("items", 3))
    assert answer.status_code == 400 and chinese(answer.json()["message"])


def test_limit_is_between_1_and_100(world):
    client = ApiClient(world.agent_a)
    assert client.get("/cases", limit=101).status_code == 400
    assert client.get("/catalogue/items", limit=0).status_code == 400


# --- token scopes and sites ----------------------------------------------------------------


def test_a_read_tokens_post_is_403_in_chinese(world):
    case = open_case(world)
    reader = TokenClient(world.agent_a, scope="read")
    assert reader.get(f"/cases/{case.number}").status_code == 200
    answer = reader.event(case.number, "note", text="只读令牌不应能写")
    assert answer.status_code == 403
    assert "只读" in answer.json()["message"]
    case.refresh_from_db()
    assert not case.events.filter(event="note").exists()


def test_a_site_tied_token_gets_404_for_another_sites_case(world):
    mine = open_case(world)  # village A
    theirs = open_case(world, agent=world.agent_b)  # village B; the coordinator covers both
    tied = TokenClient(world.coordinator, site=world.village_a)
    assert tied.get(f"/cases/{mine.number}").status_code == 200
    answer = tied.get(f"/cases/{theirs.number}")
    assert answer.status_code == 404 and answer.json()["message"] == "办件不存在"
    listed = [c["number"] for c in tied.get("/cases").json()["items"]]
    assert mine.number in listed and theirs.number not in listed
    # the same person with an untied token sees both
    assert TokenClient(world.coordinator).get(f"/cases/{theirs.number}").status_code == 200


def test_a_site_tied_token_sees_only_that_sites_clients_and_opens_cases_only_there(world):
    newcomer = client_register(
        data=ClientInput(
            kind="person", name="王五", id_number=make_resident_id("11010519900101002")
        ),
        staff=world.agent_b,
        site=world.village_b,
    )
    assert TokenClient(world.coordinator).get(f"/clients/{newcomer.pk}").status_code == 200
    tied = TokenClient(world.coordinator, site=world.village_a)
    answer = tied.get(f"/clients/{newcomer.pk}")
    assert answer.status_code == 404 and answer.json()["message"] == "服务对象不存在"
    answer = tied.post(
        "/cases",
        {
            "service_type": "proxy",
            "items": [world.food.code],
            "client_id": world.citizen.pk,
            "site": world.village_b.code,
        },
    )
    assert answer.status_code in {404, 422} and chinese(answer.json()["message"])
    assert not Case.objects.filter(site=world.village_b).exists()


def test_a_partner_token_reads_its_sites_cases_and_nothing_else(world):
    mine = open_case(world)
    theirs = open_case(world, agent=world.agent_b)
    partner = TokenClient(world.coordinator, scope="partner", site=world.village_a)
    assert partner.get("/cases").status_code == 200
    assert partner.get(f"/cases/{mine.number}/timeline").status_code == 200
    assert partner.get(f"/cases/{theirs.number}").status_code == 404
    for answer in (
        partner.get(f"/clients/{mine.client_id}"),
        partner.get("/consultations"),
        partner.event(mine.number, "note", version=mine.version, text="合作系统不能写"),
    ):
        assert answer.status_code == 403 and "合作系统" in answer.json()["message"]
    assert partner.get("/catalogue/items").status_code == 200  # public


def test_every_partner_operation_is_an_operation_of_the_api():
    from bangban.api import api

    patterns, _, _ = api.urls
    assert PARTNER_OPERATIONS <= {p.name for p in patterns}


def test_existing_tokens_became_write_and_new_ones_default_to_read(world):
    token = ApiToken(staff=world.agent_a, name="新")
    assert token.scope == "read"
    made, _ = token_create(staff=world.agent_a, name="旧接口")
    assert made.scope == "write" and made.site is None


def test_the_command_takes_scope_and_site(world):
    from io import StringIO

    from django.core.management import call_command

    out, err = StringIO(), StringIO()
    call_command(
        "api_token_create",
        "coordinator",
        "--scope",
        "partner",
        "--site",
        world.village_a.code,
        stdout=out,
        stderr=err,
    )
    token = ApiToken.objects.get()
    assert token.scope == "partner" and token.site == world.village_a
    assert "合作系统" in err.getvalue()


# --- the new operations --------------------------------------------------------------------


def test_the_catalogue_lists_published_items_versions_materials_and_bundles(
    world, django_assert_max_num_queries
):
    client = ApiClient()
    with django_assert_max_num_queries(2):
        items = client.get("/catalogue/items", limit=100).json()["items"]
    food = next(i for i in items if i["code"] == world.food.code)
    assert food["current_version"]["promised_limit_days"] > 0
    versions = client.get(f"/catalogue/items/{world.food.code}/versions").json()
    number = versions[0]["number"]
    materials = client.get(f"/catalogue/items/{world.food.code}/versions/{number}/materials")
    assert materials.status_code == 200 and materials.json()
    with django_assert_max_num_queries(5):
        bundles = client.get("/catalogue/bundles").json()["items"]
    assert bundles and bundles[0]["entries"]
    assert client.get("/catalogue/items/NOPE-1").status_code == 404


def test_sites_and_the_staff_directory_show_only_public_parts(world, django_assert_max_num_queries):
    world.agent_a.phone = "13811112222"
    world.agent_a.save()
    client = ApiClient()
    with django_assert_max_num_queries(2):
        sites = client.get("/sites", limit=100).json()["items"]
    assert {s["code"] for s in sites} >= {world.village_a.code, world.county.code}
    with django_assert_max_num_queries(3):
        answer = client.get(f"/sites/{world.village_a.code}/staff")
    text = answer.content.decode()
    assert world.agent_a.name in [s["name"] for s in answer.json()["items"]]
    assert set(answer.json()["items"][0]) == {"name", "title", "roles", "site_code", "site_name"}
    assert "13811112222" not in text and "agent_a" not in text


def test_a_cases_documents_list_status_and_file(world, django_assert_max_num_queries):
    case = open_case(world)
    document = document_issue_on_demand(
        case=case, kind=Kind.ENTRUSTMENT, actor=Actor.of_staff(world.agent_a)
    )
    client = ApiClient(world.agent_a)
    client.get(f"/cases/{case.number}")
    with django_assert_max_num_queries(8):
        listed = client.get(f"/cases/{case.number}/documents").json()
    assert document.number in [d["number"] for d in listed]
    pdf = client.get(f"/cases/{case.number}/documents/{document.number}/file")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    body = b"".join(pdf.streaming_content)
    assert body.startswith(b"%PDF")
    status = client.get(f"/cases/{case.number}/documents/{document.number}").json()
    assert status["rendered"] and status["sha256"] == pdf["X-Content-SHA256"]
    assert ApiClient(world.agent_b).get(f"/cases/{case.number}/documents").status_code == 404


def _appointment(site, number, hour):
    slot = TimeSlot.objects.create(
        site=site, day=timezone.localdate(), start=time(hour), end=time(hour + 1)
    )
    return Appointment.objects.create(
        number=number,
        slot=slot,
        name="王",
        mobile_cipher="x",
        mobile_hash="x",
        mobile_masked="135****0000",
        purpose="食品经营许可",
    )


def test_appointments_and_home_visits_are_those_the_caller_handles(
    world, django_assert_max_num_queries
):
    for n in range(3):
        _appointment(world.village_a, f"YY-A-{n}", 9 + n)
    _appointment(world.village_b, "YY-B-1", 9)
    HomeVisitRequest.objects.create(
        number="SM-A-1",
        site=world.village_a,
        name="王",
        mobile_cipher="x",
        mobile_hash="x",
        mobile_masked="135****0000",
        address_cipher="x",
        address_masked="村A*号",
        is_elderly=True,
        needs="上门办理",
        preferred_times="上午",
    )
    client = ApiClient(world.agent_a)
    client.get("/appointments")
    with django_assert_max_num_queries(4):
        rows = client.get("/appointments", limit=100).json()["items"]
    assert {r["number"] for r in rows} == {"YY-A-0", "YY-A-1", "YY-A-2"}
    assert client.get("/appointments/YY-B-1").status_code == 404
    with django_assert_max_num_queries(4):
        visits = client.get("/home-visits").json()["items"]
    assert [v["number"] for v in visits] == ["SM-A-1"] and visits[0]["groups"] == ["老年人"]
    tied = TokenClient(world.coordinator, site=world.village_b)
    assert tied.get("/appointments/YY-A-0").status_code == 404
    assert tied.get("/appointments/YY-B-1").status_code == 200


def test_evaluations_rectifications_and_complaints_follow_the_oversight_access(
    world, django_assert_max_num_queries
):
    now = timezone.now()
    for _ in range(3):
        case = open_case(world)
        Evaluation.objects.create(
            case=case,
            service_type="proxy",
            site=case.site,
            level=5,
            mode="onsite",
            channel="portal",
            created_at=now,
        )
    Complaint.objects.create(
        number="TS-1",
        channel="phone",
        complainant_name="王",
        content="态度不好",
        site=world.village_a,
        received_at=now,
        contact_due_on=now.date(),
        due_on=now.date() + timedelta(days=5),
    )
    coordinator = ApiClient(world.coordinator)
    coordinator.get("/evaluations")
    with django_assert_max_num_queries(5):
        evaluations = coordinator.get("/evaluations", limit=2).json()
    assert len(evaluations["items"]) == 2 and evaluations["next_cursor"]
    one = evaluations["items"][0]["id"]
    assert coordinator.get(f"/evaluations/{one}").json()["level_label"] == "非常满意"
    assert ApiClient(world.agent_b).get(f"/evaluations/{one}").status_code == 404
    with django_assert_max_num_queries(5):
        assert coordinator.get("/rectifications").status_code == 200
    with django_assert_max_num_queries(5):
        complaints = coordinator.get("/complaints").json()["items"]
    assert [c["number"] for c in complaints] == ["TS-1"]
    assert coordinator.get("/complaints/TS-1").json()["steps"] == []
    assert ApiClient(world.agent_b).get("/complaints/TS-1").status_code == 404


def test_the_docs_explain_in_chinese():
    from bangban.api import api

    schema = api.get_openapi_schema()
    assert "Authorization: Bearer" in schema["info"]["description"]
    assert "next_cursor" in schema["info"]["description"]
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            assert chinese(op["summary"]) and chinese(op.get("description", "")), (method, path)
            assert all(chinese(tag) for tag in op["tags"]), (method, path)
    assert Browser().get("/api/docs").status_code == 200
