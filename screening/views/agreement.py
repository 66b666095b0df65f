"""Agreement per reviewer pair (kappa, PABAK) and the lead's calibration (pilot) set."""

from __future__ import annotations

import random
from collections import defaultdict
from itertools import combinations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from reviewapp.access import get_review_for
from reviewapp.models import Review, Role, Stage
from reviewapp.params import number_param

from ..agreement import agreement
from ..models import Decision, Record, StageStatus

STAGES = [Stage.TITLE_ABSTRACT, Stage.FULL_TEXT]


def pair_agreement(review: Review, stage: str, *, pilot_only: bool = False) -> list[dict]:
    """One row per pair of reviewers who decided records in common at this stage."""
    # As PRISMA counts them: a record marked duplicate since is not screened.
    decisions = Decision.objects.filter(
        review=review, stage=stage, record__duplicate_of__isnull=True
    )
    if pilot_only:
        decisions = decisions.filter(record__pilot=True)
    by_record: dict[int, dict[int, str]] = defaultdict(dict)
    for record_id, reviewer_id, value in decisions.values_list("record_id", "reviewer_id", "value"):
        by_record[record_id][reviewer_id] = value
    pairs: dict[tuple[int, int], list[tuple[str, str]]] = defaultdict(list)
    for votes in by_record.values():
        for a, b in combinations(sorted(votes), 2):
            pairs[(a, b)].append((votes[a], votes[b]))
    names = dict(
        get_user_model()
        .objects.filter(pk__in={u for pair in pairs for u in pair})
        .values_list("pk", "username")
    )
    return [
        {"a": names[a], "b": names[b], "stats": agreement(values)}
        for (a, b), values in sorted(pairs.items())
    ]


@login_required
@require_safe
def agreement_page(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request.user, slug)
    # Per-pair figures would let a reviewer infer a colleague's decisions while blind.
    hidden = review.membership.is_blind
    rows = []
    if not hidden:
        for stage in STAGES:
            rows.append(
                {
                    "stage": stage.label,
                    "all": pair_agreement(review, stage),
                    "pilot": pair_agreement(review, stage, pilot_only=True),
                }
            )
    pilot_count = Record.objects.in_review(review).unique().filter(pilot=True).count()
    return render(
        request,
        "screening/agreement.html",
        {"review": review, "rows": rows, "hidden": hidden, "pilot_count": pilot_count},
    )


@login_required
@require_POST
def pilot_set(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request.user, slug, role=Role.LEAD)
    action = request.POST.get("action")
    records = Record.objects.in_review(review).unique()
    if action == "sample":
        size = number_param(request.POST, "size", label="Pilot size", high=1000)
        if size is None:
            messages.error(request, "Give a pilot size between 1 and 1000.")
            return redirect("screening:agreement", slug=review.slug)
        untouched = list(
            records.filter(ta_count=0, ta_status=StageStatus.OPEN, pilot=False).values_list(
                "pk", flat=True
            )
        )
        chosen = random.SystemRandom().sample(untouched, min(size, len(untouched)))
        records.filter(pk__in=chosen).update(pilot=True)
        messages.success(request, f"{len(chosen)} records added to the pilot set.")
    elif action in {"start", "stop"}:
        review.calibration = action == "start"
        review.save(update_fields=["calibration"])
        messages.success(
            request,
            "Calibration on: reviewers screen only the pilot set."
            if review.calibration
            else "Calibration over: everyone screens the rest.",
        )
    else:
        messages.error(request, "Unknown action.")
    return redirect("screening:agreement", slug=review.slug)
