"""Fast, all-or-nothing insertion of many parsed records (100,000 in seconds, not minutes).

The ORM's bulk_create spends most of its time building model instances and compiling one huge
INSERT. A search export is one table's worth of plain values, so each parsed record goes straight
to the database's own format:

* PostgreSQL: ``COPY … FROM STDIN`` (binary format where the columns' types allow, else text).
  This thread turns records into COPY lines, BATCH at a time, while they are parsed; a second
  thread hands the chunks to psycopg2, which releases the GIL while it sends and while the
  server works. So the server stores chunk k on
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

The package, one concern a module; this one holds the tuning knobs below and the three insertion
paths, and passes the knobs to the helpers when it calls them (so a test that shrinks ``BATCH``
here reaches every path):

- ``columns``: which columns a parsed record fills and their values, the model's defaults;
- ``copy_text`` / ``copy_binary``: records as PostgreSQL COPY data, in either format;
- ``copy_feed``: the queue and file-like reader between the formatting and sending threads.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from django.db import connection

from ...importers import ParsedRecord
from ...models import Record
from .columns import PARSED, _columns, _json_encoder, _plan
from .columns import record_fields as record_fields  # public before the split: kept here
from .copy_binary import _BINARY_TYPES as _BINARY_TYPES  # tests tune it here (same dict)
from .copy_binary import _binary_chunks, _binary_suffix
from .copy_feed import _Counter, _Feed, _hand_over, _send
from .copy_text import _copy_chunks, _copy_text

BATCH = 2000  # records per COPY chunk or executemany call
QUEUED = 2  # COPY chunks waiting for the sending thread: bounds memory, keeps both cores busy
CHUNKS_PER_COPY = 5  # chunks per COPY statement (foreign keys are checked at its end)
BINARY = True  # COPY's binary format when the columns' types allow (else the text format)


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
    feed = _Feed(QUEUED)
    counter = _Counter(records)
    with connection.cursor() as cursor:
        suffix = _binary_suffix(cursor, parsed, others, values) if BINARY else None
        if suffix is not None:
            sql += " (FORMAT binary)"
            chunks = _binary_chunks(counter, suffix, len(parsed) + len(others), BATCH)
        else:
            suffix = "".join("\t" + _copy_text(v, f) for f, v in zip(others, values, strict=True))
            chunks = _copy_chunks(counter, suffix, BATCH)
        # Checked at the end of each COPY, while its rows are still in the server's cache, not
        # all at the commit (reading them back); the same checks, and a failing one still
        # fails the import. Back to deferred afterwards, as Django declares them.
        keys = ", ".join(_record_foreign_keys(cursor))
        if keys:
            cursor.execute(f"SET CONSTRAINTS {keys} IMMEDIATE")
        binary = sql.endswith("(FORMAT binary)")
        sender = threading.Thread(
            target=_send,
            args=(cursor.cursor, sql, feed, binary, CHUNKS_PER_COPY),
            name="copy-records",
            daemon=True,
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
