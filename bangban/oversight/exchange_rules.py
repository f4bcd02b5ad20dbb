"""The 好差评 exchange's rules: which data items, under which names and codes.

Plain Python (no database): an evaluation's facts in, the national system's record out
(``serialise``), and a record in, what the evaluation workflow needs out (``parse``). The
codes come from ``Codes``: the administrators' table (``models.HaochapingCode``, seeded
with ``DEFAULTS``) read into dicts by ``exchange.current_codes``. The file, the push and the
import all go through these two functions, so they write and read the same record.

Sources: GB/T 39734-2020 (the five levels, 5 非常满意; the indicator items); the national
政务服务"好差评" interface as publicly documented (field names ``projectNo``, ``taskCode``,
``taskName``, ``deptCode``, ``deptName``, ``pf``, ``alternate``, ``writingEvaluation``,
``assessTime``, ``userProp``; channel codes 1 PC端 … 7 短信; ``userProp`` 1 自然人 2 法人).
What is not public (the indicator codes, the rectification items, our own extensions) has
a default here that an administrator may change in the table, field names included.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # 评价时间, local (Asia/Shanghai)


@dataclass(frozen=True)
class Item:
    """One data item: our key, its default national name, its Chinese name, whether the
    name is the public interface's (else our default, editable)."""

    key: str
    name: str
    label: str
    public: bool


ITEMS: tuple[Item, ...] = (
    Item("number", "projectNo", "办件编号", True),
    Item("external_number", "onlineProjectNo", "政务服务网申办编号", False),
    Item("service", "serviceType", "服务类型（帮办/代办）", False),
    Item("item_code", "taskCode", "事项编码", True),
    Item("item_name", "taskName", "事项名称", True),
    Item("dept_code", "deptCode", "部门编码", True),
    Item("dept_name", "deptName", "部门名称", True),
    Item("site_code", "orgCode", "承办机构编码", False),
    Item("site_name", "orgName", "承办机构名称", False),
    Item("channel", "pf", "评价渠道", True),
    Item("level", "alternate", "评价等级", True),
    Item("indicators", "evalDetail", "分项评价（指标代码: 等级）", False),
    Item("comment", "writingEvaluation", "文字评价", True),
    Item("time", "assessTime", "评价时间", True),
    Item("rater", "userProp", "评价人类型", True),
    Item("real_name", "isRealName", "是否实名（1 是，0 否）", False),
    Item("rectification", "rectifyStatus", "差评整改状态", False),
    Item("rectification_result", "rectifyResult", "差评整改结果", False),
    Item("rectified_at", "rectifyTime", "整改办结时间", False),
)
ITEM_BY_KEY = {item.key: item for item in ITEMS}

# The default code table: (kind, our value, national code, 说明, direction). Seeded into
# ``HaochapingCode`` by migration 0009 (a copy; a test keeps the two equal).
DEFAULTS: tuple[tuple[str, str, str, str, str], ...] = (
    *(("field", item.key, item.name, item.label, "both") for item in ITEMS),
    # pf: 1 PC端 2 移动端 3 二维码 4 政务大厅平板电脑 5 政务大厅其他终端 6 电话 7 短信
    ("channel", "portal", "1", "PC端（门户网站）", "both"),
    ("channel", "portal", "2", "移动端", "import"),
    ("channel", "portal", "3", "二维码", "import"),
    ("channel", "window_device", "4", "政务大厅平板电脑（窗口评价器）", "both"),
    ("channel", "window_device", "5", "政务大厅其他终端", "import"),
    ("channel", "paper_form", "5", "纸质评价表（按政务大厅其他终端报送）", "export"),
    ("channel", "return_visit", "6", "电话（回访评价）", "export"),
    ("channel", "sms", "7", "短信", "both"),
    # GB/T 39734: 5 非常满意 … 1 非常不满意
    ("level", "5", "5", "非常满意", "both"),
    ("level", "4", "4", "满意", "both"),
    ("level", "3", "3", "基本满意", "both"),
    ("level", "2", "2", "不满意", "both"),
    ("level", "1", "1", "非常不满意", "both"),
    ("indicator", "overall", "ZTMYD", "总体满意度", "both"),
    ("indicator", "efficiency", "BSXL", "办事效率", "both"),
    ("indicator", "standard", "FWGF", "服务规范", "both"),
    ("indicator", "attitude", "FWTD", "服务态度", "both"),
    ("indicator", "guide_accuracy", "BSZNZQX", "办事指南准确性", "both"),
    ("indicator", "convenience", "BSBLD", "办事便利度", "both"),
    ("indicator", "ease_of_use", "PTYYX", "平台易用性", "both"),
    ("rater", "person", "1", "自然人", "both"),
    ("rater", "organisation", "2", "法人", "both"),
    ("service", "assist", "1", "帮办", "both"),
    ("service", "proxy", "2", "代办", "both"),
    ("rectification", "", "0", "无需整改（非差评）", "both"),
    ("rectification", "verifying", "1", "整改中（待回访核实）", "both"),
    ("rectification", "deciding", "1", "整改中（待确定处理方式）", "export"),
    ("rectification", "rectifying", "1", "整改中（限期整改）", "export"),
    ("rectification", "appealing", "1", "整改中（申诉复核）", "export"),
    ("rectification", "awaiting_rating", "2", "已整改（待服务对象评价）", "both"),
    ("rectification", "closed", "3", "已办结", "both"),
)


class CodeProblem(ValueError):
    """A value the code table has no entry for; ``message`` says which, in Chinese."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


KIND_LABELS = {
    "field": "数据项名称",
    "channel": "评价渠道",
    "level": "评价等级",
    "indicator": "评价指标",
    "rater": "评价人类型",
    "service": "服务类型",
    "rectification": "差评整改状态",
}


@dataclass(frozen=True)
class Codes:
    """The code table as dicts: ``out[kind][ours] = code``, ``back[kind][code] = ours``."""

    out: dict[str, dict[str, str]] = field(default_factory=dict)
    back: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows) -> Codes:
        """``rows``: (kind, ours, code, direction) tuples, the table's order."""
        out: dict[str, dict[str, str]] = {}
        back: dict[str, dict[str, str]] = {}
        for kind, ours, code, direction in rows:
            if direction != "import":
                out.setdefault(kind, {}).setdefault(ours, code)
            if direction != "export":
                back.setdefault(kind, {}).setdefault(code, ours)
        return cls(out, back)

    def name(self, key: str) -> str:
        """The national name of data item ``key``."""
        return self.out.get("field", {}).get(key) or ITEM_BY_KEY[key].name

    def to_code(self, kind: str, ours: Any) -> str:
        try:
            return self.out[kind][str(ours)]
        except KeyError:
            raise CodeProblem(
                f"好差评代码对照缺少{KIND_LABELS[kind]}“{ours}”的导出代码，请在管理后台补充"
            ) from None

    def to_ours(self, kind: str, code: Any) -> str:
        try:
            return self.back[kind][str(code).strip()]
        except KeyError:
            raise CodeProblem(
                f"{KIND_LABELS[kind]}代码“{code}”在好差评代码对照中没有导入对应的本平台取值"
            ) from None


DEFAULT_CODES = Codes.from_rows((k, o, c, d) for k, o, c, _, d in DEFAULTS)


@dataclass(frozen=True)
class Facts:
    """What is exported of one evaluation, read from the database by ``exchange``."""

    number: str
    external_number: str
    service: str  # assist | proxy
    item_code: str
    item_name: str
    dept_code: str
    dept_name: str
    site_code: str
    site_name: str
    channel: str
    level: int
    indicators: dict[str, int]
    comment: str
    time: dt.datetime  # local
    rater: str  # person | organisation
    real_name: bool
    rectification: str = ""  # RectificationStatus value; "" for no rectification
    rectification_result: str = ""
    rectified_at: dt.datetime | None = None  # local

    @property
    def revision(self) -> int:
        """1: the evaluation as given; 2: with its rectification closed (the result known)."""
        return 2 if self.rectification == "closed" else 1


def serialise(facts: Facts, codes: Codes = DEFAULT_CODES) -> dict[str, Any]:
    """The national record of one evaluation (CodeProblem if a value has no code)."""
    values: dict[str, Any] = {
        "number": facts.number,
        "external_number": facts.external_number,
        "service": codes.to_code("service", facts.service),
        "item_code": facts.item_code,
        "item_name": facts.item_name,
        "dept_code": facts.dept_code,
        "dept_name": facts.dept_name,
        "site_code": facts.site_code,
        "site_name": facts.site_name,
        "channel": codes.to_code("channel", facts.channel),
        "level": codes.to_code("level", facts.level),
        "indicators": {
            codes.to_code("indicator", name): codes.to_code("level", value)
            for name, value in facts.indicators.items()
        },
        "comment": facts.comment,
        "time": facts.time.strftime(TIME_FORMAT),
        "rater": codes.to_code("rater", facts.rater),
        "real_name": "1" if facts.real_name else "0",
        "rectification": codes.to_code("rectification", facts.rectification),
        "rectification_result": facts.rectification_result,
        "rectified_at": facts.rectified_at.strftime(TIME_FORMAT) if facts.rectified_at else "",
    }
    return {codes.name(item.key): values[item.key] for item in ITEMS}


@dataclass(frozen=True)
class Parsed:
    """What a record asks the evaluation workflow to record."""

    number: str
    external_number: str
    level: int
    channel: str
    indicators: dict[str, int]
    comment: str
    time: dt.datetime  # naive, local
    real_name: bool


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _time(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    text = _text(value)
    for pattern in (TIME_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise CodeProblem(f"评价时间应为“2026-11-20 10:30:00”的格式，现为“{text}”")


def _indicators(value: Any, codes: Codes) -> dict[str, int]:
    if value in (None, ""):
        return {}
    if isinstance(value, str):
        import json

        try:
            value = json.loads(value)
        except ValueError:
            raise CodeProblem('分项评价应为 JSON 对象，如 {"BSXL": "5"}') from None
    if not isinstance(value, dict):
        raise CodeProblem('分项评价应为 JSON 对象，如 {"BSXL": "5"}')
    return {
        codes.to_ours("indicator", code): int(codes.to_ours("level", level))
        for code, level in value.items()
    }


def parse(record: dict[str, Any], codes: Codes = DEFAULT_CODES) -> Parsed:
    """Read one national record (CodeProblem, in Chinese, for what cannot be read)."""

    def get(key: str) -> Any:
        return record.get(codes.name(key))

    number, external = _text(get("number")), _text(get("external_number"))
    if not number and not external:
        raise CodeProblem("缺少办件编号")
    level_code = _text(get("level"))
    if not level_code:
        raise CodeProblem("缺少评价等级")
    if not _text(get("channel")):
        raise CodeProblem("缺少评价渠道")
    if not _text(get("time")):
        raise CodeProblem("缺少评价时间")
    return Parsed(
        number=number,
        external_number=external,
        level=int(codes.to_ours("level", level_code)),
        channel=codes.to_ours("channel", get("channel")),
        indicators=_indicators(get("indicators"), codes),
        comment=_text(get("comment")),
        time=_time(get("time")),
        real_name=_text(get("real_name")) != "0",
    )
