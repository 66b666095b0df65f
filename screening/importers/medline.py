"""PubMed MEDLINE format (``.nbib``, PubMed's "PubMed" text export).

Tag lines are a tag padded to four characters, ``-`` and a space (``PMID- 1``, ``AU  - Smith J``,
``FAU - Smith, John``); wrapped lines start with six spaces; records are separated by blank lines
and start with ``PMID-`` (PMC's export puts ``PMC -`` first). ``raw`` maps each tag to the list of
its values with wrapped lines joined by a space.
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
    normalise_doi,
    split_lines,
)

__all__ = ["parse_medline"]

_TAG_RE = re.compile(r"([A-Z][A-Z0-9]{1,3}) {0,2}- ?(.*)")
# RIS's first and last tag of a record: MEDLINE has neither, and _TAG_RE would take an RIS file
# for MEDLINE with unknown tags, its years, DOIs and journals lost.
_RIS_TAGS = frozenset(("TY", "ER"))
_DOI_SUFFIX = "[doi]"


def parse_medline(text: str) -> list[ParsedRecord]:
    records: list[ParsedRecord] = []
    rec: dict[str, list[str]] | None = None
    last_tag = ""
    start_line = 0
    tag_match = _TAG_RE.fullmatch
    for lineno, line in enumerate(split_lines(text), start=1):
        if not line.strip():
            if rec is not None:
                records.append(_to_record(rec, len(records) + 1, start_line))
                rec = None
            continue
        if line[0] == " ":
            if rec is None:
                if not records:
                    continue  # junk before the first record
                raise ImportFormatError(
                    "indented continuation line outside a record", len(records) + 1, lineno
                )
            values = rec[last_tag]
            values[-1] = f"{values[-1]} {line.strip()}" if values[-1] else line.strip()
            continue
        match = tag_match(line.rstrip()) if line[4:5] == "-" else None
        if match is None:
            if rec is None and not records:
                continue  # junk before the first record
            raise ImportFormatError(
                f"not a MEDLINE tag line: {line[:40]!r}", len(records) + 1, lineno
            )
        tag, value = match.group(1), match.group(2).strip()
        if tag in _RIS_TAGS:
            raise ImportFormatError(
                f'"{tag}  -" is an RIS tag, not a MEDLINE one: the file looks like RIS '
                "(records from TY to ER), not PubMed MEDLINE; import it as RIS",
                len(records) + 1,
                lineno,
            )
        if rec is None:
            rec = {}
            start_line = lineno
        elif tag == "PMID" and "PMID" in rec:
            # a new record without the blank line between
            records.append(_to_record(rec, len(records) + 1, start_line))
            rec = {}
            start_line = lineno
        values = rec.get(tag)
        if values is None:
            rec[tag] = [value]
        else:
            values.append(value)
        last_tag = tag
    if rec is not None:
        records.append(_to_record(rec, len(records) + 1, start_line))
    return records


def _doi(rec: dict[str, list[str]]) -> str:
    for tag in ("LID", "AID"):
        for value in rec.get(tag, ()):
            if value.endswith(_DOI_SUFFIX):
                doi = normalise_doi(value[: -len(_DOI_SUFFIX)])
                if doi:
                    return doi
    return ""


def _to_record(rec: dict[str, list[str]], number: int, line: int) -> ParsedRecord:
    authors = rec.get("FAU") or rec.get("AU") or rec.get("CN") or []
    keywords = list(rec.get("MH", ())) + list(rec.get("OT", ()))
    pmid = first_value(rec, "PMID").split()[0] if first_value(rec, "PMID") else ""
    record = ParsedRecord(
        title=clean_text(first_value(rec, "TI", "BTI", "TT")),
        abstract=clean_abstract(" ".join(v for v in rec.get("AB", ()) if v)),
        authors=[a for a in authors if a],
        year=extract_year(
            first_value(rec, "DP"), first_value(rec, "DEP"), first_value(rec, "EDAT")
        ),
        journal=clean_text(first_value(rec, "JT", "TA")),
        volume=first_value(rec, "VI"),
        issue=first_value(rec, "IP"),
        pages=first_value(rec, "PG"),
        doi=_doi(rec),
        pmid=pmid,
        keywords=[k for k in keywords if k],
        url="",
        type=first_value(rec, "PT"),
        raw=rec,
    )
    return check_readable(record, number, line)
