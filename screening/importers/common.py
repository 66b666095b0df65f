"""Shared pieces of the importers: the record type, the error type, decoding and small helpers.

Nothing here (or anywhere in this package) imports Django: the parsers are plain functions from
text or bytes to :class:`ParsedRecord` lists, so they can run in a worker, a test or a script.
"""

from __future__ import annotations

import codecs
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

__all__ = [
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

_DOI_RE = re.compile(r"10\.\d{3,9}/\S+")
_DOI_PREFIX_RE = re.compile(
    r"^(?:https?://)?(?:dx\.)?(?:doi\.org/|doi:\s*|doi\s+)", flags=re.IGNORECASE
)


def normalise_doi(value: str) -> str:
    """A DOI in canonical form: lower case, without URL or ``doi:`` prefix, stripped.

    Finds the DOI inside decorations such as ``https://doi.org/…``, ``doi:…``,
    ``10.1016/x [doi]`` or a URL-encoded ``10.1007%2Fs11307``; returns "" when the value holds
    no DOI (every DOI starts with ``10.``).
    """
    if not value:
        return ""
    value = value.strip()
    value = _DOI_PREFIX_RE.sub("", value)
    if "%" in value:
        value = unquote(value)
    match = _DOI_RE.search(value)
    if match is None:
        return ""
    doi = match.group(0).rstrip(".,;]")
    if doi.endswith(")") and doi.count(")") > doi.count("("):
        doi = doi[:-1]
    return doi.lower()


_WS_RUN_RE = re.compile(r"[ \t\n\r\f\v]+")
# Publisher and database exports often carry a title's or abstract's HTML, JATS or Springer
# markup (<p>, <i>, <sup>, <jats:p>, <Emphasis Type="Italic">, MathML): reviewers would read
# the tags, and term highlighting would skip words glued to them. Only known tag names with
# attributes written name="value" count as markup, so "p<0.05", "A<B and C>D" or "a CD4 count
# <a threshold of 200 and viral load >1000" stay as they are.
_ATTRIBUTES = r"""(?:\s+[\w:.-]+\s*=\s*(?:"[^"<>]*"|'[^'<>]*'))*\s*/?>"""
# Blocks (paragraphs, sections and their titles) end a paragraph; inline tags just go.
_BLOCK_TAG_RE = re.compile(
    r"</?(?:p|div|br|sec|title|li|ul|ol|abstract|jats:(?:p|sec|title|list|list-item|abstract))"
    + _ATTRIBUTES,
    re.IGNORECASE,
)
_INLINE_TAG_RE = re.compile(
    r"</?(?:a|i|b|u|bi|em|strong|sup|sub|sc|small|span|italic|bold|inf|emphasis|urlref|"
    r"emailref|jats:[a-z-]+|mml:[a-z]+)" + _ATTRIBUTES,
    re.IGNORECASE,
)


def strip_markup(value: str, paragraph: str = " ") -> str:
    """Take HTML/JATS markup out of a field: a block tag becomes `paragraph`, an inline tag goes
    (CO<sub>2</sub> reads CO2), and, as the text was HTML, its entities (&amp;, &#8211;) are
    decoded."""
    if "<" not in value:
        return value
    stripped = _INLINE_TAG_RE.sub("", _BLOCK_TAG_RE.sub(paragraph, value))
    if stripped == value:
        return value  # no markup after all: a "<" of the text itself
    return html.unescape(stripped)


def clean_text(value: str) -> str:
    """Collapse every run of ASCII whitespace (newlines included) to one space; strip; take
    out HTML/JATS markup (strip_markup).

    Other Unicode spaces (no-break, thin) are typography and stay.
    """
    if not value:
        return ""
    if "<" in value:
        value = strip_markup(value)
    if (
        "  " in value
        or "\n" in value
        or "\t" in value
        or "\r" in value
        or "\f" in value
        or "\v" in value
        or value[0] == " "
        or value[-1] == " "
    ):
        return _WS_RUN_RE.sub(" ", value).strip(" ")
    return value  # already clean: the common case, far cheaper to check than to redo


def clean_abstract(value: str) -> str:
    """Strip an abstract and collapse spaces inside lines, keeping its paragraph breaks."""
    if not value:
        return ""
    if "<" in value:
        value = strip_markup(value, paragraph="\n")
    if "\n" not in value and "\r" not in value:
        return clean_text(value)
    lines = (clean_text(line) for line in value.replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


_YEAR_RE = re.compile(r"(?<!\d)(1[0-9]\d\d|20\d\d|2100)(?!\d)")


def extract_year(*values: str | None) -> int | None:
    """The first plausible four-digit year (1000-2100) in the first value that has one."""
    for value in values:
        if value:
            match = _YEAR_RE.search(str(value))
            if match:
                return int(match.group(1))
    return None


def split_lines(text: str) -> list[str]:
    """Lines of a text with LF, CRLF or CR endings."""
    if "\r" in text:
        return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return text.split("\n")


def join_pages(start: str, end: str) -> str:
    start = (start or "").strip()
    end = (end or "").strip()
    if start and end and "-" not in start:
        return f"{start}-{end}"
    return start or end


def split_keywords(values: list[str] | str, separators: str = ";") -> list[str]:
    """Split keyword strings on the given separators (and newlines); drop empties, keep order."""
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        if not value:
            continue
        parts = [value]
        for sep in separators + "\n":
            if sep in value:
                parts = [p for part in parts for p in part.split(sep)]
        for part in parts:
            part = part.strip()
            if part:
                out.append(part)
    return out


def check_readable(
    record: ParsedRecord, record_number: int, line: int | None = None
) -> ParsedRecord:
    """Reject a record that carries nothing to screen or identify it by."""
    if not (
        record.title or record.authors or record.doi or record.pmid or record.abstract or record.url
    ):
        raise ImportFormatError(
            "unreadable record: no title, abstract, authors, DOI, PMID or URL",
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
