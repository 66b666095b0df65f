"""What each parsed record puts in each column of the record table, whatever the database.

The column plan (which columns a parsed record fills, in what order, and the model defaults of
the rest) and the per-record values, shared by every insertion path in this package, so the
text COPY, the binary COPY and the SQLite and ORM paths store the same values.
"""

from __future__ import annotations

import json
from json.encoder import c_make_encoder, encode_basestring
from typing import Any

from django.db import models

from ...importers import ParsedRecord
from ...importers.compact import compact_raw
from ...models import Record

# The columns filled from each parsed record, in the order the formatters (_columns below,
# copy_text and copy_binary) produce them.
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
