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
from collections.abc import Sequence
from functools import cache, lru_cache

from django.db import DatabaseError, connection, models

MISSING_STATEMENT = "26000"  # invalid_sql_statement_name: dropped behind our back
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
            return _fetched(cursor)
        prepared = _PREPARED.setdefault(connection.connection, set())
        name = _statement_name(sql)
        execute = f"EXECUTE {name} ({', '.join(['%s'] * len(params))})"
        if name not in prepared:
            _prepare(cursor, name, sql)
            prepared.add(name)
        try:
            cursor.execute(execute, params)
        except DatabaseError as error:
            if getattr(error.__cause__, "pgcode", None) != MISSING_STATEMENT:
                raise  # the statement ran and failed (a unique row, say): it is still prepared
            prepared.discard(name)
            if connection.in_atomic_block:
                raise  # the transaction is aborted: the next call prepares afresh
            _prepare(cursor, name, sql)
            prepared.add(name)
            cursor.execute(execute, params)
        return _fetched(cursor)


@lru_cache(maxsize=256)  # a handful of statements, asked for on every request
def _statement_name(sql: str) -> str:
    return "hot_" + hashlib.sha1(sql.encode(), usedforsecurity=False).hexdigest()[:20]


def _fetched(cursor) -> list[tuple]:
    return cursor.fetchall() if cursor.description is not None else []  # none from an UPDATE


def _prepare(cursor, name: str, sql: str) -> None:
    """PREPARE the statement under `name`, replacing a server-side one of that name."""
    cursor.execute("SELECT 1 FROM pg_prepared_statements WHERE name = %s", [name])
    if cursor.fetchone():
        cursor.execute(f"DEALLOCATE {name}")
    numbers = itertools.count(1)
    cursor.execute(f"PREPARE {name} AS " + re.sub("%s", lambda _: f"${next(numbers)}", sql))


# -------------------------------------------------------------------------- writes, prepared
# The ORM compiles an INSERT or UPDATE anew on every save (about 0.3 ms each); the screening
# step makes three writes per decision. These write the same rows as save() (no model on the
# hot path has save signals or overrides save), from statements compiled once.


def insert(
    instance: models.Model, *, computed: Sequence[tuple] = (), skip_conflict: bool = False
) -> bool:
    """INSERT a new instance as Model.save() would (defaults and auto fields filled in by the
    fields' own pre_save), its primary key set from RETURNING.

    `computed`: (field name, SQL, params) for values the statement itself works out (read
    back onto the instance); `skip_conflict`: ON CONFLICT DO NOTHING, and False when a unique
    row stopped it (no savepoint needed to survive the conflict)."""
    model = type(instance)
    shapes = tuple((name, sql) for name, sql, _ in computed)
    fields, sql = _insert_plan(model, shapes, skip_conflict)
    params = {name: list(values) for name, _, values in computed}
    values = []
    for f in fields:
        values += params.get(f.name) or [f.get_db_prep_save(f.pre_save(instance, True), connection)]
    rows = prepared_rows(sql, values)
    if not rows:
        return False
    instance.pk, *read = rows[0]
    for (name, _), value in zip(shapes, read, strict=True):
        setattr(instance, model._meta.get_field(name).attname, value)
    instance._state.adding, instance._state.db = False, connection.alias
    return True


def update(instance: models.Model, names: Sequence[str]) -> None:
    """UPDATE the named fields of a saved instance, as save(update_fields=names) would."""
    fields, sql = _update_plan(type(instance), tuple(names))
    values = [f.get_db_prep_save(f.pre_save(instance, False), connection) for f in fields]
    prepared_rows(sql, [*values, instance.pk])


@cache
def _insert_plan(
    model: type[models.Model], computed: tuple[tuple[str, str], ...], skip_conflict: bool
) -> tuple[list[models.Field], str]:
    quote = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    expressions = dict(computed)
    columns = ", ".join(quote(f.column) for f in fields)
    slots = ", ".join(expressions.get(f.name, "%s") for f in fields)
    returning = [quote(model._meta.pk.column)]
    returning += [quote(model._meta.get_field(name).column) for name, _ in computed]
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({slots}) "  # noqa: S608
        + ("ON CONFLICT DO NOTHING " if skip_conflict else "")
        + f"RETURNING {', '.join(returning)}"
    )
    return fields, sql


@cache
def _update_plan(model: type[models.Model], names: tuple[str, ...]) -> tuple[list, str]:
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in names]
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {assignments} "  # noqa: S608
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )
    return fields, sql
