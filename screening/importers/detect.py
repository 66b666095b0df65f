"""Which export format a file is in: decided from its content, the extension only breaks ties."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from pathlib import PurePath

from .common import ImportFormatError, decode_bytes

__all__ = ["binary_kind", "detect_format", "detect_text_format"]

SAMPLE_CHARS = 256 * 1024

_NOT_RECOGNISED = "not a recognised bibliographic format"
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "a legacy Office file (.xls/.doc): save it as XLSX or CSV",
    ),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive: unpack it first"),
    (b"BZh", "a bzip2 archive: unpack it first"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive: unpack it first"),
    (b"Rar!", "a RAR archive: unpack it first"),
    (b"\x7fELF", "a program"),
    (b"MZ\x90\x00", "a program"),
)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")

_BIBTEX_RE = re.compile(r"@\s*[A-Za-z]+\s*[{(]")
_BIBTEX_ANY_RE = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)
_RIS_TY_RE = re.compile(r"TY(?:  -| -(?: |$))")
_RIS_TY_ANY_RE = re.compile(r"^TY(?:  -| -(?: |$))", re.MULTILINE)
_RIS_TAG_ANY_RE = re.compile(r"^[A-Z][A-Z0-9]  -", re.MULTILINE)
_MEDLINE_LINE_RE = re.compile(r"[A-Z][A-Z0-9 ]{3}- ")
_MEDLINE_PMID_RE = re.compile(r"^PMID- ?\S", re.MULTILINE)
_WOS_PT_RE = re.compile(r"PT [A-Z]\s*$")
_WOS_PT_ANY_RE = re.compile(r"^PT [A-Z]\s*$", re.MULTILINE)
_WOS_TAG_ANY_RE = re.compile(r"^(?:AU|TI|SO|PY|UT|DI|AF) \S", re.MULTILINE)
_XML_ROOT_RE = re.compile(r"<([A-Za-z_][\w.:-]*)")

_EXTENSIONS = {
    ".ris": "ris",
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".nbib": "medline",
    ".medline": "medline",
    ".ciw": "wos",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".xlsx": "xlsx",
}


def binary_kind(data: bytes) -> str | None:
    """``"zip"`` for a zip archive, a description for other known binary files, else None."""
    if data.startswith(_ZIP_MAGIC):
        return "zip"
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    return None


def _zip_format(data: bytes) -> str:
    try:
        names = zipfile.ZipFile(BytesIO(data)).namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFormatError(f"{_NOT_RECOGNISED}: a damaged zip archive") from None
    if "xl/workbook.xml" in names:
        return "xlsx"
    raise ImportFormatError(f"{_NOT_RECOGNISED}: a zip archive that is not an XLSX workbook")


def detect_format(data: bytes | str, filename: str = "") -> str:
    """The format of an export file (one of ``FORMATS``), from its content first.

    Raises ImportFormatError for an empty file, binary junk or text in no known format.
    """
    if isinstance(data, bytes):
        if not data:
            raise ImportFormatError("the file is empty")
        kind = binary_kind(data)
        if kind == "zip":
            return _zip_format(data)
        if kind is not None:
            raise ImportFormatError(f"{_NOT_RECOGNISED}: the file is {kind}")
        text, _encoding = decode_bytes(data[: SAMPLE_CHARS * 2])
    else:
        text = data
    return detect_text_format(text[:SAMPLE_CHARS], filename)


def _first_lines(sample: str, limit: int = 300) -> list[str]:
    lines = []
    for line in sample.split("\n", limit * 4)[: limit * 4]:
        if line.strip():
            lines.append(line.rstrip())
            if len(lines) >= limit:
                break
    return lines


def detect_text_format(sample: str, filename: str = "") -> str:
    """The format of decoded text (a sample of the file's start is enough)."""
    if "\r" in sample:
        sample = sample.replace("\r\n", "\n").replace("\r", "\n")
    stripped = sample.lstrip()
    if not stripped:
        raise ImportFormatError("the file is empty")
    ext = PurePath(filename).suffix.lower() if filename else ""
    if stripped.startswith("<"):
        return _xml_format(stripped[:65536])
    lines = _first_lines(sample)
    first = lines[0]
    if _BIBTEX_RE.match(first.lstrip()):
        return "bibtex"
    if _RIS_TY_RE.match(first):
        return "ris"
    if _MEDLINE_LINE_RE.match(first) and _MEDLINE_PMID_RE.search(sample):
        return "medline"
    if first.startswith(("FN ", "VR ")) or _WOS_PT_RE.match(first):
        return "wos"
    delimited = _delimited_format(first)
    if delimited and _has_known_columns(first, delimited):
        return delimited
    # junk or a header before the first record
    if _RIS_TY_ANY_RE.search(sample) and len(_RIS_TAG_ANY_RE.findall(sample, 0, 20000)) >= 3:
        return "ris"
    if _MEDLINE_PMID_RE.search(sample):
        return "medline"
    if _WOS_PT_ANY_RE.search(sample) and _WOS_TAG_ANY_RE.search(sample):
        return "wos"
    if _BIBTEX_ANY_RE.search(sample):
        return "bibtex"
    below = _header_below(lines)
    if below:
        return below
    if delimited:
        return delimited
    if _EXTENSIONS.get(ext) in ("csv", "tsv"):
        return _EXTENSIONS[ext]  # a one-column table
    hint = (
        f" (the extension says {_EXTENSIONS[ext]}, the content does not)"
        if ext in _EXTENSIONS
        else ""
    )
    raise ImportFormatError(
        f"{_NOT_RECOGNISED}: expected RIS, BibTeX, MEDLINE, PubMed XML, Web of Science, "
        f"EndNote XML, CSV, TSV or XLSX{hint}"
    )


def _xml_format(head: str) -> str:
    if re.search(r"<Pubmed(?:Article|BookArticle)(?:Set)?\b", head):
        return "pubmed-xml"
    if re.search(r"<records\b", head) and (
        re.search(r"<record\b", head) or re.search(r"<xml\b", head)
    ):
        return "endnote-xml"
    lowered = head[:2000].lower()
    if "<html" in lowered or "<!doctype html" in lowered:
        raise ImportFormatError(f"{_NOT_RECOGNISED}: the file is an HTML page")
    body = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", head, flags=re.DOTALL)
    root = _XML_ROOT_RE.search(body)
    name = f" <{root.group(1)}>" if root else ""
    raise ImportFormatError(
        f"{_NOT_RECOGNISED}: XML whose root element{name} is neither PubMed XML "
        "(<PubmedArticleSet>) nor EndNote XML (<xml><records>)"
    )


def _delimited_format(first_line: str) -> str | None:
    """csv/tsv when the first line looks like a header: two or more short, non-empty names."""
    tabs, commas, semicolons = (first_line.count(c) for c in ("\t", ",", ";"))
    if tabs and tabs >= commas and tabs >= semicolons:
        fmt, delimiter = "tsv", "\t"
    elif commas or semicolons:
        fmt, delimiter = "csv", "," if commas >= semicolons else ";"
    else:
        return None
    names = [cell.strip().strip('"').strip() for cell in first_line.split(delimiter)]
    names = [name for name in names if name]
    if len(names) >= 2 and all(len(name) <= 80 for name in names):
        return fmt
    return None


def _header_below(lines: list[str]) -> str | None:
    """csv/tsv when a line below the first (among the first few) reads as a table's header:
    a title row or a search query above it (Lens, Embase, Dimensions)."""
    from .columns import HEADER_SEARCH_LINES, header_delimiter

    for line in lines[1:HEADER_SEARCH_LINES]:
        delimiter = header_delimiter(line)
        if delimiter:
            return "tsv" if delimiter == "\t" else "csv"
    return None


def _has_known_columns(first_line: str, fmt: str) -> bool:
    from .columns import map_headers
    from .tabular import sniff_delimiter

    delimiter = "\t" if fmt == "tsv" else sniff_delimiter(first_line)
    headers = [h.strip().strip('"') for h in first_line.split(delimiter)]
    mapping = map_headers(headers)
    return "title" in mapping or "abstract" in mapping
