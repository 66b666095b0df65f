"""Import one search-export file into a review: whole or not at all, then dedup."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from reviewapp.models import Review

from ..importers import ImportFormatError, ParsedRecord, parse_bytes
from ..models import Source
from .bulk import insert_records

Progress = Callable[[str, int], None]


class ImportRejected(Exception):
    """A file that cannot be imported; the message names the file and what is wrong."""


@dataclass
class SourceFields:
    """What the searcher tells us about the search (PRISMA-S)."""

    name: str
    method: str = Source.Method.DATABASE
    platform: str = ""
    searched_on: date | None = None
    search_string: str = ""
    notes: str = ""

    def as_json(self) -> dict:
        data = dict(self.__dict__)
        data["searched_on"] = self.searched_on.isoformat() if self.searched_on else None
        return data

    @classmethod
    def from_json(cls, data: dict) -> SourceFields:
        searched_on = data.get("searched_on")
        return cls(
            **{**data, "searched_on": date.fromisoformat(searched_on) if searched_on else None}
        )


@dataclass
class ImportOutcome:
    source: Source
    duplicates_marked: int = 0
    duplicates_pending: int = 0
    notes: list[str] = field(default_factory=list)


def _quiet(phase: str, percent: int) -> None:
    """The default progress callback: nobody is watching."""


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_not_imported(*, review: Review, sha256: str, file_name: str) -> None:
    """Refuse a file whose exact bytes this review already holds."""
    earlier = Source.objects.filter(review=review, sha256=sha256).order_by("imported_at").first()
    if earlier is not None:
        raise ImportRejected(
            f"{file_name}: this exact file was already imported on "
            f"{earlier.imported_at:%d %b %Y} as source '{earlier.name}' ({earlier.file_name}, "
            f"{earlier.record_count} records). Import it again only if you mean to (force)."
        )


def parse_upload(*, data: bytes, file_name: str, fmt: str = "auto"):
    """Parse bytes or raise ImportRejected naming the file, the record/line and the problem."""
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise ImportRejected(
            f"{file_name}: the file is {len(data) / 1e6:.0f} MB; the limit is "
            f"{settings.IMPORT_MAX_BYTES / 1e6:.0f} MB (IMPORT_MAX_BYTES). Split the export."
        )
    try:
        return parse_bytes(data, filename=file_name, fmt=fmt)
    except ImportFormatError as error:
        raise ImportRejected(f"{file_name}: {error}") from error
    except (RecursionError, MemoryError) as error:  # pathological input must not kill a worker
        raise ImportRejected(f"{file_name}: the file is too deeply nested or too large") from error


def _cut(value: str, limit: int) -> str:
    # The full value always survives in `raw`; the column keeps what fits.
    return value[:limit]


def _record_rows(review: Review, source: Source, parsed: Iterable[ParsedRecord]) -> Iterator[dict]:
    """Column values per record, keyed by the Record model's attribute names."""
    for position, item in enumerate(parsed, start=1):
        year = item.year if item.year and 0 < item.year < 32767 else None
        yield {
            "review_id": review.pk,
            "source_id": source.pk,
            "source_position": position,
            "title": item.title,
            "abstract": item.abstract,
            "authors": item.authors,
            "year": year,
            "journal": item.journal,
            "volume": _cut(item.volume, 100),
            "issue": _cut(item.issue, 100),
            "pages": _cut(item.pages, 100),
            "doi": _cut(item.doi, 300),
            "pmid": _cut(item.pmid, 30),
            "keywords": item.keywords,
            "url": item.url,
            "type": _cut(item.type, 100),
            "raw": item.raw,
        }


def import_records(
    *,
    review: Review,
    data: bytes,
    file_name: str,
    source_fields: SourceFields,
    by: AbstractBaseUser | None,
    fmt: str = "auto",
    force: bool = False,
    progress: Progress = _quiet,
    dedup: bool = True,
) -> ImportOutcome:
    """Parse a file and store it as one Source with its records, then dedup the review."""
    sha256 = file_sha256(data)
    if not force:
        check_not_imported(review=review, sha256=sha256, file_name=file_name)
    progress("Reading the file", 5)
    result = parse_upload(data=data, file_name=file_name, fmt=fmt)
    total = len(result.records)
    progress(f"Saving {total:,} records", 50)
    with transaction.atomic():
        source = Source.objects.create(
            review=review,
            file_name=file_name,
            file_format=result.format,
            file_encoding=result.encoding,
            sha256=sha256,
            record_count=total,
            imported_by=by,
            **source_fields.__dict__,
        )
        insert_records(_record_rows(review, source, result.records))
    outcome = ImportOutcome(source=source)
    if dedup:
        from .dedup import find_duplicates

        progress("Finding duplicates", 85)
        found = find_duplicates(review=review, new_source=source)
        outcome.duplicates_marked, outcome.duplicates_pending = found.marked, found.pending
    progress("Done", 100)
    return outcome
