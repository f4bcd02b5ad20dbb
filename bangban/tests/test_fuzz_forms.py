"""Issue 12, finding 5: every public form and query parameter, fuzzed, never answers 5xx.

The public pages are enumerated from the URLconf (the ``portal`` and ``catalogue``
namespaces): a new public page without an entry in ``PUBLIC`` fails
``test_finding_5_every_public_page_is_fuzzed``. Each page's fields come from the forms it
uses (so a new field is fuzzed without editing this file) plus the query and POST names its
view reads directly. Hypothesis sends random text — NUL characters, numbers too big for the
database, negative numbers, emoji, full-width and superscript digits, impossible dates, very
long strings — as the query string (GET) and as the form (POST), in path parameters too, and
every answer must be below 500. The visitor is signed in to the portal as the client whose
cases, appointment and complaint exist, and has looked the case up, so the pages behind
sign-in and behind a lookup are reached too.

The staff side is fuzzed the same way for the workbench's ledger, log and desk filters and
the oversight dashboard, lists and forms, as a coordinator and as a supervisor.

Runs on the suite's database (SQLite, and PostgreSQL when BANGBAN_DATABASE_URL is set).
``max_examples`` is kept small so the whole file takes well under a minute or two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time, timedelta
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as fuzz_settings
from hypothesis import strategies as st

from bangban.cases.workflow import SUSPENSION_REASONS, TERMINATION_REASONS
from bangban.consultations.services import consultation_record, page_token
from bangban.oversight.figures.filters import FILTER_KEYS
from bangban.oversight.figures.metrics import METRICS, VOLUMES
from bangban.oversight.figures.views import BREAKDOWNS
from bangban.portal import forms as pf
from bangban.portal.tests.conftest import sign_in
from bangban.portal.views import ask

HUGE = "99999999999999999999"
NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "%00",
    HUGE,
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "-1",
    "0",
    "1.5",
    "1e309",
    "NaN",
    "inf",
    "²",
    "１２３",
    "٣",
    "😀" * 30,
    "𠮷野家",
    "x" * 5000,
    "9" * 5000,
    "\u202e反转",
    "\t\r\n",
    "'; DROP TABLE cases_case;--",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    '=HYPERLINK("http://x")',
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "2026-13",
    "None",
    "null",
    "[]",
    "{}",
]
TEXT = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=30),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.dates().map(str),
)
VALUE = st.one_of(TEXT, st.lists(TEXT, min_size=1, max_size=3))
FUZZ = fuzz_settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
GENERIC = ["page", "next", "q", "_step", "number", "site"]


def fields(*forms, extra=()) -> list[str]:
    """The field names of ``forms`` (read from the classes) and ``extra`` names."""
    names = {name for form in forms for name in form.base_fields}
    return sorted(names | set(extra) | set(GENERIC))


@dataclass
class Target:
    names: list[str]
    post: bool = True  # also POST the random fields (GET is always sent)
    params: dict[str, list] = field(default_factory=dict)


APPLY_FORMS = (
    pf.ServiceTypeForm,
    pf.SiteForm,
    pf.ApplicantKindForm,
    pf.PersonForm,
    pf.OrganisationForm,
    pf.NeedsForm,
)
PUBLIC = {
    "portal:home": Target(fields(), post=False),
    "portal:elder-toggle": Target(fields(extra=["next"]), post=False),
    "portal:login": Target(fields(pf.PhoneForm, extra=["next"])),
    "portal:login-code": Target(fields(pf.CodeForm, extra=["again", "next"])),
    "portal:logout": Target(fields()),
    "portal:my": Target(fields()),
    "portal:apply-start": Target(fields(*APPLY_FORMS)),
    "portal:apply": Target(fields(*APPLY_FORMS)),
    "portal:case": Target(fields(extra=["version"])),
    "portal:upload": Target(fields(pf.UploadForm, extra=["version"])),
    "portal:supplement": Target(fields(extra=["version"])),
    "portal:confirm": Target(fields(extra=["code", "sent", "version", "action"])),
    "portal:delivery": Target(fields(pf.DeliveryForm, extra=["version"])),
    "portal:appointments": Target(fields(extra=["more", "purpose"]), post=False),
    "portal:book": Target(fields(pf.BookingForm)),
    "portal:cancel": Target(fields()),
    "portal:reschedule": Target(fields(extra=["slot", "more"])),
    "portal:home-visit": Target(fields(pf.HomeVisitForm)),
    "portal:track": Target(fields(pf.TrackForm)),
    "portal:track-case": Target(fields()),
    "portal:track-document": Target(fields(extra=["download"]), post=False),
    "portal:evaluate": Target(fields(pf.EvaluationForm, extra=["fix_level", "fix_comment"])),
    "portal:evaluate-link": Target(fields(pf.EvaluationForm)),
    "portal:complaint-new": Target(fields(pf.ComplaintForm)),
    "portal:ask": Target(fields(ask.AskForm)),
    "portal:ask-question": Target(fields(), post=False),
    "portal:complaint-track": Target(fields(pf.ComplaintTrackForm)),
    "portal:complaint": Target(fields()),
    "portal:remote-ask": Target(fields(extra=["item", "case", "site", "question"])),
    "portal:remote-call": Target(fields(extra=["problem", "part"]), post=False),
    "portal:remote-call-back": Target(fields(extra=["number"])),
    "portal:remote-cancel": Target(fields()),
    "portal:remote-session": Target(fields(), post=False),
    "portal:vault": Target(fields(), post=False),
    "portal:vault-consent": Target(fields(extra=["client", "action"])),
    "portal:vault-withdraw": Target(fields(extra=["client"])),
    "catalogue:item-list": Target(fields(extra=["category"]), post=False),
    "catalogue:bundle-detail": Target(fields(), post=False),
    "catalogue:material-file": Target(fields(), post=False),
    "catalogue:item-detail": Target(fields(), post=False),
    "catalogue:item-version": Target(fields(), post=False),
    "catalogue:disclosure-list": Target(fields(), post=False),
    "catalogue:disclosure-site": Target(fields(), post=False),
}
PUBLIC_NAMESPACES = ("portal", "catalogue")

LEDGER = ["site", "agent", "item", "state", "service_type", "date_from", "date_to", "overdue"]
OVERSIGHT = [*FILTER_KEYS, "part", "by", "key", "page", "rank", "focus"]
STAFF = {
    "workbench:home": Target(fields(), post=False),
    "workbench:go": Target(fields()),
    "workbench:ledger": Target(fields(extra=[*LEDGER, "after"]), post=False),
    "workbench:ledger-export": Target(fields(extra=LEDGER), post=False),
    "workbench:log": Target(fields(extra=["day", "staff"]), post=False),
    "workbench:desk": Target(
        fields(extra=["kind", "id_number", "item", "name", "mobile", "channel", "content"])
    ),
    "workbench:check-id": Target(fields(extra=["kind", "id_number"]), post=False),
    "workbench:item-choices": Target(fields(extra=["field"]), post=False),
    "workbench:home-visits-manage": Target(fields(), post=False),
    "workbench:commitment-check": Target(fields(extra=["result", "note"])),
    # 一表申请: the answers by field code, and each item's department form
    "workbench:application": Target(
        fields(extra=["expected_version", "applicant_name", "contact_phone", "employees"])
    ),
    "workbench:department-form": Target(fields()),
    "workbench:home-visit-handle": Target(
        fields(extra=["action", "agent", "scheduled_for", "reply"])
    ),
    # emergency plans and surges (issue 19): the list's two forms, a plan's, a surge's four
    "preparedness:index": Target(
        fields(
            extra=[
                *["action", "site", "kind", "title", "steps", "contacts", "reviewed_on"],
                *["starts_on", "ends_on", "reason", "extra_places", "expected_wait_minutes"],
                "extended_hours",
            ]
        )
    ),
    "preparedness:plan": Target(fields(extra=["action", "held_on", "participants", "findings"])),
    "preparedness:surge": Target(
        fields(
            extra=[
                *["action", "member", "starts_on", "ends_on", "extra_places"],
                *["expected_wait_minutes", "extended_hours"],
            ]
        )
    ),
    "oversight:dashboard": Target(fields(extra=OVERSIGHT), post=False),
    "oversight:breakdown": Target(fields(extra=OVERSIGHT), post=False),
    "oversight:list": Target(fields(extra=OVERSIGHT), post=False),
    "oversight:volume": Target(fields(extra=OVERSIGHT), post=False),
    "oversight:reason": Target(fields(extra=OVERSIGHT), post=False),
    "oversight:disclosure": Target(fields(extra=OVERSIGHT), post=False),
    "oversight:published": Target(fields(extra=["month"]), post=False),  # public too
    "oversight:report": Target(fields(extra=["rollup"]), post=False),
    "oversight:rectifications": Target(fields(extra=["status"]), post=False),
    "oversight:complaints": Target(fields(), post=False),
    "oversight:complaint-new": Target(
        fields(extra=["case_number", "channel", "complainant_name", "contact", "content"])
    ),
    "oversight:complaint": Target(fields(), post=False),
    "oversight:complaint-action": Target(
        fields(extra=["assignee", "kind", "note", "investigation", "handling", "reply"])
    ),
    "oversight:visits": Target(fields(extra=["show"]), post=False),
    "oversight:rating-new": Target(fields(extra=["case_number", "channel", "level", "comment"])),
    "oversight:visit-plan": Target(fields(extra=["count"])),
    "oversight:visit-record": Target(
        fields(extra=["method", "outcome", "notes", "level", "comment"])
    ),
    "oversight:inspections": Target(fields(), post=False),
    "oversight:inspection-new": Target(
        fields(extra=["inspected_on", "summary", "item_team", "finding_team", "deadline_team"])
    ),
}

PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def url_patterns() -> dict[str, str]:
    """Every named route of the URLconf as ``{"namespace:name": "route/<int:pk>/"}``."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str, namespace: str):
        for p in patterns:
            if isinstance(p, URLResolver):
                space = namespace + (f"{p.namespace}:" if p.namespace else "")
                walk(p.url_patterns, prefix + str(p.pattern), space)
            elif isinstance(p, URLPattern) and p.name:
                found.setdefault(namespace + p.name, prefix + str(p.pattern))

    walk(get_resolver().url_patterns, "", "")
    return found


ROUTES = url_patterns()


def test_finding_5_every_public_page_is_fuzzed():
    public = {n for n in ROUTES if n.split(":")[0] in PUBLIC_NAMESPACES}
    assert public == set(PUBLIC), "每个公开页面都要列入 PUBLIC 并做模糊测试"
    assert set(STAFF) <= set(ROUTES)


@pytest.fixture
def objects(world, monkeypatch, settings, tmp_path):
    """Real objects for path parameters: a finished case of the signed-in client, an
    appointment, a home visit, a complaint, the catalogue's items and sites."""
    from bangban.cases.evaluation_links import token_for
    from bangban.oversight.records.services import complaint_submit
    from bangban.oversight.tests.helpers import completed_case
    from bangban.portal.identity import PortalIdentity
    from bangban.preparedness.services import surge_declare
    from bangban.visits import services as booking

    settings.MEDIA_ROOT = tmp_path / "media"  # nothing fuzzed is kept
    for module in ("bangban.portal.otp", "bangban.visits.services"):
        monkeypatch.setattr(f"{module}.send_sms", lambda phone, text, **kw: "test")
    me = PortalIdentity.of_mobile("13812345678")
    case = completed_case(world)
    tomorrow = timezone.localdate() + timedelta(days=1)
    slots = booking.slots_open(
        site=world.village_a, day=tomorrow, times=[(time(9), time(10)), (time(10), time(11))]
    )
    made = booking.appointment_book(slot=slots[0], identity=me, name="张三", purpose="办证")
    visit = booking.home_visit_request(
        identity=me,
        site=world.village_a,
        name="张三",
        address="东街1号",
        is_elderly=True,
        is_disabled=False,
        needs="上门办理",
        preferred_times="上午",
    )
    complaint = complaint_submit(
        channel="online", complainant_name="张三", contact="13812345678", content="排队太久"
    )
    material = world.food.current_version.materials.first()
    asked = consultation_record(
        staff=world.agent_a,
        client_name="张三",
        contact="13812345678",
        channel="online",
        content="开小饭店要办什么",
    )
    surge = surge_declare(  # the preparedness pages' surge (issue 19), changed and ended by fuzz
        world.coordinator,
        site=world.village_b,
        starts_on=tomorrow,
        ends_on=tomorrow + timedelta(days=5),
        reason="集中办理",
    )
    return {
        "number": [case.number, made.number, visit.number, complaint.number],
        # the number a route is about, by the route's first word
        # the real values of a route's parameters, by the route's start (the longest wins)
        "by_route": {
            "my/": {"number": [case.number]},
            "track/": {"number": [case.number]},
            "appointments/": {"number": [made.number]},
            "home-visits/": {"number": [visit.number]},
            "work/visits/home/": {"number": [visit.number]},
            "complaints/": {"number": [complaint.number]},
            "e/": {"token": [token_for(case)]},  # the evaluation SMS's personal link
            "ask/": {"token": [page_token(asked)]},  # the answer's personal link
            "oversight/list/": {"code": list(METRICS)},
            "oversight/volume/": {"code": list(VOLUMES)},
            "oversight/breakdown/": {"by": list(BREAKDOWNS)},
            # the Excel report only: the PDF takes a second a time to typeset
            "oversight/report/": {"month": ["2026-11", "9999-12", "0-1"], "fmt": ["xlsx"]},
            "oversight/reason/": {
                "kind": ["suspension", "termination"],
                "reason": [*SUSPENSION_REASONS, *TERMINATION_REASONS],
            },
        },
        "code": [world.food.code, "B-FOOD", "V1", "C"],
        "kind": ["item", "bundle", "suspension", "termination"],
        "step": ["service", "site", "who", "details", "confirm"],
        "form": ["application", "entrustment"],
        "by": ["unit", "site", "agent", "item", "category", "channel", "month"],
        "action": ["assign", "contact", "investigate", "reply", "archive", "decide"],
        "int": [
            *case.materials.values_list("pk", flat=True)[:3],
            case.pk,
            slots[1].pk,
            complaint.pk,
            surge.pk,
            material.pk,
            world.village_a.pk,
            world.county.pk,
            1,
            0,
            int(HUGE),
        ],
        "case": case,
    }


def path_of(route: str, draw, objects) -> str:
    """``route`` with each parameter a real value or a random one."""

    def value(match):
        converter, name = match["converter"] or "str", match["name"]
        if converter == "int":
            number = draw(
                st.one_of(
                    st.sampled_from(objects["int"]), st.integers(min_value=0, max_value=10**22)
                )
            )
            return str(number)
        real = list(objects.get(name, []))
        for start in sorted(objects["by_route"], key=len):
            if route.startswith(start):
                real = objects["by_route"][start].get(name, real)
        # mostly a real value, so the page behind it is reached; else anything at all
        text = draw(st.one_of(st.sampled_from(real), st.sampled_from(real), TEXT) if real else TEXT)
        return quote(str(text), safe="") or "x"

    return "/" + PARAM.sub(value, route)


def fuzz(client: Client, target: Target, route: str, objects, data) -> None:
    cache.clear()  # rate limits would soon answer 429 to everything (which is fine, but dull)
    path = path_of(route, data.draw, objects)
    names = st.sampled_from(target.names)
    query = data.draw(st.dictionaries(names, VALUE, max_size=6), label="query")
    response = client.get(path, query)
    assert response.status_code < 500, (path, query, response.status_code)
    if target.post:
        form = data.draw(st.dictionaries(names, VALUE, max_size=8), label="form")
        response = client.post(path, form)
        assert response.status_code < 500, (path, form, response.status_code)


def public_client(objects) -> Client:
    """A visitor signed in as the client who owns the case, having looked it up."""
    client = Client()
    sign_in(client, "13812345678")
    case = objects["case"]
    client.post("/track/", {"number": case.number, "phone": "13812345678"})
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_finding_5_fuzzing_public_pages_never_answers_5xx(name, objects):
    client, anonymous = public_client(objects), Client()

    @FUZZ
    @given(data=st.data(), signed_in=st.booleans())
    def run(data, signed_in):
        fuzz(client if signed_in else anonymous, PUBLIC[name], ROUTES[name], objects, data)

    run()


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(STAFF))
def test_finding_5_fuzzing_staff_filters_and_forms_never_answers_5xx(name, objects, world):
    coordinator, supervisor = Client(), Client()
    coordinator.force_login(world.coordinator.user)
    supervisor.force_login(world.supervisor.user)

    @FUZZ
    @given(data=st.data(), as_coordinator=st.booleans())
    def run(data, as_coordinator):
        client = coordinator if as_coordinator else supervisor
        fuzz(client, STAFF[name], ROUTES[name], objects, data)

    run()
