"""Read-only summaries other apps (the dashboard) use; they never touch models directly."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Exists, OuterRef

from reviewapp.models import Review, Stage

from .models import Decision, DuplicatePair, Record, StageStatus
from .prisma import prisma_counts


def review_progress(review: Review, user: AbstractBaseUser) -> dict:
    """Counts for the dashboard: the PRISMA numbers, per-reviewer progress, my queue."""
    counts = prisma_counts(review)
    identified = sum(n for column in counts["identified"].values() for n in column.values())
    per_reviewer = (
        Decision.objects.filter(review=review, stage=Stage.TITLE_ABSTRACT)
        .values("reviewer__username")
        .annotate(n=Count("id"))
        .order_by("reviewer__username")
    )
    mine = Decision.objects.filter(record=OuterRef("pk"), stage=Stage.TITLE_ABSTRACT, reviewer=user)
    my_queue = (
        Record.objects.in_review(review)
        .unique()
        .filter(ta_status=StageStatus.OPEN)
        .exclude(Exists(mine))
        .count()
    )
    return {
        "prisma": counts,
        "identified": identified,
        "sources": review.sources.count(),
        "duplicates_pending": DuplicatePair.objects.filter(
            review=review, status=DuplicatePair.Status.PENDING
        ).count(),
        "per_reviewer": list(per_reviewer),
        "my_queue": my_queue,
        "decided_ta": counts["screened"] - counts["awaiting"]["title_abstract"],
    }
