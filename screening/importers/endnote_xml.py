"""EndNote XML (``<xml><records><record>…``), read with defusedxml.

EndNote wraps most text in ``<style face=… font=… size=…>`` elements (sometimes several per
field); all text inside a field is taken. ``raw`` is the record element as nested dicts with the
``<style>`` wrappers flattened to text.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

from .common import (
    ImportFormatError,
    ParsedRecord,
    check_readable,
    clean_abstract,
    clean_text,
    extract_year,
    normalise_doi,
    split_keywords,
)
from .xmlutil import element_text, element_to_dict, iter_elements

__all__ = ["parse_endnote_xml"]

_FLATTEN = frozenset(("style",))
_PUBMED_URL_RE = re.compile(r"(?:ncbi\.nlm\.nih\.gov/pubmed/|pubmed\.ncbi\.nlm\.nih\.gov/)(\d+)")


def parse_endnote_xml(data: bytes) -> list[ParsedRecord]:
    records: list[ParsedRecord] = []
    saw_records = False
    for elem in iter_elements(data, frozenset(("record", "records"))):
        if elem.tag == "records":
            saw_records = True
            continue
        number = len(records) + 1
        records.append(check_readable(_record(elem), number))
        elem.clear()
    if not records and not saw_records:
        raise ImportFormatError("not an EndNote XML file: no <records> element")
    return records


def _text(elem: Element, path: str) -> str:
    return element_text(elem.find(path))


def _record(elem: Element) -> ParsedRecord:
    authors = [clean_text(element_text(a)) for a in elem.findall("contributors/authors/author")]
    keywords = split_keywords([element_text(k) for k in elem.findall("keywords/keyword")], "")
    urls = [element_text(u) for u in elem.findall("urls/related-urls/url")]
    urls += [element_text(u) for u in elem.findall("urls/web-urls/url")]
    urls = [u for u in urls if u]
    provider = (
        _text(elem, "remote-database-provider") + " " + _text(elem, "remote-database-name")
    ).lower()
    pmid = ""
    accession = _text(elem, "accession-num")
    from_pubmed = "nlm" in provider or "pubmed" in provider or "medline" in provider
    if accession.isascii() and accession.isdigit() and from_pubmed:
        pmid = accession
    if not pmid:
        for url in urls:
            match = _PUBMED_URL_RE.search(url)
            if match:
                pmid = match.group(1)
                break
    ref_type = elem.find("ref-type")
    doi = normalise_doi(_text(elem, "electronic-resource-num"))
    if not doi:
        for url in urls:
            if "doi.org/" in url:
                doi = normalise_doi(url[url.index("doi.org/") + 8 :])
                break
    return ParsedRecord(
        title=clean_text(_text(elem, "titles/title")),
        abstract=clean_abstract(_text(elem, "abstract")),
        authors=[a for a in authors if a],
        year=extract_year(_text(elem, "dates/year"), _text(elem, "dates/pub-dates/date")),
        journal=clean_text(
            _text(elem, "titles/secondary-title")
            or _text(elem, "periodical/full-title")
            or _text(elem, "periodical/abbr-1")
        ),
        volume=_text(elem, "volume"),
        issue=_text(elem, "number"),
        pages=_text(elem, "pages"),
        doi=doi,
        pmid=pmid,
        keywords=keywords,
        url=urls[0] if urls else "",
        type=(ref_type.get("name") or element_text(ref_type)) if ref_type is not None else "",
        raw=element_to_dict(elem, _FLATTEN),
    )
