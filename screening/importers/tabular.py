"""Spreadsheet-like exports: CSV and TSV with a header row (XLSX reads through .xlsx).

Headers are matched case-insensitively (spaces, ``_`` and ``-`` alike) against the column names
of Scopus CSV, Web of Science tab-delimited (two-letter codes, recognised only when the header is
mostly such codes), ASReview / rispy-style files, Zotero, EndNote and Covidence CSV. A file with
no title or abstract column is refused with the list of columns found. ``raw`` maps each header
(as written) to the cell text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
import sys
from collections.abc import Iterator

from .columns import HEADER_SEARCH_LINES, Rows, by_count, find_header, header_delimiter
from .common import (
    ImportFormatError,
    ParsedRecord,
    check_readable,
    clean_abstract,
    clean_text,
    extract_year,
    join_pages,
    normalise_doi,
    split_keywords,
)
from .fields import list_cell
from .wos import wos_author

__all__ = [
    "parse_csv",
    "sniff_delimiter",
]

_ID_SUFFIX_RE = re.compile(r"\s*\(\d+\)\s*$")  # Scopus: "Li, Wei (57203…)"
_INITIALS_RE = re.compile(r"^(?:[A-Z]\.?[- ]?){1,4}$")


def _split_authors(value: str, full_names: bool) -> list[str]:
    value = value.strip()
    if not value:
        return []
    items = list_cell(value) if value[0] == "[" else None
    if items is not None:
        parts = items  # ['Marx, Karl', 'Lindgren, Astrid']: one author per item
    elif ";" in value:
        parts = value.split(";")
    elif "\n" in value:
        parts = value.split("\n")
    elif " and " in value:
        parts = value.split(" and ")
    elif "," in value:
        pieces = [p.strip() for p in value.split(",")]
        if all(" " in p for p in pieces if p):
            parts = pieces  # "J. W. Smith, C. Muller" / Scopus "Li W., Dou Z."
        elif len(pieces) % 2 == 0 and all(
            _INITIALS_RE.match(p) or " " not in p for p in pieces[1::2]
        ):
            parts = [f"{pieces[i]}, {pieces[i + 1]}" for i in range(0, len(pieces), 2)]
        else:
            parts = [value]
    else:
        parts = [value]
    out = []
    for part in parts:
        part = part.strip()
        if full_names:
            part = _ID_SUFFIX_RE.sub("", part)
        part = wos_author(part)
        if part:
            out.append(part)
    return out


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def rows_to_records(rows: Rows, what: str, notes: list[str] | None = None) -> list[ParsedRecord]:
    """``rows`` yields (line or row number, cells); the header is the first non-empty row, or
    the first of the first rows naming a title or abstract column (see columns.find_header)."""
    header, mapping, read_past = find_header(rows, what, notes)
    rows = itertools.chain(read_past, rows)
    width = len(header)
    keys: list[str] = []  # raw keys: the headers, made unique (a repeated column is kept too)
    for index, name in enumerate(header):
        key = name or f"column {index + 1}"
        if key in keys:
            key = f"{key} ({index + 1})"
        keys.append(key)

    def one(cells: list[str], fld: str) -> str:
        indexes = mapping.get(fld)
        if not indexes:
            return ""
        index = indexes[0]
        return cells[index].strip() if index < len(cells) else ""

    records: list[ParsedRecord] = []
    for line, cells in _numbered_errors(rows, records):
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            raise ImportFormatError(
                f"row has {len(cells)} fields but the header has {width}",
                len(records) + 1,
                line,
            )
        if not any(c.strip() for c in cells):
            continue
        raw = {
            key: cell
            for key, cell, name in zip(keys, cells, header, strict=False)
            if name or cell  # no clutter from the blank last column of a trailing delimiter
        }
        full = one(cells, "authors_full")
        authors = (
            _split_authors(full, True) if full else _split_authors(one(cells, "authors"), False)
        )
        keywords: list[str] = []
        for index in mapping.get("keywords", ()):
            if index < len(cells):
                items = list_cell(cells[index]) if "[" in cells[index] else None
                keywords += split_keywords(cells[index]) if items is None else items
        pmid = one(cells, "pmid")
        if pmid.endswith(".0") and pmid[:-2].isascii() and pmid[:-2].isdigit():
            pmid = pmid[:-2]
        record = ParsedRecord(
            title=clean_text(one(cells, "title")),
            abstract=clean_abstract(one(cells, "abstract")),
            authors=authors,
            year=extract_year(one(cells, "year")),
            journal=clean_text(one(cells, "journal")),
            volume=one(cells, "volume"),
            issue=one(cells, "issue"),
            pages=join_pages(one(cells, "page_start"), one(cells, "page_end"))
            or one(cells, "pages"),
            doi=normalise_doi(one(cells, "doi")),
            pmid=pmid,
            keywords=keywords,
            url=_first_url(one(cells, "url")),
            type=one(cells, "type"),
            raw=raw,
        )
        records.append(check_readable(record, len(records) + 1, line))
    return records


def _first_url(value: str) -> str:
    """A URL cell; of a list of them (rispy's ``urls``), the first."""
    items = list_cell(value) if value[:1] == "[" else None
    return value if items is None else (items[0] if items else "")


def _numbered_errors(
    rows: Iterator[tuple[int, list[str]]], records: list[ParsedRecord]
) -> Iterator[tuple[int, list[str]]]:
    """The rows; a row that cannot be read is named by its record number as well as its line."""
    try:
        yield from rows
    except ImportFormatError as exc:
        if exc.record_number is not None:
            raise
        raise ImportFormatError(exc.message, len(records) + 1, exc.line) from None


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab: the one with which a line among the first reads as the header
    (as find_header chooses it), else the most frequent on the first non-blank line."""
    head = text[:65536].replace("\r", "\n")
    limit = HEADER_SEARCH_LINES
    lines = [line for line in head.split("\n", limit)[:limit] if line.strip()]
    for line in lines:
        found = header_delimiter(line)
        if found:
            return found
    for line in lines:
        found = header_delimiter(line, strict=False)
        if found:
            return found
    counted = by_count(lines[0]) if lines else []
    return counted[0] if counted else ","


def parse_csv(
    text: str, delimiter: str | None = None, *, notes: list[str] | None = None
) -> list[ParsedRecord]:
    """The rows of a CSV or TSV text as records (``notes``: where the header was found, when
    not on the first line)."""
    delimiter = delimiter or sniff_delimiter(text)
    what = "TSV file" if delimiter == "\t" else "CSV file"
    if csv.field_size_limit() < 64 * 1024 * 1024:
        csv.field_size_limit(min(sys.maxsize, 64 * 1024 * 1024))
    return rows_to_records(_csv_rows(text, delimiter, what), what, notes)


class _KeptLines:
    """The lines of a text for csv.reader, keeping those of the row being read."""

    def __init__(self, text: str):
        self._read = io.StringIO(text, newline="").readline
        self.row: list[str] = []

    def __iter__(self) -> _KeptLines:
        return self

    def __next__(self) -> str:
        line = self._read()
        if not line:
            raise StopIteration
        self.row.append(line)
        return line


def _csv_rows(text: str, delimiter: str, what: str) -> Iterator[tuple[int, list[str]]]:
    """(line the row starts on, cells) for each row of a CSV or TSV text.

    Read strictly: leniently, a quote never closed swallows the rows after it into one field.
    A quoted field with text after its closing quote on the same line (a title in an unquoted
    Web of Science export: ``"Ask the experts": a survey``) is still read as before.
    """
    lines = _KeptLines(text)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    start = 1
    while True:
        lines.row.clear()
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            cells = _read_leniently(str(exc), lines.row, delimiter)
            if cells is None:
                reason = _csv_problem(str(exc), start, reader.line_num)
                raise ImportFormatError(f"{what} cannot be read: {reason}", line=start) from None
        yield start, cells
        start = reader.line_num + 1


def _read_leniently(error: str, row_lines: list[str], delimiter: str) -> list[str] | None:
    """The cells of a one-line row whose only fault is text after a closing quote, as the
    lenient csv reader reads them; None if a quote may be left open (an odd number of them)."""
    if "expected after" not in error or len(row_lines) != 1 or row_lines[0].count('"') % 2:
        return None
    return next(csv.reader(row_lines, delimiter=delimiter))


def _csv_problem(error: str, start: int, line: int) -> str:
    """What the csv module's error means for a row that starts on line ``start``."""
    if "unexpected end of data" in error:
        return "a quote opened in this row is never closed"
    if "expected after" in error:
        where = f" on line {line}" if line != start else ""
        return (
            f"a quoted field of this row is followed by text after its closing quote{where} "
            "(a quote never closed, or a quote inside a field not doubled?)"
        )
    return error
