"""The theme table as files: the builder the themes page uses (extraction/themes_table.py), so
the page and the export show the same counts. CSV holds themes by study (quotes per study,
sub-codes rolled up); XLSX adds a sheet of themes by review question and one of the quotes."""

from __future__ import annotations

from ..themes_table import theme_table
from .base import ExportContext
from .csvsafe import write_csv
from .xlsx import write_xlsx


def write_themes_csv(handle, ctx: ExportContext) -> int:
    header, *rows = theme_table(ctx.review).matrix_rows()
    return write_csv(handle, header, rows, bom=ctx.bom)


def write_themes_xlsx(handle, ctx: ExportContext) -> int:
    table = theme_table(ctx.review)
    sheets = [
        (title, rows[0], rows[1:])
        for title, rows in (
            ("Themes by study", table.matrix_rows()),
            ("Themes by question", table.question_rows()),
            ("Quotes", table.quote_rows()),
        )
    ]
    return write_xlsx(handle, sheets)
