"""The lead's prioritisation panel: model state, what is estimated left, the stopping suggestion,
the reviewers' relevance hint, and excluding the remainder by a stated rule (undoable)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from reviewapp.access import get_review_for
from reviewapp.models import Role

from ..models import ExclusionRule, RankingRun, Record, StageStatus
from ..services import prioritise
from ..services.decisions import ScreeningError

FINISHED = [RankingRun.State.READY, RankingRun.State.COLD, RankingRun.State.FAILED]


@login_required
@require_http_methods(["GET", "POST"])
def prioritise_panel(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    if request.method == "POST":
        action = request.POST.get("action")
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
            messages.success(
                request,
                f"Relevance hint {'shown to' if review.relevance_hint else 'hidden from'} "
                "reviewers.",
            )
        else:
            messages.error(request, "Unknown action.")
        return redirect("screening:prioritise", slug=review.slug)
    runs = RankingRun.objects.filter(review=review)
    latest = runs.filter(state__in=FINISHED).first()
    unique = Record.objects.in_review(review).unique()
    context = {
        "review": review,
        "latest": latest,
        "pending": runs.filter(state__in=RankingRun.PENDING).first(),
        "ranked": runs.filter(state=RankingRun.State.READY).first(),
        "history": runs[:20],
        "unscreened": unique.filter(ta_status=StageStatus.OPEN, ta_count=0).count(),
        "suggestion": prioritise.stopping_suggestion(
            runs.filter(state=RankingRun.State.READY).first(), unique.count()
        ),
        # Still excluded by each rule (the lead may have reopened some one by one).
        "rules": ExclusionRule.objects.filter(review=review)
        .select_related("applied_by", "undone_by")
        .annotate(standing=Count("resolutions")),
    }
    return render(request, "screening/prioritise.html", context)


@login_required
@require_POST
def exclude_remaining(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    if request.POST.get("confirm") != "yes":
        messages.error(request, "Tick the box to confirm excluding every unscreened record.")
        return redirect("screening:prioritise", slug=review.slug)
    try:
        rule = prioritise.exclude_remaining(
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
        reopened = prioritise.undo_rule(review=review, lead=request.user, rule_id=rule_id)
    except ScreeningError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Rule undone: {reopened} records need screening again.")
    return redirect("screening:prioritise", slug=review.slug)
