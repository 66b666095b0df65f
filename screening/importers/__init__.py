"""Parsers for bibliographic search exports: bytes in, :class:`ParsedRecord` list out.

No Django here: the caller stores the records (and owns the all-or-nothing semantics). Every
problem with a file surfaces as :class:`ImportFormatError`, whose text says what is wrong and
where ("record 12 (line 340): no end-of-record tag (ER) before the next record's TY").

    result = parse_bytes(uploaded.read(), filename=uploaded.name)   # fmt="auto"
    result.format, result.encoding, result.records[0].title
    result.notes   # for the person importing: ["header found on line 5, not line 1: …"]

    stream = stream_bytes(data, filename=name)   # the same records, one by one as parsed
    for record in stream.records: ...            # (RIS: a large file never held as records)

Formats (``FORMATS``): ris, bibtex, medline, pubmed-xml, wos, endnote-xml, csv, tsv, xlsx; the
CLI names are accepted as aliases (``endnote`` → endnote-xml, ``csv`` → csv/tsv/xlsx by content,
``nbib``/``pubmed`` → medline, …).
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath

from .bibtex import parse_bibtex
from .common import (
    EncodingChanged,
    ImportFormatError,
    ParsedRecord,
    ParseResult,
    decode_bytes,
    decode_lazily,
    normalise_doi,
)
from .detect import binary_kind, detect_format, detect_text_format
from .endnote_xml import parse_endnote_xml
from .medline import parse_medline
from .pubmed_xml import parse_pubmed_xml
from .ris import iter_ris, iter_ris_pieces, parse_ris
from .tabular import parse_csv, sniff_delimiter
from .wos import parse_wos
from .xlsx import parse_xlsx

__all__ = [
    "ALIASES",
    "FORMATS",
    "FORMAT_LABELS",
    "EncodingChanged",
    "ImportFormatError",
    "ParseResult",
    "ParseStream",
    "ParsedRecord",
    "decode_bytes",
    "detect_format",
    "detect_text_format",
    "normalise_doi",
    "parse_bytes",
    "resolve_format",
    "stream_bytes",
]

FORMATS = ("ris", "bibtex", "medline", "pubmed-xml", "wos", "endnote-xml", "csv", "tsv", "xlsx")

FORMAT_LABELS = {
    "ris": "RIS",
    "bibtex": "BibTeX",
    "medline": "PubMed MEDLINE",
    "pubmed-xml": "PubMed XML",
    "wos": "Web of Science",
    "endnote-xml": "EndNote XML",
    "csv": "CSV",
    "tsv": "TSV",
    "xlsx": "XLSX",
}

# "csv" as an alias means "a table": CSV, TSV or XLSX, decided by the content.
ALIASES = {
    "auto": "auto",
    "endnote": "endnote-xml",
    "endnotexml": "endnote-xml",
    "endnote_xml": "endnote-xml",
    "bib": "bibtex",
    "nbib": "medline",
    "pubmed": "medline",
    "pubmedxml": "pubmed-xml",
    "pubmed_xml": "pubmed-xml",
    "xml": "auto",
    "ciw": "wos",
    "web-of-science": "wos",
    "webofscience": "wos",
    "excel": "xlsx",
    "tab": "tsv",
}

# Each takes the text and a list to append notes to (entries skipped, a header found lower down).
_TEXT_PARSERS: dict[str, Callable[[str, list[str]], list[ParsedRecord]]] = {
    "ris": lambda text, notes: parse_ris(text),
    "bibtex": lambda text, notes: parse_bibtex(text, notes=notes),
    "medline": lambda text, notes: parse_medline(text),
    "wos": lambda text, notes: parse_wos(text),
    "csv": lambda text, notes: parse_csv(text, notes=notes),
    "tsv": lambda text, notes: parse_csv(text, "\t", notes=notes),
}
_XML_PARSERS: dict[str, Callable[[bytes], list[ParsedRecord]]] = {
    "pubmed-xml": parse_pubmed_xml,
    "endnote-xml": parse_endnote_xml,
}


def resolve_format(fmt: str | None) -> str:
    """A canonical format name (or "auto") from a format name or alias."""
    name = (fmt or "auto").strip().lower()
    name = ALIASES.get(name, name)
    if name != "auto" and name not in FORMATS:
        raise ImportFormatError(
            f"unknown format {fmt!r}: use auto or one of {', '.join(FORMATS)} "
            "(aliases: endnote, csv for any table)"
        )
    return name


def parse_bytes(data: bytes, filename: str = "", fmt: str = "auto") -> ParseResult:
    """Parse an uploaded export file.

    ``fmt`` is "auto" (detect from the content; the filename's extension only breaks ties), a
    name from ``FORMATS`` or an alias; "csv" accepts any table (CSV, TSV or XLSX). Raises
    ImportFormatError for an empty, binary, malformed or unknown file and for an unreadable
    record (naming the record and line). Returns every record or raises: never a partial list.

    The cyclic garbage collector is paused meanwhile: the parsers build hundreds of thousands of
    small lists and dicts and no cycles, and the collector's repeated passes over them cost
    about a third of the time on a 50,000-record RIS file.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse_bytes(data, filename, fmt)
    finally:
        if was_enabled:
            gc.enable()


def _parse_bytes(data: bytes, filename: str, fmt: str) -> ParseResult:
    stream = _open(data, filename, fmt, streaming=False)
    return ParseResult(stream.format, list(stream.records), stream.encoding, stream.notes)


@dataclass
class ParseStream:
    """A file being parsed: its format and encoding, its records as an iterator, and notes for
    the reader ("header found on row 7", entries skipped), complete once the records are."""

    format: str
    records: Iterator[ParsedRecord]
    encoding: str
    notes: list[str] = field(default_factory=list)


def stream_bytes(
    data: bytes, filename: str = "", fmt: str = "auto", *, lazy: bool = True
) -> ParseStream:
    """Like :func:`parse_bytes`, but the records come one by one while the file is parsed.

    The file is decoded and its format detected here (an ImportFormatError for a file that is
    empty, binary or of an unknown format comes at once); RIS records are then parsed as the
    iterator is consumed, so a caller can store them while the rest of the file is still being
    read, and never holds them all. Iterating may raise ImportFormatError (a bad record, or no
    records at all) after records were yielded: the caller must then treat the whole file as
    failed. Other formats are parsed here in full and only handed out one by one. Unlike
    parse_bytes this does not pause the garbage collector; a caller that streams a large file
    should (see parse_bytes).

    A large UTF-8 file is also decoded as it is parsed (never held as one text). Should it turn
    out not to be UTF-8 after non-ASCII text was read, iterating raises EncodingChanged: the
    caller discards what it got and calls again with ``lazy=False`` (decoded whole first, as
    parse_bytes does). ``encoding`` is final once the records are exhausted.
    """
    return _open(data, filename, fmt, streaming=True, lazy=lazy)


def _open(data: bytes, filename: str, fmt: str, streaming: bool, lazy: bool = False) -> ParseStream:
    requested = resolve_format(fmt)
    notes: list[str] = []  # the parsers' notes for the reader
    tabular_alias = requested == "csv"  # the CLI's csv means csv/tsv/xlsx by content
    if not data:
        raise ImportFormatError("the file is empty")
    kind = binary_kind(data)
    if kind == "zip":
        if requested in ("auto", "xlsx") or tabular_alias:
            detect_format(data, filename)  # refuses a zip that is not a workbook
            records = _nonempty(parse_xlsx(data, notes=notes), "xlsx", "")
            return ParseStream("xlsx", iter(records), "binary", notes)
        raise ImportFormatError(
            f"the file is a zip archive (XLSX?), not {FORMAT_LABELS[requested]}"
        )
    if kind is not None:
        raise ImportFormatError(f"not a recognised bibliographic format: the file is {kind}")
    if requested == "xlsx":
        raise ImportFormatError("not an XLSX workbook (an XLSX file is a zip archive)")

    ext = PurePath(filename).suffix.lower() if filename else ""
    lazy_text = decode_lazily(data) if streaming and lazy and requested in ("auto", "ris") else None
    if lazy_text is not None:
        sample = lazy_text.head[:262144]
        fmt_name = detect_text_format(sample, filename) if requested == "auto" else requested
        if fmt_name == "ris":
            stream = ParseStream(fmt_name, iter(()), lazy_text.encoding)

            def records() -> Iterator[ParsedRecord]:
                yield from iter_ris_pieces(lazy_text.pieces())
                stream.encoding = lazy_text.encoding  # cp1252 if it turned out so

            hint = functools.partial(_hint, sample, ext, requested, fmt_name)
            stream.records = _nonempty_stream(records(), fmt_name, hint)
            return stream

    text, encoding = decode_bytes(data)
    if not text or text.isspace():
        raise ImportFormatError("the file is empty")
    if requested == "auto":
        fmt_name = detect_text_format(text[:262144], filename)
    elif tabular_alias:
        fmt_name = "tsv" if sniff_delimiter(text) == "\t" else "csv"
    else:
        fmt_name = requested
    hint = functools.partial(_hint, text[:262144], ext, requested, fmt_name)

    if streaming and fmt_name == "ris":
        return ParseStream(fmt_name, _nonempty_stream(iter_ris(text), fmt_name, hint), encoding)
    if fmt_name in _XML_PARSERS:
        xml_bytes = data
        if encoding in ("cp1252", "latin-1") and "encoding=" not in text[:200]:
            # not UTF-8 and no declaration saying so: hand the parser what we decoded
            xml_bytes = text.encode("utf-8")
        records = _XML_PARSERS[fmt_name](xml_bytes)
    else:
        records = _TEXT_PARSERS[fmt_name](text, notes)
    if not records:
        _nonempty(records, fmt_name, hint())
    return ParseStream(fmt_name, iter(records), encoding, notes)


def _hint(sample: str, ext: str, requested: str, fmt_name: str) -> str:
    """What the content looks like, when it is not the format asked for (for "no records")."""
    if requested != "auto":
        try:
            seen = detect_text_format(sample, ext)
            if seen != fmt_name:
                return f" (the content looks like {FORMAT_LABELS[seen]})"
        except ImportFormatError:
            pass
    return ""


def _nonempty_stream(
    records: Iterator[ParsedRecord], fmt: str, hint: Callable[[], str]
) -> Iterator[ParsedRecord]:
    empty = True
    for record in records:
        empty = False
        yield record
    if empty:
        _nonempty([], fmt, hint())


def _nonempty(records: list[ParsedRecord], fmt: str, hint: str) -> list[ParsedRecord]:
    if not records:
        raise ImportFormatError(f"no {FORMAT_LABELS[fmt]} records found in the file{hint}")
    return records
