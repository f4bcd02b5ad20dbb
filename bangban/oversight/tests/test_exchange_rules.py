"""The 好差评 record's rules, without a database (``exchange_rules``)."""

import datetime as dt

import pytest

from bangban.oversight.exchange_rules import (
    DEFAULT_CODES,
    DEFAULTS,
    CodeProblem,
    Codes,
    Facts,
    parse,
    serialise,
)

FACTS = Facts(
    number="BB-V1-2026-0001",
    external_number="ZW2026110100001",
    service="proxy",
    item_code="SCJG-001",
    item_name="食品经营许可",
    dept_code="SCJG",
    dept_name="县市场监督管理局",
    site_code="V1",
    site_name="村A",
    channel="window_device",
    level=2,
    indicators={"overall": 2, "attitude": 1},
    comment="等太久",
    time=dt.datetime(2026, 11, 20, 10, 30),
    rater="organisation",
    real_name=False,
    rectification="closed",
    rectification_result="已立行立改",
    rectified_at=dt.datetime(2026, 11, 21, 9, 0),
)


def test_a_record_carries_the_national_names_and_codes():
    record = serialise(FACTS)
    assert record["projectNo"] == "BB-V1-2026-0001"
    assert record["taskCode"] == "SCJG-001" and record["deptName"] == "县市场监督管理局"
    assert record["pf"] == "4"  # 政务大厅平板电脑: the window's 评价器
    assert record["alternate"] == "2"  # GB/T 39734: 2 不满意
    assert record["evalDetail"] == {"ZTMYD": "2", "FWTD": "1"}
    assert record["assessTime"] == "2026-11-20 10:30:00"
    assert record["userProp"] == "2"  # 法人
    assert record["rectifyStatus"] == "3" and record["rectifyResult"] == "已立行立改"
    assert FACTS.revision == 2


def test_a_record_reads_back_as_what_was_rated():
    parsed = parse(serialise(FACTS))
    assert (parsed.number, parsed.external_number) == (FACTS.number, FACTS.external_number)
    assert parsed.level == 2 and parsed.channel == "window_device"
    assert parsed.indicators == {"overall": 2, "attitude": 1}
    assert parsed.time == FACTS.time and parsed.real_name is False


def test_national_channels_without_a_value_of_ours_are_named_in_chinese():
    record = serialise(FACTS) | {"pf": "6"}  # 电话: a coordinator records those
    with pytest.raises(CodeProblem, match="评价渠道代码“6”"):
        parse(record)
    assert parse(serialise(FACTS) | {"pf": "2"}).channel == "portal"  # 移动端


def test_an_edited_table_renames_items_and_recodes_values():
    rows = [("field", "level", "satisfaction", "both"), ("channel", "window_device", "W", "both")]
    rows += [(k, o, c, d) for k, o, c, _, d in DEFAULTS if (k, o) not in {("field", "level")}]
    codes = Codes.from_rows(rows)
    record = serialise(FACTS, codes)
    assert record["satisfaction"] == "2" and "alternate" not in record and record["pf"] == "W"
    assert parse(record, codes).level == 2


def test_a_value_missing_from_the_table_refuses_the_export():
    codes = Codes.from_rows(
        (k, o, c, d) for k, o, c, _, d in DEFAULTS if (k, o) != ("channel", "window_device")
    )
    with pytest.raises(CodeProblem, match="评价渠道“window_device”"):
        serialise(FACTS, codes)
    assert DEFAULT_CODES.to_code("channel", "window_device") == "4"


def test_the_migration_seeds_the_defaults():
    from importlib import import_module

    migration = import_module("bangban.oversight.migrations.0010_haochaping_code_defaults")
    assert tuple(migration.DEFAULTS) == DEFAULTS
