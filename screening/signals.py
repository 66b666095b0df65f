"""Screening's answers to the review core's signals (connected in ScreeningConfig.ready)."""

from __future__ import annotations

import logging

from django.db import transaction

from reviewapp.models import Review

from .services.decisions import settle_open_records

logger = logging.getLogger(__name__)


def settle_when_fewer_decisions_are_needed(
    sender, *, review: Review, stages: list[str], **kwargs
) -> None:
    """Settle in the worker once the change is committed: thousands of half-decided records
    would take the lead's request past its timeout. Until then no queue serves those records,
    and any decision made meanwhile already reads the new rule (record_state.lock_record)."""
    from .tasks import settle_records

    stages = [str(stage) for stage in stages]

    def queue() -> None:
        try:
            settle_records.delay(review.pk, stages)
        except Exception:  # the broker is down: settle here rather than strand the records
            logger.exception("could not queue settling for review %s; settling now", review.pk)
            for stage in stages:
                settle_open_records(review=review, stage=stage)

    transaction.on_commit(queue)
