"""A review's include and exclude terms, as the lead types them: one per line, * a wildcard."""

from __future__ import annotations


def parse_terms(text: str) -> tuple[str, ...]:
    """One term per line (commas also split); blank lines ignored."""
    terms = (t.strip() for line in text.splitlines() for t in line.split(","))
    return tuple(t for t in terms if t)


def term_problem(term: str) -> str | None:
    """Why a term cannot be used, or None.

    One wildcard per word (particip*, *sexual, organi*ation): several in one word ("a*a*a*b")
    make the highlighter's pattern backtrack for seconds on a long word, on every card."""
    if any(word.count("*") > 1 for word in term.split()):
        return f"'{term}': use at most one * per word"
    return None
