"""What a reviewer screens next, in a fixed number of indexed queries whatever the review's size.

Records needing decisions are either untouched (count 0) or half-decided (count 1) with one
first decider. For each person who could be that first decider we take the best half-decided
record from the queue index; with the best untouched record that is 1 + (team size - 1)
single-row queries, none scanning. Pilot records (few) come first while calibration runs.
The full-text stage is the same mechanism over records included at title/abstract and retrieved.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, QuerySet

from reviewapp.models import Membership, Review, Role, Stage

from .models import Decision, Record, StageStatus


def open_records(review: Review, stage: str = Stage.TITLE_ABSTRACT) -> QuerySet[Record]:
    """Records that still need decisions at this stage."""
    records = Record.objects.filter(review=review, duplicate_of__isnull=True)
    if stage == Stage.FULL_TEXT:
        return records.filter(
            ta_status=StageStatus.INCLUDE, retrieval="retrieved", ft_status=StageStatus.OPEN
        )
    return records.filter(ta_status=StageStatus.OPEN)


def _best(candidates: list[Record], partner_order: dict[int | None, int]) -> Record | None:
    """Highest priority first; among equals the nearest partner's record, then import order."""
    return min(
        candidates,
        key=lambda r: (-r.rank, partner_order.get(r.queue_partner, len(partner_order)), r.pk),
        default=None,
    )


def next_pilot_record(review: Review, reviewer: AbstractBaseUser) -> Record | None:
    mine = Decision.objects.filter(
        record=OuterRef("pk"), stage=Stage.TITLE_ABSTRACT, reviewer=reviewer
    )
    return (
        open_records(review)
        .filter(pilot=True)
        .exclude(Exists(mine))
        .order_by("-rank", "id")
        .first()
    )


def next_record(
    review: Review, reviewer: AbstractBaseUser, stage: str = Stage.TITLE_ABSTRACT
) -> Record | None:
    """The next record for this reviewer at this stage, or None when they are done."""
    count, first = (
        ("ft_count", "ft_first_decider")
        if stage == Stage.FULL_TEXT
        else ("ta_count", "ta_first_decider")
    )
    queue = open_records(review, stage).order_by("-rank", "id")
    if stage == Stage.TITLE_ABSTRACT:
        pilot = next_pilot_record(review, reviewer)
        if pilot is not None or review.calibration:
            return pilot
        queue = queue.filter(pilot=False)
    screeners = list(
        Membership.objects.filter(review=review, role__in=[Role.LEAD, Role.REVIEWER])
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    needed = review.reviewers_per_record(stage)
    untouched = list(queue.filter(**{count: 0})[: max(1, len(screeners))])
    if len(screeners) > needed and reviewer.pk in screeners and untouched:
        # More screeners than decisions per record: spread them over the best few untouched
        # records, or they would all open the same one and most would be turned away.
        untouched = [untouched[screeners.index(reviewer.pk) % len(untouched)]]
    candidates = untouched[:1]
    # Each screener completes first the records of the colleague after them in a fixed circle,
    # so a large team does not converge on the same half-decided record.
    me = screeners.index(reviewer.pk) if reviewer.pk in screeners else -1
    circle = screeners[me + 1 :] + screeners[: max(me, 0)]
    partner_order: dict[int | None, int] = {user: i for i, user in enumerate(circle)}
    if needed > 1:
        for other in circle:
            candidates += queue.filter(**{count: 1, first: other})[:1]
    for record in candidates:
        record.queue_partner = getattr(record, f"{first}_id")
    return _best(candidates, partner_order)
