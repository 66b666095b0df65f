"""Read-only summaries other apps (the dashboard) use; they never touch models directly."""

from __future__ import annotations

from reviewapp.models import Review

from .models import DuplicatePair
from .prisma import prisma_counts


def review_progress(review: Review) -> dict:
    """Counts for the dashboard: the PRISMA numbers plus the lead's open dedup work."""
    counts = prisma_counts(review)
    identified = sum(n for column in counts["identified"].values() for n in column.values())
    return {
        "prisma": counts,
        "identified": identified,
        "sources": review.sources.count(),
        "duplicates_pending": DuplicatePair.objects.filter(
            review=review, status=DuplicatePair.Status.PENDING
        ).count(),
    }
