"""Search the extracted text of a review's full texts: PostgreSQL full-text search on the
pages' stored vectors (GIN index, migration 0014), a plain icontains on SQLite, the embedded
default."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.safestring import SafeString

from reviewapp.models import Review

from .highlight import highlight
from .models import FullTextPage, StageStatus
from .services.fulltext import sought_records
from .services.texts import SEARCH_CONFIG

LIMIT = 100  # pages listed; a query matching more says so and asks for more words
_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_LINE_BREAK_HYPHEN = re.compile(r"-\n(?=\w)")
_LONGEST = 320


@dataclass(frozen=True)
class PageHit:
    record_id: int
    title: str
    study: str
    fulltext_id: int
    file_name: str
    page: int
    sentence: SafeString


def query_words(query: str) -> list[str]:
    """The words of a query, without websearch syntax ("or", quotes, a leading minus)."""
    words = re.findall(r"(?<![-\w])\w+", query)
    return [word for word in words if word.casefold() != "or"]


def _stem(word: str) -> str:
    # A rough stand-in for PostgreSQL's English stemmer, only to find the sentence to show:
    # "participating" finds "participation".
    return word[: max(4, len(word) - 3)] if len(word) > 5 else word


def matching_sentence(text: str, words: list[str]) -> SafeString:
    """The first sentence of the page with one of the words, escaped, the words marked."""
    flat = _LINE_BREAK_HYPHEN.sub("", text).replace("\n", " ")
    stems = [_stem(word).casefold() for word in words]
    chosen = ""
    for sentence in _SENTENCE_END.split(flat):
        lowered = sentence.casefold()
        if any(stem in lowered for stem in stems):
            chosen = sentence.strip()
            break
    if len(chosen) > _LONGEST:
        at = min((chosen.casefold().find(s) for s in stems if s in chosen.casefold()), default=0)
        start = max(0, at - _LONGEST // 2)
        chosen = ("…" if start else "") + chosen[start : start + _LONGEST] + "…"
    return highlight(chosen, tuple(f"{stem}*" for stem in stems if stem))


def searchable_pages(review: Review, *, included_only: bool = True) -> QuerySet[FullTextPage]:
    """Pages of the review's PDFs that belong to a record (included studies only by default)."""
    records = sought_records(review)
    if included_only:
        records = records.filter(ft_status=StageStatus.INCLUDE)
    return FullTextPage.objects.filter(fulltext__review=review, fulltext__record__in=records)


def _matching(pages: QuerySet[FullTextPage], query: str) -> QuerySet[FullTextPage]:
    if connection.vendor == "postgresql":
        wanted = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
        return pages.filter(search=wanted)
    condition = Q()
    for word in query_words(query):
        condition &= Q(text__icontains=word)
    return pages.filter(condition)


def search_fulltexts(
    review: Review, query: str, *, included_only: bool = True
) -> tuple[list[PageHit], bool]:
    """The pages matching the query, study by study in record order, each with the sentence
    that matched; and whether there were more than LIMIT."""
    words = query_words(query)
    if not words:
        return [], False
    rows = list(
        _matching(searchable_pages(review, included_only=included_only), query)
        .order_by("fulltext__record_id", "fulltext_id", "number")
        .values_list(
            "fulltext__record_id",
            "fulltext__record__title",
            "fulltext__record__study__label",
            "fulltext_id",
            "fulltext__original_name",
            "number",
            "text",
        )[: LIMIT + 1]
    )
    hits = [
        PageHit(
            record_id, title, study or "", fulltext_id, name, number, matching_sentence(text, words)
        )
        for record_id, title, study, fulltext_id, name, number, text in rows[:LIMIT]
    ]
    return hits, len(rows) > LIMIT
