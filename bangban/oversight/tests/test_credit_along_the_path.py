"""Issue 14, 2 “Credit along the path” and the seams of the figures: each site on a case's
path is credited for the steps it did; 按时办结率 counts overdue open cases; 记录完整率
follows seed 000 §5 e; the metrics state their counting rules; evaluation results and
per-staff figures are published (seed 001 §12.1, seed 003 第十六条)."""

import io
from datetime import date

import pytest
from django.test import override_settings

from bangban.cases.access import Actor
from bangban.cases.services import case_submit
from bangban.cases.tests.helpers import SIGNED, act, deliver_by_post, finish_items, to_handling
from bangban.consultations.models import Consultation
from bangban.notifications.models import Message
from bangban.oversight.figures import metrics, path, rollup
from bangban.oversight.figures.facts import refresh_facts
from bangban.oversight.figures.jobs import count_new_events
from bangban.oversight.figures.metrics import METRICS, Period, Rate, Scope
from bangban.oversight.records.services import evaluation_submit

from .helpers import at, completed_case, liaisons

NOV = Period(date(2026, 11, 1), date(2026, 11, 30))
TODAY = date(2026, 11, 22)


def scope(world, site, who=None, rollup=True):
    return Scope(
        actor=Actor.of_staff(who or world.supervisor),
        period=NOV,
        site=site,
        rollup=rollup,
        today=TODAY,
    )


def relayed_up(world):
    """Received, pre-reviewed and accepted at village A on 2 Nov, relayed to the town on
    3 Nov, completed there on 5 Nov."""
    with at(date(2026, 11, 2)):
        case = case_submit(
            actor=Actor.of_staff(world.agent_a),
            client=world.citizen,
            service_type="proxy",
            channel="window",
            site=world.village_a,
            item_versions=[world.food.current_version],
        )
        to_handling(case, world.agent_a)
    with at(date(2026, 11, 3)):
        act(case, world.agent_a, "relay_out", to_site=world.town.code, note="需镇级办理")
        act(case, world.town_agent, "relay_accept")
    with at(date(2026, 11, 5)):
        finish_items(case, world.town_agent, liaisons(world))
        act(case, world.town_agent, "complete", confirmation=SIGNED)
    case.refresh_from_db()
    return case


def _figures(world, site, **kw):
    s = scope(world, site, **kw)
    return metrics.volumes(s), metrics.rates(["response", "on_time"], s)


@pytest.mark.parametrize("rolled", [True, False], ids=["daily roll-up", "counted live"])
def test_seam_relay_keeps_the_village_in_the_figures(world, rolled):
    case = relayed_up(world)
    assert case.site == world.town
    count_new_events()
    with override_settings(OVERSIGHT_ROLLUP=rolled), rollup.reading():
        # 申请件数, 响应率 and 受理件数 stay with the village that did them
        volumes, rates = _figures(world, world.village_a)
        assert (volumes["submitted"], volumes["accepted"], volumes["completed"]) == (1, 1, 0)
        assert rates["response"] == Rate(1, 1)
        assert rates["on_time"] == Rate(0, 0)
        # the village agent sees its own figures the same way
        volumes, _ = _figures(world, world.village_a, who=world.agent_a)
        assert volumes["submitted"] == 1
        # the town alone: it completed the case, it did not receive it
        volumes, rates = _figures(world, world.town, rollup=False)
        assert (volumes["submitted"], volumes["accepted"], volumes["completed"]) == (0, 0, 1)
        assert rates["response"] == Rate(0, 0)
        assert rates["on_time"] == Rate(1, 1)
        # the county region counts the case once
        volumes, rates = _figures(world, world.county)
        assert (volumes["submitted"], volumes["accepted"], volumes["completed"]) == (1, 1, 1)
        assert rates["response"] == Rate(1, 1)
        # grouped by site, each figure at the site that did its step
        by_site = metrics.rates_by(["response", "on_time"], scope(world, world.county), "site")
        assert by_site["response"] == {world.village_a.pk: Rate(1, 1)}
        assert by_site["on_time"] == {world.town.pk: Rate(1, 1)}
        # and the list behind the village's response rate holds the case
        rows = metrics.drill_rows("response", scope(world, world.village_a))
        assert list(rows.values_list("pk", flat=True)) == [case.pk]

    # each step, from the events' site: the village received, pre-reviewed, accepted,
    # relayed; the town completed; the county's total counts the case once per step
    totals, rows = path.path_steps(scope(world, world.county))
    assert totals == {
        "received": 1,
        "pre_reviewed": 1,
        "accepted": 1,
        "relayed": 1,
        "completed": 1,
    }
    by_site = {row.site: row.counts for row in rows}
    assert by_site[world.village_a] == {
        "received": 1,
        "pre_reviewed": 1,
        "accepted": 1,
        "relayed": 1,
        "completed": 0,
    }
    assert by_site[world.town]["completed"] == 1
    assert by_site[world.town]["received"] == 0
    village_totals, _ = path.path_steps(scope(world, world.village_a, who=world.agent_a))
    assert village_totals["accepted"] == 1 and village_totals["completed"] == 0


def test_seam_relay_keeps_the_village_in_the_figures_on_the_dashboard(client, world):
    relayed_up(world)
    count_new_events()
    client.force_login(world.supervisor.user)
    page = client.get(
        f"/oversight/?site={world.county.pk}&start=2026-11-01&end=2026-11-30"
    ).content.decode()
    assert "各环节办件" in page
    assert world.village_a.name in page.split('id="path-table"')[1]


def test_seam_overdue_open_lowers_the_on_time_rate(world):
    # on time: accepted Mon 2 Nov, completed Thu 5 Nov
    completed_case(world, accepted=date(2026, 11, 2), on=date(2026, 11, 5))
    # food: 10 working days; accepted 2 Nov → due Mon 16 Nov, still open on Sunday 22nd
    with at(date(2026, 11, 2)):
        overdue = case_submit(
            actor=Actor.of_staff(world.agent_a),
            client=world.citizen,
            service_type="proxy",
            channel="window",
            site=world.village_a,
            item_versions=[world.food.current_version],
        )
        to_handling(overdue, world.agent_a)
    # accepted 20 Nov: not yet due, not counted either way
    with at(date(2026, 11, 20)):
        completed_or_not = case_submit(
            actor=Actor.of_staff(world.agent_a),
            client=world.citizen,
            service_type="proxy",
            channel="window",
            site=world.village_a,
            item_versions=[world.food.current_version],
        )
        to_handling(completed_or_not, world.agent_a)
    count_new_events()
    for rolled in (True, False):
        with override_settings(OVERSIGHT_ROLLUP=rolled), rollup.reading():
            s = scope(world, world.county)
            assert metrics.rate("on_time", s) == Rate(1, 2)
            missed = metrics.drill_rows("on_time", s, "missed")
            assert list(missed.values_list("pk", flat=True)) == [overdue.pk]
            assert metrics.handling_days(s) == 3  # only completed cases have a handling time
    # completed late afterwards: it counts once, on its completion day, still late
    with at(date(2026, 11, 22)):
        finish_items(overdue, world.agent_a, liaisons(world))
        act(overdue, world.agent_a, "complete", confirmation=SIGNED)
    count_new_events()
    with rollup.reading():
        assert metrics.rate("on_time", scope(world, world.county)) == Rate(1, 2)


def test_seam_record_completeness_follows_000_5e(world):
    # signed forms, a complete log, nothing else owed: complete
    plain = completed_case(world, accepted=date(2026, 11, 2), on=date(2026, 11, 5))
    # handed over by post: the client was invited to evaluate (notifications): complete
    with at(date(2026, 11, 6)):
        delivered = deliver_by_post(world, address="东街1号", recipient="张三")
    assert Message.objects.filter(case=delivered, template_key="client.evaluation_invite")
    # taken on from a consultation that was never answered: the consultation record is owed
    with at(date(2026, 11, 9)):
        asked = Consultation.objects.create(
            site=world.village_a,
            handled_by=world.agent_a,
            client_name="张三",
            channel="visit",
            content="食品经营许可怎么办？",
            status="pending",
        )
        from_question = case_submit(
            actor=Actor.of_staff(world.agent_a),
            client=world.citizen,
            service_type="proxy",
            channel="window",
            site=world.village_a,
            item_versions=[world.food.current_version],
            consultation=asked,
        )
        to_handling(from_question, world.agent_a)
        finish_items(from_question, world.agent_a, liaisons(world))
        act(from_question, world.agent_a, "complete", confirmation=SIGNED)
    count_new_events()
    s = scope(world, world.county)
    with rollup.reading():
        assert metrics.rate("records", s) == Rate(2, 3)
        missed = metrics.drill_rows("records", s, "missed")
        assert list(missed.values_list("pk", flat=True)) == [from_question.pk]
    # the invitation lost (as if imported without it): the evaluation record is owed
    Message.objects.filter(case=delivered, template_key="client.evaluation_invite").delete()
    refresh_facts(rebuild=True)
    rollup.refresh_rollup()
    with rollup.reading():
        assert metrics.rate("records", s) == Rate(1, 3)
    # an evaluation recorded after handing over makes it complete again
    with at(date(2026, 11, 20)):
        evaluation_submit(
            case=delivered,
            actor=Actor.of_client(world.citizen),
            level=5,
            indicators={},
            comment="",
            channel="portal",
        )
    count_new_events()
    with rollup.reading():
        assert metrics.rate("records", s) == Rate(2, 3)
    assert plain.pk not in set(
        metrics.drill_rows("records", s, "missed").values_list("pk", flat=True)
    )
    # the rule says what is required, in the seed's words
    for words in ("000 §5 e", "签字确认", "工作日志", "咨询", "评价", "投诉", "信息公开"):
        assert words in METRICS["records"].definition


def test_seam_counting_rules_shown(client, world):
    completed_case(world)
    count_new_events()
    for m in METRICS.values():
        assert m.definition.startswith("统计口径")
    client.force_login(world.supervisor.user)
    page = client.get(f"/oversight/?site={world.county.pk}").content.decode()
    assert "<summary>统计口径</summary>" in page
    for m in METRICS.values():
        assert m.definition in page
    assert path.DEFINITION in page
    today = date.today()
    response = client.get(f"/oversight/report/{world.county.pk}/{today:%Y-%m}.xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content))["指标"]
    rules = {row[0]: row[-1] for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]}
    assert rules["按时办结率"] == METRICS["on_time"].definition
    assert rules["记录完整率"] == METRICS["records"].definition


def test_seam_evaluation_results_published(client, world):
    for level, agent in ((5, world.agent_a), (2, world.agent_a), (4, world.agent_b)):
        case = completed_case(world, agent=agent, accepted=date(2026, 11, 2), on=date(2026, 11, 5))
        with at(date(2026, 11, 6)):
            evaluation_submit(
                case=case,
                actor=Actor.of_client(world.citizen),
                level=level,
                indicators={},
                comment="不公开的评价意见",
                channel="portal",
            )
    # anyone may read them, without logging in
    page = client.get("/oversight/published/?month=2026-11").content.decode()
    assert "帮办代办服务评价结果公开（2026年11月）" in page
    by_site, by_staff = page.split('id="by-staff"')
    assert world.village_a.name in by_site and world.village_b.name in by_site
    # staff by name and role, with their counts and satisfaction rate
    assert "村A代办员" in by_staff and "帮办代办员（东街社区便民服务站）" in by_staff
    row_a = by_staff.split("村A代办员</th>")[1].split("</tr>")[0]
    assert "<td>2</td>" in row_a and "50%" in row_a
    assert "不公开的评价意见" not in page and "张三" not in page
    # the public 服务公开 page links to it
    listing = client.get("/disclosure/").content.decode()
    assert "/oversight/published/" in listing
    # and the staff-facing dashboard shows the same, per site and per staff member
    client.force_login(world.supervisor.user)
    dashboard = client.get(
        f"/oversight/?site={world.county.pk}&start=2026-11-01&end=2026-11-30"
    ).content.decode()
    staff_table = dashboard.split('id="eval-staff-table"')[1].split("</table>")[0]
    assert "村A代办员" in staff_table and "村B代办员" in staff_table
