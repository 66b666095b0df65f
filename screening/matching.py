"""Pure matching core of duplicate detection: which pairs of records are probably the same work.

No Django here: the service reads rows into :class:`MatchRecord` objects, calls
:func:`find_candidates`, and decides what to do with each :class:`Candidate` (auto-mark pairs at or
above its auto threshold, queue the rest for a human).

How a pair is found
-------------------
* **Exact**: the same DOI (score 100, method ``"doi"``) or the same PMID (score 100, method
  ``"pmid"``). If the *other* identifier conflicts (same DOI but two different PMIDs, or the other
  way round) the pair still comes back but at :data:`EXACT_CONFLICT_SCORE`, for a human. An
  identifier shared by more than :data:`MAX_EXACT_GROUP` records is not treated as identifying one
  article (bad import data) and those records go through the fuzzy path instead.
* **Fuzzy**: only records whose normalised title has at least :data:`MIN_TITLE_WORDS` words or
  :data:`MIN_TITLE_CHARS` characters; records without a title never match fuzzily.

  *Blocking* (two records are compared when they share any key; each record has up to five):

  - its :data:`KEYS_PER_RECORD` rarest title words with document frequency >= 2 in the input
    (stop words left out, ties broken alphabetically). A typo or a word glued to its neighbour
    makes a word unique (df 1), and such words are never keys, so both copies of a perturbed
    title still pick the same surviving rare words. A word picked by more than
    :data:`MAX_BLOCK` records is replaced, for those records, by its pairs with their later picks;
  - the first and the last :data:`AFFIX_CHARS` characters of the title with spaces removed, which
    survive words being split or joined and a typo at the other end of the title.

  Blocks of more than :data:`MAX_BLOCK` records are skipped, so no key can make the work
  quadratic. Nothing depends on the first title word or on the year.

  *Title similarity*: pairs that cannot reach ``min_score`` are dropped in numpy (the indel
  distance is at least the L1 distance of the character histograms); the rest are scored in C
  by :func:`rapidfuzz.process.cpdist` with ``fuzz.ratio`` on the titles without spaces
  ("double-blind", "double blind", "doubleblind" agree) and, for pairs sharing two or more keys,
  on the words sorted (a token-sort ratio). Only pairs reaching ``min_score`` are scored further,
  in Python, against the other fields.

Fuzzy score (0..100)
--------------------
Title similarity minus penalties (there are no bonuses, so a pair never outscores its title):

=====================================  =======================================================
year equal / +-1 / missing / +-2 / more  0 / 1.5 / 3 / 15 / 30
first author surname agrees / missing     0 / 5.5 / conflicts 12
journal agrees or missing / conflicts     0 / 6
numbers in the titles differ              10 (``part 1`` vs ``part 2``, ``phase II`` vs ``III``)
one title is a notice, the other not      10 (``Erratum: ...``, ``Reply``, ``Retraction ...``)
content word without a typo-like partner  4 each, at most 12 (``men`` vs ``women``)
titles agree only with words reordered    5
=====================================  =======================================================

So an auto-mark at 95 needs a near-identical title *and* agreeing year and first author; a pair
with no first author on either side tops out at 94.5 (recurring columns such as "Cutaneous drug
reaction case reports" share title and year but are different articles). Two records with
different non-empty DOIs, or different non-empty PMIDs, are capped at :data:`CONFLICT_CAP`
(strong evidence they are different works; still shown to a human, e.g. preprint vs article).
"""

from __future__ import annotations

import html
import re
import unicodedata
from array import array
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

__all__ = [
    "CONFLICT_CAP",
    "EXACT_CONFLICT_SCORE",
    "Candidate",
    "MatchRecord",
    "authors_match",
    "find_candidates",
    "journals_match",
    "normalise_author",
    "normalise_title",
]

# --- tunables ------------------------------------------------------------------------------------

MIN_TITLE_WORDS = 3
MIN_TITLE_CHARS = 15
KEYS_PER_RECORD = 3
AFFIX_CHARS = 20  # title prefix/suffix keys, spaces removed
SCORE_CHUNK = 500_000  # pairs per rapidfuzz call
MAX_BLOCK = 100  # a key chosen by more records than this is too common to block on by itself
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
REORDER_MARGIN = 5.0  # sorted-word similarity must beat the plain one by this to count


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


# --- normalisation -------------------------------------------------------------------------------

_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
# inline markup sits inside words ("<sup>99m</sup>Tc", "H<sub>2</sub>O"): drop it without a space
_INLINE_TAG_RE = re.compile(
    r"</?(?:i|b|u|em|strong|sup|sub|span|sc|small|font|a)(?:\s[^<>]*)?/?>", re.IGNORECASE
)
# MEDLINE/PubMed annotations that are not part of the title proper.
_ANNOTATION_RE = re.compile(
    r"\[(?:(?:article|text|abstract|title|full text)\s+in\s+[^\]]*"
    r"|in\s+[a-z]+"
    r"|in process citation|published erratum[^\]]*|erratum[^\]]*|see comments?[^\]]*"
    r"|comments?|corrected|editorial|letter|review|abstract|english abstract|news"
    r"|author'?s?'? transl\.?|retracted[^\]]*|retraction[^\]]*|in press|epub ahead of print"
    r"|not available|no title available|proceedings)\]"
    r"|\((?:author'?s?'? transl\.?|in process citation)\)",
    re.IGNORECASE,
)
_BRACKET_RE = re.compile(r"\[([^\[\]]*)\]")
_APOSTROPHE_RE = re.compile(r"['\u2018\u2019\u201b`\u00b4\u02bc]")
_NONWORD_RE = re.compile(r"[\W_]+")
_COMBINING_RE = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_SPECIAL = {
    "\u00f8": "o", "\u00d8": "O", "\u0142": "l", "\u0141": "L", "\u00e6": "ae", "\u00c6": "AE",
    "\u0153": "oe", "\u0152": "OE", "\u00df": "ss", "\u0111": "d", "\u0110": "D", "\u00fe": "th",
    "\u00de": "TH", "\u0131": "i",
    "\u03b1": "alpha", "\u03b2": "beta", "\u03b3": "gamma", "\u03b4": "delta", "\u03b5": "epsilon",
    "\u03b6": "zeta", "\u03b7": "eta", "\u03b8": "theta", "\u03b9": "iota", "\u03ba": "kappa",
    "\u03bb": "lambda", "\u03bc": "mu", "\u03bd": "nu", "\u03be": "xi", "\u03c0": "pi",
    "\u03c1": "rho", "\u03c3": "sigma", "\u03c2": "sigma", "\u03c4": "tau", "\u03c5": "upsilon",
    "\u03c6": "phi", "\u03c7": "chi", "\u03c8": "psi", "\u03c9": "omega",
    "\u0391": "alpha", "\u0392": "beta", "\u0393": "gamma", "\u0394": "delta", "\u039a": "kappa",
    "\u03a9": "omega",
}  # fmt: skip
_SPECIAL_TABLE = str.maketrans(_SPECIAL)


def _fold(text: str) -> str:
    """Unicode NFKD without accents, a few letters spelled out (ø, ß, Greek), case-folded."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = _COMBINING_RE.sub("", text).translate(_SPECIAL_TABLE)
    return text.casefold()


def _strip_brackets(text: str) -> str:
    text = _ANNOTATION_RE.sub(" ", text)
    # A title wholly in brackets is PubMed's English translation of a foreign title: keep its
    # words. Other square brackets are ordinary punctuation.
    return _BRACKET_RE.sub(r" \1 ", text)


def normalise_title(title: str) -> str:
    """Title for comparison: HTML entities and tags gone, bracketed annotations such as
    ``[Article in German]`` dropped, NFKD without accents, case-folded, ``&`` -> ``and``,
    punctuation dropped (apostrophes without a space), whitespace collapsed."""
    if not title:
        return ""
    text = html.unescape(title) if "&" in title else title
    if "<" in text:
        text = _TAG_RE.sub(" ", _INLINE_TAG_RE.sub("", text))
    if "[" in text or "(" in text:
        text = _strip_brackets(text)
    text = _fold(text)
    if "&" in text:
        text = text.replace("&", " and ")
    text = _APOSTROPHE_RE.sub("", text)
    return " ".join(_NONWORD_RE.sub(" ", text).split())


_NOTICE_RE = re.compile(
    r"^\W*(?:errat(?:um|a)\b|corrigend(?:um|a)\b|correction(?:\s*:|\s+to\b|\s+notice\b)"
    r"|retraction(?:\s*:|\s+of\b|\s+notice\b)|notice of retraction|retracted(?:\s*:|\s+article)"
    r"|withdrawn\s*:|expression of concern|in reply\b|reply\s*(?::|to\b)|authors?'?\s+reply"
    r"|comments?\s+on\b|commentary\s+on\b|re\s*:)",
    re.IGNORECASE,
)
_ROMAN = {
    "i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8",
    "ix": "9", "x": "10", "xi": "11", "xii": "12",
}  # fmt: skip
_DIGIT_RE = re.compile(r"\d")
_NUMBERED = frozenset(
    {"part", "phase", "type", "stage", "grade", "class", "section", "volume", "vol", "no",
     "series", "study", "trial", "chapter", "level", "group"}
)  # fmt: skip

# Words that neither block nor count as a content-word difference.
_STOP = frozenset(
    {"a", "an", "the", "of", "in", "on", "for", "to", "and", "or", "with", "without", "by", "at",
     "from", "as", "is", "are", "was", "were", "be", "been", "its", "their", "his", "her", "our",
     "into", "onto", "versus", "vs", "v", "after", "before", "during", "between", "among", "via",
     "than", "that", "this", "these", "those", "do", "does", "using", "use", "used", "within",
     "about", "over", "under", "can", "may", "new", "one", "two", "three"}
)  # fmt: skip


def _numbers(title: str, tokens: Sequence[str], token_set: frozenset[str]) -> str:
    """All digits of the title in order, roman numerals after ``part``/``phase``/... as digits:
    ``14,772`` and ``14772`` agree, ``part 1``/``part 2`` and ``phase II``/``phase 3`` do not."""
    if token_set.isdisjoint(_ROMAN) and not _DIGIT_RE.search(title):
        return ""
    out = []
    prev = ""
    for tok in tokens:
        if prev in _NUMBERED and tok in _ROMAN:
            out.append(_ROMAN[tok])
        elif not tok.isalpha():
            out.extend(ch for ch in tok if ch.isdigit())
        prev = tok
    return "".join(out)


# --- authors -------------------------------------------------------------------------------------

_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "das", "du", "la", "le",
     "ten", "ter", "st", "saint", "al", "el", "bin", "ibn", "mac", "vander", "vanden"}
)  # fmt: skip
_CORPORATE_RE = re.compile(
    r"\b(?:group|committee|investigators?|collaborat\w*|society|association|council|consortium"
    r"|task force|organi[sz]ation|network|team|working party|institute|foundation|academy"
    r"|college|board|panel|officers|trialists|department|centre|center|agency|federation"
    r"|programme|program|project|study)\b|\d",
    re.IGNORECASE,
)
_NAME_SPLIT_RE = re.compile(r"[\s.]+")
_NOT_LETTER_RE = re.compile(r"[\W\d_]+")


def _is_initials(token: str) -> bool:
    letters = token.replace("-", "")
    return len(letters) == 1 or (len(letters) <= 3 and letters.isalpha() and letters.isupper())


@lru_cache(maxsize=65536)
def normalise_author(name: str) -> str:
    """Surname key of a person's name, any common order: ``"Nazzaro, P."``, ``"Nazzaro P"``,
    ``"P Nazzaro"``, ``"Paolo Nazzaro"`` all give ``"nazzaro"``; accents, case, spaces, hyphens
    and apostrophes are dropped (``"O'Connor"`` -> ``"oconnor"``, ``"van der Berg J"`` ->
    ``"vanderberg"``)."""
    name = html.unescape(name).strip() if "&" in name else name.strip()
    if not name:
        return ""
    name = name.split(";")[0]
    if _CORPORATE_RE.search(name) or len(name.split()) > 6:
        # "ALLHAT Collaborative Research Group", "Task Force on ...": the whole name
        return _NOT_LETTER_RE.sub("", _fold(name))[:60]
    if "," in name:
        surname = name.split(",")[0]
    else:
        tokens = [t for t in _NAME_SPLIT_RE.split(name) if t.strip("-'")]
        flags = [_is_initials(t) for t in tokens]
        if all(flags) or not any(flags):
            if all(flags):  # e.g. "WU J": all short upper-case; the longest is the surname
                surname = max(tokens, key=len) if tokens else ""
            else:  # "Paolo Nazzaro", "Ludwig van Beethoven", "Nazzaro": surname last
                words = [tokens[-1]]
                for tok in reversed(tokens[:-1]):
                    if tok.casefold() not in _PARTICLES:
                        break
                    words.insert(0, tok)
                surname = " ".join(words)
        else:
            last_initial = max(i for i, f in enumerate(flags) if f)
            first_initial = flags.index(True)
            if first_initial > 0 and last_initial == len(tokens) - 1:
                # "Nazzaro P", "van der Berg JH": words before the trailing initials
                surname = " ".join(tokens[:first_initial])
            else:
                # "P Nazzaro", "Lindon M H Wing": words after the last initial
                surname = " ".join(tokens[last_initial + 1 :])
    return _NOT_LETTER_RE.sub("", _fold(surname))


def authors_match(a: str, b: str) -> bool:
    """Whether two surname keys (from :func:`normalise_author`) name the same person, allowing
    transliteration (``schafer``/``schaefer``), dropped particles and double-barrelled names."""
    if a == b:
        return True
    if len(a) >= 4 and len(b) >= 4 and (a.startswith(b) or b.startswith(a) or a.endswith(b)
                                        or b.endswith(a)):  # fmt: skip
        return True
    return OSA.normalized_similarity(a, b) >= 0.8 if min(len(a), len(b)) >= 4 else False


# --- journals ------------------------------------------------------------------------------------

_JOURNAL_STOP = frozenset(
    {"the", "of", "and", "in", "for", "on", "de", "la", "le", "des", "du", "der", "und",
     "fur", "y", "et", "da", "di", "del"}
)  # fmt: skip
_PAREN_RE = re.compile(r"\([^)]*\)")


def _journal_key(journal: str) -> str:
    if not journal:
        return ""
    text = html.unescape(journal) if "&" in journal else journal
    text = _fold(_PAREN_RE.sub(" ", text)).replace("&", " and ")
    text = _APOSTROPHE_RE.sub("", text)
    # keep ":" and "," as separators for the variants, drop the rest
    text = re.sub(r"[^\w:,=]+|_", " ", text)
    return " ".join(text.split())


def _journal_variants(key: str) -> tuple[tuple[str, ...], ...]:
    variants = []
    for cut in (key, key.split(":")[0].split(" = ")[0], key.split(",")[0]):
        toks = tuple(t for t in _NONWORD_RE.sub(" ", cut).split() if t not in _JOURNAL_STOP)
        if toks and toks not in variants:
            variants.append(toks)
    return tuple(variants)


def _is_abbreviation(short: str, full: str) -> bool:
    if short[0] != full[0] or len(short) > len(full):
        return False
    letters = iter(full)
    return all(ch in letters for ch in short)  # an in-order subsequence: "natl" ~ "national"


def _abbreviates(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    if (
        len(short) == 1
        and len(full) >= 2
        and 2 <= len(short[0]) <= 6
        and short[0] == "".join(t[0] for t in full)
    ):  # "bmj", "jama"
        return True
    if len(short) != len(full):
        return False
    return all(_is_abbreviation(s, f) for s, f in zip(short, full, strict=True))


@lru_cache(maxsize=65536)
def _journal_keys_match(a: str, b: str) -> bool:
    if a == b:
        return True
    if fuzz.ratio(a, b) >= 90:
        return True
    for va in _journal_variants(a):
        for vb in _journal_variants(b):
            if va == vb:
                return True
            short, full = (va, vb) if len("".join(va)) <= len("".join(vb)) else (vb, va)
            if _abbreviates(short, full):
                return True
    return False


def journals_match(a: str, b: str) -> bool:
    """Whether two journal names (full, ISO-abbreviated, acronym) name the same journal:
    ``"J Clin Psychiatry"`` ~ ``"The Journal of Clinical Psychiatry"``, ``"BMJ"`` ~ ``"British
    Medical Journal"``, ``"Lancet (London, England)"`` ~ ``"The Lancet"``. Empty never matches."""
    ka, kb = _journal_key(a), _journal_key(b)
    if not ka or not kb:
        return False
    return _journal_keys_match(*sorted((ka, kb)))


# --- record preparation --------------------------------------------------------------------------


def _norm_doi(doi: str) -> str:
    doi = doi.strip().casefold()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        if doi.startswith(prefix):
            doi = doi[len(prefix) :]
    return doi.strip().rstrip(".")


def _norm_pmid(pmid: str) -> str:
    return pmid.strip().lstrip("0")


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


# --- blocking ------------------------------------------------------------------------------------


def _block_keys(titles: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(key, record index) pairs. Keys of a record: its KEYS_PER_RECORD rarest words with
    df >= 2 (ties broken alphabetically; a word chosen by more than MAX_BLOCK records is replaced
    by its pairs with the record's later picks), and the first and last AFFIX_CHARS characters of
    the title with spaces removed (robust to words joined or split by punctuation, and to a typo
    at the other end of the title). Keys are int64 codes; only equality matters."""
    n = len(titles)
    vocab: dict[str, int] = {}
    tok_ids = array("q")
    owners = array("q")
    for idx, title in enumerate(titles):
        words = [vocab.setdefault(t, len(vocab)) for t in set(title.split()) - _STOP]
        tok_ids.extend(words)
        owners.extend([idx] * len(words))
    tok = np.frombuffer(tok_ids, dtype=np.int64)
    own = np.frombuffer(owners, dtype=np.int64)
    n_vocab = max(len(vocab), 1)
    alpha = np.empty(n_vocab, dtype=np.int64)  # alphabetical rank of each word, for ties
    alpha[[vocab[w] for w in sorted(vocab)]] = np.arange(len(vocab))
    del vocab, tok_ids, owners
    df = np.bincount(tok, minlength=n_vocab)
    usable = df[tok] >= 2
    tok, own = tok[usable], own[usable]
    order = np.lexsort((alpha[tok], df[tok], own))
    tok, own = tok[order], own[order]
    first = np.ones(own.size, dtype=bool)
    first[1:] = own[1:] != own[:-1]
    group_start = np.maximum.accumulate(np.where(first, np.arange(own.size), 0))
    rank = np.arange(own.size) - group_start  # 0 = the record's rarest usable word
    picked = rank <= KEYS_PER_RECORD  # the main picks plus one spare for pair keys
    tok, own, rank = tok[picked], own[picked], rank[picked]
    main = rank < KEYS_PER_RECORD
    chosen = np.bincount(tok[main], minlength=n_vocab)
    alone = main & (chosen[tok] <= MAX_BLOCK)
    key_parts = [tok[alone]]
    rec_parts = [own[alone]]
    common = np.flatnonzero(main & ~alone)
    for step in range(1, KEYS_PER_RECORD + 1):  # pair a too-common pick with later picks
        later = common + step
        ok = later < own.size
        src, dst = common[ok], later[ok]
        ok = own[dst] == own[src]
        src, dst = src[ok], dst[ok]
        key_parts.append(n_vocab + tok[src] * n_vocab + tok[dst])
        rec_parts.append(own[src])
    base = n_vocab + n_vocab * n_vocab
    affixes: dict[str, int] = {}
    flat = [t.replace(" ", "") for t in titles]
    heads = [affixes.setdefault("^" + f[:AFFIX_CHARS], len(affixes)) for f in flat]
    tails = [affixes.setdefault("$" + f[-AFFIX_CHARS:], len(affixes)) for f in flat]
    key_parts += [base + np.asarray(heads, np.int64), base + np.asarray(tails, np.int64)]
    rec_parts += [np.arange(n, dtype=np.int64)] * 2
    # every (key, record) is distinct: words are distinct, pairs too, "^..." != "$..."
    return np.concatenate(key_parts), np.concatenate(rec_parts)


def _block_pairs(
    keys: np.ndarray, recs: np.ndarray, n: int, is_new: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unique (i, j), i < j, of record indices sharing a key, and how many keys each pair
    shares; blocks of more than MAX_BLOCK records are skipped."""
    empty = np.empty(0, np.int64)
    if keys.size == 0:
        return empty, empty, empty
    order = np.lexsort((recs, keys))
    keys, recs = keys[order], recs[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    sizes = np.diff(np.r_[starts, keys.size])
    keep = (sizes >= 2) & (sizes <= MAX_BLOCK)
    if is_new is not None and keep.any():
        keep &= np.maximum.reduceat(is_new[recs].astype(np.int8), starts) > 0
    if not keep.any():
        return empty, empty, empty
    # Every entry of a kept block, with the end of its block; pair it with the entry `offset`
    # places further on while that is still inside the block (work ~ number of pairs). Within
    # a block records are sorted, so left < right.
    pos = np.flatnonzero(np.repeat(keep, sizes))
    end = np.repeat(starts + sizes, sizes)[pos]
    codes: list[np.ndarray] = []
    offset = 1
    while True:
        inside = end - pos > offset
        pos, end = pos[inside], end[inside]
        if not pos.size:
            break
        left, right = recs[pos], recs[pos + offset]
        if is_new is not None:
            sel = is_new[left] | is_new[right]
            left, right = left[sel], right[sel]
        codes.append(left * n + right)
        offset += 1
    pairs = np.concatenate(codes)
    del codes
    pairs.sort()  # np.unique would hash first; a plain sort is several times faster here
    first = np.flatnonzero(np.r_[True, pairs[1:] != pairs[:-1]])
    shared = np.diff(np.r_[first, pairs.size])
    pairs = pairs[first]
    return pairs // n, pairs % n, shared


_BUCKET = np.full(256, 37, dtype=np.int64)
_BUCKET[np.arange(97, 123)] = np.arange(26)  # a-z
_BUCKET[np.arange(48, 58)] = np.arange(26, 36)  # 0-9
_BUCKET[32] = 36  # space; 37: anything else


def _char_histograms(texts: list[str]) -> np.ndarray:
    """Per text, counts of a-z, 0-9, space and anything else (capped at 255): uint8 (n, 38)."""
    out = np.zeros((len(texts), 38), dtype=np.uint8)
    step = 4096
    for start in range(0, len(texts), step):
        chunk = texts[start : start + step]
        raw = np.frombuffer("".join(chunk).encode("ascii", "replace"), dtype=np.uint8)
        lengths = np.fromiter((len(t) for t in chunk), np.int64, len(chunk))
        owner = np.repeat(np.arange(len(chunk), dtype=np.int64), lengths)
        counts = np.bincount(owner * 38 + _BUCKET[raw], minlength=len(chunk) * 38)
        out[start : start + len(chunk)] = np.minimum(counts, 255).reshape(len(chunk), 38)
    return out


def _similar_pairs(
    titles: list[str], is_new: np.ndarray | None, cutoff: float
) -> tuple[np.ndarray, ...]:
    """Blocked pairs (i < j) whose title similarity reaches ``cutoff``, with that similarity
    and whether it needed the words reordered:
    ``fuzz.ratio`` on the titles without spaces ("double-blind", "double blind" and
    "doubleblind" agree), or for pairs sharing two or more keys, if better, on the words sorted
    (the same words in another order).

    Before rapidfuzz runs, pairs that cannot reach ``cutoff`` are dropped in numpy: the indel
    distance is at least the L1 distance of the two character histograms, and
    ``fuzz.ratio = 100 * (1 - indel / (len_a + len_b))``.
    """
    keys, recs = _block_keys(titles)
    li, lj, shared = _block_pairs(keys, recs, len(titles), is_new)
    del keys, recs
    hist = _char_histograms(titles)
    spaces = hist[:, 36].astype(np.int64)
    length = np.fromiter((len(t) for t in titles), np.int64, len(titles))
    flat = np.array([t.replace(" ", "") for t in titles], dtype=object)
    words = np.array([" ".join(sorted(t.split())) for t in titles], dtype=object)
    slack = (100.0 - cutoff) / 100.0
    out_i, out_j, out_s, out_r = [], [], [], []
    for start in range(0, li.size, SCORE_CHUNK):
        ci, cj = li[start : start + SCORE_CHUNK], lj[start : start + SCORE_CHUNK]
        several = shared[start : start + SCORE_CHUNK] >= 2
        chars = np.abs(hist[ci, :36].astype(np.int16) - hist[cj, :36]).sum(axis=1)
        flat_sum = length[ci] - spaces[ci] + length[cj] - spaces[cj]
        may_flat = chars <= slack * flat_sum
        space_gap = np.abs(spaces[ci] - spaces[cj])
        may_words = several & (chars + space_gap <= slack * (length[ci] + length[cj]))
        sim = np.zeros(ci.size, dtype=np.float32)
        reordered = np.zeros(ci.size, dtype=bool)
        sel = np.flatnonzero(may_flat)
        if sel.size:
            sim[sel] = process.cpdist(
                flat[ci[sel]], flat[cj[sel]], scorer=fuzz.ratio, score_cutoff=cutoff,
                workers=-1, dtype=np.float32,
            )  # fmt: skip
        sel = np.flatnonzero(may_words)
        if sel.size:
            sim2 = process.cpdist(
                words[ci[sel]], words[cj[sel]], scorer=fuzz.ratio, score_cutoff=cutoff,
                workers=-1, dtype=np.float32,
            )  # fmt: skip
            reordered[sel] = sim2 > sim[sel] + REORDER_MARGIN
            sim[sel] = np.maximum(sim[sel], sim2)
        hit = np.flatnonzero((sim >= cutoff) & (sim > 0))
        out_i.append(ci[hit])
        out_j.append(cj[hit])
        out_s.append(sim[hit].astype(np.float64))
        out_r.append(reordered[hit])
    if not out_i:
        empty = np.empty(0, np.int64)
        return empty, empty, np.empty(0), np.empty(0, bool)
    return tuple(np.concatenate(parts) for parts in (out_i, out_j, out_s, out_r))


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
