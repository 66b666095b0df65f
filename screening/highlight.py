"""Highlight include/exclude terms in untrusted text: escape first, then mark whole words.

A review's terms become one pattern, built once per term set and cached: a trie of the terms'
characters, so terms that begin alike share their tests and a word start costs about one test
per letter of the alphabet, not one per term (an alternation of 5,000 terms tried each of them
at every word: seconds a card). Matching is then one pass over the text, and only the first
HIGHLIGHT_MAX_CHARS characters are marked: the rest of a very long text is shown unmarked.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape
from typing import Literal

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from reviewapp.terms import parse_terms, term_problem

__all__ = ["highlight", "parse_terms"]

WILD = "*"  # trie key: a wildcard, any letters within the word (hyphens end it)
END = ""  # trie key: a term ends here; its value is what must follow (a word's end or nothing)
Trie = dict[str, "Trie | str"]


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"  # what re's \w is on str


def _units(term: str) -> list[str]:
    """The term as the escaped text spells it (& is &amp;), one unit a character or wildcard."""
    units: list[str] = []
    for i, part in enumerate(term.split("*")):
        if i:
            units.append(WILD)
        for char in escape(part, quote=True):
            lower = char.lower()  # shared across cases; IGNORECASE matches the others
            units.append(lower if len(lower) == 1 else char)  # (İ lowers to two characters)
    return units


def _trie(terms: tuple[str, ...]) -> Trie:
    root: Trie = {}
    for term in terms:
        units = _units(term)
        node = root
        for unit in units:
            node = node.setdefault(unit, {})  # type: ignore[assignment]
        # A term ending in a letter ends a word there (care is not careful); after a wildcard
        # the \w* has run to the word's end already.
        node[END] = r"(?!\w)" if _is_word(units[-1]) else ""
    return root


def _pattern(node: Trie) -> str:
    # Longest first: letters go on before a wildcard, and both before the term ending here.
    keys = sorted(k for k in node if k not in (WILD, END))
    alternatives = [re.escape(k) + _pattern(node[k]) for k in keys]  # type: ignore[arg-type]
    if WILD in node:
        alternatives.append(r"\w*" + _pattern(node[WILD]))  # type: ignore[arg-type]
    if END in node:
        alternatives.append(node[END])  # type: ignore[arg-type]
    if len(alternatives) == 1:
        return alternatives[0]
    return "(?:" + "|".join(alternatives) + ")"


def _usable(terms: tuple[str, ...]) -> tuple[str, ...]:
    # A term the settings form would now refuse (saved before the rule) is not highlighted.
    # A term of only wildcards and punctuation would mark gaps between words: it needs a letter.
    return tuple(t for t in terms if term_problem(t) is None and any(map(_is_word, t)))


@lru_cache(maxsize=32)
def _compile(include: tuple[str, ...], exclude: tuple[str, ...]) -> re.Pattern | None:
    """The term set's pattern (cached on the terms themselves: an edit makes a new one)."""
    groups = [
        f"(?P<{name}>{_pattern(_trie(terms))})"
        for name, terms in (("inc", _usable(include)), ("exc", _usable(exclude)))
        if terms
    ]
    if not groups:
        return None
    # Not straight after & or # (inside an entity such as &amp;), and at a word's start.
    return re.compile(r"(?<![&#\w])(?:" + "|".join(groups) + ")", re.IGNORECASE)


def _split(text: str, limit: int | None) -> tuple[str, str]:
    """The part to mark and the rest; a word cut by the limit goes to the rest whole (marking
    its first half would match a shorter term that the whole word is not)."""
    if limit is None or len(text) <= limit:
        return text, ""
    cut = limit
    if _is_word(text[cut]):
        while cut > 0 and _is_word(text[cut - 1]):
            cut -= 1
    return text[:cut], text[cut:]


def highlight(
    text: str,
    include: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    *,
    max_chars: int | Literal["setting"] | None = "setting",
) -> SafeString:
    """Escaped text with <mark> around matching terms (green include, red exclude), in its
    first `max_chars` characters (HIGHLIGHT_MAX_CHARS; None: all of it)."""
    pattern = _compile(include, exclude)
    if pattern is None:
        return mark_safe(escape(text or "", quote=True))  # noqa: S308  (escaped)
    limit = settings.HIGHLIGHT_MAX_CHARS if max_chars == "setting" else max_chars
    head, rest = _split(text or "", limit)  # type: ignore[arg-type]

    has_include = "inc" in pattern.groupindex

    def mark(match: re.Match) -> str:
        css = "term-include" if has_include and match.group("inc") is not None else "term-exclude"
        return f'<mark class="{css}">{match.group(0)}</mark>'

    marked = pattern.sub(mark, escape(head, quote=True))
    # Escaping is character by character, so the two escaped parts join as the whole would.
    return mark_safe(marked + escape(rest, quote=True))  # noqa: S308  (escaped; marks are ours)


def reader_terms(include: tuple[str, ...], exclude: tuple[str, ...]) -> list[tuple[str, str]]:
    """The terms the PDF reader marks, as (term, "include"|"exclude"), usable ones only."""
    return [(t, "include") for t in include if term_problem(t) is None] + [
        (t, "exclude") for t in exclude if term_problem(t) is None
    ]
