"""Shared pieces of the importers: the record type, the error type, decoding and small helpers
(the field cleaning they all use is in .fields, and importable from here as before).

Nothing here (or anywhere in this package) imports Django: the parsers are plain functions from
text or bytes to :class:`ParsedRecord` lists, so they can run in a worker, a test or a script.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .fields import (
    clean_abstract,
    clean_text,
    extract_year,
    join_pages,
    normalise_doi,
    split_keywords,
    split_lines,
)

__all__ = [
    "NO_CONTENT",
    "EncodingChanged",
    "ImportFormatError",
    "LazyText",
    "ParseResult",
    "ParsedRecord",
    "check_readable",
    "clean_abstract",
    "clean_text",
    "decode_bytes",
    "decode_lazily",
    "extract_year",
    "has_content",
    "join_pages",
    "normalise_doi",
    "split_keywords",
    "split_lines",
]


@dataclass(slots=True)
class ParsedRecord:
    """One bibliographic record, whatever file it came from.

    ``authors`` keeps the order and the form the file gives ("Last, First" where the export
    writes it so). ``raw`` holds the whole record as parsed, JSON-serialisable, so nothing of the
    export is lost: for the tagged formats (RIS, MEDLINE, Web of Science) it maps each tag to the
    list of its values in file order; for BibTeX it maps field names to values plus
    ``ENTRYTYPE``/``ID``; for the XML formats it is the element turned into nested dicts; for
    CSV/TSV/XLSX it maps each column header to the cell text.
    """

    title: str = ""
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    journal: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    keywords: list[str] = field(default_factory=list)
    url: str = ""
    type: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


class ImportFormatError(ValueError):
    """The file cannot be imported; the message says what is wrong and where.

    ``str(error)`` reads like ``record 12 (line 340): no end-of-record tag``; the bare
    description is in ``message`` and the place in ``record_number`` / ``line`` (either may be
    None).
    """

    def __init__(self, message: str, record_number: int | None = None, line: int | None = None):
        self.message = message
        self.record_number = record_number
        self.line = line
        super().__init__(self._render())

    def _render(self) -> str:
        if self.record_number is not None and self.line is not None:
            return f"record {self.record_number} (line {self.line}): {self.message}"
        if self.record_number is not None:
            return f"record {self.record_number}: {self.message}"
        if self.line is not None:
            return f"line {self.line}: {self.message}"
        return self.message

    def __str__(self) -> str:
        return self._render()

    def __reduce__(self):
        return (type(self), (self.message, self.record_number, self.line))


@dataclass
class ParseResult:
    format: str
    records: list[ParsedRecord]
    encoding: str
    notes: list[str] = field(default_factory=list)  # what the reader should know (skipped …)


# --------------------------------------------------------------------------- decoding

_UTF32_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"))
_UTF16_BOMS = ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# C0 control characters other than tab, LF, CR, FF and VT: plain text has (almost) none.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _utf16_without_bom(data: bytes) -> str | None:
    """Recognise BOM-less UTF-16 text by its NUL bytes in every other position."""
    sample = data[:4000]
    if len(sample) < 8:
        return None
    half = len(sample) // 2
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    if odd_nuls > 0.4 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.4 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode an export file: returns ``(text, encoding)``.

    UTF-8 with or without a BOM, UTF-16/32 with a BOM (and UTF-16 without one when the NUL
    pattern is unmistakable), else cp1252 and finally latin-1. Byte-order marks are removed
    wherever they sit (a BOM in
    the middle comes from concatenating two exports). Binary data raises ImportFormatError.
    Line endings are left as they are (CRLF, CR or LF): each parser copes, which spares a copy
    of a 100 MB text.
    """
    encoding = None
    text = None
    for bom, name in _UTF32_BOMS:
        if data.startswith(bom):
            encoding, body = name, data[len(bom) :]
            break
    else:
        for bom, name in _UTF16_BOMS:
            if data.startswith(bom):
                encoding, body = name, data[len(bom) :]
                break
        else:
            if data.startswith(codecs.BOM_UTF8):
                encoding, body = "utf-8-sig", data[len(codecs.BOM_UTF8) :]
            else:
                body = data
                encoding = _utf16_without_bom(data)
    if encoding is not None and encoding != "utf-8-sig":
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ImportFormatError(
                f"the file says it is {encoding.upper()} but byte {exc.start} is not valid"
            ) from None
    else:
        try:
            text = body.decode("utf-8")
            encoding = encoding or "utf-8"
        except UnicodeDecodeError:
            try:
                text = body.decode("cp1252")
                encoding = "cp1252"
            except UnicodeDecodeError:
                text = body.decode("latin-1")
                encoding = "latin-1"
    if "\x00" in text:
        raise _binary("it contains NUL bytes")
    _check_controls(text[:65536])
    if "\ufeff" in text:
        text = text.replace("\ufeff", "")
    return text, encoding


def _binary(why: str) -> ImportFormatError:
    return ImportFormatError(f"not a recognised bibliographic format: the file is binary ({why})")


def _check_controls(sample: str) -> None:
    if sample and len(_CONTROL_RE.findall(sample)) > max(8, len(sample) // 100):
        raise _binary("control characters")


class EncodingChanged(Exception):
    """A file decoded lazily as UTF-8 is not UTF-8 after all, and some text already read was
    not ASCII: read as :func:`decode_bytes` reads it (cp1252), that text differs. Parse the file
    again from the start, decoded whole."""


_HEAD_BYTES = 1 << 20  # decoded at once: enough for format detection (262,144 characters)
_PIECE_BYTES = 1 << 22
LAZY_MIN_BYTES = 16 << 20  # smaller files are decoded whole


@dataclass
class LazyText:
    """A large UTF-8 file decoded a few MB at a time, as :func:`decode_bytes` would decode it.

    ``head`` is the first MB or so (for format detection); ``pieces()`` yields the whole text in
    pieces that each end where a line ends, without that LF. ``encoding`` is "utf-8" (or
    "utf-8-sig") unless a later piece turns out not to be UTF-8 while everything before it was
    ASCII: the rest is then decoded as cp1252 (or latin-1), exactly as decode_bytes would have
    decoded the whole file, and ``encoding`` says so. If non-ASCII text came before, the
    generator raises EncodingChanged instead. A NUL anywhere is refused at once, as by
    decode_bytes.
    """

    data: bytes
    start: int  # after a UTF-8 byte-order mark
    head_end: int  # the LF that ends the head
    head: str
    encoding: str

    def pieces(self) -> Iterator[str]:
        data, size = self.data, len(self.data)
        head = self.head
        yield head.replace("\ufeff", "") if "\ufeff" in head else head
        ascii_so_far = head.isascii()
        pos = self.head_end + 1
        while pos <= size:
            cut = data.find(b"\n", pos + _PIECE_BYTES)
            if cut == -1:
                cut = size
            piece = data[pos:cut]
            try:
                text = piece.decode("utf-8")
            except UnicodeDecodeError:
                if not ascii_so_far:
                    raise EncodingChanged from None
                yield from self._rest_as_cp1252(pos)
                return
            if "\ufeff" in text:
                text = text.replace("\ufeff", "")
            ascii_so_far = ascii_so_far and piece.isascii()
            yield text
            pos = cut + 1

    def _rest_as_cp1252(self, pos: int) -> Iterator[str]:
        rest = self.data[pos:]
        try:
            text = rest.decode("cp1252")
            self.encoding = "cp1252"
        except UnicodeDecodeError:
            text = rest.decode("latin-1")
            self.encoding = "latin-1"
        if "\ufeff" in text:
            text = text.replace("\ufeff", "")
        start, size = 0, len(text)
        while start <= size:
            end = text.find("\n", start + _PIECE_BYTES)
            if end == -1:
                end = size
            yield text[start:end]
            start = end + 1


def decode_lazily(data: bytes) -> LazyText | None:
    """A large file that starts as UTF-8 (no UTF-16/32), as a :class:`LazyText`; else None.

    None means: use :func:`decode_bytes` (small files, other encodings, CR-only line endings, a
    head that is not UTF-8 or only whitespace). Raises what decode_bytes raises for NUL bytes
    and control characters.
    """
    if len(data) < LAZY_MIN_BYTES:
        return None
    if any(data.startswith(bom) for bom, _name in _UTF32_BOMS + _UTF16_BOMS):
        return None
    start, encoding = 0, "utf-8"
    if data.startswith(codecs.BOM_UTF8):
        start, encoding = len(codecs.BOM_UTF8), "utf-8-sig"
    elif _utf16_without_bom(data) is not None:
        return None
    if b"\n" not in data:
        return None  # one line, or old Mac CR-only line endings
    head_end = data.rfind(b"\n", start, start + _HEAD_BYTES)
    if head_end == -1:
        return None
    try:
        head = data[start:head_end].decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not head or head.isspace():
        return None
    if data.find(b"\x00", start) != -1:
        # (in cp1252 and latin-1 too, the byte 0 is the character NUL)
        raise _binary("it contains NUL bytes")
    _check_controls(head[:65536])
    return LazyText(data, start, head_end, head, encoding)


# --------------------------------------------------------------------------- field helpers


NO_CONTENT = "no title, abstract, authors, DOI, PMID or URL"


def has_content(record: ParsedRecord) -> bool:
    """Whether a record carries something to screen or identify it by."""
    return bool(
        record.title or record.authors or record.doi or record.pmid or record.abstract or record.url
    )


def check_readable(
    record: ParsedRecord, record_number: int, line: int | None = None
) -> ParsedRecord:
    """Reject a record that carries nothing to screen or identify it by."""
    if not has_content(record):
        raise ImportFormatError(
            f"unreadable record: {NO_CONTENT}",
            record_number,
            line,
        )
    return record


def first_value(rec: dict[str, list[str]], *tags: str) -> str:
    """The first non-empty value among the tags, in the order given (tagged formats)."""
    for tag in tags:
        for value in rec.get(tag, ()):
            if value:
                return value
    return ""
