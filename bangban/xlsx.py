"""Cells written to Excel from what people typed, never as formulas (CSV/formula injection).

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
"""

from __future__ import annotations

from collections.abc import Iterable

from openpyxl.cell import Cell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# OWASP "CSV Injection": the characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_risky(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def _as_text(cell: Cell) -> Cell:
    cell.data_type = "s"  # after the value: openpyxl's setter made "=…" a formula
    cell.quotePrefix = True
    return cell


def text_cell(sheet, value: str) -> Cell:
    """A cell of ``sheet`` holding ``value`` as plain text (works in write-only mode too)."""
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
