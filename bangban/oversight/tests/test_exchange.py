"""The 好差评 exchange against the database: files out and back in, the code table, the push."""

import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction

from bangban.cases.access import SYSTEM, Actor
from bangban.cases.models import CaseEvent
from bangban.oversight import exchange
from bangban.oversight.models import Evaluation, HaochapingCode, Rectification
from bangban.oversight.records.services import (
    evaluation_submit,
    rectification_appeal_decide,
    rectification_decide,
)

from .conftest import OVERSIGHT_TODAY
from .helpers import completed_case


def _evaluate_all(world, cases):
    client = Actor.of_client(world.citizen)
    evaluation_submit(
        case=cases[0],
        actor=client,
        level=5,
        indicators={"efficiency": 5},
        comment="很好",
        channel="portal",
    )
    evaluation_submit(
        case=cases[1], actor=client, level=4, indicators={}, comment="", channel="sms"
    )
    evaluation_submit(
        case=cases[2],
        actor=world.coordinator,
        level=3,
        indicators={"attitude": 3},
        comment="评价器",
        channel="window_device",
    )
    evaluation_submit(  # a bad review: opens its rectification
        case=cases[3], actor=client, level=1, indicators={}, comment="等太久", channel="portal"
    )


def _export(world) -> bytes:
    evaluations = exchange.evaluations_for(world.county, OVERSIGHT_TODAY, OVERSIGHT_TODAY)
    return exchange.to_jsonl(exchange.export_records(evaluations))


def test_round_trip_exported_evaluations_reimported_match_every_case_once(world):
    cases = [completed_case(world) for _ in range(4)]
    cases[1].external_number = "ZW20261122000123"  # filed on the 政务服务网
    cases[1].save(update_fields=["external_number"])
    # Evaluate and export, then roll the evaluations back: the same cases, never rated.
    with transaction.atomic():
        _evaluate_all(world, cases)
        before = {e.case_id: e for e in Evaluation.objects.all()}
        exported = _export(world)
        transaction.set_rollback(True)
    assert len(exported.splitlines()) == 4 and not Evaluation.objects.exists()

    report = exchange.import_file(exported, "haochaping.jsonl")

    assert report.count("imported") == 4, [str(r) for r in report.rows]
    after = {e.case_id: e for e in Evaluation.objects.all()}
    assert set(after) == {c.pk for c in cases}  # matched 100 % to their cases
    for case_id, old in before.items():
        new = after[case_id]
        assert (new.level, new.channel, new.indicators, new.comment, new.real_name) == (
            old.level,
            old.channel,
            old.indicators,
            old.comment,
            old.real_name,
        )
        assert new.created_at.replace(microsecond=0) == old.created_at.replace(microsecond=0)
    # through the workflow: on the timeline, and the bad review opened its loop
    assert CaseEvent.objects.filter(event="evaluate", actor_kind="system").count() == 4
    assert Rectification.objects.get().case_id == cases[3].pk
    assert _export(world) == exported  # what came in goes out the same

    again = exchange.import_file(exported, "haochaping.jsonl")
    assert again.count("imported") == 0 and again.count("present") == 4
    assert Evaluation.objects.count() == 4 and Rectification.objects.count() == 1


def test_a_row_without_its_case_is_reported_in_chinese_and_nothing_else_is_lost(world):
    case = completed_case(world)
    good = {
        "projectNo": case.number,
        "pf": "2",
        "alternate": "4",
        "assessTime": "2026-11-22 09:00:00",
    }
    rows = [
        json.dumps(good),
        json.dumps(good | {"projectNo": "BB-NOPE-1"}),
        json.dumps(good | {"projectNo": "BB-X", "pf": "6"}),
        "not json",
    ]
    report = exchange.import_file("\n".join(rows).encode(), "in.jsonl")
    assert [r.status for r in report.rows] == ["imported", "unmatched", "unmatched", "unmatched"]
    assert report.rows[1].reason == "找不到对应的办件"
    assert "评价渠道代码“6”" in report.rows[2].reason
    assert Evaluation.objects.get().channel == "portal"  # 移动端 → our portal


def test_an_excel_export_imports_like_the_json_lines(world, tmp_path):
    cases = [completed_case(world) for _ in range(4)]
    with transaction.atomic():
        _evaluate_all(world, cases)
        evaluations = exchange.evaluations_for(world.county, OVERSIGHT_TODAY, OVERSIGHT_TODAY)
        book = exchange.to_xlsx(exchange.export_records(evaluations))
        transaction.set_rollback(True)
    path = tmp_path / "haochaping.xlsx"
    path.write_bytes(book)
    call_command("haochaping_import", str(path))
    assert Evaluation.objects.count() == 4


def test_editing_the_code_table_changes_the_export(world):
    case = completed_case(world)
    evaluation_submit(
        case=case,
        actor=Actor.of_client(world.citizen),
        level=5,
        indicators={},
        comment="",
        channel="portal",
    )
    assert json.loads(_export(world))["pf"] == "1"
    HaochapingCode.objects.filter(kind="channel", ours="portal", direction="both").update(code="9")
    HaochapingCode.objects.filter(kind="field", ours="level").update(code="satisfaction")
    record = json.loads(_export(world))
    assert record["pf"] == "9" and record["satisfaction"] == "5" and "alternate" not in record


def test_an_export_with_a_value_missing_from_the_table_is_refused(world):
    case = completed_case(world)
    evaluation_submit(
        case=case,
        actor=Actor.of_client(world.citizen),
        level=5,
        indicators={},
        comment="",
        channel="sms",
    )
    HaochapingCode.objects.filter(kind="channel", ours="sms").delete()
    with pytest.raises(exchange.ExportRefused, match="短信|sms"):
        _export(world)


def test_the_download_is_for_those_who_manage_the_site(world, client):
    case = completed_case(world)
    evaluation_submit(
        case=case,
        actor=Actor.of_client(world.citizen),
        level=5,
        indicators={},
        comment="",
        channel="portal",
    )
    url = f"/oversight/haochaping/{world.county.pk}.jsonl?from=2026-11-22&to=2026-11-22"
    client.force_login(world.coordinator.user)
    response = client.get(url)
    assert response.status_code == 200
    assert json.loads(response.content)["projectNo"] == case.number
    client.force_login(world.agent_b.user)
    assert client.get(url).status_code in (403, 404)


@pytest.mark.skipif(
    not apps.is_installed("bangban.partners"), reason="partners' outbox (helper B) not installed"
)
def test_the_push_enqueues_one_delivery_per_evaluation_revision(world):
    from bangban.partners.models import Delivery, Partner

    partner = Partner.objects.create(
        name="国家好差评系统",
        code="haochaping",
        scopes=["haochaping"],
        endpoint_url="https://hcp.example.gov.cn/receive",
    )
    partner.sites.add(world.county)
    case = completed_case(world)
    with transaction.atomic():
        from bangban.cases.services import case_transition

        case_transition(  # anonymous bad review from the provincial platform
            case=case, event="evaluate", actor=SYSTEM, level=2, channel="portal", real_name=False
        )
    evaluation = Evaluation.objects.get()
    assert list(Delivery.objects.values_list("dedupe_key", "topic")) == [
        (f"haochaping:evaluation:{evaluation.pk}:1", "haochaping.evaluation")
    ]
    assert exchange.push(evaluation) == 0  # the same revision again: nothing new
    r = Rectification.objects.get()
    rectification_decide(
        rectification=r, staff=world.agent_a, outcome="appeal", appeal_reason="系统误评"
    )
    rectification_appeal_decide(
        rectification=r, staff=world.supervisor, decision="upheld", note="经核实为误评"
    )
    keys = sorted(Delivery.objects.values_list("dedupe_key", flat=True))
    assert keys == [f"haochaping:evaluation:{evaluation.pk}:{n}" for n in (1, 2)]
    last = Delivery.objects.get(dedupe_key__endswith=":2").payload
    assert last["revision"] == 2 and last["record"]["rectifyStatus"] == "3"
