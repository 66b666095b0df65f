"""Reads of the full texts' extracted text for other apps: quote checks for the chart page,
the consensus view and the extraction export (`quote_checker`, `study_quote_checker`); where a
quote sits in its page's text (`quote_span`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from .models import FullTextPage
from .quotes import (
    FOUND,
    NO_TEXT,
    NOT_FOUND,
    OTHER_PAGE,
    QuoteCheck,
    check_normalised,
    locate,
    normalise,
    page_of,
)

QuoteChecker = Callable[[int, str, str], QuoteCheck]
# Over several PDFs the best result counts (a quote from the supplement is found).
RANK = {FOUND: 0, OTHER_PAGE: 1, NOT_FOUND: 2, NO_TEXT: 3}


def _checker(key: str, ids: Iterable[int]) -> QuoteChecker:
    documents: dict[int, list[list[str]]] = defaultdict(list)
    pages = (
        FullTextPage.objects.filter(**{f"{key}__in": list(ids)})
        .exclude(fulltext__file="")
        .order_by(key, "fulltext__kind", "fulltext_id", "number")
        .values_list(key, "fulltext_id", "text")
    )
    current = None
    for owner, fulltext_id, text in pages.iterator(chunk_size=2000):
        if fulltext_id != current:
            documents[owner].append([])
            current = fulltext_id
        documents[owner][-1].append(normalise(text))  # once a page, not once a quote

    def check(owner: int, quote: str, location: str = "") -> QuoteCheck:
        wanted, page = normalise(quote), page_of(location)
        results = [check_normalised(wanted, pages, page) for pages in documents.get(owner, ())]
        return min(results, key=lambda r: RANK[r.status], default=QuoteCheck(NO_TEXT))

    return check


def quote_checker(record_ids: Iterable[int]) -> QuoteChecker:
    """check(record_id, quote, location) -> QuoteCheck against the records' uploaded PDFs
    (main report, then supplements). One query reads the pages of all the records; build one
    per chunk of an export (the pages stay in memory while the checker lives)."""
    return _checker("fulltext__record_id", record_ids)


def study_quote_checker(study_ids: Iterable[int]) -> QuoteChecker:
    """check(study_id, quote, location): as quote_checker, over every report of the study
    (charts are per study; its reports' PDFs are all searched, the best result counts)."""
    return _checker("fulltext__record__study_id", study_ids)


def quote_span(
    study_id: int, quote: str, page: int | None, near: int | None = None
) -> tuple[int, int] | None:
    """(start, end) of the quote in the extracted text of that page of the study's PDF: the
    main report first, as the reader shows it, then the others. None when the page has no
    such text (another page, a scan, not extracted yet, or a quote edited away from it)."""
    if not page or not quote.strip():
        return None
    texts = (
        FullTextPage.objects.filter(fulltext__record__study_id=study_id, number=page)
        .exclude(fulltext__file="")
        .order_by("fulltext__record_id", "fulltext_id")
        .values_list("fulltext__kind", "text")
    )
    for _, text in sorted(texts, key=lambda row: row[0] != "report"):
        span = locate(quote, text, near)
        if span is not None:
            return span
    return None
