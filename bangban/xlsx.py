"""Excel in and out: cells written never as formulas, sheets read with every bad row named.

Writing. Cells written to Excel from what people typed are never formulas (CSV/formula
injection).

An organisation named ``=HYPERLINK("http://…","点击查看")`` would otherwise become a live
formula in the exported ledger: openpyxl stores any text starting with ``=`` as a formula,
and Excel or WPS evaluates text starting with ``=``, ``+``, ``-`` or ``@`` (and, per OWASP,
a leading tab or carriage return) once someone edits the cell or saves the sheet as CSV.

So every writer passes its rows through ``safe_row`` (or a single value through
``safe_value``): such text becomes a cell of type text (``s``) with Excel's own "quote
prefix" style — what Excel stores when a person types ``'=…`` — so it shows exactly as
typed, is never evaluated, and stays text on editing. The value itself is not changed, so a
catalogue exported and imported again reads back the same names. Numbers, dates and other
values are left as they are (numbers stay numbers).

Reading. The imports an administrator runs (the catalogue, the service network, the staff
roster) read sheets by their Chinese headers with ``read_sheet``: each data row is a ``Row``
that parses its cells and records its own problems as ``RowError`` (sheet, row number,
reason), so a refused file lists every problem at once (``ImportRefused``).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpyxl.cell import Cell

# openpyxl (about 16 MB per process) is imported where a workbook is made or read, not with
# this module: the web workers import it through the views but seldom export
# (bangban/tests/test_web_memory.py, docs/operations.md §9.2).

# OWASP "CSV Injection": the characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The control characters an .xlsx file cannot hold: openpyxl's own
# ``openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE`` (test_web_memory.py holds them equal), here
# so that cleaning a value does not import openpyxl.
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def is_risky(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def _as_text(cell: Cell) -> Cell:
    cell.data_type = "s"  # after the value: openpyxl's setter made "=…" a formula
    cell.quotePrefix = True
    return cell


def text_cell(sheet, value: str) -> Cell:
    """A cell of ``sheet`` holding ``value`` as plain text (works in write-only mode too)."""
    from openpyxl.cell import Cell

    return _as_text(Cell(sheet, row=1, column=1, value=value))


def clean(value):
    """Text without the control characters an .xlsx file cannot hold (openpyxl would refuse
    the whole workbook for one of them); other values as they are."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def safe_value(sheet, value):
    """``value`` as it may be written to ``sheet``: risky text as a text cell, the rest as is."""
    value = clean(value)
    return text_cell(sheet, value) if is_risky(value) else value


def safe_row(sheet, values: Iterable) -> list:
    """A row for ``sheet.append``, every risky text turned into a text cell."""
    return [safe_value(sheet, v) for v in values]


def put(sheet, coordinate: str, value) -> Cell:
    """``sheet[coordinate] = value`` for a normal (not write-only) sheet, never a formula."""
    cell = sheet[coordinate]
    cell.value = clean(value)
    return _as_text(cell) if is_risky(cell.value) else cell


# ---------------------------------------------------------------------------- reading

YES, NO = "是", "否"
LIST_SEPARATORS = re.compile(r"[、,，;；/\s]+")


@dataclass
class RowError:
    sheet: str
    row: int
    reason: str

    def __str__(self) -> str:
        return (
            f"“{self.sheet}”工作表第{self.row}行：{self.reason}"
            if self.row
            else f"“{self.sheet}”工作表：{self.reason}"
        )


class ImportRefused(Exception):
    """The file was refused; ``errors`` lists every problem found. Nothing was written."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("\n".join(map(str, errors)))


def open_workbook(source, error=ImportRefused):
    """The workbook at ``source`` (a path or a binary file), read-only; ``error`` if unreadable."""
    from openpyxl import load_workbook

    try:
        return load_workbook(source, read_only=True, data_only=True)
    except Exception as problem:  # openpyxl raises several kinds for a file that is not xlsx
        raise error(
            [RowError("文件", 0, f"无法读取 Excel 文件（{problem.__class__.__name__}）")]
        ) from problem


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        value = value.date()
    return str(value).strip()


class Row:
    """One data row: reads cells by key and collects the row's problems."""

    def __init__(self, sheet: str, number: int, values: dict[str, Any], errors: list[RowError]):
        self.sheet, self.number, self.values, self.errors = sheet, number, values, errors

    def error(self, reason: str) -> None:
        self.errors.append(RowError(self.sheet, self.number, reason))

    def text(self, key: str) -> str:
        return cell_text(self.values.get(key))

    def words(self, key: str) -> list[str]:
        """A list in one cell (codes, channels), separated by 、 , ; / or spaces."""
        return [word for word in LIST_SEPARATORS.split(self.text(key)) if word]

    def integer(self, key: str, label: str, *, required=True, minimum=0) -> int | None:
        raw = self.values.get(key)
        text = cell_text(raw)
        if not text:
            if required:
                self.error(f"{label}不能为空")
            return None
        if isinstance(raw, bool) or not re.fullmatch(r"\d+", text):
            self.error(f"{label}应为不小于{minimum}的整数，现为“{text}”")
            return None
        number = int(text)
        if number < minimum:
            self.error(f"{label}应为不小于{minimum}的整数，现为“{text}”")
            return None
        return number

    def yes_no(self, key: str, label: str, *, default: bool | None = None) -> bool | None:
        text = self.text(key)
        if not text and default is not None:
            return default
        if text in {YES, "Y", "y", "1", "TRUE", "True", "true"}:
            return True
        if text in {NO, "N", "n", "0", "FALSE", "False", "false"}:
            return False
        self.error(f"{label}应填“是”或“否”，现为“{text}”")
        return None

    def choice(self, key: str, label: str, choices, *, default: str = "") -> str | None:
        """A value of Django ``choices``, written as its label or its code; blank: ``default``."""
        text = self.text(key)
        if not text and default:
            return default
        for value, name in choices:
            if text in (value, name):
                return value
        self.error(f"{label}应填{'、'.join(f'“{name}”' for _, name in choices)}之一，现为“{text}”")
        return None

    def date(self, key: str, label: str) -> datetime.date | None:
        """A date cell, or text such as 2026-03-01 or 2026/3/1; blank: None."""
        raw = self.values.get(key)
        if isinstance(raw, datetime.datetime):
            return raw.date()
        if isinstance(raw, datetime.date):
            return raw
        text = cell_text(raw)
        if not text:
            return None
        match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
        if match:
            try:
                return datetime.date(*map(int, match.groups()))
            except ValueError:
                pass
        self.error(f"{label}应为日期（如 2026-03-01），现为“{text}”")
        return None


def read_sheet(book, title: str, columns, required_headers, errors) -> list[Row]:
    """The data rows of sheet ``title`` (blank rows skipped); ``columns`` are (header, key).

    A missing sheet or a missing required header is one error and no rows.
    """
    if title not in book.sheetnames:
        errors.append(RowError(title, 0, f"缺少“{title}”工作表"))
        return []
    rows = book[title].iter_rows(values_only=True)
    header = [cell_text(h) for h in next(rows, ())]
    missing = [h for h in required_headers if h not in header]
    if missing:
        errors.append(RowError(title, 1, "缺少列：" + "、".join(sorted(missing))))
        return []
    keys = {key: header.index(h) for h, key in columns if h in header}
    result = []
    for number, cells in enumerate(rows, start=2):
        if all(cell_text(c) == "" for c in cells):
            continue
        values = {key: cells[i] if i < len(cells) else None for key, i in keys.items()}
        result.append(Row(title, number, values, errors))
    return result
