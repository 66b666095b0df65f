"""Safe XML reading for the XML importers: every document goes through defusedxml.

Entity declarations (billion laughs, XXE) and external references are refused before anything
is expanded, with an ImportFormatError; a DOCTYPE alone is allowed (PubMed writes one). A document
declared in an encoding expat cannot read itself (Shift_JIS, GB2312) is re-encoded as UTF-8 first;
one in an encoding Python does not know either ("Unicode", "x-mac-roman") is refused.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException, EntitiesForbidden, ExternalReferenceForbidden

from .common import ImportFormatError

__all__ = ["element_text", "element_to_dict", "iter_elements"]

_DECLARED_ENCODING_RE = re.compile(
    rb"""(?:\xef\xbb\xbf)?<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z][\w.-]*)["']"""
)
# The encoding names expat reads itself (in any case). For any other it asks Python for a
# one-byte-per-character table and fails with a bare LookupError (a name Python does not know)
# or ValueError (a multi-byte encoding: Shift_JIS, GB2312, even "utf8").
_EXPAT_ENCODINGS = frozenset(("UTF-8", "UTF-16", "UTF-16BE", "UTF-16LE", "ISO-8859-1", "US-ASCII"))


def iter_elements(data: bytes, tags: frozenset[str]) -> Iterator[Element]:
    """Yield each element named in ``tags`` once it is complete, streaming the document.

    The caller may ``clear()`` a yielded element to keep memory flat on large files.
    """
    data = _in_an_encoding_expat_reads(data)
    try:
        for _event, elem in SafeET.iterparse(
            io.BytesIO(data),
            events=("end",),
            forbid_dtd=False,
            forbid_entities=True,
            forbid_external=True,
        ):
            if elem.tag in tags:
                yield elem
    except EntitiesForbidden:
        raise ImportFormatError(
            "the XML declares entities, which are refused (entity expansion / external entity "
            "attack)"
        ) from None
    except ExternalReferenceForbidden:
        raise ImportFormatError("the XML refers to an external entity, which is refused") from None
    except DefusedXmlException as exc:
        raise ImportFormatError(f"unsafe XML refused: {exc}") from None
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        reason = str(exc).split(":", 1)[0]
        if "no element found" in str(exc):
            reason = "the XML ends before it is complete (truncated file?)"
        raise ImportFormatError(f"malformed XML: {reason}", line=line) from None


def _in_an_encoding_expat_reads(data: bytes) -> bytes:
    """The document, re-encoded as UTF-8 if it declares an encoding that expat does not read
    itself (Shift_JIS, windows-1252 …); refused if Python does not know that encoding either."""
    match = _DECLARED_ENCODING_RE.match(data[:300])
    if match is None:
        return data
    declared = match.group(1).decode("ascii")
    if declared.upper() in _EXPAT_ENCODINGS:
        return data
    refusal = (
        f'the XML declares encoding="{declared}", which is not an encoding known here: '
        "save the file as UTF-8"
    )
    try:
        text = data[match.end() :].decode(declared)
    except LookupError:  # unknown, or not a text encoding ("base64")
        raise ImportFormatError(refusal) from None
    except UnicodeDecodeError as exc:
        raise ImportFormatError(
            f'the XML declares encoding="{declared}" but byte {match.end() + exc.start} is not '
            f"{declared}: save the file as UTF-8"
        ) from None
    declaration = data[match.start(0) : match.start(1)].removeprefix(codecs.BOM_UTF8)
    return declaration + b"UTF-8" + data[match.end(1) : match.end()] + text.encode("utf-8")


def element_text(elem: Element | None) -> str:
    """All text inside an element (inline markup and ``<style>`` wrappers included)."""
    if elem is None:
        return ""
    return "".join(elem.itertext()).strip()


def element_to_dict(elem: Element, flatten: frozenset[str] = frozenset()) -> Any:
    """An element as JSON-ready data: text for a plain leaf, else a dict.

    Attributes become ``@name`` keys, repeated children lists, and mixed content keeps its full
    text under ``#text``. An element whose children are all in ``flatten`` (EndNote's
    ``<style>``) counts as a plain leaf with its whole text.
    """
    children = list(elem)
    if children and flatten and all(child.tag in flatten for child in children):
        children = []
        text = element_text(elem)
    else:
        text = (elem.text or "").strip()
    if not children and not elem.attrib:
        return text
    out: dict[str, Any] = {f"@{key}": value for key, value in elem.attrib.items()}
    mixed = bool(text)
    for child in children:
        value = element_to_dict(child, flatten)
        if child.tag not in out:
            out[child.tag] = value
        elif isinstance(out[child.tag], list):
            out[child.tag].append(value)
        else:
            out[child.tag] = [out[child.tag], value]
        if child.tail and child.tail.strip():
            mixed = True
    if mixed:
        out["#text"] = element_text(elem) if children else text
    return out
