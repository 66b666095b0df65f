"""The records export: one row per record with its source, duplicate status and outcomes."""

from __future__ import annotations

from collections.abc import Iterator

from reviewapp.models import Review
from screening.models import Record, Source

from .csvsafe import write_csv

RECORD_HEADER = [
    "record_id",
    "source",
    "source_method",
    "source_file",
    "source_position",
    "title",
    "authors",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "keywords",
    "url",
    "type",
    "abstract",
    "duplicate_status",
    "duplicate_of",
    # Each stage's outcome as PRISMA counts it ("" while open; the decisions themselves are in
    # each record's history): title/abstract, retrieval, full text and its reason, the study.
    "title_abstract",
    "retrieval",
    "full_text",
    "full_text_reason",
    "study",
]


def record_rows(review: Review) -> Iterator[list]:
    records = (
        Record.objects.in_review(review)
        .select_related("source", "ft_reason", "study")
        .order_by("id")
        .defer("raw")
    )
    for r in records.iterator(chunk_size=2000):
        yield [
            r.pk,
            r.source.name,
            r.source.method,
            r.source.file_name,
            r.source_position,
            r.title,
            "; ".join(r.authors),
            r.year,
            r.journal,
            r.volume,
            r.issue,
            r.pages,
            r.doi,
            r.pmid,
            "; ".join(r.keywords),
            r.url,
            r.type,
            r.abstract,
            "duplicate" if r.duplicate_of_id else "unique",
            r.duplicate_of_id or "",
            r.ta_status,
            r.retrieval,
            r.ft_status,
            r.ft_reason.label if r.ft_reason else "",
            r.study.label if r.study else "",
        ]


def write_records_csv(handle, review: Review) -> int:
    return write_csv(handle, RECORD_HEADER, record_rows(review))


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
    "imported_by",
    "imported_at",
]


def write_sources_csv(handle, review: Review) -> int:
    """The search log (PRISMA-S): one row per imported file."""
    sources = Source.objects.filter(review=review).select_related("imported_by")
    rows = (
        [
            s.pk,
            s.name,
            s.method,
            s.platform,
            s.searched_on or "",
            s.search_string,
            s.notes,
            s.file_name,
            s.file_format,
            s.sha256,
            s.record_count,
            s.imported_by.get_username() if s.imported_by else "",
            s.imported_at.isoformat(),
        ]
        for s in sources
    )
    return write_csv(handle, SOURCE_HEADER, rows)
