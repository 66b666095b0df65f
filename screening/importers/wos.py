"""Web of Science (and Zoological Record, BIOSIS …) tagged export: ``.ciw`` / plain text.

``FN``/``VR`` header, records from ``PT`` to ``ER``, ``EF`` at the end; a tag is two characters
and a space, wrapped lines start with three spaces. For the per-line tags (``AU``, ``AF``, ``CR``,
``C1`` …) each wrapped line is one more item, for the others it is wrapped text joined with a
space. ``raw`` maps each tag to the list of its values (items).
"""

from __future__ import annotations

import re

from .common import (
    ImportFormatError,
    ParsedRecord,
    check_readable,
    clean_abstract,
    clean_text,
    extract_year,
    first_value,
    join_pages,
    normalise_doi,
    split_keywords,
    split_lines,
)

__all__ = ["parse_wos", "wos_author"]

_LINE_ITEM_TAGS = frozenset(
    ("AU", "AF", "BA", "BF", "BE", "CA", "GP", "CR", "C1", "C3", "RP", "SP", "HO")
)
_HEADER_TAGS = frozenset(("FN", "VR", "EF"))
_TAG_RE = re.compile(r"([A-Z][A-Z0-9])(?: (.*))?")
# Zoological Record writes an e-mail address after the name: "Stillman, Andrew N. (a@b.edu)".
_EMAIL_SUFFIX_RE = re.compile(r"\s*\([^()]*@[^()]*\)\s*$")


def wos_author(name: str) -> str:
    name = name.strip()
    if "@" in name:
        name = _EMAIL_SUFFIX_RE.sub("", name)
    return name


def parse_wos(text: str) -> list[ParsedRecord]:
    records: list[ParsedRecord] = []
    rec: dict[str, list[str]] | None = None
    last_tag = ""
    start_line = 0
    tag_match = _TAG_RE.fullmatch
    line_items = _LINE_ITEM_TAGS
    for lineno, line in enumerate(split_lines(text), start=1):
        if line[:2] == "  " or line[:1] == "\t":
            content = line.strip()
            if rec is None or not content:
                continue
            values = rec[last_tag]
            if last_tag in line_items:
                values.append(content)
            elif values[-1]:
                values[-1] = f"{values[-1]} {content}"
            else:
                values[-1] = content
            continue
        stripped = line.rstrip()
        if not stripped:
            continue
        match = tag_match(stripped)
        if match is None:
            if rec is None:
                continue  # junk outside a record
            raise ImportFormatError(
                f"not a Web of Science tag line: {line[:40]!r}", len(records) + 1, lineno
            )
        tag, value = match.group(1), (match.group(2) or "").strip()
        if rec is None:
            if tag == "PT":
                rec = {"PT": [value]}
                start_line = lineno
                last_tag = "PT"
            elif tag not in _HEADER_TAGS and tag != "ER":
                raise ImportFormatError(
                    f"record does not start with a PT tag: found {tag!r}",
                    len(records) + 1,
                    lineno,
                )
            continue
        if tag == "ER":
            records.append(_to_record(rec, len(records) + 1, start_line))
            rec = None
        elif tag == "PT":
            raise ImportFormatError(
                "no end-of-record tag (ER) before the next record's PT", len(records) + 1, lineno
            )
        elif tag == "EF":
            records.append(_to_record(rec, len(records) + 1, start_line))
            rec = None
        else:
            values = rec.get(tag)
            if values is None:
                rec[tag] = [value]
            else:
                values.append(value)
            last_tag = tag
    if rec is not None:
        records.append(_to_record(rec, len(records) + 1, start_line))
    return records


def _to_record(rec: dict[str, list[str]], number: int, line: int) -> ParsedRecord:
    authors = rec.get("AF") or rec.get("AU") or rec.get("CA") or []
    pages = join_pages(first_value(rec, "BP"), first_value(rec, "EP")) or first_value(rec, "AR")
    pmid = first_value(rec, "PM")
    if not pmid:
        accession = first_value(rec, "UT")
        if accession.upper().startswith("MEDLINE:"):
            pmid = accession.split(":", 1)[1].strip()
    record = ParsedRecord(
        title=clean_text(first_value(rec, "TI")),
        abstract=clean_abstract(first_value(rec, "AB")),
        authors=[a for a in (wos_author(a) for a in authors) if a],
        year=extract_year(first_value(rec, "PY"), first_value(rec, "EY"), first_value(rec, "PD")),
        journal=clean_text(first_value(rec, "SO", "SE", "BS")),
        volume=first_value(rec, "VL"),
        issue=first_value(rec, "IS"),
        pages=pages,
        doi=normalise_doi(first_value(rec, "DI", "D2")),
        pmid=pmid,
        keywords=split_keywords(rec.get("DE", []) + rec.get("ID", [])),
        url="",
        type=first_value(rec, "DT", "PT"),
        raw=rec,
    )
    return check_readable(record, number, line)
