"""The columns of a table export: which header names mean which field, and which row is the
header (the first, or one below a title row or search query). Shared by CSV/TSV, XLSX and
format detection.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator

from .common import ImportFormatError

__all__ = [
    "HEADER_SEARCH_LINES",
    "HEADER_SEARCH_ROWS",
    "Rows",
    "by_count",
    "find_header",
    "header_delimiter",
    "map_headers",
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
    "authors": ("authors", "author", "first authors", "au", "a1", "author names", "author/s"),
    "year": (
        "year",
        "publication year",
        "pub year",
        "pubyear",
        "py",
        "year published",
        "date",
        "date of publication",
        "date published",
    ),
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
    "issue": ("issue", "number", "issue number", "is"),
    "pages": ("pages", "page", "page range", "pagination", "art. no", "article number"),
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
        "emtree medical index terms",
        "emtree drug index terms",
        "kw",
    ),
    "url": ("url", "link", "urls", "ur", "source urls", "full text link", "embase link"),
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


def _norm_header(header: str) -> str:
    return " ".join(header.replace("_", " ").replace("-", " ").lower().split()).strip(" .")


def map_headers(headers: list[str]) -> dict[str, list[int]]:
    """field -> the indexes of its columns (several for keywords, else the best one)."""
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


# Exports that put lines above the header (a title row in Lens, the search query block in
# Embase, "About the data" in Dimensions) put a few, never pages of them.
HEADER_SEARCH_ROWS = 30
# Lines, for the sniffers that read lines before any CSV parsing: a quoted search query above
# the header may span many.
HEADER_SEARCH_LINES = 200
_NOT_A_COLUMN_NAME_RE = re.compile(r"""['":=]""")


def _names_columns(mapping: dict[str, list[int]]) -> bool:
    """Whether a row names a title or abstract column (what makes a header at all)."""
    return "title" in mapping or "abstract" in mapping


def _reads_as_column_names(header: list[str]) -> bool:
    """Two or more short names with no quotes, colons or equals signs: so a search query such
    as ``'x':ti,ab,kw`` (whose "ab" names a column) is not taken for the header."""
    names = [h for h in header if h]
    return len(names) >= 2 and all(
        len(name) <= 100 and not _NOT_A_COLUMN_NAME_RE.search(name) for name in names
    )


Rows = Iterator[tuple[int, list[str]]]


def find_header(
    rows: Rows, what: str, notes: list[str] | None
) -> tuple[list[str], dict[str, list[int]], list[tuple[int, list[str]]]]:
    """The header, its mapping and the rows read past it while looking.

    The header is the first row, among the first HEADER_SEARCH_ROWS non-blank ones, that names
    a title or abstract column and reads as column names; failing that, the first that names
    such a column (a one-column file, a column named "Notes: …"). A note says where, when not
    on the first row.
    """
    seen: list[tuple[int, list[str]]] = []
    first_line: int | None = None
    chosen: int | None = None
    loose: int | None = None
    filled = 0  # blank rows do not count: a sheet may start with several
    for line, cells in rows:
        seen.append((line, cells))
        if not any(c.strip() for c in cells):
            continue
        header = [c.strip() for c in cells]
        first_line = line if first_line is None else first_line
        if _names_columns(map_headers(header)):
            if _reads_as_column_names(header):
                chosen = len(seen) - 1
                break
            loose = len(seen) - 1 if loose is None else loose
        filled += 1
        if filled >= HEADER_SEARCH_ROWS:
            break
    chosen = loose if chosen is None else chosen
    if chosen is None:
        _refuse_headers(seen, what)
    line, cells = seen[chosen]
    header = [c.strip() for c in cells]
    if line != first_line and notes is not None:
        unit = "row" if what.startswith("XLSX") else "line"
        notes.append(
            f"header found on {unit} {line}, not {unit} {first_line}: the {unit}s above it "
            "(a title or a search query) were skipped"
        )
    return header, map_headers(header), seen[chosen + 1 :]


def _refuse_headers(seen: list[tuple[int, list[str]]], what: str) -> None:
    """No header among the rows read: name the columns of the first non-empty one."""
    for _line, cells in seen:
        if any(c.strip() for c in cells):
            first = [c.strip() for c in cells]
            shown = ", ".join(repr(h) for h in first[:40]) + (" …" if len(first) > 40 else "")
            raise ImportFormatError(
                f"the {what} has no recognisable title or abstract column; columns found: {shown}"
            )
    raise ImportFormatError(f"the {what} has no header row")


def by_count(line: str) -> list[str]:
    """The delimiters found in a line, the most frequent first."""
    counts = {d: line.count(d) for d in ("\t", ",", ";")}
    return sorted((d for d in counts if counts[d]), key=lambda d: -counts[d])


def header_delimiter(line: str, strict: bool = True) -> str | None:
    """The delimiter with which this line reads as a header row (names a title or abstract
    column and, when strict, reads as column names: see find_header), or None."""
    for delimiter in by_count(line):
        header = [cell.strip() for cell in next(csv.reader([line], delimiter=delimiter), [])]
        if _names_columns(map_headers(header)) and (not strict or _reads_as_column_names(header)):
            return delimiter
    return None
