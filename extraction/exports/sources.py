"""The search log (PRISMA-S): one row per search file with where, when and how it was run."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, Q

from screening.models import Source

from .base import ExportContext
from .csvsafe import write_csv
from .xlsx import write_xlsx

SOURCE_HEADER = [
    "source_id",
    "name",
    "method",
    "platform",
    "searched_on",
    "search_string",
    "notes",
    "file_name",
    "file_format",
    "sha256",
    "record_count",
    "duplicates",
    "imported_by",
    "imported_at",
]


def source_rows(ctx: ExportContext) -> Iterator[list]:
    sources = (
        Source.objects.filter(review=ctx.review)
        .select_related("imported_by")
        .annotate(dups=Count("records", filter=Q(records__duplicate_of__isnull=False)))
        .order_by("imported_at", "id")
    )
    for s in sources:
        yield [
            s.pk,
            s.name,
            s.method,
            s.platform,
            s.searched_on.isoformat() if s.searched_on else "",
            s.search_string,
            s.notes,
            s.file_name,
            s.file_format,
            s.sha256,
            s.record_count,
            s.dups,
            s.imported_by.get_username() if s.imported_by else "",
            s.imported_at.isoformat(),
        ]


def write_sources_csv(handle, ctx: ExportContext) -> int:
    """The search log (PRISMA-S): one row per imported file."""
    return write_csv(handle, SOURCE_HEADER, source_rows(ctx), bom=ctx.bom)


def write_sources_xlsx(handle, ctx: ExportContext) -> int:
    return write_xlsx(handle, [("Search log", SOURCE_HEADER, source_rows(ctx))])
