"""A parsed record's ``raw`` stored without the values its columns already hold, and rebuilt.

``raw`` keeps everything the export said, so a record's abstract, title and author list were
stored twice: once in their columns and once in ``raw`` (about half of what an import sends to
the database). :func:`compact_raw` replaces each ``raw`` value that is *exactly* a column's value
by a placeholder and lists those keys under ``"~"``; :func:`expand_raw` puts the column values
back, so ``expand_raw(compact_raw(r), r) == r.raw`` with the keys in their original order::

    {"TY": ["JOUR"], "TI": 0, "AB": 0, "XY": ["custom"], "~": {"TI": "[title]", "AB": "[abstract]"}}

A reference is ``"[name]"`` for a one-value list holding the column's text (the tagged formats:
RIS, MEDLINE, Web of Science) and ``"name"`` for the column's value itself (a BibTeX or CSV
string, an author or keyword list). Only non-empty columns are referred to.

Nothing here may change a referred column afterwards without first storing the full ``raw``:
today nothing does (dedup fills only *empty* columns, and empty columns are never referred to).

The marker cannot be mistaken for data: tag names (RIS, MEDLINE, WoS) are letters and digits, XML
element names cannot start with ``~`` (attributes are ``@name``, text ``#text``), and a BibTeX
field or CSV column called ``~`` holds a string (or list), never a dict. A ``raw`` that already
has a ``"~"`` key is stored as it is. Rows stored before compaction have no marker and are
returned unchanged.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MARKER", "REFERABLE", "compact_raw", "expand_raw"]

MARKER = "~"
# Columns a raw value may refer to: the long ones, which dedup never overwrites once set.
TEXT_COLUMNS = ("abstract", "title", "journal", "url")
LIST_COLUMNS = ("authors", "keywords")
REFERABLE = frozenset(TEXT_COLUMNS + LIST_COLUMNS)


def compact_raw(
    raw: dict[str, Any],
    abstract: str,
    title: str,
    journal: str,
    url: str,
    authors: list[str],
    keywords: list[str],
    *,
    in_place: bool = False,
) -> dict[str, Any]:
    """``raw`` with every value that equals a (non-empty) column replaced by a reference.

    Returns ``raw`` itself when nothing is replaced, else a copy, or ``raw`` changed in place
    when ``in_place`` (for a caller that is done with the record, saving the copy).
    """
    if type(raw) is not dict or MARKER in raw:
        return raw
    refs: dict[str, str] | None = None
    for key, value in raw.items():
        kind = type(value)
        if kind is list:
            if not value:
                continue
            if authors and value == authors:
                ref = "authors"
            elif keywords and value == keywords:
                ref = "keywords"
            elif len(value) != 1:
                continue
            else:
                one = value[0]
                if type(one) is not str or not one:
                    continue
                if one == abstract:
                    ref = "[abstract]"
                elif one == title:
                    ref = "[title]"
                elif one == journal:
                    ref = "[journal]"
                elif one == url:
                    ref = "[url]"
                else:
                    continue
        elif kind is str and value:
            if value == abstract:
                ref = "abstract"
            elif value == title:
                ref = "title"
            elif value == journal:
                ref = "journal"
            elif value == url:
                ref = "url"
            else:
                continue
        else:
            continue
        if refs is None:
            refs = {}
        refs[key] = ref
    if refs is None:
        return raw
    out = raw if in_place else dict(raw)
    for key in refs:
        out[key] = 0
    out[MARKER] = refs
    return out


def expand_raw(stored: Any, record: Any) -> Any:
    """The full ``raw`` from its stored form, taking referred values from ``record``'s columns.

    ``record`` is anything with the column attributes (a Record, a ParsedRecord).
    """
    if type(stored) is not dict:
        return stored
    refs = stored.get(MARKER)
    if type(refs) is not dict:
        return stored
    out: dict[str, Any] = {}
    for key, value in stored.items():
        if key == MARKER:
            continue
        ref = refs.get(key)
        if ref is None:
            out[key] = value
        elif ref[:1] == "[" and ref[-1:] == "]" and ref[1:-1] in TEXT_COLUMNS:
            out[key] = [getattr(record, ref[1:-1])]
        elif ref in REFERABLE:
            column = getattr(record, ref)
            out[key] = list(column) if isinstance(column, list) else column
        else:
            raise ValueError(f"raw value {key!r} refers to an unknown column {ref!r}")
    return out
