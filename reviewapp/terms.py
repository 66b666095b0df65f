"""A review's include and exclude terms, as the lead types them: one per line, * a wildcard."""

from __future__ import annotations

from django.conf import settings


def parse_terms(text: str) -> tuple[str, ...]:
    """One term per line (commas also split); blank lines ignored."""
    terms = (t.strip() for line in text.splitlines() for t in line.split(","))
    return tuple(t for t in terms if t)


def term_problem(term: str) -> str | None:
    """Why a term cannot be used, or None.

    One wildcard per word (particip*, *sexual, organi*ation): several in one word ("a*a*a*b")
    make the highlighter's pattern backtrack for seconds on a long word, on every card. A term
    is a word or a phrase: one of thousands of characters is a paste gone wrong, and every card
    would try it at every word."""
    limit = settings.REVIEW_MAX_TERM_CHARS
    if len(term) > limit:
        return f"'{term[:40]}…' is {len(term):,} characters long: a term has at most {limit}"
    if any(word.count("*") > 1 for word in term.split()):
        return f"'{term}': use at most one * per word"
    return None


def count_problem(count: int) -> str | None:
    """Why a review cannot have `count` terms (include and exclude together), or None."""
    limit = settings.REVIEW_MAX_TERMS
    if count > limit:
        return (
            f"{count:,} terms: a review highlights at most {limit:,} (include and exclude "
            "together). Keep the words that tell a decision; the rest slow every card."
        )
    return None
