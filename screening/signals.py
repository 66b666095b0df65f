"""Screening's answers to the review core's signals (connected in ScreeningConfig.ready)."""

from __future__ import annotations

from reviewapp.models import Review

from .services.decisions import settle_open_records


def settle_when_fewer_decisions_are_needed(
    sender, *, review: Review, stages: list[str], **kwargs
) -> None:
    for stage in stages:
        settle_open_records(review=review, stage=stage)
