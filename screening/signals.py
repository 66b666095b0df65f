"""Screening's answers to the review core's signals (connected in ScreeningConfig.ready)."""

from __future__ import annotations

from django.db import transaction

from reviewapp.models import Review


def settle_when_fewer_decisions_are_needed(
    sender, *, review: Review, stages: list[str], **kwargs
) -> None:
    """Settle in the worker once the change is committed: thousands of half-decided records
    would take the lead's request past its timeout. Until then no queue serves those records,
    and any decision made meanwhile already reads the new rule (services.decisions._lock)."""
    from .tasks import settle_records

    stages = [str(stage) for stage in stages]
    transaction.on_commit(lambda: settle_records.delay(review.pk, stages))
