"""RIS of the included records (PRISMA's "reports of included studies"), for a reference
manager."""

from __future__ import annotations

import re
from collections.abc import Iterator

from screening.models import Record
from screening.prisma import INCLUDED

from .base import ExportContext, in_chunks

RIS_TYPE = re.compile(r"^[A-Z]{2,6}$")
LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")


def _tag(tag: str, value: object) -> str:
    # A line break inside a value would start a bogus tag line in the reader.
    text = LINE_BREAKS.sub(" ", str(value)).strip()
    return f"{tag}  - {text}\n" if text else ""


def ris_entry(r: Record) -> str:
    """One record as a RIS entry; its number in the review (as pages show it) goes in ID."""
    kind = r.type.strip().upper() if RIS_TYPE.match(r.type.strip().upper()) else "JOUR"
    parts = [_tag("TY", kind), _tag("ID", r.number), _tag("TI", r.title)]
    parts += [_tag("AU", name) for name in r.authors]
    parts += [_tag("PY", r.year or ""), _tag("JO", r.journal), _tag("VL", r.volume)]
    parts += [_tag("IS", r.issue), _tag("SP", r.pages), _tag("DO", r.doi)]
    parts += [_tag("AN", f"PMID:{r.pmid}" if r.pmid else ""), _tag("UR", r.url)]
    parts += [_tag("KW", word) for word in r.keywords]
    parts += [_tag("AB", r.abstract), _tag("N1", f"Study: {r.study.label}" if r.study else "")]
    return "".join(parts) + "ER  - \n\n"


def included_records(ctx: ExportContext):
    # PRISMA's filter, so the file holds as many entries as the diagram's included reports (a
    # duplicate marked after full text, or a record sent back to title/abstract, is not one).
    records = Record.objects.in_review(ctx.review).filter(INCLUDED)
    if ctx.blind:  # an agreed outcome is the colleague's decision: only once the lead resolved
        records = records.filter(resolutions__stage="full_text").distinct()
    return records.select_related("study").defer("raw")


def ris_entries(ctx: ExportContext) -> Iterator[str]:
    records = included_records(ctx)
    total, done = records.count(), 0
    for chunk in in_chunks(records):
        yield from (ris_entry(r) for r in chunk)
        done += len(chunk)
        ctx.progress(done, total)


def write_records_ris(handle, ctx: ExportContext) -> int:
    count = 0
    for entry in ris_entries(ctx):
        handle.write(entry)
        count += 1
    return count
