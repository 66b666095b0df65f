"""Child rows as one JSON column of their parent's row: the hot path (a screening decision) reads a
record's decisions, or a review's reasons, in the statement that reads the parent instead of one
statement more. PostgreSQL and SQLite each have their own JSON aggregate; the rows come back as
model instances with only the named fields loaded (the others deferred).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

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
    meta = [model._meta.get_field(name) for name in fields]
    fields = _in_model_order(model, [field.attname for field in meta])
    db = connection.alias
    names = [field.attname for field in fields]
    return [model.from_db(db, names, [f.to_python(row[f.attname]) for f in fields]) for row in rows]


def instance_from_row(model: type[models.Model], names: Sequence[str], values: Sequence):
    """A model instance from a hand-written statement's columns (`names` are attnames), the
    values converted as the ORM converts them (SQLite's booleans and datetimes, JSON columns)."""
    by_name = dict(zip(names, values, strict=True))
    fields = _in_model_order(model, names)
    converted = []
    for field in fields:
        value = by_name[field.attname]
        for convert in _converters(field):
            value = convert(value, field.cached_col, connection)
        converted.append(value)
    return model.from_db(connection.alias, [f.attname for f in fields], converted)


def _in_model_order(model: type[models.Model], attnames: Sequence[str]) -> list[models.Field]:
    """Model.from_db takes a subset of fields in the model's own field order."""
    wanted = set(attnames)
    return [field for field in model._meta.concrete_fields if field.attname in wanted]


def _converters(field: models.Field) -> list:
    cache = _CONVERTERS.setdefault(connection.vendor, {})
    if field not in cache:
        cache[field] = connection.ops.get_db_converters(field.cached_col) + field.get_db_converters(
            connection
        )
    return cache[field]


_CONVERTERS: dict[str, dict] = {}
