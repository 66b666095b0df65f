"""Hot-path statements planned once per database connection (PostgreSQL PREPARE / EXECUTE).

The screening step runs a handful of fixed statements on every request (they vary with the stage
and calibration); planning them cost more than running them (the queue's union: about 1.3 ms
against 0.3 ms). SQLite runs them as they are.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import weakref

from django.db import DatabaseError, connection

# Raw DBAPI connection -> names of the statements prepared on it (a new connection starts empty).
_PREPARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def prepared_rows(sql: str, params: list) -> list[tuple]:
    """Run a hot-path statement (`%s` placeholders) and fetch its rows, prepared on PostgreSQL.

    Prepared statements outlive transactions, rolled back or not, and die with their connection;
    the first use on a connection costs two statements more. Something that drops them
    behind our back (DISCARD ALL from a transaction-mode pooler: not supported) costs one
    re-prepare outside a transaction, one failed request inside one."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(sql, params)
            return cursor.fetchall()
        prepared = _PREPARED.setdefault(connection.connection, set())
        name = "hot_" + hashlib.sha1(sql.encode(), usedforsecurity=False).hexdigest()[:20]
        execute = f"EXECUTE {name} ({', '.join(['%s'] * len(params))})"
        if name not in prepared:
            _prepare(cursor, name, sql)
            prepared.add(name)
        try:
            cursor.execute(execute, params)
        except DatabaseError:
            prepared.discard(name)
            if connection.in_atomic_block:
                raise  # the transaction is aborted: the next call prepares afresh
            _prepare(cursor, name, sql)
            prepared.add(name)
            cursor.execute(execute, params)
        return cursor.fetchall()


def _prepare(cursor, name: str, sql: str) -> None:
    """PREPARE the statement under `name`, replacing a server-side one of that name."""
    cursor.execute("SELECT 1 FROM pg_prepared_statements WHERE name = %s", [name])
    if cursor.fetchone():
        cursor.execute(f"DEALLOCATE {name}")
    numbers = itertools.count(1)
    cursor.execute(f"PREPARE {name} AS " + re.sub("%s", lambda _: f"${next(numbers)}", sql))
