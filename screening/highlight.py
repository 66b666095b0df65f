"""Highlight include/exclude terms in untrusted text: escape first, then mark whole words."""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape

from django.utils.safestring import SafeString, mark_safe

from reviewapp.terms import parse_terms, term_problem

__all__ = ["highlight", "parse_terms"]


def _term_pattern(term: str) -> str:
    # Terms are matched on escaped text, so they are escaped the same way; * is a wildcard.
    parts = [re.escape(escape(part, quote=True)) for part in term.split("*")]
    # A wildcard stays within a word (hyphens end it): spanning hyphens, a pattern could be
    # retried from every hyphen of a long hyphenated run, quadratic in its length.
    body = r"\w*".join(parts)
    # Not straight after & or # (inside an entity such as &amp;) and on word boundaries.
    end = "" if term.endswith("*") else r"\b"
    return rf"(?<![&#\w]){body}{end}"


@lru_cache(maxsize=64)
def _compile(include: tuple[str, ...], exclude: tuple[str, ...]) -> re.Pattern | None:
    # A term the settings form would now refuse (saved before the rule) is not highlighted.
    include = tuple(t for t in include if term_problem(t) is None)
    exclude = tuple(t for t in exclude if term_problem(t) is None)
    groups = []
    if include:
        groups.append("(?P<inc>" + "|".join(_term_pattern(t) for t in include) + ")")
    if exclude:
        groups.append("(?P<exc>" + "|".join(_term_pattern(t) for t in exclude) + ")")
    return re.compile("|".join(groups), re.IGNORECASE) if groups else None


def highlight(
    text: str, include: tuple[str, ...] = (), exclude: tuple[str, ...] = ()
) -> SafeString:
    """Escaped text with <mark> around matching terms (green include, red exclude)."""
    escaped = escape(text or "", quote=True)
    pattern = _compile(include, exclude)
    if pattern is None:
        return mark_safe(escaped)  # noqa: S308  (escaped above)

    has_include = "inc" in pattern.groupindex

    def mark(match: re.Match) -> str:
        css = "term-include" if has_include and match.group("inc") else "term-exclude"
        return f'<mark class="{css}">{match.group(0)}</mark>'

    return mark_safe(pattern.sub(mark, escaped))  # noqa: S308  (input escaped, marks are ours)


def reader_terms(include: tuple[str, ...], exclude: tuple[str, ...]) -> list[tuple[str, str]]:
    """The terms the PDF reader marks, as (term, "include"|"exclude"), usable ones only."""
    return [(t, "include") for t in include if term_problem(t) is None] + [
        (t, "exclude") for t in exclude if term_problem(t) is None
    ]
