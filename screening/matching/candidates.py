"""Candidate finding: the records the matcher takes, the pairs it returns, and their scores.

:func:`find_candidates` pairs records sharing a DOI or PMID, then takes the title-similar pairs
from :mod:`.blocking` and scores each against year, first author, journal, numbers, notices and
content words (the table in the :mod:`screening.matching` docstring). The penalties and caps
live here, next to the code that applies them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import OSA

from .blocking import _similar_pairs
from .normalise import (
    _NOTICE_RE,
    _STOP,
    _journal_key,
    _journal_keys_match,
    _norm_doi,
    _norm_pmid,
    _numbers,
    authors_match,
    normalise_author,
    normalise_title,
)

# --- tunables ------------------------------------------------------------------------------------

MIN_TITLE_WORDS = 3
MIN_TITLE_CHARS = 15
MAX_EXACT_GROUP = 100  # a DOI/PMID on more records than this is bad data, not an identifier
CONFLICT_CAP = 84.0  # fuzzy pairs whose DOIs or PMIDs differ never score above this
EXACT_CONFLICT_SCORE = 90.0  # same DOI but different PMIDs (or the other way round)

PEN_YEAR_ADJACENT = 1.5
PEN_YEAR_MISSING = 3.0
PEN_YEAR_TWO = 15.0
PEN_YEAR_FAR = 30.0
PEN_AUTHOR_MISSING = 5.5
PEN_AUTHOR_CONFLICT = 12.0
PEN_JOURNAL_CONFLICT = 6.0
PEN_NUMBERS = 10.0
PEN_NOTICE = 10.0
PEN_WORD = 4.0
PEN_WORD_MAX = 12.0
PEN_REORDERED = 5.0


@dataclass(frozen=True, slots=True)
class MatchRecord:
    """One record as the matcher sees it. ``doi`` is normalised (lower case, no prefix);
    ``first_author`` may be in any usual form ("Nazzaro, P.", "Nazzaro P", "Paolo Nazzaro");
    strings may be empty."""

    id: int  # database id; lower id = imported earlier
    title: str
    year: int | None
    first_author: str
    journal: str
    doi: str
    pmid: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """A probable duplicate pair; ``duplicate_id`` would be marked a duplicate of ``keep_id``."""

    keep_id: int  # the earlier record (min id)
    duplicate_id: int
    score: float  # 0..100
    matched: tuple[str, ...]  # fields that agreed: ("doi",), ("pmid",), ("title", "year", ...)
    method: str  # "doi" | "pmid" | "fuzzy"


# --- record preparation --------------------------------------------------------------------------


@dataclass(slots=True)
class _Fuzzy:
    """Per-record features computed once."""

    title: str
    tokens: tuple[str, ...]
    token_set: frozenset[str]
    numbers: str
    notice: bool
    author: str
    journal: str
    year: int | None


def _prepare(record: MatchRecord, title: str) -> _Fuzzy:
    tokens = tuple(title.split())
    token_set = frozenset(tokens)
    return _Fuzzy(
        title=title,
        tokens=tokens,
        token_set=token_set,
        numbers=_numbers(title, tokens, token_set),
        notice=bool(_NOTICE_RE.match(record.title)),
        author=normalise_author(record.first_author) if record.first_author else "",
        journal=_journal_key(record.journal),
        year=record.year,
    )


def _title_eligible(title: str) -> bool:
    return len(title) >= MIN_TITLE_CHARS or title.count(" ") + 1 >= MIN_TITLE_WORDS


# --- scoring -------------------------------------------------------------------------------------


def _typo_partner(tok: str, candidates: Collection[str]) -> str | None:
    """A word in ``candidates`` one edit (two for words of 8+ letters) away from ``tok``; an
    edit includes swapping two adjacent letters."""
    size = len(tok)
    limit = 2 if size >= 8 else 1
    for cand in candidates:
        if abs(len(cand) - size) <= limit and OSA.distance(tok, cand, score_cutoff=limit) <= limit:
            if limit == 2 and len(cand) < 8 and OSA.distance(tok, cand, score_cutoff=1) > 1:
                continue
            return cand
    return None


def _joined_parts(tok: str, tokens: tuple[str, ...]) -> tuple[str, ...] | None:
    """The 2-3 consecutive ``tokens`` that ``tok`` is written together from, if any."""
    for i in range(len(tokens) - 1):
        if not tok.startswith(tokens[i]):
            continue
        joined = tokens[i]
        for k in range(i + 1, min(i + 3, len(tokens))):
            joined += tokens[k]
            if joined == tok:
                return tokens[i : k + 1]
            if not tok.startswith(joined):
                break
    return None


def _unexplained_words(a: _Fuzzy, b: _Fuzzy) -> int:
    """Content words in one title with no typo-like partner in the other (spelling variants,
    typos, words split or joined by punctuation are explained; ``men``/``women`` is not)."""
    diff_a = a.token_set - b.token_set
    diff_b = b.token_set - a.token_set
    if len(diff_a) == 1 and len(diff_b) == 1:  # the usual case: one word spelled differently
        (tok_a,) = diff_a
        if _typo_partner(tok_a, diff_b):
            return 0
    only_a = [t for t in diff_a if t not in _STOP and not t.isdigit()]
    only_b = [t for t in diff_b if t not in _STOP and not t.isdigit()]
    if not only_a and not only_b:
        return 0
    explained: set[str] = set()
    for toks, other, other_only in ((only_a, b, diff_b), (only_b, a, diff_a)):
        for tok in toks:
            if tok in explained:
                continue
            partner = _typo_partner(tok, other_only) or _typo_partner(tok, other.tokens)
            if partner:  # "randomised"/"randomized", "hypertensoin"/"hypertension"
                explained.add(tok)
                explained.add(partner)
                continue
            parts = _joined_parts(tok, other.tokens)
            if parts:  # "angiotensinconverting" vs "angiotensin converting", "co2" vs "co 2"
                explained.add(tok)
                explained.update(parts)
    return sum(1 for t in only_a if t not in explained) + sum(
        1 for t in only_b if t not in explained
    )


def _fuzzy_score(
    a: _Fuzzy, b: _Fuzzy, title_sim: float, floor: float = 0.0
) -> tuple[float, tuple[str, ...]]:
    """Score and agreeing fields; stops early (returning a score < ``floor``) once below it."""
    score = title_sim
    matched = ["title"]

    if a.year is None or b.year is None:
        score -= PEN_YEAR_MISSING
    else:
        gap = abs(a.year - b.year)
        if gap <= 1:
            matched.append("year")
            if gap:
                score -= PEN_YEAR_ADJACENT
        else:
            score -= PEN_YEAR_TWO if gap == 2 else PEN_YEAR_FAR

    if not a.author or not b.author:
        score -= PEN_AUTHOR_MISSING
    elif authors_match(a.author, b.author):
        matched.append("first_author")
    else:
        score -= PEN_AUTHOR_CONFLICT

    if a.journal and b.journal:
        if _journal_keys_match(*sorted((a.journal, b.journal))):
            matched.append("journal")
        else:
            score -= PEN_JOURNAL_CONFLICT

    if a.numbers != b.numbers:
        score -= PEN_NUMBERS
    if a.notice != b.notice:
        score -= PEN_NOTICE
    if a.token_set != b.token_set and score >= floor:
        score -= min(PEN_WORD_MAX, PEN_WORD * _unexplained_words(a, b))
    return max(0.0, round(score, 2)), tuple(matched)


# --- entry point ---------------------------------------------------------------------------------


def _exact_groups(values: list[str]) -> list[list[int]]:
    groups: dict[str, list[int]] = {}
    for idx, value in enumerate(values):
        if value:
            groups.setdefault(value, []).append(idx)
    return [g for g in groups.values() if 2 <= len(g) <= MAX_EXACT_GROUP]


def find_candidates(
    records: Sequence[MatchRecord],
    *,
    new_ids: Collection[int] | None = None,
    min_score: float = 80.0,
) -> list[Candidate]:
    """Probable duplicate pairs among ``records`` scoring at least ``min_score``.

    With ``new_ids``, only pairs involving at least one of those records are returned (an import
    is deduplicated against the whole review); otherwise every pair. Each unordered pair appears
    at most once, ``keep_id`` is the smaller id, and the list is sorted by
    ``(keep_id, duplicate_id)``.
    """
    recs = sorted(records, key=lambda r: r.id)
    ids = [r.id for r in recs]
    if len(set(ids)) != len(ids):
        raise ValueError("record ids must be unique")
    n = len(recs)
    if n < 2:
        return []
    new_set = set(new_ids) if new_ids is not None else None
    is_new = np.fromiter((i in new_set for i in ids), bool, n) if new_set is not None else None

    def wanted(i: int, j: int) -> bool:
        return is_new is None or bool(is_new[i] or is_new[j])

    dois = [_norm_doi(r.doi) for r in recs]
    pmids = [_norm_pmid(r.pmid) for r in recs]
    found: list[Candidate] = []
    decided: set[tuple[int, int]] = set()  # exact pairs, returned or not, are not fuzzy-scored

    for field, values, others in (("doi", dois, pmids), ("pmid", pmids, dois)):
        for group in _exact_groups(values):
            for a_pos, i in enumerate(group):
                for j in group[a_pos + 1 :]:
                    if (i, j) in decided or not wanted(i, j):
                        continue
                    decided.add((i, j))
                    conflict = others[i] and others[j] and others[i] != others[j]
                    score = EXACT_CONFLICT_SCORE if conflict else 100.0
                    if score >= min_score:
                        found.append(Candidate(ids[i], ids[j], score, (field,), field))

    titles = [normalise_title(r.title) for r in recs]
    eligible = [i for i, t in enumerate(titles) if t and _title_eligible(t)]
    if len(eligible) >= 2:
        sub_new = is_new[eligible] if is_new is not None else None
        cutoff = max(0.0, float(min_score))
        li, lj, sim, reordered = _similar_pairs([titles[i] for i in eligible], sub_new, cutoff)
        prepared: dict[int, _Fuzzy] = {}
        for a_local, b_local, title_sim, moved in zip(
            li.tolist(), lj.tolist(), sim.tolist(), reordered.tolist(), strict=True
        ):
            i, j = eligible[a_local], eligible[b_local]
            if (i, j) in decided:
                continue
            a = prepared.get(i)
            if a is None:
                a = prepared[i] = _prepare(recs[i], titles[i])
            b = prepared.get(j)
            if b is None:
                b = prepared[j] = _prepare(recs[j], titles[j])
            if moved:  # only the same words in another order: rarely the same record
                title_sim -= PEN_REORDERED
            score, matched = _fuzzy_score(a, b, title_sim, min_score)
            if score < min_score:
                continue
            if (dois[i] and dois[j] and dois[i] != dois[j]) or (
                pmids[i] and pmids[j] and pmids[i] != pmids[j]
            ):
                score = min(score, CONFLICT_CAP)
                if score < min_score:
                    continue
            found.append(Candidate(ids[i], ids[j], score, matched, "fuzzy"))

    found.sort(key=lambda c: (c.keep_id, c.duplicate_id))
    return found
