"""CSV writing that spreadsheet programs cannot turn into formulas."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Sheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # Excel reads a CSV as UTF-8 only when it starts with one


def neutralise(value: object) -> object:
    """Prefix formula-looking text with an apostrophe; numbers and None pass through."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_csv(
    handle, header: Sequence[str], rows: Iterable[Sequence[object]], *, bom: bool = False
) -> int:
    """Write the header and rows, each cell neutralised; the number of rows written."""
    if bom:
        handle.write(BOM)
    writer = csv.writer(handle)
    writer.writerow([neutralise(cell) for cell in header])
    count = 0
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
        count += 1
    return count


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    write_csv(buffer, header, rows)
    return buffer.getvalue()
