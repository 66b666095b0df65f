"""Import one search-export file into a review: whole or not at all, then dedup.

The records are stored while the file is still being parsed (RIS is streamed; see
``importers.stream_bytes`` and ``bulk``), inside one transaction: a bad record anywhere, even
the last, raises ImportRejected and rolls back everything, the Source included.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Max

from reviewapp.models import Review

from ..importers import (
    EncodingChanged,
    ImportFormatError,
    ParseStream,
    parse_bytes,
    stream_bytes,
)
from ..models import Record, Source, StageStatus
from .bulk import insert_records
from .field_cap import FieldCap
from .prioritise import rank_new_records

Progress = Callable[[str, int], None]
Stored = Callable[[Source], None]


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
    other_kind: str = ""  # method `other` only: citations, website, organisation, other

    def as_json(self) -> dict:
        data = dict(self.__dict__)
        data["searched_on"] = self.searched_on.isoformat() if self.searched_on else None
        return data

    def problems(self) -> list[str]:
        """What the Source model would refuse (the upload form checks the same on the web)."""
        found = []
        for name in ("name", "platform"):
            limit = Source._meta.get_field(name).max_length
            if len(getattr(self, name)) > limit:
                found.append(f"the {name} is longer than {limit} characters")
        if not self.name.strip():
            found.append("the source needs a name (e.g. PsycINFO)")
        if self.method not in Source.Method.values:
            found.append(f"the method is one of {', '.join(Source.Method.values)}")
        if self.other_kind and self.other_kind not in Source.OtherKind.values:
            found.append(f"the other method is one of {', '.join(Source.OtherKind.values)}")
        elif self.other_kind and self.method != Source.Method.OTHER:
            found.append("only a source of method 'other' says which other method it is")
        return found

    @classmethod
    def from_json(cls, data: dict) -> SourceFields:
        searched_on = data.get("searched_on")
        return cls(
            **{**data, "searched_on": date.fromisoformat(searched_on) if searched_on else None}
        )


@dataclass
class ImportOutcome:
    source: Source
    duplicates_marked: int = 0  # pairs
    duplicates_hidden: int = 0  # records hidden as duplicates (what a person counts)
    duplicates_pending: int = 0
    notes: list[str] = field(default_factory=list)  # the parser's: skipped entries, header row


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


def size_problem(size: int, file_name: str) -> str | None:
    """Why a file of `size` bytes is too big to import, or None. Callers that can see the size
    before reading the file (the command line, the upload form) ask first."""
    if size <= settings.IMPORT_MAX_BYTES:
        return None
    mib = 1024 * 1024
    return (
        f"{file_name}: the file is {size / mib:.0f} MB; the limit is "
        f"{settings.IMPORT_MAX_BYTES / mib:.0f} MB (IMPORT_MAX_BYTES). Split the export."
    )


def _check_size(data: bytes, file_name: str) -> None:
    problem = size_problem(len(data), file_name)
    if problem:
        raise ImportRejected(problem)


def _rejected(file_name: str, error: BaseException) -> ImportRejected:
    if isinstance(error, ImportFormatError):
        return ImportRejected(f"{file_name}: {error}")
    # RecursionError, MemoryError: pathological input must not kill a worker
    return ImportRejected(f"{file_name}: the file is too deeply nested or too large")


def parse_upload(*, data: bytes, file_name: str, fmt: str = "auto"):
    """Parse bytes or raise ImportRejected naming the file, the record/line and the problem."""
    _check_size(data, file_name)
    try:
        return parse_bytes(data, filename=file_name, fmt=fmt)
    except (ImportFormatError, RecursionError, MemoryError) as error:
        raise _rejected(file_name, error) from error


def _open_upload(*, data: bytes, file_name: str, fmt: str, lazy: bool = True) -> ParseStream:
    """Check, decode and detect the file; RIS is then parsed while its records are stored."""
    _check_size(data, file_name)
    try:
        return stream_bytes(data, filename=file_name, fmt=fmt, lazy=lazy)
    except (ImportFormatError, RecursionError, MemoryError) as error:
        raise _rejected(file_name, error) from error


def _store(
    stream: ParseStream,
    source: Source,
    on_stored: Stored | None = None,
    cap: FieldCap | None = None,
) -> Source:
    """Create the Source and its records from the stream, in one transaction (`on_stored` runs
    inside it: an import job notes its source in the same commit; `cap` cuts overlong fields)."""
    with transaction.atomic():
        source.file_encoding = stream.encoding
        source.save(force_insert=True)
        records = stream.records if cap is None else cap.records(stream.records)
        source.record_count = insert_records(
            records, fixed={"review_id": source.review_id, "source_id": source.pk}
        )
        source.file_encoding = stream.encoding  # final once the records are read
        if source.method == Source.Method.OTHER:
            skip_title_abstract(source)
        Source.objects.filter(pk=source.pk).update(
            record_count=source.record_count, file_encoding=source.file_encoding
        )
        _number_records(source)
        if on_stored is not None:
            on_stored(source)
    return source


def _number_records(source: Source) -> None:
    """Give the source's records the review's next numbers, in file order. The review row's lock
    (taken last, so imports running side by side wait only for each other's end) makes
    concurrent imports take consecutive ranges; records are never deleted, so max + 1 never
    reuses a number. NO KEY UPDATE: the records' foreign-key checks already hold KEY SHARE on
    that row, which a plain FOR UPDATE would wait on, deadlocking two imports."""
    Review.objects.select_for_update(no_key=True).filter(pk=source.review_id).first()
    last = Record.objects.filter(review_id=source.review_id).aggregate(last=Max("number"))["last"]
    Record.objects.filter(source=source).update(number=F("source_position") + (last or 0))


def skip_title_abstract(source: Source) -> None:
    """Records found by other methods enter PRISMA 2020 at "reports sought": they are included at
    title/abstract as they arrive, and go through full text like the rest."""
    source.records.update(ta_status=StageStatus.INCLUDE)


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
    on_stored: Stored | None = None,
) -> ImportOutcome:
    """Parse a file and store it as one Source with its records, then dedup the review."""
    sha256 = file_sha256(data)
    if not force:
        check_not_imported(review=review, sha256=sha256, file_name=file_name)
    progress("Reading the file", 5)
    stream = _open_upload(data=data, file_name=file_name, fmt=fmt)
    progress("Reading and saving the records", 20)
    fields = {
        "review": review,
        "file_name": file_name,
        "file_format": stream.format,
        "sha256": sha256,
        "record_count": 0,
        "imported_by": by,
        **source_fields.__dict__,
    }
    if fields["method"] == Source.Method.OTHER and not fields["other_kind"]:
        fields["other_kind"] = Source.OtherKind.OTHER
    # Parsing builds millions of small objects and no cycles: the collector's passes over them
    # would cost about a third of the time (see importers.parse_bytes).
    collecting = gc.isenabled()
    gc.disable()
    # No field can be longer than the file: a small file skips the check.
    cap = (
        FieldCap(settings.IMPORT_MAX_FIELD_CHARS)
        if len(data) > settings.IMPORT_MAX_FIELD_CHARS
        else None
    )
    try:
        try:
            source = _store(stream, Source(**fields), on_stored, cap)
        except EncodingChanged:  # rare: not UTF-8 after all; start again, decoded whole
            stream = _open_upload(data=data, file_name=file_name, fmt=fmt, lazy=False)
            cap = cap and FieldCap(cap.limit)
            source = _store(stream, Source(**fields), on_stored, cap)
    except (ImportFormatError, RecursionError, MemoryError) as error:
        # a bad record, however late in the file: the transaction kept nothing of it
        raise _rejected(file_name, error) from error
    finally:
        if collecting:
            gc.enable()
    outcome = after_storing(review=review, source=source, progress=progress, dedup=dedup)
    outcome.notes = list(stream.notes) + (cap.summary() if cap else [])
    return outcome


def after_storing(
    *, review: Review, source: Source, progress: Progress = _quiet, dedup: bool = True
) -> ImportOutcome:
    """What follows a stored source: dedup against the review, ranking. Safe to run again (an
    import job resumed after its worker died between the two)."""
    outcome = ImportOutcome(source=source)
    if dedup:
        from .dedup import find_duplicates

        progress("Finding duplicates", 85)
        found = find_duplicates(review=review, new_source=source)
        outcome.duplicates_marked, outcome.duplicates_pending = found.marked, found.pending
        outcome.duplicates_hidden = found.hidden
    rank_new_records(review)
    progress("Done", 100)
    return outcome
