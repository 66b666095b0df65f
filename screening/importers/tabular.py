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
import re
import sys
from collections.abc import Iterator

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
from .wos import wos_author

__all__ = [
    "parse_csv",
    "sniff_delimiter",
]

# field -> header spellings (normalised: lower case, single spaces), best first
_COLUMNS: dict[str, tuple[str, ...]] = {
    "title": (
        "title",
        "article title",
        "document title",
        "primary title",
        "t1",
        "ti",
    ),
    "abstract": ("abstract", "abstract note", "notes abstract", "ab", "n2"),
    "authors_full": ("author full names", "author full name", "full authors"),
    "authors": ("authors", "author", "first authors", "au", "a1", "author names"),
    "year": ("year", "publication year", "pub year", "py", "year published", "date"),
    "journal": (
        "source title",
        "journal",
        "journal title",
        "journal name",
        "publication title",
        "secondary title",
        "source",
        "journal/book",
        "t2",
        "jf",
    ),
    "volume": ("volume", "vl"),
    "issue": ("issue", "number", "is"),
    "pages": ("pages", "page", "page range", "art. no", "article number"),
    "page_start": ("page start", "start page", "sp", "first page"),
    "page_end": ("page end", "end page", "ep", "last page"),
    "doi": ("doi", "do", "digital object identifier"),
    "pmid": ("pmid", "pubmed id", "pubmed", "pubmed_id", "medline pmid"),
    "keywords": (
        "keywords",
        "author keywords",
        "index keywords",
        "manual tags",
        "automatic tags",
        "mesh terms",
        "kw",
    ),
    "url": ("url", "link", "urls", "ur"),
    "type": ("document type", "type", "item type", "type of reference", "publication type", "ty"),
}
# Web of Science tab-delimited column codes (only used when the header is WoS-shaped)
_WOS_COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("ti",),
    "abstract": ("ab",),
    "authors_full": ("af",),
    "authors": ("au", "ca"),
    "year": ("py", "ey"),
    "journal": ("so",),
    "volume": ("vl",),
    "issue": ("is",),
    "page_start": ("bp",),
    "page_end": ("ep",),
    "pages": ("ar",),
    "doi": ("di",),
    "pmid": ("pm",),
    "keywords": ("de", "id"),
    "url": (),
    "type": ("dt", "pt"),
}
_ID_SUFFIX_RE = re.compile(r"\s*\(\d+\)\s*$")  # Scopus: "Li, Wei (57203…)"
_INITIALS_RE = re.compile(r"^(?:[A-Z]\.?[- ]?){1,4}$")


def _norm_header(header: str) -> str:
    return " ".join(header.replace("_", " ").replace("-", " ").lower().split()).strip(" .")


def map_headers(headers: list[str]) -> dict[str, list[int]]:
    normalised = [_norm_header(h) for h in headers]
    codes = sum(1 for h in headers if len(h.strip()) == 2 and h.strip().isupper())
    wos = codes >= 5 and codes >= len([h for h in headers if h.strip()]) // 2
    table = _WOS_COLUMNS if wos else _COLUMNS
    mapping: dict[str, list[int]] = {}
    for fld, names in table.items():
        found = []
        for name in names:
            for index, header in enumerate(normalised):
                if header == name and index not in found:
                    found.append(index)
        if fld in ("keywords",):
            mapping[fld] = found
        elif found:
            mapping[fld] = found[:1]
    return mapping


def _split_authors(value: str, full_names: bool) -> list[str]:
    value = value.strip()
    if not value:
        return []
    if ";" in value:
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


def rows_to_records(rows: Iterator[tuple[int, list[str]]], what: str) -> list[ParsedRecord]:
    """``rows`` yields (line or row number, cells); the first non-empty row is the header."""
    header: list[str] | None = None
    for _line, cells in rows:
        if any(c.strip() for c in cells):
            header = [c.strip() for c in cells]
            break
    if header is None:
        raise ImportFormatError(f"the {what} has no header row")
    mapping = map_headers(header)
    if "title" not in mapping and "abstract" not in mapping:
        shown = ", ".join(repr(h) for h in header[:40]) + (" …" if len(header) > 40 else "")
        raise ImportFormatError(
            f"the {what} has no recognisable title or abstract column; columns found: {shown}"
        )
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
                keywords += split_keywords(cells[index])
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
            url=one(cells, "url"),
            type=one(cells, "type"),
            raw=raw,
        )
        records.append(check_readable(record, len(records) + 1, line))
    return records


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
    """Comma, semicolon or tab, from the header line (the first non-blank line)."""
    head = text[:65536].replace("\r", "\n")
    for line in head.split("\n", 50)[:50]:
        if line.strip():
            counts = {d: line.count(d) for d in ("\t", ",", ";")}
            best = max(counts, key=lambda d: counts[d])
            return best if counts[best] else ","
    return ","


def parse_csv(text: str, delimiter: str | None = None) -> list[ParsedRecord]:
    delimiter = delimiter or sniff_delimiter(text)
    what = "TSV file" if delimiter == "\t" else "CSV file"
    if csv.field_size_limit() < 64 * 1024 * 1024:
        csv.field_size_limit(min(sys.maxsize, 64 * 1024 * 1024))
    return rows_to_records(_csv_rows(text, delimiter, what), what)


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
