"""The 好差评 exchange: evaluations out as files and pushes, evaluations in from files.

The rules (which items, which names and codes) are ``exchange_rules``; this module reads
the database for them and writes through the one write path:

- ``export_records(evaluations)``: the national records of evaluations (one query for the
  evaluations and their rectifications, one for the cases' items); ``to_jsonl`` /
  ``to_xlsx`` make the upload file. ``evaluations_for(site, start, end)``: a site's (and
  its subtree's) evaluations of those local days.
- ``import_file(data, name)``: evaluations collected elsewhere (评价器, the provincial app),
  each matched to its case by 办件编号 or 政务服务网申办编号 and recorded through the case
  workflow's ``evaluate`` event (``case_transition``, actor ``system``), so the figures and
  the bad-review loop follow. A case already evaluated gets nothing new.
- the push: a partner with the scope ``haochaping`` covering the evaluation's site is sent
  each evaluation when recorded and again when its rectification closes (revision 1, 2),
  through the partners' outbox, in the transaction that recorded it.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass, field

from django.apps import apps as django_apps
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.db.models.signals import post_save
from django.utils import timezone

from bangban.cases import events
from bangban.cases.access import SYSTEM
from bangban.cases.models import Case, CaseItem
from bangban.cases.services import case_transition
from bangban.cases.workflow import TransitionRefused
from bangban.network.models import Site, under_q

from .exchange_rules import ITEMS, CodeProblem, Codes, Facts, parse, serialise
from .models import Evaluation, HaochapingCode, Rectification, RectificationStatus

TOPIC = "haochaping.evaluation"
SCOPE = "haochaping"
SHEET = "好差评"


def current_codes() -> Codes:
    """The administrators' code table (one query)."""
    rows = HaochapingCode.objects.order_by("id").values_list("kind", "ours", "code", "direction")
    return Codes.from_rows(rows)


# --- out ----------------------------------------------------------------------------------


class ExportRefused(Exception):
    """Values without a national code; ``problems`` lists them, in Chinese."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("；".join(problems))


def evaluations_for(site: Site, start: dt.date, end: dt.date) -> QuerySet[Evaluation]:
    """Evaluations at ``site`` or below, made on local days ``start`` … ``end``."""
    zone = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time(), zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), zone)
    return Evaluation.objects.filter(
        under_q(site.path, "site"), created_at__gte=since, created_at__lt=until
    ).order_by("created_at", "id")


def _with_facts(evaluations: QuerySet[Evaluation]) -> QuerySet[Evaluation]:
    items = CaseItem.objects.select_related("item_version__item", "department").order_by(
        "position", "id"
    )
    return evaluations.select_related("case__client", "site", "rectification").prefetch_related(
        Prefetch("case__items", queryset=items)
    )


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def facts_of(evaluation: Evaluation) -> Facts:
    case = evaluation.case
    first = next(iter(case.items.all()), None)  # a bundle (一件事) reports its first item
    try:
        rectification: Rectification | None = evaluation.rectification
    except Rectification.DoesNotExist:
        rectification = None
    return Facts(
        number=case.number,
        external_number=case.external_number,
        service=evaluation.service_type,
        item_code=first.item_version.item.code if first else "",
        item_name=first.item_version.item.name if first else case.title,
        dept_code=first.department.code if first else "",
        dept_name=first.department.name if first else "",
        site_code=evaluation.site.code,
        site_name=evaluation.site.name,
        channel=evaluation.channel,
        level=evaluation.level,
        indicators=dict(evaluation.indicators or {}),
        comment=evaluation.comment,
        time=_local(evaluation.created_at) or dt.datetime.min,
        rater=case.client.kind,
        real_name=evaluation.real_name,
        rectification=rectification.status if rectification else "",
        rectification_result=(
            (rectification.rectification_result or rectification.measures) if rectification else ""
        ),
        rectified_at=_local(rectification.closed_at or rectification.rectified_at)
        if rectification
        else None,
    )


def export_records(evaluations: QuerySet[Evaluation], codes: Codes | None = None) -> list[dict]:
    """The national records, in order; ExportRefused if a value has no code."""
    codes = codes or current_codes()
    records, problems = [], []
    for evaluation in _with_facts(evaluations):
        try:
            records.append(serialise(facts_of(evaluation), codes))
        except CodeProblem as problem:
            if problem.message not in problems:
                problems.append(problem.message)
    if problems:
        raise ExportRefused(problems)
    return records


def to_jsonl(records: list[dict]) -> bytes:
    """One JSON object a line, UTF-8: each line is what the push sends."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()


def to_xlsx(records: list[dict], codes: Codes | None = None) -> bytes:
    """One sheet: row 1 the national names (what the import reads), row 2 the Chinese."""
    from openpyxl import Workbook

    from bangban.xlsx import safe_row

    codes = codes or current_codes()
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    names = [codes.name(item.key) for item in ITEMS]
    sheet.append(safe_row(sheet, names))
    sheet.append(safe_row(sheet, [item.label for item in ITEMS]))
    for record in records:
        values = [record.get(name, "") for name in names]
        values = [json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v for v in values]
        sheet.append(safe_row(sheet, values))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- in -----------------------------------------------------------------------------------

IMPORTED, PRESENT, UNMATCHED = "imported", "present", "unmatched"
STATUS_LABELS = {IMPORTED: "已导入", PRESENT: "已存在（未重复导入）", UNMATCHED: "未导入"}


@dataclass
class RowResult:
    line: int  # the line (JSON lines) or row (Excel) of the file
    number: str
    status: str
    reason: str = ""

    def __str__(self) -> str:
        reason = f"：{self.reason}" if self.reason else ""
        return f"第{self.line}行 {self.number or '（无办件编号）'} {STATUS_LABELS[self.status]}{reason}"


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    def summary(self) -> str:
        return (
            f"共{len(self.rows)}行：导入{self.count(IMPORTED)}条，"
            f"已存在{self.count(PRESENT)}条，未导入{self.count(UNMATCHED)}条"
        )


class FileRefused(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def read_records(data: bytes, name: str = "") -> list[tuple[int, dict]]:
    """(line, record) of a JSON-lines or Excel file (the export's two formats)."""
    if name.lower().endswith(".xlsx") or data[:2] == b"PK":
        return _read_xlsx(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused("文件应为 UTF-8 编码的 JSON Lines 或 Excel（.xlsx）") from None
    rows: list[tuple[int, dict]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        rows.append((number, record if isinstance(record, dict) else {"_bad": line[:80]}))
    return rows


def _read_xlsx(data: bytes) -> list[tuple[int, dict]]:
    from bangban.xlsx import cell_text, open_workbook

    book = open_workbook(io.BytesIO(data), error=lambda _: FileRefused("无法读取 Excel 文件"))
    sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [cell_text(h) for h in next(rows, ())]
    labels = {item.label for item in ITEMS}
    result = []
    for number, cells in enumerate(rows, start=2):
        values = {h: c for h, c in zip(header, cells, strict=False) if h}
        texts = [cell_text(c) for c in cells]
        if all(t == "" for t in texts) or set(texts) - {""} <= labels:
            continue  # blank, or the row of Chinese names
        result.append((number, values))
    return result


def _find_cases(parsed: list) -> tuple[dict[str, Case], dict[str, list[Case]]]:
    numbers = {p.number for p in parsed if p.number} | {p.external_number for p in parsed}
    numbers.discard("")
    found = Case.objects.filter(number__in=numbers) | Case.objects.filter(
        external_number__in=numbers
    )
    by_number: dict[str, Case] = {}
    by_external: dict[str, list[Case]] = {}
    for case in found.select_related("site"):
        by_number[case.number] = case
        if case.external_number:
            by_external.setdefault(case.external_number, []).append(case)
    return by_number, by_external


def import_records(rows: list[tuple[int, dict]], codes: Codes | None = None) -> ImportReport:
    """Record each row's evaluation on its case (see the module's doc); never twice."""
    codes = codes or current_codes()
    report = ImportReport()
    parsed: list = []
    for line, record in rows:
        number = str(record.get(codes.name("number")) or "") if "_bad" not in record else ""
        try:
            if "_bad" in record:
                raise CodeProblem("不是有效的 JSON 对象")
            parsed.append((line, parse(record, codes)))
        except (CodeProblem, ValueError) as problem:
            reason = problem.message if isinstance(problem, CodeProblem) else "数据格式不正确"
            report.rows.append(RowResult(line, number, UNMATCHED, reason))
    by_number, by_external = _find_cases([p for _, p in parsed])
    evaluated = set(
        Evaluation.objects.filter(case__in=list(by_number.values())).values_list(
            "case_id", "service_type"
        )
    ) | set(
        Evaluation.objects.filter(
            case__in=[c for cases in by_external.values() for c in cases]
        ).values_list("case_id", "service_type")
    )
    for line, p in parsed:
        label = p.number or p.external_number
        case = by_number.get(p.number) or by_number.get(p.external_number)
        if case is None:
            candidates = by_external.get(p.external_number or p.number, [])
            if len(candidates) > 1:
                report.rows.append(
                    RowResult(line, label, UNMATCHED, "政务服务网申办编号对应多个办件")
                )
                continue
            case = candidates[0] if candidates else None
        if case is None:
            report.rows.append(RowResult(line, label, UNMATCHED, "找不到对应的办件"))
            continue
        if (case.pk, case.service_type) in evaluated:
            report.rows.append(RowResult(line, case.number, PRESENT, "该办件已有评价"))
            continue
        moment = timezone.make_aware(p.time, timezone.get_current_timezone())
        if moment > timezone.now():
            report.rows.append(RowResult(line, case.number, UNMATCHED, "评价时间晚于当前时间"))
            continue
        try:
            with transaction.atomic():
                case_transition(
                    case=case,
                    event="evaluate",
                    actor=SYSTEM,
                    at=moment,
                    level=p.level,
                    indicators=p.indicators,
                    comment=p.comment,
                    channel=p.channel,
                    real_name=p.real_name,
                )
        except TransitionRefused as refused:
            report.rows.append(RowResult(line, case.number, UNMATCHED, refused.message))
            continue
        evaluated.add((case.pk, case.service_type))
        report.rows.append(RowResult(line, case.number, IMPORTED))
    report.rows.sort(key=lambda r: r.line)
    return report


def import_file(data: bytes, name: str = "") -> ImportReport:
    return import_records(read_records(data, name))


# --- the push -----------------------------------------------------------------------------


def push(evaluation: Evaluation) -> int:
    """Enqueue the evaluation's current revision to every partner with the scope
    ``haochaping`` covering its site; returns how many deliveries were written (a revision
    already sent to a partner is not sent again: the outbox's dedupe key)."""
    if not django_apps.is_installed("bangban.partners"):
        return 0
    from bangban.partners.models import Partner
    from bangban.partners.outbox import enqueue_delivery

    partners = Partner.objects.with_scope(SCOPE, site=evaluation.site)
    if not partners:
        return 0
    evaluation = _with_facts(Evaluation.objects.filter(pk=evaluation.pk)).get()
    facts = facts_of(evaluation)
    try:
        record = serialise(facts, current_codes())
    except CodeProblem:
        # not sendable until an administrator completes the table; the file export says why
        return 0
    payload = {"revision": facts.revision, "record": record}
    written = 0
    for partner in partners:
        key = f"haochaping:evaluation:{evaluation.pk}:{facts.revision}"
        if enqueue_delivery(partner, topic=TOPIC, dedupe_key=key, payload=payload):
            written += 1
    return written


def on_case_event(message: events.CaseEventRecorded) -> None:
    """The Evaluation of an ``evaluate`` event is written by an earlier subscriber
    (``records.subscribers``, subscribed first), in this same transaction."""
    if message.name != "evaluate":
        return
    evaluation = Evaluation.objects.filter(case_id=message.case.pk, event_seq=message.record.seq)
    for row in evaluation:
        push(row)


def on_rectification_saved(sender, instance: Rectification, created=False, **kwargs) -> None:
    """A rectification closing is the result the national system asks for (revision 2).

    Rectifications change without a case event (``records.services``), so this listens to
    the row's own save, which runs inside the service's transaction.
    """
    if instance.status == RectificationStatus.CLOSED:
        push(instance.evaluation)


def subscribe() -> None:
    events.subscribe(on_case_event)
    post_save.connect(
        on_rectification_saved, sender=Rectification, dispatch_uid="haochaping-rectification"
    )
