"""The data dictionary as a file: the rows of the dictionary page's builder (extraction/
dictionary.py: fields, then the codebook), with two additions an analyst needs beside the
extraction table: the fields of every form version as each version had them (newest first; the
page shows each key once, as its newest version has it), and the table columns each field fills.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from ..dictionary import (
    DictionaryRow,
    build_data_dictionary,
    data_dictionary,
    field_entry,
    field_versions,
)
from ..models import FormField
from .base import ExportContext
from .csvsafe import write_csv
from .table import table_layout
from .xlsx import write_xlsx

DICTIONARY_HEADER = [*DictionaryRow.header(), "columns"]


def _cells(row: DictionaryRow) -> list:
    return ["yes" if v is True else "no" if v is False else v for v in row.as_list()]


def dictionary_rows(ctx: ExportContext) -> Iterator[list]:
    """Every version's fields in form order, newest version first, then the codebook."""
    columns: dict[tuple[str, str], list[str]] = defaultdict(list)
    for column in table_layout(ctx).columns:
        columns[(column.section, column.field)].append(column.header)
    fields = list(
        FormField.objects.filter(section__form__review=ctx.review)
        .select_related("section__form", "section__depends_on")
        .order_by("-section__form__version", "section__order", "section_id", "order", "id")
    )
    versions = field_versions(ctx.review)
    rows = build_data_dictionary(fields_in=[field_entry(f, versions) for f in fields], codes_in=[])
    for f, row in zip(fields, rows, strict=True):
        yield [*_cells(row), "; ".join(columns[(f.section.key, f.key)])]
    for row in data_dictionary(ctx.review):
        if row.kind == "code":
            yield [*_cells(row), ""]


def write_dictionary_csv(handle, ctx: ExportContext) -> int:
    return write_csv(handle, DICTIONARY_HEADER, dictionary_rows(ctx), bom=ctx.bom)


def write_dictionary_xlsx(handle, ctx: ExportContext) -> int:
    return write_xlsx(handle, [("Data dictionary", DICTIONARY_HEADER, dictionary_rows(ctx))])
