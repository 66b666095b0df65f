"""Child rows as one JSON column of their parent's row: the hot path (a screening decision) reads a
record's decisions, or a review's reasons, in the statement that reads the parent instead of one
statement more. PostgreSQL and SQLite each have their own JSON aggregate; the rows come back as
model instances with only the named fields loaded (the others deferred).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache

from django.db import connection, models


def json_rows(model: type[models.Model], fields: Sequence[str], where: str, alias: str) -> str:
    """SQL of a scalar subquery: the `model` rows matching `where` (SQL in terms of `alias`) as a
    JSON array of objects keyed by attname. Only this code's field and table names are spliced."""
    quote = connection.ops.quote_name
    pairs = []
    for name in fields:
        field = model._meta.get_field(name)
        column = f"{alias}.{quote(field.column)}"
        if connection.vendor != "postgresql" and isinstance(field, models.JSONField):
            column = f"json({column})"  # SQLite keeps JSON as text: embed it, not quote it
        pairs.append(f"'{field.attname}', {column}")
    table = quote(model._meta.db_table)
    if connection.vendor == "postgresql":
        rows = f"COALESCE(json_agg(json_build_object({', '.join(pairs)})), '[]'::json)"
    else:
        rows = f"json_group_array(json_object({', '.join(pairs)}))"
    return f"(SELECT {rows} FROM {table} {alias} WHERE {where})"  # noqa: S608


def rows_from_json(
    model: type[models.Model], value: str | list | None, fields: Sequence[str]
) -> list[models.Model]:
    """The instances a json_rows column holds (PostgreSQL hands over parsed JSON, SQLite text)."""
    rows = json.loads(value) if isinstance(value, str) else (value or [])
    wanted = {model._meta.get_field(name).attname for name in fields}
    fields = [field for field in model._meta.concrete_fields if field.attname in wanted]
    db = connection.alias
    names = [field.attname for field in fields]
    return [model.from_db(db, names, [f.to_python(row[f.attname]) for f in fields]) for row in rows]


def instance_from_row(model: type[models.Model], names: Sequence[str], values: Sequence):
    """A model instance from a hand-written statement's columns (`names` are attnames), the
    values converted as the ORM converts them (SQLite's booleans and datetimes, JSON columns)."""
    order, attnames, converters = _row_plan(model, tuple(names), connection.vendor)
    converted = [values[i] for i in order]
    for position, field, convert in converters:
        converted[position] = convert(converted[position], field.cached_col, connection)
    return model.from_db(connection.alias, attnames, converted)


@cache
def _row_plan(model: type[models.Model], names: tuple[str, ...], vendor: str) -> tuple:
    """How a row of `names` becomes from_db's arguments: the columns in the model's field order
    (what from_db takes), and each column's converters (cached: the hot path builds a few
    instances per request)."""
    index = {name: i for i, name in enumerate(names)}
    fields = [f for f in model._meta.concrete_fields if f.attname in index]
    converters = [
        (position, field, convert)
        for position, field in enumerate(fields)
        for convert in connection.ops.get_db_converters(field.cached_col)
        + field.get_db_converters(connection)
    ]
    return [index[f.attname] for f in fields], [f.attname for f in fields], converters
