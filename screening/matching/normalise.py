"""Text normalisation for duplicate matching: titles, author names, journal names, DOIs, PMIDs.

Pure string functions that know nothing of records, pairs or scores, kept apart from the
candidate finding so the rules for what counts as the same title, author or journal can be read
and tested on their own. The public functions are re-exported by :mod:`screening.matching`; the
underscore names are private to that package, shared with its blocking and scoring.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

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


# --- identifiers ---------------------------------------------------------------------------------


def _norm_doi(doi: str) -> str:
    doi = doi.strip().casefold()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        if doi.startswith(prefix):
            doi = doi[len(prefix) :]
    return doi.strip().rstrip(".")


def _norm_pmid(pmid: str) -> str:
    return pmid.strip().lstrip("0")
