"""Search across the full texts' extracted text; each hit opens the reader at its page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from reviewapp.access import get_review_for

from ..textsearch import LIMIT, search_fulltexts

MAX_QUERY = 200


@login_required
@require_safe
def fulltext_search(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request.user, slug)
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    included_only = request.GET.get("scope") != "all"
    hits, more = search_fulltexts(review, query, included_only=included_only)
    return render(
        request,
        "screening/fulltext_search.html",
        {
            "review": review,
            "query": query,
            "included_only": included_only,
            "hits": hits,
            "more": more,
            "limit": LIMIT,
        },
    )
