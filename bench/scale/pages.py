"""The pages the scale profile times, and who visits them.

The first page is the yardstick, ``/bench/ceiling``, then ``/healthz``. Staff pages are
visited with the session of a real login of a demo account (password ``bangban2026``): a
village agent (``agent_t01v01_1``, sees one village's cases), the county coordinator
(every site's cases) and the county supervisor (the oversight dashboard for the county
and the year). Case pages, the API's case and progress lookups are drawn from a sample of
loaded cases, so they are not one cached row read again and again. Each page's paths are
drawn up front (``Page.load``: wrk draws from the same list per request under load).
"""

from __future__ import annotations

import random
from urllib.parse import urlencode

from ..loader import CLIENT_NAME, NUMBER_PREFIX, bench_mobile
from .traffic import Browser, Page, expect, get_pages, login
from .wrk import LoadSpec

PASSWORD = "bangban2026"
VILLAGE_AGENT = "agent_t01v01_1"
COORDINATOR = "coordinator"
SUPERVISOR = "supervisor"
SAMPLE = 200
# the yardstick: a view with no database, no template, no session (bangban/benchmode.py),
# timed first; every page is reported as a share of its throughput (× ceiling)
CEILING = "ceiling `/bench/ceiling` (no database, no template)"
# what people type into the catalogue search: everyday words, pinyin initials, item names
SEARCHES = ["开饭店", "kfd", "营业执照", "新生儿", "社保卡", "残疾", "yyzz", "不动产登记"]


def _sample_cases(queryset) -> list:
    """Up to SAMPLE random bench cases of ``queryset`` (a random id range: no full sort)."""
    from django.db.models import Max, Min

    bounds = queryset.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        raise SystemExit("no bench cases loaded")
    rng = random.Random(7)
    found: dict[int, object] = {}
    for _ in range(50):
        start = rng.randint(bounds["low"], bounds["high"])
        for case in queryset.filter(pk__gte=start).order_by("pk")[:10]:
            found[case.pk] = case
        if len(found) >= SAMPLE:
            break
    return list(found.values())


def _case_numbers_of(username: str) -> list[str]:
    from bangban.cases.models import Case
    from bangban.staff.models import StaffMember

    site_id = StaffMember.objects.get(user__username=username).site_id
    cases = Case.objects.filter(site_id=site_id, number__startswith=NUMBER_PREFIX)
    return [case.number for case in _sample_cases(cases.only("pk", "number"))]


def _lookups() -> list[tuple[str, str]]:
    """(case number, its client's phone) for a sample of the bench's cases."""
    from bangban.cases.models import Case
    from bangban.clients.models import Client

    phone_of = {
        pk: bench_mobile(index)
        for index, pk in enumerate(
            Client.objects.filter(name=CLIENT_NAME).order_by("pk").values_list("pk", flat=True)
        )
    }
    cases = Case.objects.filter(number__startswith=NUMBER_PREFIX).only("pk", "number", "client")
    return [(case.number, phone_of[case.client_id]) for case in _sample_cases(cases)]


def _track_visit(lookups):
    """The tracking form (as the QR code on a form leads to it) and the result page."""

    def visit(browser: Browser, rng: random.Random) -> None:
        number, phone = rng.choice(lookups)
        answer = browser.request(
            "POST",
            "/track/",
            {"number": number, "phone": phone, "csrfmiddlewaretoken": browser.token},
        )
        expect(answer, 302, what="POST /track/")
        expect(browser.get(f"/track/{number}/"), 200, what="track result")

    return visit


def _track_prepare(browser: Browser) -> None:
    browser.token = browser.csrf_token("/track/")


def _track_load(base_url: str, lookups) -> LoadSpec:
    """The tracking visit under wrk: a CSRF cookie and token of a real form, one body per
    lookup; each POST's redirect is then fetched with the session it set."""
    browser = Browser(base_url)
    token = browser.csrf_token("/track/")
    return LoadSpec(
        cookies={"csrftoken": browser.cookies["csrftoken"]},
        form_path="/track/",
        forms=[
            urlencode({"number": number, "phone": phone, "csrfmiddlewaretoken": token})
            for number, phone in lookups
        ],
        redirect_prefix="/track/",
    )


def build(base_url: str) -> list[Page]:
    """Log in the staff (through the form) and list the pages, in the report's order."""
    agent = login(base_url, VILLAGE_AGENT, PASSWORD)
    coordinator = login(base_url, COORDINATOR, PASSWORD)
    supervisor = login(base_url, SUPERVISOR, PASSWORD)
    agent_cases = _case_numbers_of(VILLAGE_AGENT)
    lookups = _lookups()
    case_paths = [f"/work/cases/{number}/" for number in agent_cases]
    api_case_paths = [f"/api/cases/{number}" for number in agent_cases]
    search_paths = ["/items/?" + urlencode({"q": words}) for words in SEARCHES]
    progress_paths = [
        "/api/progress?" + urlencode({"number": number, "phone": phone})
        for number, phone in lookups
    ]
    return [
        get_pages(CEILING, ["/bench/ceiling"]),
        get_pages("`/healthz`", ["/healthz"]),
        get_pages("village agent: home `/work/`", ["/work/"], agent),
        get_pages("village agent: ledger `/work/ledger/`", ["/work/ledger/"], agent),
        get_pages(f"village agent: case page ({SAMPLE} cases drawn)", case_paths, agent),
        get_pages("coordinator: home `/work/`", ["/work/"], coordinator),
        get_pages("coordinator: ledger `/work/ledger/`", ["/work/ledger/"], coordinator),
        get_pages("village agent: `/api/cases?limit=50`", ["/api/cases?limit=50"], agent),
        get_pages("coordinator: `/api/cases?limit=50`", ["/api/cases?limit=50"], coordinator),
        get_pages(
            f"village agent: `/api/cases/{{number}}` ({SAMPLE} cases drawn)",
            api_case_paths,
            agent,
        ),
        get_pages("public: progress lookup `/api/progress`", progress_paths),
        get_pages("public: item search `/items/?q=`", search_paths),
        get_pages("public: item catalogue `/items/`", ["/items/"]),
        Page(
            "public: tracking form + result `/track/` (2 requests)",
            _track_visit(lookups),
            prepare=_track_prepare,
            load=_track_load(base_url, lookups),
        ),
        get_pages(
            "supervisor: dashboard (county, year) `/oversight/`",
            ["/oversight/?preset=year"],
            supervisor,
        ),
    ]
