"""What a reviewer screens next, in a fixed number of indexed queries whatever the review's size.

Records needing decisions are either untouched (count 0) or half-decided (count 1) with one
first decider. For each person who could be that first decider we take the best half-decided
record from the queue index; with the best untouched record that is 1 + (team size - 1)
single-row queries, none scanning. Pilot records (few) come first while calibration runs.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef

from reviewapp.models import Membership, Review, Role, Stage

from .models import Decision, Record, StageStatus


def _open(review: Review) -> object:
    return Record.objects.filter(
        review=review, duplicate_of__isnull=True, ta_status=StageStatus.OPEN
    )


def _best(candidates: list[Record]) -> Record | None:
    return min(candidates, key=lambda r: (-r.rank, r.pk), default=None)


def next_pilot_record(review: Review, reviewer: AbstractBaseUser) -> Record | None:
    mine = Decision.objects.filter(
        record=OuterRef("pk"), stage=Stage.TITLE_ABSTRACT, reviewer=reviewer
    )
    return _open(review).filter(pilot=True).exclude(Exists(mine)).order_by("-rank", "id").first()


def next_record(review: Review, reviewer: AbstractBaseUser) -> Record | None:
    """The next title/abstract record for this reviewer, or None when they are done."""
    pilot = next_pilot_record(review, reviewer)
    if pilot is not None or review.calibration:
        return pilot
    queue = _open(review).filter(pilot=False).order_by("-rank", "id")
    candidates = list(queue.filter(ta_count=0)[:1])
    if review.ta_reviewers_per_record > 1:
        others = (
            Membership.objects.filter(review=review, role__in=[Role.LEAD, Role.REVIEWER])
            .exclude(user=reviewer)
            .values_list("user_id", flat=True)
        )
        for other in others:
            candidates += queue.filter(ta_count=1, ta_first_decider=other)[:1]
    return _best(candidates)
