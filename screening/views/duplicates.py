"""The lead's duplicate queue: likely pairs side by side, decided by keyboard."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from reviewapp.access import get_review_for
from reviewapp.models import Role

from ..models import DuplicatePair
from ..services.dedup import decide_pair, find_duplicates

FIELDS = [
    ("title", "Title"),
    ("authors_short", "Authors"),
    ("year", "Year"),
    ("journal", "Journal"),
    ("doi", "DOI"),
    ("pmid", "PMID"),
    ("source", "Source"),
]


def _pending(review):
    return DuplicatePair.objects.filter(
        review=review, status=DuplicatePair.Status.PENDING
    ).select_related("keep__source", "duplicate__source")


def _pair_context(review, pair: DuplicatePair | None) -> dict:
    rows = []
    if pair is not None:
        for name, label in FIELDS:
            left, right = getattr(pair.keep, name), getattr(pair.duplicate, name)
            rows.append({"label": label, "keep": left, "duplicate": right, "same": left == right})
    return {"review": review, "pair": pair, "rows": rows, "remaining": _pending(review).count()}


@login_required
@require_safe
def duplicates(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request.user, slug)
    decided = (
        DuplicatePair.objects.filter(review=review)
        .exclude(status=DuplicatePair.Status.PENDING)
        .select_related("keep", "duplicate", "decided_by")
        .order_by("-decided_at", "-id")
    )
    page = Paginator(decided, 50).get_page(request.GET.get("page"))
    context = _pair_context(review, _pending(review).first()) | {"page": page}
    return render(request, "screening/duplicates.html", context)


@login_required
@require_POST
def duplicate_decide(request: HttpRequest, slug: str, pair_id: int) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    pair = get_object_or_404(
        DuplicatePair.objects.select_related("review"), review=review, pk=pair_id
    )
    decision = request.POST.get("decision")
    if decision not in {"duplicate", "distinct"}:
        messages.error(request, "Choose 'duplicate' or 'not duplicates'.")
        return redirect("screening:duplicates", slug=review.slug)
    decide_pair(pair=pair, duplicate=decision == "duplicate", by=request.user)
    if request.htmx and request.POST.get("from") == "queue":
        return render(
            request,
            "screening/duplicates.html#queue",
            _pair_context(review, _pending(review).first()),
        )
    return redirect(request.POST.get("next") or "screening:duplicates", slug=review.slug)


@login_required
@require_POST
def duplicates_run(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    result = find_duplicates(review=review)
    messages.success(
        request,
        f"Duplicate check done: {result.marked} marked, {result.pending} waiting for you.",
    )
    return redirect("screening:duplicates", slug=review.slug)
