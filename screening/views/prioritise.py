"""The lead's prioritisation panel: model state, what is estimated left, the stopping suggestion,
the reviewers' relevance hint, and excluding the remainder by a stated rule (undoable)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from reviewapp.access import get_review_for
from reviewapp.models import Review, Role, Stage

from ..models import ExclusionRule, RankingRun, Record, StageStatus
from ..services import prioritise, stopping
from ..services.decisions import ScreeningError

FINISHED = [RankingRun.State.READY, RankingRun.State.COLD, RankingRun.State.FAILED]


@login_required
@require_http_methods(["GET", "POST"])
def prioritise_panel(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    if request.method == "POST":
        _panel_action(request, review, request.POST.get("action"))
        return redirect("screening:prioritise", slug=review.slug)
    return render(request, "screening/prioritise.html", _panel(review))


def _panel_action(request: HttpRequest, review: Review, action: str | None) -> None:
    """Retrain now, or show / hide the reviewers' relevance hint; the outcome as a message."""
    if action == "retrain":
        run = prioritise.queue_retrain(
            review, trigger=RankingRun.Trigger.LEAD, requested_by=request.user
        )
        messages.success(
            request,
            "Retraining queued: the queue re-orders when it finishes."
            if run
            else "A retraining is already queued or running.",
        )
    elif action in {"hint-on", "hint-off"}:
        review.relevance_hint = action == "hint-on"
        review.save(update_fields=["relevance_hint"])
        shown = "shown to" if review.relevance_hint else "hidden from"
        messages.success(request, f"Relevance hint {shown} reviewers.")
    else:
        messages.error(request, "Unknown action.")


def _panel(review: Review) -> dict:
    runs = RankingRun.objects.filter(review=review)
    ranked = runs.filter(state=RankingRun.State.READY).first()
    unique = Record.objects.in_review(review).unique()
    unscreened = unique.filter(ta_status=StageStatus.OPEN, ta_count=0).count()
    return {
        "review": review,
        "latest": runs.filter(state__in=FINISHED).first(),
        "pending": runs.filter(state__in=RankingRun.PENDING).first(),
        "ranked": ranked,
        "history": runs.select_related("requested_by")[:20],
        "unscreened": unscreened,
        "suggestion": stopping.stopping_suggestion(
            ranked,
            unique.count(),
            unscreened,
            decisions_per_record=review.reviewers_per_record(Stage.TITLE_ABSTRACT),
        ),
        # Still excluded by each rule (the lead may have reopened some one by one).
        "rules": ExclusionRule.objects.filter(review=review)
        .select_related("applied_by", "undone_by")
        .annotate(
            # As PRISMA counts automation: records marked duplicate since are not screened.
            standing=Count("resolutions", filter=Q(resolutions__record__duplicate_of__isnull=True))
        ),
    }


@login_required
@require_POST
def exclude_remaining(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    if request.POST.get("confirm") != "yes":
        messages.error(request, "Tick the box to confirm excluding every unscreened record.")
        return redirect("screening:prioritise", slug=review.slug)
    try:
        rule = stopping.exclude_remaining(
            review=review, lead=request.user, rule=request.POST.get("rule", "")
        )
    except ScreeningError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"{rule.excluded} unscreened records excluded by your rule; PRISMA counts them as "
            "excluded by automation.",
        )
    return redirect("screening:prioritise", slug=review.slug)


@login_required
@require_POST
def undo_rule(request: HttpRequest, slug: str, rule_id: int) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    try:
        reopened = stopping.undo_rule(review=review, lead=request.user, rule_id=rule_id)
    except ScreeningError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Rule undone: {reopened} records need screening again.")
    return redirect("screening:prioritise", slug=review.slug)
