"""XLSX writing in openpyxl's write-only mode (rows go to disk as they come: flat memory),
with the same formula neutralisation as the CSV files."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from .csvsafe import neutralise

MAX_CELL = 32767  # Excel's limit on one cell's text
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

Sheet = tuple[str, Sequence[str], Iterable[Sequence[object]]]


def xlsx_cell(value: object) -> object:
    """A value Excel shows as typed: never a formula, no control characters, within limits."""
    if value == "":
        return None  # a blank cell is not written at all: most of a wide sheet, and slow to write
    if isinstance(value, str):
        # Strip first: "\x01=HYPERLINK(..)" neutralised first would lose the \x01 afterwards
        # and reach Excel as a formula.
        return str(neutralise(ILLEGAL_CHARACTERS_RE.sub("", value)))[:MAX_CELL]
    return value


def sheet_title(title: str, taken: set[str]) -> str:
    """Excel's sheet names: 31 characters at most, none of []:*?/\\, unique in the book."""
    base = " ".join(SHEET_FORBIDDEN.sub(" ", title).split())[:31].strip() or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def write_xlsx(handle, sheets: Iterable[Sheet]) -> int:
    """Write each (title, header, rows) as a sheet; the number of data rows written."""
    book = Workbook(write_only=True)
    taken: set[str] = set()
    count = 0
    for title, header, rows in sheets:
        sheet = book.create_sheet(title=sheet_title(title, taken))
        sheet.append([xlsx_cell(cell) for cell in header])
        for row in rows:
            sheet.append([xlsx_cell(cell) for cell in row])
            count += 1
    if not taken:
        book.create_sheet(title="Empty")
    book.save(handle)
    return count


def write_xlsx_sheets(
    handle, sheets: Sequence[tuple[str, Sequence[str]]], rows: Iterable[Sequence[Sequence[object]]]
) -> int:
    """Write several sheets in one pass: each item of `rows` holds one row for every sheet, in
    the order of `sheets` (title, header). The number of items written."""
    book = Workbook(write_only=True)
    taken: set[str] = set()
    targets = []
    for title, header in sheets:
        sheet = book.create_sheet(title=sheet_title(title, taken))
        sheet.append([xlsx_cell(cell) for cell in header])
        targets.append(sheet)
    count = 0
    for parts in rows:
        for sheet, row in zip(targets, parts, strict=True):
            sheet.append([xlsx_cell(cell) for cell in row])
        count += 1
    book.save(handle)
    return count
