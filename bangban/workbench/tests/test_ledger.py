"""工作台账 (filters, pages, Excel) and 工作日志."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from bangban.cases.models import Case
from bangban.workbench.excel import HEADERS
from bangban.workbench.views import ledger as ledger_views

from .conftest import HTMX, act, handling, open_case

pytestmark = pytest.mark.django_db


def numbers(content: bytes, cases) -> set[str]:
    text = content.decode()
    return {c.number for c in cases if c.number in text}


@pytest.fixture
def cases(world):
    food_a = handling(open_case(world), world.agent_a)
    building_a = open_case(world, agent=world.agent_a2, items=[world.building])
    assist_b = open_case(world, agent=world.agent_b, service_type="assist")
    county = handling(open_case(world, agent=world.county_agent), world.county_agent)
    Case.objects.filter(pk=county.pk).update(due_on=timezone.localdate() - timedelta(days=3))
    return {"food_a": food_a, "building_a": building_a, "assist_b": assist_b, "county": county}


def test_an_agent_ledger_holds_only_its_own_site(signed_in, world, cases):
    response = signed_in(world.agent_a).get("/work/ledger/")
    assert numbers(response.content, cases.values()) == {
        cases["food_a"].number,
        cases["building_a"].number,
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"food_a", "building_a", "assist_b", "county"}),
        ({"site": "village_b"}, {"assist_b"}),
        ({"agent": "agent_a2"}, {"building_a"}),
        ({"item": "building"}, {"building_a"}),
        ({"state": "handling"}, {"food_a", "county"}),
        ({"service_type": "assist"}, {"assist_b"}),
        ({"overdue": "1"}, {"county"}),
        ({"date_from": "2000-01-01", "date_to": "2000-12-31"}, set()),
    ],
)
def test_the_coordinator_filters_the_ledger(signed_in, world, cases, params, expected):
    resolved = {
        key: str(getattr(world, value).pk) if hasattr(world, str(value)) else value
        for key, value in params.items()
    }
    response = signed_in(world.coordinator).get("/work/ledger/", resolved, **HTMX)
    assert numbers(response.content, cases.values()) == {cases[name].number for name in expected}


def test_a_bad_date_is_said_in_words(signed_in, world, cases):
    response = signed_in(world.coordinator).get("/work/ledger/", {"date_from": "2026-13-45"})
    assert "起始日期格式应为 年-月-日" in response.content.decode()


def test_pages_follow_a_keyset_and_cost_the_same(
    signed_in, world, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(ledger_views, "PAGE_SIZE", 3)
    made = [open_case(world) for _ in range(8)]
    client = signed_in(world.agent_a)
    seen, url, pages = [], "/work/ledger/", 0
    while url:
        client.get(url)  # warm
        with django_assert_max_num_queries(14):
            text = client.get(url).content.decode()
        seen += sorted((c.number for c in made if c.number in text), key=text.index)
        pages += 1
        marker = 'href="?after='
        url = (
            "/work/ledger/?after=" + text.split(marker, 1)[1].split('"', 1)[0]
            if marker in text
            else None
        )
    assert pages == 3
    assert seen == [c.number for c in reversed(made)]  # newest first, each exactly once


def test_the_excel_export_has_chinese_headers_and_one_row_per_case(signed_in, world, cases):
    response = signed_in(world.coordinator).get("/work/ledger.xlsx", {"state": "handling"})
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert (
        "filename*=utf-8''%E5%B7%A5%E4%BD%9C%E5%8F%B0%E8%B4%A6" in response["Content-Disposition"]
    )
    book = load_workbook(BytesIO(response.content))
    sheet = book["工作台账"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert rows[0][:4] == ("办件编号", "办理事项", "服务类型", "服务对象")
    by_number = {row[0]: row for row in rows[1:]}
    assert set(by_number) == {cases["food_a"].number, cases["county"].number}
    county = by_number[cases["county"].number]
    assert county[1] == "食品经营许可" and county[2] == "代办" and county[3] == "张*"
    assert county[4] == world.citizen.id_number_masked
    assert county[5] == "示范县政务服务中心" and county[6] == "县代办员" and county[9] == "承办中"
    assert county[14] == "已超期" and "超期" in county[15]
    food = by_number[cases["food_a"].number]
    assert food[14] == "正常" and food[15] == "剩 10 个工作日"
    notes = dict(book["说明"].iter_rows(values_only=True))
    assert notes["筛选条件"] == "状态：承办中" and notes["件数"] == 2


def test_the_export_holds_only_what_the_person_may_see(signed_in, world, cases):
    response = signed_in(world.agent_b).get("/work/ledger.xlsx")
    rows = list(load_workbook(BytesIO(response.content))["工作台账"].iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == [cases["assist_b"].number]


def test_the_work_log_lists_a_day_of_work(signed_in, world):
    case = open_case(world)
    act(case, world.agent_a, "start_review")
    act(case, world.agent_a, "note", text="电话提醒带营业执照")
    client = signed_in(world.agent_a)
    text = client.get("/work/log/").content.decode()
    assert "开始预审" in text and "电话提醒带营业执照" in text and case.number in text
    yesterday = timezone.localdate() - timedelta(days=1)
    assert (
        "当日没有办理记录"
        in client.get("/work/log/", {"day": yesterday.isoformat()}).content.decode()
    )


def test_a_coordinator_reads_an_agent_log_but_an_agent_only_its_own(signed_in, world):
    case = open_case(world)
    act(case, world.agent_a, "start_review")
    url = f"/work/log/?staff={world.agent_a.pk}"
    assert case.number in signed_in(world.coordinator).get(url).content.decode()
    assert signed_in(world.agent_b).get(url).status_code == 404
