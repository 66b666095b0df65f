"""Fast, all-or-nothing insertion of many parsed records (100,000 in seconds, not minutes).

The ORM's bulk_create spends most of its time building model instances and compiling one huge
INSERT. A search export is one table's worth of plain values, so each parsed record goes straight
to the database's own format:

* PostgreSQL: ``COPY … FROM STDIN`` (text format). This thread turns records into COPY lines,
  BATCH at a time, while they are parsed; a second thread hands the chunks to psycopg2, which
  releases the GIL while it sends and while the server works. So the server stores chunk k on
  the second core while this core parses and formats chunk k+1, and the file never sits in
  memory as records. One COPY statement takes CHUNKS_PER_COPY chunks; the foreign keys are
  checked at the end of each (not all at the commit), while those rows are still in the
  server's cache.
* SQLite: executemany per batch of tuples.
* Anything else: bulk_create.

Column names and the values of the columns an import does not fill (defaults) come from the
model, so the schema keeps one source of truth. ``raw`` is stored compacted (the values its
columns already hold are referred to, see ``importers.compact``). Callers hold the transaction:
on any error (a bad record late in the file, the server refusing a row) this raises and the
caller's transaction must be rolled back; nothing is committed here.
"""

from __future__ import annotations

import json
import queue
import struct
import threading
from collections.abc import Iterable, Iterator
from itertools import islice
from json.encoder import c_make_encoder, encode_basestring
from typing import Any

from django.db import connection, models

from ..importers import ParsedRecord
from ..importers.compact import compact_raw
from ..models import Record

BATCH = 2000  # records per COPY chunk or executemany call
QUEUED = 2  # COPY chunks waiting for the sending thread: bounds memory, keeps both cores busy
CHUNKS_PER_COPY = 5  # chunks per COPY statement (foreign keys are checked at its end)
BINARY = True  # COPY's binary format when the columns' types allow (else the text format)

# The columns filled from each parsed record, in the order the formatters below produce them.
PARSED = (
    "source_position",
    "title",
    "abstract",
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
    "raw",
)


def _json_encoder():
    """json.dumps(value, ensure_ascii=False, separators=(",", ":")) without its per-call set-up
    (a third of its cost for a short list)."""
    if c_make_encoder is None:  # pragma: no cover - CPython always has the C encoder
        return json.JSONEncoder(
            ensure_ascii=False, check_circular=False, separators=(",", ":")
        ).encode
    encode = c_make_encoder(
        None, json.JSONEncoder().default, encode_basestring, None, ":", ",", False, False, True
    )

    def dumps(value: Any) -> str:
        return "".join(encode(value, 0))

    return dumps


def record_fields() -> list[models.Field]:
    return [f for f in Record._meta.concrete_fields if not f.primary_key]


def _plan(fixed: dict[str, Any]) -> tuple[list[models.Field], list[models.Field], list[Any]]:
    """(parsed fields in PARSED order, the other fields, the other fields' values)."""
    by_name = {f.attname: f for f in record_fields()}
    parsed = [by_name.pop(name) for name in PARSED]
    others = list(by_name.values())
    # get_default() as the ORM uses it: "" for a text column without a default, else None
    values = [fixed[f.attname] if f.attname in fixed else f.get_default() for f in others]
    return parsed, others, values


def _cut(value: str, limit: int) -> str:
    # The full value always survives in `raw`; the column keeps what fits.
    return value if len(value) <= limit else value[:limit]


def _year(year: int | None) -> int | None:
    return year if year and 0 < year < 32767 else None


def _columns(record: ParsedRecord, dumps) -> tuple:
    """The PARSED column values of one record but its position; ``dumps`` for JSON columns."""
    authors, keywords = record.authors, record.keywords
    raw = compact_raw(
        record.raw,
        record.abstract,
        record.title,
        record.journal,
        record.url,
        authors,
        keywords,
        in_place=True,
    )
    return (
        record.title,
        record.abstract,
        dumps(authors),
        _year(record.year),
        record.journal,
        _cut(record.volume, 100),
        _cut(record.issue, 100),
        _cut(record.pages, 100),
        _cut(record.doi, 300),
        _cut(record.pmid, 30),
        dumps(keywords),
        record.url,
        _cut(record.type, 100),
        dumps(raw),
    )


def insert_records(records: Iterable[ParsedRecord], *, fixed: dict[str, Any]) -> int:
    """Insert parsed records (source_position 1, 2, … in order); return how many.

    ``fixed`` gives the columns that are the same for every record (``review_id``,
    ``source_id``); the rest of the columns a parsed record does not fill take their defaults.
    """
    if connection.vendor == "postgresql":
        return _copy_postgres(iter(records), fixed)
    if connection.vendor == "sqlite":
        return _executemany_sqlite(iter(records), fixed)
    return _bulk_create(iter(records), fixed)


# --------------------------------------------------------------------------- PostgreSQL


def _escape(value: str) -> str:
    """A value as COPY's text format writes it (backslash, newline, CR and tab escaped)."""
    return (
        value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    )


def _copy_text(value: Any, field: models.Field) -> str:
    """A constant column value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(field, models.JSONField):
        return _escape(json.dumps(value, ensure_ascii=False))
    value = field.get_db_prep_save(value, connection)
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return _escape(str(value))


def _copy_chunks(records: Iterator[ParsedRecord], suffix: str) -> Iterator[bytes]:
    """COPY text lines for the records, BATCH lines (encoded) at a time (the first chunk less).

    Values are escaped only where they can need it: an abstract keeps its line breaks and JSON
    its backslashes, while titles and journals are whitespace-collapsed and the short columns
    rarely hold a special character, so those are checked together and escaped when they do.
    Lines are encoded one by one: nearly all are ASCII, which encodes as a plain copy, while a
    whole batch would be as slow to encode as its one line with a non-Latin-1 character.
    """
    dumps = _json_encoder()
    escape = _escape
    lines: list[bytes] = []
    append = lines.append
    end = max(1, BATCH // 8)  # a small first chunk: the server starts sooner
    # One record at a time, formatted right after it is parsed, while it is in the CPU's cache
    # (formatting a parsed batch of thousands is a third slower).
    for position, record in enumerate(records, start=1):
        title, abstract, journal = record.title, record.abstract, record.journal
        url, authors, keywords = record.url, record.authors, record.keywords
        raw = dumps(
            compact_raw(record.raw, abstract, title, journal, url, authors, keywords, in_place=True)
        )
        if "\\" in raw:
            raw = raw.replace("\\", "\\\\")
        authors = dumps(authors)
        if "\\" in authors:
            authors = authors.replace("\\", "\\\\")
        keywords = dumps(keywords)
        if "\\" in keywords:
            keywords = keywords.replace("\\", "\\\\")
        if "\\" in abstract or "\n" in abstract or "\r" in abstract or "\t" in abstract:
            abstract = escape(abstract)
        year = record.year
        if not (year and 0 < year < 32767):
            year = "\\N"
        # cut to the column (the full value stays in raw); a slice of what fits is free
        volume, issue, pages = record.volume[:100], record.issue[:100], record.pages[:100]
        doi, pmid, kind = record.doi[:300], record.pmid[:30], record.type[:100]
        plain = f"{title}{journal}{volume}{issue}{pages}{doi}{pmid}{url}{kind}"
        if "\\" in plain or "\n" in plain or "\r" in plain or "\t" in plain:
            title, journal, url = escape(title), escape(journal), escape(url)
            volume, issue, pages = escape(volume), escape(issue), escape(pages)
            doi, pmid, kind = escape(doi), escape(pmid), escape(kind)
        append(
            f"{position}\t{title}\t{abstract}\t{authors}\t{year}\t{journal}\t{volume}\t"
            f"{issue}\t{pages}\t{doi}\t{pmid}\t{keywords}\t{url}\t{kind}\t{raw}{suffix}\n".encode()
        )
        if position == end:
            yield b"".join(lines)
            lines.clear()
            end += BATCH
    if lines:
        yield b"".join(lines)


# ----------------------------------------------------------------- PostgreSQL, binary format
#
# COPY's binary format spares the server from scanning every byte for delimiters and escapes
# (about a tenth of its work on an import); this side builds each row as a str of Latin-1
# characters, one per byte (UTF-8 text converted only for the rare non-ASCII value), so that one
# f-string and one encode make the row.

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


def _binary_chunks(records: Iterator[ParsedRecord], suffix: str, count: int) -> Iterator[bytes]:
    """Binary COPY rows for the records (no file header), BATCH at a time (the first fewer).

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
    end = max(1, BATCH // 8)  # a small first chunk: the server starts sooner
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
            end += BATCH
    if lines:
        yield b"".join(lines)


class _LongLengths:
    """Length prefixes for any length (a row with a non-ASCII or a very long value)."""

    def __getitem__(self, n: int) -> str:
        return _LENGTHS[n] if n < 65536 else _latin1(n.to_bytes(4, "big"))


_LONG = _LongLengths()


class _Feed:
    """COPY chunks handed from the producing thread to the sending thread through a queue."""

    _END = b""
    _ABORT = object()

    def __init__(self) -> None:
        self.chunks: queue.Queue = queue.Queue(maxsize=QUEUED)
        self.error: BaseException | None = None
        self.ended = False

    def take(self) -> bytes:
        chunk = self.chunks.get()
        if chunk is self._ABORT:
            raise _CopyAborted
        if chunk == self._END:
            self.ended = True
        return chunk

    def abort(self) -> None:
        """Make the sending thread stop at its next chunk (a COPY under way then fails)."""
        while True:
            try:
                self.chunks.get_nowait()
            except queue.Empty:
                break
        self.chunks.put(self._ABORT)


class _Statement:
    """The file one COPY statement reads (psycopg2's copy_expert): the next CHUNKS_PER_COPY.

    In the binary format each statement's data has its own header and trailer.
    """

    def __init__(self, feed: _Feed, binary: bool) -> None:
        self.feed = feed
        self.left = CHUNKS_PER_COPY
        self.pending = _BINARY_HEADER if binary else b""
        self.trailer = _BINARY_TRAILER if binary else b""
        self.done = False

    def read(self, size: int = -1) -> bytes:
        if self.pending:
            pending, self.pending = self.pending, b""
            return pending
        if self.done:
            return b""
        if self.left:
            chunk = self.feed.take()
            if chunk:
                self.left -= 1
                return chunk
        self.done = True
        return self.trailer  # then b"": the end of this statement's data


class _CopyAborted(Exception):
    """Raised inside copy_expert so that psycopg2 ends the COPY with an error."""


def _send(cursor, sql: str, feed: _Feed, binary: bool) -> None:
    try:
        while not feed.ended:
            cursor.copy_expert(sql, _Statement(feed, binary))
    except BaseException as error:  # handed to the producing thread, which re-raises it
        feed.error = error


def _record_foreign_keys(cursor) -> list[str]:
    """The record table's foreign keys that wait for the commit (Django's are all so)."""
    cursor.execute(
        "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f' "
        "AND condeferrable AND condeferred ORDER BY conname",
        [Record._meta.db_table],
    )
    return [connection.ops.quote_name(name) for (name,) in cursor.fetchall()]


def _copy_postgres(records: Iterator[ParsedRecord], fixed: dict[str, Any]) -> int:
    parsed, others, values = _plan(fixed)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in parsed + others)
    sql = f"COPY {quote(Record._meta.db_table)} ({columns}) FROM STDIN"
    feed = _Feed()
    counter = _Counter(records)
    with connection.cursor() as cursor:
        suffix = _binary_suffix(cursor, parsed, others, values) if BINARY else None
        if suffix is not None:
            sql += " (FORMAT binary)"
            chunks = _binary_chunks(counter, suffix, len(parsed) + len(others))
        else:
            suffix = "".join("\t" + _copy_text(v, f) for f, v in zip(others, values, strict=True))
            chunks = _copy_chunks(counter, suffix)
        # Checked at the end of each COPY, while its rows are still in the server's cache, not
        # all at the commit (reading them back); the same checks, and a failing one still
        # fails the import. Back to deferred afterwards, as Django declares them.
        keys = ", ".join(_record_foreign_keys(cursor))
        if keys:
            cursor.execute(f"SET CONSTRAINTS {keys} IMMEDIATE")
        binary = sql.endswith("(FORMAT binary)")
        sender = threading.Thread(
            target=_send, args=(cursor.cursor, sql, feed, binary), name="copy-records", daemon=True
        )
        sender.start()
        try:
            for chunk in chunks:
                _hand_over(feed, chunk, sender)
            _hand_over(feed, _Feed._END, sender)
        except BaseException:
            if sender.is_alive():
                feed.abort()
            sender.join()
            raise
        sender.join()
        if feed.error is not None:
            raise feed.error
        if keys:
            cursor.execute(f"SET CONSTRAINTS {keys} DEFERRED")
    return counter.count


def _hand_over(feed: _Feed, chunk: bytes, sender: threading.Thread) -> None:
    """Queue a chunk for the sending thread; raise its error if it has stopped."""
    while True:
        try:
            feed.chunks.put(chunk, timeout=0.1)
            return
        except queue.Full:
            if not sender.is_alive():
                raise feed.error or RuntimeError("the COPY thread stopped") from None


class _Counter:
    """An iterator that counts what passes through it."""

    def __init__(self, items: Iterator) -> None:
        self.items = items
        self.count = 0

    def __iter__(self) -> _Counter:
        return self

    def __next__(self):
        item = next(self.items)
        self.count += 1
        return item


# --------------------------------------------------------------------------- SQLite and others


def _executemany_sqlite(records: Iterator[ParsedRecord], fixed: dict[str, Any]) -> int:
    parsed, others, values = _plan(fixed)
    values = [f.get_db_prep_save(v, connection) for f, v in zip(others, values, strict=True)]
    quote = connection.ops.quote_name
    fields = parsed + others
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join("?" for _ in fields)
    sql = f"INSERT INTO {quote(Record._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    constant = tuple(values)
    dumps = _json_encoder()
    count = 0
    with connection.cursor() as cursor:
        while True:
            batch = [
                (count + i, *_columns(record, dumps), *constant)
                for i, record in enumerate(islice(records, BATCH), start=1)
            ]
            if not batch:
                return count
            cursor.executemany(sql, batch)
            count += len(batch)


def _bulk_create(records: Iterator[ParsedRecord], fixed: dict[str, Any]) -> int:
    names = PARSED[1:]
    count = 0
    while batch := list(islice(records, BATCH)):
        rows = []
        for record in batch:
            count += 1
            values = dict(zip(names, _columns(record, _as_is), strict=True))
            rows.append(Record(source_position=count, **values, **fixed))
        Record.objects.bulk_create(rows)
    return count


def _as_is(value: Any) -> Any:
    return value
