"""Screening decisions: record, change, undo; the lead resolves, reopens, settles and acts in
bulk. Every action locks the record's row first and leaves its stage fields as its decisions
say (services.record_state holds the state, the lock and the rules).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from reviewapp.models import ExclusionReason, Review, Stage
from reviewapp.prepared import insert

from ..models import Decision, Record, Resolution, ScreeningEvent, StageStatus, Verdict
from .record_state import (
    AlreadyDecided,
    AlreadyResolved,
    ScreeningError,
    SettledAtFullText,
    check_calibration,
    check_reason,
    criteria_version_id,
    decisions_needed,
    lock_record,
    recompute,
    stage_fields,
    write_event,
)

__all__ = [
    "AlreadyDecided",
    "AlreadyResolved",
    "ScreeningError",
    "SettledAtFullText",
    "bulk_resolve",
    "decisions_needed",
    "last_decided_record_id",
    "record_decision",
    "reopen_record",
    "resolve_record",
    "settle_open_records",
    "undo_decision",
]


# What a reviewer's second thoughts change on their decision (decided_at stays the first time).
CHANGEABLE = ["value", "reason", "note", "labels", "criteria_version", "updated_at"]


@transaction.atomic
def record_decision(
    *,
    review: Review,
    record_id: int,
    stage: str,
    reviewer: AbstractBaseUser,
    value: str,
    reason: ExclusionReason | None = None,
    note: str = "",
    labels: Iterable[str] = (),
) -> Decision:
    """A reviewer's decision: a first one, or a change to theirs until the lead resolves."""
    fields = stage_fields(stage)
    if value not in Verdict.values:
        raise ScreeningError("Decide include, exclude or maybe.")
    record = lock_record(review, record_id, stage)
    if record.resolved:
        raise AlreadyResolved("The lead has resolved this record; only the lead can reopen it.")
    if stage == Stage.TITLE_ABSTRACT:
        check_calibration(review, record, reviewer)
    reason = check_reason(review, stage, value, reason, note)
    version_id = criteria_version_id(record, review)
    labels = sorted({label.strip() for label in labels if label.strip()})
    # Under the record's lock nobody else changes its decisions: read with the lock, once, for
    # both the reviewer's own and the new status.
    decisions = record.stage_decisions
    mine = next((d for d in decisions if d.reviewer_id == reviewer.pk), None)
    now = timezone.now()
    if mine is None:
        if getattr(record, fields.count) >= decisions_needed(review, record, stage):
            raise AlreadyDecided("This record already has the decisions it needs.")
        mine = Decision(
            review=review,
            record=record,
            stage=stage,
            reviewer=reviewer,
            value=value,
            reason=reason,
            note=note,
            labels=labels,
            criteria_version_id=version_id,
            decided_at=now,
            updated_at=now,
        )
        insert(mine)  # one prepared statement (reviewapp.prepared)
        decisions.append(mine)
        if getattr(record, fields.first_decider) is None:
            setattr(record, fields.first_decider, reviewer.pk)
        kind = ScreeningEvent.Kind.DECIDED
    else:
        same = (mine.value, mine.reason_id, mine.note, mine.labels) == (
            value,
            reason.pk if reason else None,
            note,
            labels,
        )
        if same:
            return mine
        mine.value, mine.reason, mine.note, mine.labels = value, reason, note, labels
        mine.criteria_version_id, mine.updated_at = version_id, now
        mine.save(update_fields=CHANGEABLE)
        kind = ScreeningEvent.Kind.CHANGED
    write_event(
        record,
        stage,
        reviewer,
        kind,
        value=value,
        reason=reason,
        note=note,
        labels=labels,
        criteria_version_id=version_id,
    )
    recompute(record, review, stage, fields, None, decisions)
    return mine


@transaction.atomic
def undo_decision(
    *, review: Review, record_id: int, stage: str, reviewer: AbstractBaseUser
) -> Record:
    """Take back a reviewer's decision (it stays in the history); the record needs it again."""
    fields = stage_fields(stage)
    record = lock_record(review, record_id, stage)
    if record.resolved:
        raise ScreeningError("The lead has resolved this record; only the lead can reopen it.")
    mine = Decision.objects.filter(record=record, stage=stage, reviewer=reviewer).first()
    if mine is None:
        raise ScreeningError("You have no decision on this record to undo.")
    mine.delete()
    if getattr(record, fields.first_decider) == reviewer.pk:
        other = Decision.objects.filter(record=record, stage=stage).order_by("decided_at").first()
        setattr(record, fields.first_decider, other.reviewer_id if other else None)
    # What was taken back, whole: the decision row itself is gone.
    write_event(
        record,
        stage,
        reviewer,
        ScreeningEvent.Kind.UNDONE,
        value=mine.value,
        reason_id=mine.reason_id,
        note=mine.note,
        labels=mine.labels,
    )
    recompute(record, review, stage, fields, None)
    return record


def last_decided_record_id(*, review: Review, stage: str, reviewer: AbstractBaseUser) -> int | None:
    """The record of the reviewer's most recent decision still standing at this stage."""
    return (
        Decision.objects.filter(review=review, stage=stage, reviewer=reviewer)
        .order_by("-updated_at", "-id")
        .values_list("record_id", flat=True)
        .first()
    )


@transaction.atomic
def resolve_record(
    *,
    review: Review,
    record_id: int,
    stage: str,
    lead: AbstractBaseUser,
    value: str,
    reason: ExclusionReason | None = None,
    note: str = "",
    kind: str = ScreeningEvent.Kind.RESOLVED,
) -> Resolution:
    """The lead's final include or exclude for a record at a stage."""
    fields = stage_fields(stage)
    if value not in (Verdict.INCLUDE, Verdict.EXCLUDE):
        raise ScreeningError("Resolve with include or exclude.")
    record = lock_record(review, record_id, stage)
    if record.resolved:
        raise AlreadyResolved("This record is already resolved; reopen it first to change it.")
    reason = check_reason(review, stage, value, reason, note)
    resolution = Resolution.objects.create(
        review=review,
        record=record,
        stage=stage,
        value=value,
        reason=reason,
        note=note,
        resolved_by=lead,
    )
    write_event(
        record,
        stage,
        lead,
        kind,
        value=value,
        reason=reason,
        note=note,
        criteria_version_id=criteria_version_id(record, review),
    )
    recompute(record, review, stage, fields, resolution)
    return resolution


@transaction.atomic
def reopen_record(*, review: Review, record_id: int, stage: str, lead: AbstractBaseUser) -> Record:
    """Undo the lead's resolution: the record goes back to its reviewers' decisions."""
    fields = stage_fields(stage)
    record = lock_record(review, record_id, stage)
    deleted, _ = Resolution.objects.filter(record=record, stage=stage).delete()
    if not deleted:
        raise ScreeningError("This record is not resolved, so there is nothing to reopen.")
    write_event(record, stage, lead, ScreeningEvent.Kind.REOPENED)
    recompute(record, review, stage, fields, None)
    return record


def settle_open_records(*, review: Review, stage: str) -> int:
    """Give their outcome to open records that have all the decisions they now need (after the
    lead lowered the reviewers per record: a record with its one decision would otherwise wait
    for a second that no queue serves). A maybe still goes to the lead. Returns records settled.

    The decisions are unchanged, so no history row: the record's outcome follows from them."""
    fields = stage_fields(stage)
    enough = Q(**{f"{fields.count}__gte": review.reviewers_per_record(stage)})
    if stage == Stage.TITLE_ABSTRACT:
        # A pilot record needs every reviewer, so fewer reviewers can complete it with fewer
        # decisions than the usual number: look at every started one (recompute decides).
        enough |= Q(pilot=True, **{f"{fields.count}__gte": 1})
    waiting = (
        Record.objects.in_review(review)
        .unique()
        .filter(enough, **{fields.status: StageStatus.OPEN})
    )
    settled = 0
    for record_id in waiting.order_by("id").values_list("id", flat=True):
        try:
            with transaction.atomic():
                record = lock_record(review, record_id, stage)
                if getattr(record, fields.status) != StageStatus.OPEN:
                    continue  # decided meanwhile
                recompute(record, review, stage, fields, None)
        except ScreeningError:
            continue  # a record the stage no longer takes (e.g. settled at full text): left as is
        settled += getattr(record, fields.status) != StageStatus.OPEN
    return settled


def bulk_resolve(
    *,
    review: Review,
    record_ids: Iterable[int],
    stage: str,
    lead: AbstractBaseUser,
    value: str,
    reason: ExclusionReason | None = None,
    note: str = "",
) -> tuple[int, int]:
    """The lead's bulk action, recorded per record; returns (done, skipped: resolved already,
    or settled at full text)."""
    done = skipped = 0
    with transaction.atomic():
        for record_id in sorted(set(record_ids)):
            try:
                resolve_record(
                    review=review,
                    record_id=record_id,
                    stage=stage,
                    lead=lead,
                    value=value,
                    reason=reason,
                    note=note,
                    kind=ScreeningEvent.Kind.BULK,
                )
            except (AlreadyResolved, SettledAtFullText):
                skipped += 1
            else:
                done += 1
    return done, skipped
