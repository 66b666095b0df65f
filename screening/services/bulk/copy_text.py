"""PostgreSQL ``COPY`` in its text format: records as tab-separated, escaped lines.

The fallback when ``BINARY`` is off or a column's type rules out the binary format
(``copy_binary``), and how the columns an import does not fill are written in that case. The
chunk size comes from the caller (the package's ``BATCH``, read at call time).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.db import connection, models

from ...importers import ParsedRecord
from ...importers.compact import compact_raw
from .columns import _json_encoder


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


def _copy_chunks(records: Iterator[ParsedRecord], suffix: str, batch: int) -> Iterator[bytes]:
    """COPY text lines for the records, ``batch`` lines (encoded) at a time (the first chunk less).

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
    end = max(1, batch // 8)  # a small first chunk: the server starts sooner
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
            end += batch
    if lines:
        yield b"".join(lines)
