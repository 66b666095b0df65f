"""Fast, all-or-nothing insertion of many records (100,000 in seconds, not minutes).

The ORM's bulk_create spends most of its time building model instances and compiling one huge
INSERT. A search export is one table's worth of plain values, so PostgreSQL gets COPY (fed by a
second thread that writes the next batch while the server stores this one) and SQLite gets
executemany; other databases fall back to bulk_create. Column names come from the model, so the
schema keeps one source of truth. Callers hold the transaction.
"""

from __future__ import annotations

import csv
import io
import json
import queue
import threading
from collections.abc import Iterable, Iterator
from itertools import islice

from django.db import connection, models

from ..models import Record

BATCH = 5000


def record_fields() -> list[models.Field]:
    return [f for f in Record._meta.concrete_fields if not f.primary_key]


def _as_tuples(rows: Iterable[dict], fields: list[models.Field]) -> Iterator[tuple]:
    """Rows are dicts keyed by attname; JSON fields are dumped, defaults filled in."""
    plan = []
    for f in fields:
        default = f.get_default() if f.has_default() else None
        plan.append((f.attname, isinstance(f, models.JSONField), default))
    dumps = json.dumps
    for row in rows:
        yield tuple(
            dumps(row.get(name, default), ensure_ascii=False) if is_json else row.get(name, default)
            for name, is_json, default in plan
        )


def _csv_batches(rows: Iterator[tuple], out: queue.Queue) -> None:
    try:
        while batch := list(islice(rows, BATCH)):
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerows(batch)
            buffer.seek(0)
            out.put(buffer)
        out.put(None)
    except BaseException as error:  # handed to the COPY thread, which re-raises it
        out.put(error)


def _copy_postgres(rows: Iterator[tuple], fields: list[models.Field]) -> None:
    quote = connection.ops.quote_name
    table = quote(Record._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    # In CSV COPY an unquoted empty value is NULL; non-null columns must read it as "" instead.
    not_null = ", ".join(quote(f.column) for f in fields if not f.null)
    sql = f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL ({not_null}))"
    batches: queue.Queue = queue.Queue(maxsize=2)
    writer = threading.Thread(target=_csv_batches, args=(rows, batches), daemon=True)
    writer.start()
    with connection.cursor() as cursor:
        while (item := batches.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            cursor.cursor.copy_expert(sql, item)
    writer.join()


def _executemany_sqlite(rows: Iterator[tuple], fields: list[models.Field]) -> None:
    quote = connection.ops.quote_name
    table = quote(Record._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join("?" for _ in fields)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608  (names from the model)
    with connection.cursor() as cursor:
        while batch := list(islice(rows, BATCH)):
            cursor.executemany(sql, batch)


def insert_records(rows: Iterable[dict]) -> None:
    """Insert records given as {attname: value} dicts, as fast as the database allows."""
    fields = record_fields()
    if connection.vendor == "postgresql":
        _copy_postgres(_as_tuples(rows, fields), fields)
    elif connection.vendor == "sqlite":
        _executemany_sqlite(_as_tuples(rows, fields), fields)
    else:
        iterator = iter(rows)
        while batch := list(islice(iterator, BATCH)):
            Record.objects.bulk_create([Record(**row) for row in batch])
