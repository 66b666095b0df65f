"""RIS (Scopus, Web of Science RIS, Embase, Ovid, ProQuest, Zotero, EndNote, Dimensions …).

A line parser of its own rather than ``rispy.loads``: rispy silently drops a last record without
``ER``, loses the first record behind a UTF-8 BOM, keeps only the first value of a repeated
non-list tag (ProQuest/EBSCO write two ``AB``), skips a record without ``TY`` without a word and
knows no line numbers. Lines are split into (tag, rest) by one regex ``findall`` per few MB, so
the Python loop does less per line than rispy's and the whole parse runs at rispy's speed (see
the importer tests). Every tag, known or not, is kept in ``raw`` as ``{tag: [values in file
order]}``.

Dialect tolerance: ``XX  - value`` (also ``XX  -`` with nothing after, ``XX  -value``, in a file
whose records start ``TY - ``, ``XX - value``, and a tag in lower case, ``au  - value``), blank
lines anywhere, CRLF/CR/LF line endings (mixed too, as in exports joined into one file), junk
before the first ``TY`` and between records (Ovid's ``1.`` numbering and "Link to
the Ovid Full Text" lines, a header line), tags after ``ER`` (Ovid's ``NL``: kept with the record
before), a missing final ``ER``, and untagged continuation lines (EndNote puts one keyword per
line after a single ``KW``; Dimensions a second URL after ``UR``; wrapped abstracts).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from .common import (
    ImportFormatError,
    ParsedRecord,
    clean_abstract,
    clean_text,
    extract_year,
    first_value,
    join_pages,
    normalise_doi,
)

__all__ = ["iter_ris", "iter_ris_pieces", "parse_ris"]

# Every line, split into (tag, rest): tag is "" for a line that is not "XX  - …" / "XX  -".
# findall does the per-line scanning in C, which is what makes this as fast as rispy.
_LINE_RE = re.compile(r"^(?:([A-Z][A-Z0-9])  -(?![^ \r\n]))?(.*)$", re.MULTILINE)
# Loose tag lines: "XX  -value" (value glued to the dash) always; "XX - value" (one space) only in
# a file whose records start with "TY - ", since in a two-space file such a line is wrapped text.
_LOOSE_TAG_RE = re.compile(r"([A-Z][A-Z0-9])  -(.*)")
_ONE_SPACE_TAG_RE = re.compile(r"([A-Z][A-Z0-9])  ?-(?: (.*)|$)")
# A tag in lower or mixed case ("au  - Smith, J"), taken as its upper-case tag only in the exact
# "xx  - value" form from the line's first column: glued or one-space forms in lower case would
# catch wrapped text ("is - as shown").
_ANY_CASE_TAG_RE = re.compile(r"([A-Za-z][A-Za-z0-9])  -(?:[ \r](.*))?")
# Tags whose untagged continuation lines are further items, not wrapped text.
_ITEM_TAGS = frozenset(
    ("AU", "A1", "A2", "A3", "A4", "KW", "UR", "L1", "L2", "L3", "L4", "LK", "AD")
)
_PUBMED_URL_RE = re.compile(r"(?:ncbi\.nlm\.nih\.gov/pubmed/|pubmed\.ncbi\.nlm\.nih\.gov/)(\d+)")
_CHUNK_CHARS = 1 << 22
_BARE_CR_RE = re.compile(r"\r(?!\n)")


def _line_chunks(text: str) -> Iterator[list[tuple[str, str]]]:
    """(tag, rest) for every line of ``text``, as lists of a few MB of lines (bounded memory)."""
    text = _lf_line_ends(text)
    findall = _LINE_RE.findall
    start, size = 0, len(text)
    while start <= size:
        end = text.find("\n", start + _CHUNK_CHARS)
        if end == -1:
            end = size
        yield findall(text, start, end)
        start = end + 1


def _lf_line_ends(text: str) -> str:
    """The text with every line ending in LF, if some end in a bare CR (old Mac, or exports from
    different systems joined into one file); else the text itself.

    _LINE_RE only splits at LF, so a bare CR would glue lines into one value. CRLF alone needs no
    copy: the CR stays at the end of the line's rest, which strip() takes off. A CR at the very
    end is left alone, as in a piece of iter_ris_pieces it is the CR of a CRLF split by the cut.
    """
    if "\r" not in text:
        return text  # LF only: the common case, one scan in C
    bare = _BARE_CR_RE.search(text)  # (a third of the time of text.count("\r\n"))
    if bare is None or bare.end() == len(text):
        return text
    last = "\r" if text.endswith("\r") else ""
    body = text[:-1] if last else text
    return body.replace("\r\n", "\n").replace("\r", "\n") + last


def parse_ris(text: str) -> list[ParsedRecord]:
    return list(iter_ris(text))


def iter_ris(text: str) -> Iterator[ParsedRecord]:
    """The records of an RIS text one by one, as the text is read (for streaming imports).

    A record is yielded once the next one starts (or the text ends), since tags between its ER
    and the next TY still belong to it. An ImportFormatError may come after records were
    yielded: the caller decides what a half-read file means (the import stores nothing).
    """
    return _records(_line_chunks(text))


def iter_ris_pieces(pieces: Iterable[str]) -> Iterator[ParsedRecord]:
    """Like :func:`iter_ris` for a text given in pieces, e.g. decoded a few MB at a time.

    Each piece ends where a line ends, without that line's LF (the next piece starts after it),
    so the pieces joined with LF are the text. Lines ending in a bare CR are split within each
    piece; a piece's last CR is the first half of a CRLF cut at the LF, and stays.
    """
    findall = _LINE_RE.findall
    return _records(findall(_lf_line_ends(piece)) for piece in pieces)


def _records(chunks: Iterable[list[tuple[str, str]]]) -> Iterator[ParsedRecord]:
    item_tags = _ITEM_TAGS
    loose_match = _LOOSE_TAG_RE.fullmatch
    one_space_match = _ONE_SPACE_TAG_RE.fullmatch
    any_case_match = _ANY_CASE_TAG_RE.fullmatch
    rec: dict[str, list[str]] | None = None
    pending: ParsedRecord | None = None  # the last complete record, until the next TY
    count = 0  # records completed so far (pending included)
    start_line = 0
    last_tag = "TY"
    one_space = False
    orphans: list[tuple[str, str, int]] = []
    first_line = 1
    for pairs in chunks:
        for lineno, (tag, rest) in enumerate(pairs, first_line):
            if tag:
                value = rest.strip()
                if rec is not None and tag != "ER" and tag != "TY":  # the common case
                    values = rec.get(tag)
                    if values is None:
                        rec[tag] = [value]
                    else:
                        values.append(value)
                    last_tag = tag
                    continue
            else:
                if not rest or rest.isspace():
                    continue
                line = rest.strip()
                match = None
                if line[:1].isupper():
                    match = loose_match(line)
                    if match is None and (rec is None or one_space):
                        match = one_space_match(line)
                        if match is not None and rec is None and match.group(1) == "TY":
                            one_space = True
                if match is None and rest[2:5] == "  -":
                    match = any_case_match(rest)
                if match is None:
                    if rec is None:
                        continue  # junk outside a record (Ovid's "1.", a header, a link line)
                    values = rec[last_tag]
                    if last_tag in item_tags:
                        values.append(line)
                    elif values[-1]:
                        values[-1] = values[-1] + "\n" + line
                    else:
                        values[-1] = line
                    continue
                tag, value = match.group(1).upper(), (match.group(2) or "").strip()
            if rec is None:
                if tag == "TY":
                    if orphans:
                        _adopt(pending, orphans)
                    if pending is not None:
                        yield pending
                        pending = None
                    rec = {"TY": [value]}
                    start_line = lineno
                    last_tag = "TY"
                elif tag == "ER":
                    if orphans:  # tags, then ER, without a TY: a record missing its type
                        raise ImportFormatError(
                            f"record does not start with a TY (type) tag: found {orphans[0][0]!r}",
                            count + 1,
                            orphans[0][2],
                        )
                    # a stray second ER is harmless
                else:
                    # Ovid writes a few tags after ER (NL - journal abbreviation): they belong to
                    # the record before, unless an ER follows them (then a TY is missing).
                    orphans.append((tag, value, lineno))
                continue
            if tag == "ER":
                count += 1
                pending = _to_record(rec, count, start_line)
                rec = None
            elif tag == "TY":
                raise ImportFormatError(
                    "no end-of-record tag (ER) before the next record's TY",
                    count + 1,
                    lineno,
                )
            else:
                values = rec.get(tag)
                if values is None:
                    rec[tag] = [value]
                else:
                    values.append(value)
                last_tag = tag
        first_line += len(pairs)
    if rec is not None:  # missing final ER: accept the record
        yield _to_record(rec, count + 1, start_line)
    else:
        if orphans:
            _adopt(pending, orphans)
        if pending is not None:
            yield pending


def _adopt(record: ParsedRecord | None, orphans: list[tuple[str, str, int]]) -> None:
    """Keep tags found between an ER and the next TY in the raw data of the record before."""
    if record is None:
        tag, _value, line = orphans[0]
        raise ImportFormatError(
            f"record does not start with a TY (type) tag: found {tag!r}", 1, line
        )
    raw = record.raw
    for tag, value, _line in orphans:
        raw.setdefault(tag, []).append(value)
    orphans.clear()


def _find_pmid(rec: dict[str, list[str]]) -> str:
    get = rec.get
    candidates: list[str] = []
    if "DB" in rec or "DP" in rec:
        database = " ".join(get("DB", []) + get("DP", [])).lower()
        if "scopus" in database:
            candidates += get("C2", [])  # Scopus writes the PMID as C2
        elif "embase" in database:
            candidates += get("C5", [])  # Embase writes the MEDLINE PMID as C5
        if "pubmed" in database or "nlm" in database or "medline" in database:
            candidates += get("AN", [])  # EndNote/Ovid from PubMed/MEDLINE: AN is the PMID
    candidates += get("PM", [])  # WoS-flavoured RIS
    for value in candidates:
        value = value.strip()
        if value.isascii() and value.isdigit() and len(value) <= 9:  # "²" is a digit to Python
            return value
    for tag in ("UR", "L2", "LK", "L1"):
        for url in get(tag, ()):
            if "pubmed" in url:
                match = _PUBMED_URL_RE.search(url)
                if match:
                    return match.group(1)
    return ""


def _find_doi(rec: dict[str, list[str]]) -> str:
    for tag in ("DO", "DI", "M3", "N1"):
        for value in rec.get(tag, ()):
            if tag in ("M3", "N1") and "10." not in value:
                continue
            if tag == "N1" and "doi" not in value.lower():
                continue
            doi = normalise_doi(value)
            if doi:
                return doi
    for tag in ("UR", "L2", "L3", "LK"):
        for url in rec.get(tag, ()):
            if "doi.org/" in url:
                doi = normalise_doi(url[url.index("doi.org/") + 8 :])
                if doi:
                    return doi
    return ""


def _pages(rec: dict[str, list[str]]) -> str:
    start, end = first_value(rec, "SP"), first_value(rec, "EP")
    if start == "No" and end == "Specified":  # Ovid's "no pages"
        return ""
    return join_pages(start, end)


def _to_record(rec: dict[str, list[str]], number: int, line: int) -> ParsedRecord:
    # Called once per record: the common cases are spelled out (first_value, clean_text and
    # check_readable inline) since each helper call costs as much as the work it does here.
    get = rec.get
    authors = get("AU") or get("A1")
    authors = [a for a in authors if a] if authors else []
    keywords = get("KW")
    if keywords:
        if len(keywords) == 1 and ";" in keywords[0]:
            keywords = [k.strip() for k in keywords[0].split(";")]
        keywords = [k for k in keywords if k]
    else:
        keywords = []
    values = get("AB") or get("N2")
    abstract = ""
    if values:
        abstract = values[0] if len(values) == 1 else "\n".join(v for v in values if v)
        if abstract:
            abstract = clean_abstract(abstract)
    url = ""
    for value in get("UR") or get("L2") or ():
        if value:
            url = value.split(";")[0].strip() if ";" in value else value
            break
    values = get("TI")
    title = values[0] if values and values[0] else first_value(rec, "TI", "T1", "CT", "ST", "BT")
    if title:
        title = clean_text(title)
    journal = first_value(rec, "JF", "T2", "JO", "JA", "J2", "SO")
    if journal:
        journal = clean_text(journal)
    values = get("VL")
    volume = (values[0] or first_value(rec, "VL")) if values else ""
    values = get("IS")
    issue = (values[0] or first_value(rec, "IS")) if values else ""
    values = get("PY")
    value = (values[0] or first_value(rec, "PY")) if values else ""
    head = value[:4]
    if len(value) >= 4 and head.isascii() and head.isdigit() and not value[4:5].isdigit():
        year = int(value[:4])  # "2012", "2019///", "2016/09//": the common case, no regex
        if not 1000 <= year <= 2100:
            year = extract_year(value, first_value(rec, "Y1"), first_value(rec, "DA"))
    else:
        year = extract_year(value, first_value(rec, "Y1"), first_value(rec, "DA"))
    pages = _pages(rec) if "SP" in rec or "EP" in rec else ""
    doi = _find_doi(rec)
    pmid = _find_pmid(rec)
    if not (title or authors or doi or pmid or abstract or url):  # check_readable
        raise ImportFormatError(
            "unreadable record: no title, abstract, authors, DOI, PMID or URL", number, line
        )
    return ParsedRecord(
        title=title,
        abstract=abstract,
        authors=authors,
        year=year,
        journal=journal,
        volume=volume,
        issue=issue,
        pages=pages,
        doi=doi,
        pmid=pmid,
        keywords=keywords,
        url=url,
        type=rec["TY"][0],
        raw=rec,
    )
