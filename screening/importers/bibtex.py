"""BibTeX (Scopus, Zotero, JabRef, Google Scholar …) through bibtexparser 2.

``bibtexparser.parse_string`` splits the file with an empty parse stack; enclosing braces/quotes,
``#`` concatenation and ``@string`` macros are resolved here, so entries that bibtexparser marks as
failed only because they repeat a field (Scopus writes ``funding_details`` twice) or reuse a key
go through the same path as clean ones and are kept: a repeated field becomes a list in ``raw``
and its values are joined for the mapped fields. LaTeX is decoded (.latex) only in the fields
mapped onto the record and only when they contain a backslash; ``raw`` keeps the source text.
An entry with nothing to screen (``@set``, ``@xdata``, a crossref stub) is skipped and noted;
one that cross-references another takes the booktitle and year it lacks from it.
"""

from __future__ import annotations

import re
from typing import Any

import bibtexparser
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ImplicitComment,
    ParsingFailedBlock,
    String,
)

from .common import (
    NO_CONTENT,
    ImportFormatError,
    ParsedRecord,
    clean_abstract,
    clean_text,
    extract_year,
    has_content,
    normalise_doi,
    split_keywords,
)
from .latex import delatex as _delatex

__all__ = ["parse_bibtex"]

_MONTHS = {
    m: m
    for m in ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
}
_AND_RE = re.compile(r"\s+and\s+", flags=re.IGNORECASE)
_PUBMED_URL_RE = re.compile(r"(?:ncbi\.nlm\.nih\.gov/pubmed/|pubmed\.ncbi\.nlm\.nih\.gov/)(\d+)")
# A field assignment at the start of a line ("author = {", "year = 2020,"): in the free text
# between entries, the rest of an entry that an extra closing brace ended early.
_STRAY_FIELD_RE = re.compile(
    r"""^\s*,?\s*([A-Za-z][\w:.+-]*)\s*=\s*(?:[{"]|[\w.:-]+\s*[,}])""", re.MULTILINE
)


def _split_top_level(value: str) -> list[str]:
    """Split a field value on ``#`` outside braces and quotes."""
    if "#" not in value:
        return [value]
    parts, depth, in_quotes, start = [], 0, False, 0
    for i, ch in enumerate(value):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == 0 and (i == 0 or value[i - 1] != "\\"):
            in_quotes = not in_quotes
        elif ch == "#" and depth == 0 and not in_quotes:
            parts.append(value[start:i])
            start = i + 1
    parts.append(value[start:])
    return parts


def _resolve(value: Any, strings: dict[str, str]) -> str:
    if not isinstance(value, str):
        return str(value)
    out = []
    for part in _split_top_level(value.strip()):
        part = part.strip()
        if len(part) >= 2 and (
            (part[0] == "{" and part[-1] == "}") or (part[0] == '"' and part[-1] == '"')
        ):
            out.append(part[1:-1])
        elif part.lower() in strings:
            out.append(strings[part.lower()])
        elif part.lower() in _MONTHS:
            out.append(part.lower())
        else:
            out.append(part)
    return "".join(out)


def parse_bibtex(text: str, *, notes: list[str] | None = None) -> list[ParsedRecord]:
    """The entries of a BibTeX file as records. Entries with no bibliographic content (a
    biblatex ``@set``, an ``@xdata`` block, an entry that only cross-references another) are
    skipped, and ``notes`` (when given) says how many and which."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    library = bibtexparser.parse_string(text, parse_stack=[])
    strings: dict[str, str] = {}
    blocks = library.blocks
    for block in blocks:
        if isinstance(block, String):
            strings[block.key.lower()] = _resolve(block.value, strings)
    parents = {e.key.lower(): e for e in map(_entry_of, reversed(blocks)) if e is not None}
    records: list[ParsedRecord] = []
    skipped: list[str] = []
    last: Entry | None = None
    for block in blocks:
        entry = block
        if isinstance(block, DuplicateFieldKeyBlock | DuplicateBlockKeyBlock):
            entry = block.ignore_error_block
        elif isinstance(block, ParsingFailedBlock):
            reason = getattr(block.error, "abort_reason", "") or str(block.error)
            raise ImportFormatError(
                f"BibTeX entry cannot be read: {' '.join(reason.split()) or 'syntax error'}",
                len(records) + 1,
                (block.start_line or 0) + 1,
            )
        elif isinstance(block, ImplicitComment):
            _refuse_stray_fields(block, records, last)
        if isinstance(entry, Entry):
            last = entry
            record = _to_record(entry, strings, parents)
            if has_content(record):
                records.append(record)
            else:
                skipped.append(f"@{entry.entry_type[:20]}{{{entry.key[:60]}}}")
    if skipped:
        _report_skipped(skipped, records, notes)
    return records


def _report_skipped(skipped: list[str], records: list[ParsedRecord], notes: list[str] | None):
    """Say which entries were left out and why; refuse a file that holds nothing else."""
    shown = ", ".join(skipped[:5]) + (f" and {len(skipped) - 5:,} more" if len(skipped) > 5 else "")
    entries = "entry" if len(skipped) == 1 else "entries"
    if not records:
        raise ImportFormatError(
            f"no BibTeX records with content in the file: its {len(skipped):,} {entries} "
            f"({shown}) have {NO_CONTENT}"
        )
    if notes is not None:
        notes.append(
            f"{len(skipped):,} BibTeX {entries} skipped ({NO_CONTENT}: sets or "
            f"cross-references only?): {shown}"
        )


def _refuse_stray_fields(
    comment: ImplicitComment, records: list[ParsedRecord], last: Entry | None
) -> None:
    """Refuse text between entries that reads as fields.

    BibTeX takes any text outside an entry as a comment, so an extra ``}`` in a field ends the
    entry there and its remaining fields (authors, year …) would be dropped without a word (or
    the entry, left with no content, skipped). ``last`` is the entry before the text.
    """
    match = _STRAY_FIELD_RE.search(comment.comment)
    if match is None:
        return
    stray = f'"{match.group(1)} = …"'
    line = (comment.start_line or 0) + 1
    if last is None:
        raise ImportFormatError(
            f'BibTeX fields outside any entry ({stray}): an entry without its "@type{{key," start?',
            line=line,
        )
    kept = bool(records) and records[-1].raw["ID"] == last.key
    raise ImportFormatError(
        f"BibTeX entry {last.key!r} ends before its fields do ({stray} follows it): "
        'an extra "}" in a field?',
        len(records) if kept else None,
        line,
    )


def _names(value: str) -> list[str]:
    value = " ".join(value.split())
    if not value:
        return []
    names = []
    depth = 0
    start = 0
    # split on " and " outside braces ({Barnes and Noble} is one corporate name)
    for match in _AND_RE.finditer(value):
        depth = value.count("{", 0, match.start()) - value.count("}", 0, match.start())
        if depth == 0:
            names.append(value[start : match.start()])
            start = match.end()
    names.append(value[start:])
    return [n for n in (clean_text(_delatex(n)) for n in names) if n and n.lower() != "others"]


def _entry_of(block: Any) -> Entry | None:
    if isinstance(block, DuplicateFieldKeyBlock | DuplicateBlockKeyBlock):
        block = block.ignore_error_block
    return block if isinstance(block, Entry) else None


def _fields(entry: Entry, strings: dict[str, str]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for fld in entry.fields:
        fields.setdefault(fld.key.lower(), []).append(_resolve(fld.value, strings))
    return fields


# What a paper takes from the proceedings or book it cross-references (DBLP writes its papers
# so), when it lacks them, as BibTeX fills them in. Never the title, authors, editors or
# identifiers: those are the parent's own.
_INHERITED = ("booktitle", "journal", "journaltitle", "year", "date", "volume", "series")
_CONTAINERS = frozenset(("proceedings", "book", "collection", "mvbook", "mvproceedings"))


def _inherit(fields: dict[str, list[str]], parent: Entry, strings: dict[str, str]) -> None:
    """Fill a cross-referencing entry's missing container fields from its parent."""
    given = _fields(parent, strings)
    for key in _INHERITED:
        if key not in fields and key in given:
            fields[key] = given[key]
    if "booktitle" not in fields and parent.entry_type.lower() in _CONTAINERS and "title" in given:
        fields["booktitle"] = given["title"]  # biblatex: the parent's title is the book title


def _to_record(
    entry: Entry, strings: dict[str, str], parents: dict[str, Entry] | None = None
) -> ParsedRecord:
    fields = _fields(entry, strings)
    # field names are lower case, so ENTRYTYPE and ID cannot clash with a field
    raw: dict[str, Any] = {"ENTRYTYPE": entry.entry_type, "ID": entry.key}
    for key, values in fields.items():
        raw[key] = values[0] if len(values) == 1 else values  # as written: nothing inherited
    parent_key = fields.get("crossref", [""])[0].strip().lower()
    parent = (parents or {}).get(parent_key)
    if parent is not None and parent is not entry:
        _inherit(fields, parent, strings)

    def get(*keys: str, sep: str = " ") -> str:
        for key in keys:
            values = fields.get(key)
            if values:
                joined = sep.join(v for v in values if v.strip())
                if joined.strip():
                    return joined
        return ""

    keywords: list[str] = []
    for key in ("keywords", "author_keywords", "keyword", "mesh", "index_keywords"):
        for value in fields.get(key, ()):
            value = _delatex(value)
            keywords += split_keywords(value, ";" if ";" in value else ",")
    pmid = get("pmid")
    if not pmid and get("eprinttype").lower() == "pubmed":
        pmid = get("eprint")
    url = get("url", sep="\n").split("\n")[0].strip()
    if not pmid:
        match = _PUBMED_URL_RE.search(url)
        pmid = match.group(1) if match else ""
    pages = get("pages").replace("--", "-").replace("\u2013", "-")
    return ParsedRecord(
        title=clean_text(_delatex(get("title"))),
        abstract=clean_abstract(_delatex(get("abstract", sep="\n"))),
        authors=_names(get("author", sep=" and ") or get("editor", sep=" and ")),
        year=extract_year(get("year"), get("date")),
        journal=clean_text(_delatex(get("journal", "journaltitle", "booktitle", "series"))),
        volume=get("volume").strip(),
        issue=get("number", "issue").strip(),
        pages=" ".join(pages.split()),
        doi=normalise_doi(get("doi")),
        pmid=pmid.strip(),
        keywords=keywords,
        url=url,
        type=entry.entry_type,
        raw=raw,
    )
