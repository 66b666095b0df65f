"""PostgreSQL ``COPY`` in its binary format, the default when the columns' types allow it.

COPY's binary format spares the server from scanning every byte for delimiters and escapes
(about a tenth of its work on an import); this side builds each row as a str of Latin-1
characters, one per byte (UTF-8 text converted only for the rare non-ASCII value), so that one
f-string and one encode make the row.

``_binary_suffix`` decides whether the table's types allow it (None: use ``copy_text``); the
chunk size comes from the caller (the package's ``BATCH``, read at call time).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any

from django.db import connection, models

from ...importers import ParsedRecord
from ...importers.compact import compact_raw
from ...models import Record
from .columns import _json_encoder

_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_BINARY_TRAILER = struct.pack(">h", -1)
_BINARY_NULL = "\xff\xff\xff\xff"
_TEXT_TYPES = frozenset(("text", "character varying"))
# The type each parsed column must have for the binary rows below; else the text format.
_BINARY_TYPES = {
    "source_position": frozenset(("integer",)),
    "year": frozenset(("smallint",)),
    "authors": frozenset(("jsonb",)),
    "keywords": frozenset(("jsonb",)),
    "raw": frozenset(("jsonb",)),
}


def _length_prefixes() -> list[str]:
    return ["\x00\x00" + chr(n >> 8) + chr(n & 255) for n in range(65536)]


_LENGTHS: list[str] = []  # filled on first use: 4-byte big-endian lengths below 65,536


def _latin1(data: bytes) -> str:
    return data.decode("latin-1")


def _column_types(cursor) -> dict[str, tuple[str, str]]:
    """{column: (type name, its binary send function)} for the record table."""
    cursor.execute(
        "SELECT a.attname, format_type(a.atttypid, NULL), t.typsend::text "
        "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
        "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped",
        [Record._meta.db_table],
    )
    return {name: (kind, send) for name, kind, send in cursor.fetchall()}


def _binary_suffix(
    cursor, parsed: list[models.Field], others: list[models.Field], values: list[Any]
) -> str | None:
    """The other columns' values as binary COPY fields, or None: use the text format.

    The server's own send functions encode them, whatever their types. None when a parsed
    column has a type the binary rows are not built for (or a type without a binary form).
    """
    types = _column_types(cursor)
    for field in parsed:
        if types[field.column][0] not in _BINARY_TYPES.get(field.attname, _TEXT_TYPES):
            return None
    slots: list[int | None] = []
    casts, params = [], []
    for field, value in zip(others, values, strict=True):
        value = field.get_db_prep_save(value, connection)
        if value is None:
            slots.append(None)
            continue
        kind, send = types[field.column]
        if send in ("-", "0", ""):
            return None
        slots.append(len(casts))
        casts.append(f"{send}(%s::{kind})")
        params.append(value)
    encoded: list[bytes] = []
    if casts:
        cursor.execute(f"SELECT {', '.join(casts)}", params)
        encoded = [bytes(value) for value in cursor.fetchone()]
    return "".join(
        _BINARY_NULL
        if slot is None
        else _latin1(struct.pack(">i", len(encoded[slot])) + encoded[slot])
        for slot in slots
    )


def _binary_chunks(
    records: Iterator[ParsedRecord], suffix: str, count: int, batch: int
) -> Iterator[bytes]:
    """Binary COPY rows for the records (no file header), ``batch`` at a time (the first fewer).

    ``suffix`` holds the other columns, already binary; ``count`` is the number of columns.
    """
    if not _LENGTHS:
        _LENGTHS.extend(_length_prefixes())
    short = _LENGTHS
    dumps = _json_encoder()
    start = _latin1(struct.pack(">hi", count, 4))
    null = _BINARY_NULL
    lines: list[bytes] = []
    append = lines.append
    end = max(1, batch // 8)  # a small first chunk: the server starts sooner
    for position, record in enumerate(records, start=1):
        title, abstract, journal = record.title, record.abstract, record.journal
        url, authors, keywords = record.url, record.authors, record.keywords
        raw = "\x01" + dumps(  # jsonb's binary form: version 1, then the JSON text
            compact_raw(record.raw, abstract, title, journal, url, authors, keywords, in_place=True)
        )
        authors = "\x01" + dumps(authors)
        keywords = "\x01" + dumps(keywords)
        year = record.year
        year = (
            "\x00\x00\x00\x02" + chr(year >> 8) + chr(year & 255)
            if year and 0 < year < 32767
            else null
        )
        # cut to the column (the full value stays in raw); a slice of what fits is free
        volume, issue, pages = record.volume[:100], record.issue[:100], record.pages[:100]
        doi, pmid, kind = record.doi[:300], record.pmid[:30], record.type[:100]
        # Each character must be one byte: UTF-8 text is turned into its bytes as characters,
        # which nearly every value (ASCII) already is. Lengths below 65,536 come from a table.
        sizes = short
        if not abstract.isascii():
            abstract = abstract.encode().decode("latin-1")
        if len(abstract) > 65535:
            sizes = _LONG
        rest = (
            f"{title}{journal}{authors}{raw}{keywords}{volume}{issue}{pages}{doi}{pmid}{url}{kind}"
        )
        if not rest.isascii():
            title, journal = title.encode().decode("latin-1"), journal.encode().decode("latin-1")
            authors, raw = authors.encode().decode("latin-1"), raw.encode().decode("latin-1")
            keywords, url = keywords.encode().decode("latin-1"), url.encode().decode("latin-1")
            volume, issue = volume.encode().decode("latin-1"), issue.encode().decode("latin-1")
            pages, doi = pages.encode().decode("latin-1"), doi.encode().decode("latin-1")
            pmid, kind = pmid.encode().decode("latin-1"), kind.encode().decode("latin-1")
            sizes = _LONG
        elif len(rest) > 65535:
            sizes = _LONG
        number = short[position] if position < 65536 else _latin1(position.to_bytes(4, "big"))
        append(
            f"{start}{number}{sizes[len(title)]}{title}{sizes[len(abstract)]}{abstract}"
            f"{sizes[len(authors)]}{authors}{year}{sizes[len(journal)]}{journal}"
            f"{sizes[len(volume)]}{volume}{sizes[len(issue)]}{issue}{sizes[len(pages)]}{pages}"
            f"{sizes[len(doi)]}{doi}{sizes[len(pmid)]}{pmid}"
            f"{sizes[len(keywords)]}{keywords}{sizes[len(url)]}{url}"
            f"{sizes[len(kind)]}{kind}{sizes[len(raw)]}{raw}{suffix}".encode("latin-1")
        )
        if position == end:
            yield b"".join(lines)
            lines.clear()
            end += batch
    if lines:
        yield b"".join(lines)


class _LongLengths:
    """Length prefixes for any length (a row with a non-ASCII or a very long value)."""

    def __getitem__(self, n: int) -> str:
        return _LENGTHS[n] if n < 65536 else _latin1(n.to_bytes(4, "big"))


_LONG = _LongLengths()
