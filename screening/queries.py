"""Read-only summaries other apps (the dashboard) use; they never touch models directly."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Exists, OuterRef

from reviewapp.models import Membership, Review, Role, Stage

from .models import Decision, DuplicatePair, StageStatus
from .prisma import prisma_counts
from .queues import open_records
from .services.fulltext import sought_records


def review_progress(review: Review, user: AbstractBaseUser, *, blind: bool = False) -> dict:
    """Counts for the dashboard: the PRISMA numbers, per-reviewer progress, my queues.

    `blind`: for a reviewer in blind mode, no count may move with a colleague's vote on a record
    still unsettled (it would tell a conflict from "not decided yet"): decisions are counted for
    this user only."""
    counts = prisma_counts(review)
    only = user if blind else None
    identified = sum(n for column in counts["identified"].values() for n in column.values())
    return {
        "prisma": counts,
        "identified": identified,
        "sources": review.sources.count(),
        "duplicates_pending": DuplicatePair.objects.filter(
            review=review, status=DuplicatePair.Status.PENDING
        ).count(),
        "per_reviewer": _per_reviewer(review, Stage.TITLE_ABSTRACT, only),
        "per_reviewer_ft": _per_reviewer(review, Stage.FULL_TEXT, only),
        "my_queue": _my_queue(review, user, Stage.TITLE_ABSTRACT),
        "my_queue_ft": _my_queue(review, user, Stage.FULL_TEXT),
        "ft_conflicts": sought_records(review).filter(ft_status=StageStatus.CONFLICT).count(),
        "decided_ta": counts["screened"] - counts["awaiting"]["title_abstract"],
        "decided_ta_by_me": _decided_by(review, user, Stage.TITLE_ABSTRACT) if blind else None,
    }


def _decided_by(review: Review, user: AbstractBaseUser, stage: str) -> int:
    return Decision.objects.filter(
        review=review, stage=stage, reviewer=user, record__duplicate_of__isnull=True
    ).count()


def _per_reviewer(review: Review, stage: str, only: AbstractBaseUser | None = None) -> list[dict]:
    decisions = Decision.objects.filter(
        review=review, stage=stage, record__duplicate_of__isnull=True
    )
    if only is not None:
        decisions = decisions.filter(reviewer=only)
    return list(
        decisions.values("reviewer__username")
        .annotate(n=Count("id"))
        .order_by("reviewer__username")
    )


def _my_queue(review: Review, user: AbstractBaseUser, stage: str) -> int:
    """Records this user could still be served at the stage: open, and not decided by them
    (during calibration, only the pilot set, and only for reviewers)."""
    mine = Decision.objects.filter(record=OuterRef("pk"), stage=stage, reviewer=user)
    records = open_records(review, stage).exclude(Exists(mine))
    if stage == Stage.TITLE_ABSTRACT and review.calibration:
        if not Membership.objects.filter(review=review, user=user, role=Role.REVIEWER).exists():
            return 0
        records = records.filter(pilot=True)
    return records.count()
