"""Reads of the full texts' extracted text for other apps: quote checks (the chart page, the
consensus view and the extraction export call `quote_checker`) and the text search."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from .models import FullTextPage
from .quotes import FOUND, NO_TEXT, NOT_FOUND, OTHER_PAGE, QuoteCheck, check_quote, page_of

QuoteChecker = Callable[[int, str, str], QuoteCheck]
# Over several PDFs of a record the best result counts (a quote from the supplement is found).
RANK = {FOUND: 0, OTHER_PAGE: 1, NOT_FOUND: 2, NO_TEXT: 3}


def quote_checker(record_ids: Iterable[int]) -> QuoteChecker:
    """check(record_id, quote, location) -> QuoteCheck against the records' uploaded PDFs
    (main report first, then supplements). The pages of all the records are read in one query,
    so an export of thousands of quotes costs one query, not one a quote."""
    texts: dict[int, list[list[str]]] = defaultdict(list)
    pages = (
        FullTextPage.objects.filter(fulltext__record_id__in=list(record_ids))
        .exclude(fulltext__file="")
        .order_by("fulltext__record_id", "fulltext__kind", "fulltext_id", "number")
        .values_list("fulltext__record_id", "fulltext_id", "text")
    )
    current = None
    for record_id, fulltext_id, text in pages.iterator(chunk_size=2000):
        if fulltext_id != current:
            texts[record_id].append([])
            current = fulltext_id
        texts[record_id][-1].append(text)

    def check(record_id: int, quote: str, location: str = "") -> QuoteCheck:
        page = page_of(location)
        results = [check_quote(quote, document, page) for document in texts.get(record_id, ())]
        return min(results, key=lambda r: RANK[r.status], default=QuoteCheck(NO_TEXT))

    return check
