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

from ..models import DuplicatePair, Record
from ..services.dedup import decide_pair, find_duplicates
from .redirects import back_to

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


def screening_state(record: Record) -> str:
    """Where a record stands, in words: marking it duplicate hides this from every count."""
    if record.ta_status:
        state = f"title/abstract: {record.ta_status}"
    elif record.ta_count:
        state = f"title/abstract: {record.ta_count} decision(s) so far"
    else:
        return "not screened"
    return state + (f"; full text: {record.ft_status}" if record.ft_status else "")


def _pair_context(review, pair: DuplicatePair | None) -> dict:
    rows = []
    hides_screening = False
    if pair is not None:
        for name, label in FIELDS:
            left, right = getattr(pair.keep, name), getattr(pair.duplicate, name)
            rows.append({"label": label, "keep": left, "duplicate": right, "same": left == right})
        # Outcomes only for whoever may see them (blind reviewers may not).
        if not review.membership.is_blind:
            left, right = screening_state(pair.keep), screening_state(pair.duplicate)
            rows.append({"label": "Screening", "keep": left, "duplicate": right, "same": True})
            hides_screening = right != "not screened"
    return {
        "review": review,
        "pair": pair,
        "rows": rows,
        "hides_screening": hides_screening,
        "remaining": _pending(review).count(),
    }


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
    return back_to(request, "screening:duplicates", slug=review.slug)


@login_required
@require_POST
def duplicates_run(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    result = find_duplicates(review=review)
    messages.success(
        request,
        f"Duplicate check done: {result.hidden} records hidden as duplicates, "
        f"{result.pending} pairs waiting for you.",
    )
    return redirect("screening:duplicates", slug=review.slug)
