"""Every export the app offers: kind -> format -> writer. The exports page, the Celery job and
the `export` command all go through this table, so they write the same files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from screening.prisma import prisma_flow

from .base import ExportContext
from .dictionary import write_dictionary_csv, write_dictionary_xlsx
from .prisma import prisma_json, write_prisma_csv
from .prisma_svg import prisma_svg
from .records import write_records_csv, write_records_xlsx
from .ris import write_records_ris
from .sources import write_sources_csv, write_sources_xlsx
from .table import write_table_csv, write_table_xlsx
from .themes import write_themes_csv, write_themes_xlsx

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ris": "application/x-research-info-systems; charset=utf-8",
    "json": "application/json",
    "svg": "image/svg+xml",
}


@dataclass(frozen=True)
class ExportFormat:
    """How one kind is written in one format; `binary` writers get a bytes handle."""

    write: Callable[[object, ExportContext], int]
    binary: bool = False

    def content_type(self, fmt: str) -> str:
        return CONTENT_TYPES[fmt]


def _prisma_csv(handle, ctx: ExportContext) -> int:
    return write_prisma_csv(handle, prisma_flow(ctx.review, blind=ctx.blind))


def _prisma_json(handle, ctx: ExportContext) -> int:
    handle.write(prisma_json(prisma_flow(ctx.review, blind=ctx.blind)) + "\n")
    return 1


def _prisma_svg(handle, ctx: ExportContext) -> int:
    handle.write(prisma_svg(prisma_flow(ctx.review, blind=ctx.blind), title=ctx.review.title))
    return 1


KINDS: dict[str, dict[str, ExportFormat]] = {
    "extraction": {
        "csv": ExportFormat(write_table_csv),
        "xlsx": ExportFormat(write_table_xlsx, binary=True),
    },
    "themes": {
        "csv": ExportFormat(write_themes_csv),
        "xlsx": ExportFormat(write_themes_xlsx, binary=True),
    },
    "dictionary": {
        "csv": ExportFormat(write_dictionary_csv),
        "xlsx": ExportFormat(write_dictionary_xlsx, binary=True),
    },
    "records": {
        "csv": ExportFormat(write_records_csv),
        "xlsx": ExportFormat(write_records_xlsx, binary=True),
        "ris": ExportFormat(write_records_ris),
    },
    "sources": {
        "csv": ExportFormat(write_sources_csv),
        "xlsx": ExportFormat(write_sources_xlsx, binary=True),
    },
    "prisma": {
        "csv": ExportFormat(_prisma_csv),
        "json": ExportFormat(_prisma_json),
        "svg": ExportFormat(_prisma_svg),
    },
}

LABELS = {
    "extraction": "Extraction table",
    "themes": "Theme table",
    "dictionary": "Data dictionary",
    "records": "Records with decision trail",
    "sources": "Search log (PRISMA-S)",
    "prisma": "PRISMA 2020 counts and diagram",
}


def export_format(kind: str, fmt: str) -> ExportFormat | None:
    return KINDS.get(kind, {}).get(fmt)
