"""Field-level cleaning shared by the importers: DOIs, whitespace and markup, years, pages,
keywords. Plain functions of strings (no Django), each cheap on the common, already-clean case:
an import runs them on every field of every record.
"""

from __future__ import annotations

import ast
import html
import json
import re
from urllib.parse import unquote

__all__ = [
    "clean_abstract",
    "clean_text",
    "extract_year",
    "join_pages",
    "list_cell",
    "normalise_doi",
    "split_keywords",
    "split_lines",
    "strip_markup",
    "unescape_entities",
]


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


# A character reference or a named entity, written out with its semicolon: "AT&T", "R&D" and
# "&c." are text, not entities (html.unescape alone would read "&copy" without one as ©).
_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def unescape_entities(value: str) -> str:
    """Decode HTML entities (``&lt;``, ``&amp;``, ``&#8211;``) once: ``&amp;lt;`` reads ``&lt;``."""
    if "&" not in value:
        return value
    return _ENTITY_RE.sub(lambda m: html.unescape(m.group(0)), value)


def strip_markup(value: str, paragraph: str = " ") -> str:
    """Take HTML/JATS markup out of a field: a block tag becomes `paragraph`, an inline tag goes
    (CO<sub>2</sub> reads CO2), and its entities (&amp;, &#8211;) are decoded, once.

    Entities are decoded even where no tag is left to strip: exports escape "p &lt; .001" in
    plain fields too (RIS from publisher sites), and the tags go first so an escaped tag
    (``&lt;i&gt;``) is text the reviewer sees, not markup that vanishes."""
    if "<" in value:
        value = _INLINE_TAG_RE.sub("", _BLOCK_TAG_RE.sub(paragraph, value))
    return unescape_entities(value)


def _collapse_spaces(value: str) -> str:
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


def clean_text(value: str) -> str:
    """Collapse every run of ASCII whitespace (newlines included) to one space; strip; take
    out HTML/JATS markup and decode entities (strip_markup).

    Other Unicode spaces (no-break, thin) are typography and stay.
    """
    if not value:
        return ""
    if "<" in value or "&" in value:
        value = strip_markup(value)
        if not value:
            return ""
    return _collapse_spaces(value)


def clean_abstract(value: str) -> str:
    """Strip an abstract and collapse spaces inside lines, keeping its paragraph breaks."""
    if not value:
        return ""
    if "<" in value or "&" in value:
        value = strip_markup(value, paragraph="\n")  # once: the lines are not decoded again
    if "\n" not in value and "\r" not in value:
        return _collapse_spaces(value) if value else ""
    lines = (_collapse_spaces(line) for line in value.replace("\r", "\n").split("\n") if line)
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


# Longer cells are left as text: literal_eval's time and memory grow with its input, and no
# list of authors or keywords comes near this.
_LIST_CELL_MAX = 100_000


def list_cell(value: str) -> list[str] | None:
    """The items of a cell written as a Python or JSON list of strings, as pandas and
    rispy-based tools write list columns (``['Marx, Karl', 'Lindgren, Astrid']``,
    ``["a", "b"]``); None for any other cell, which the caller splits as text.

    Read with ``ast.literal_eval`` (literals only, never code) or, for JSON's null/true, with
    ``json``, and only for a bounded cell that starts with ``[`` and ends with ``]``.
    """
    value = value.strip()
    if len(value) < 2 or value[0] != "[" or value[-1] != "]" or len(value) > _LIST_CELL_MAX:
        return None
    try:
        items = ast.literal_eval(value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        try:
            items = json.loads(value)
        except (ValueError, RecursionError):
            return None
    if not isinstance(items, list | tuple) or not all(
        item is None or (isinstance(item, str | int | float) and not isinstance(item, bool))
        for item in items
    ):
        return None
    return [text for text in (str(item).strip() for item in items if item is not None) if text]
