"""Safe XML reading for the XML importers: every document goes through defusedxml.

Entity declarations (billion laughs, XXE) and external references are refused before anything
is expanded, with an ImportFormatError; a DOCTYPE alone is allowed (PubMed writes one).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException, EntitiesForbidden, ExternalReferenceForbidden

from .common import ImportFormatError

__all__ = ["element_text", "element_to_dict", "iter_elements"]


def iter_elements(data: bytes, tags: frozenset[str]) -> Iterator[Element]:
    """Yield each element named in ``tags`` once it is complete, streaming the document.

    The caller may ``clear()`` a yielded element to keep memory flat on large files.
    """
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
