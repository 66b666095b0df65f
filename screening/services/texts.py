"""Text extraction of uploaded PDFs, once per full text, page by page."""

from __future__ import annotations

import logging

from django.contrib.postgres.search import SearchVector
from django.db import DatabaseError, connection, transaction
from django.db.models import QuerySet

from ..models import FullText, FullTextPage
from ..pdftext import UnreadablePdf, has_text, page_texts

log = logging.getLogger(__name__)
# One language for every review: the stemming of the search vectors and of the queries.
SEARCH_CONFIG = "english"
SEARCH_INDEX = "screening_fulltextpage_search"  # migration 0014, PostgreSQL only


def queue_text_extraction(fulltext: FullText) -> None:
    """Extract the text in the worker once the upload's transaction has committed."""
    from ..tasks import extract_fulltext_text

    transaction.on_commit(lambda: extract_fulltext_text.delay(fulltext.pk))


def index_pages(pages: QuerySet[FullTextPage]) -> None:
    """Fill the pages' search vectors (PostgreSQL; SQLite searches the text as it is)."""
    if connection.vendor != "postgresql":
        return
    pages.update(search=SearchVector("text", config=SEARCH_CONFIG))
    # New entries wait in the GIN index's pending list until autovacuum merges them; a long
    # list makes the planner price the index above a scan of every page (600 ms instead of
    # 10 over 40,000 pages), so this PDF's entries are merged now. Refused (not the table's
    # owner): the text is stored all the same and autovacuum merges them later.
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [SEARCH_INDEX])
    except DatabaseError as error:
        log.warning("search index pending list not merged: %s", error)


def extract_text(fulltext_id: int) -> FullText | None:
    """Store the PDF's text per page and whether it has any (a scan has none). Running it
    again replaces the pages with the same text; a link or a removed full text is skipped."""
    fulltext = FullText.objects.filter(pk=fulltext_id).exclude(file="").first()
    if fulltext is None:
        return None
    try:
        with fulltext.file.open("rb") as handle:
            texts = page_texts(handle.read())
    except (UnreadablePdf, OSError) as error:
        log.warning("full text %s: text not extracted: %s", fulltext_id, error)
        FullText.objects.filter(pk=fulltext_id).update(text_state=FullText.TextState.FAILED)
        fulltext.text_state = FullText.TextState.FAILED
        return fulltext
    with transaction.atomic():
        FullTextPage.objects.filter(fulltext_id=fulltext_id).delete()
        FullTextPage.objects.bulk_create(
            FullTextPage(fulltext_id=fulltext_id, number=number, text=text)
            for number, text in enumerate(texts, start=1)
        )
        index_pages(FullTextPage.objects.filter(fulltext_id=fulltext_id))
        state = FullText.TextState.DONE if has_text(texts) else FullText.TextState.NO_TEXT
        FullText.objects.filter(pk=fulltext_id).update(text_state=state, page_count=len(texts))
    fulltext.text_state, fulltext.page_count = state, len(texts)
    return fulltext
