"""Screening decisions: record, change, undo; the lead resolves, reopens and acts in bulk.

Every write locks the record's row first, so concurrent reviewers settle in the database: a
record never gets more decisions than it needs, and none is lost. The record's stage fields
(count, first decider, status) are kept here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q, Subquery
from django.utils import timezone

from reviewapp.models import CriteriaVersion, ExclusionReason, Membership, Review, Role, Stage
from reviewapp.services import current_criteria, share_decision_rules

from ..models import Decision, Record, Resolution, ScreeningEvent, StageStatus, Verdict


class ScreeningError(Exception):
    """A decision the rules do not allow; the message is for the person who tried."""


class AlreadyResolved(ScreeningError):
    """The lead has already resolved the record at this stage."""


class AlreadyDecided(ScreeningError):
    """Colleagues gave the record all its decisions first: not the reviewer's fault."""


class SettledAtFullText(ScreeningError):
    """The record has full-text decisions: its title/abstract outcome can no longer change."""


@dataclass(frozen=True)
class StageFields:
    count: str
    first_decider: str
    status: str


STAGE_FIELDS = {
    Stage.TITLE_ABSTRACT: StageFields("ta_count", "ta_first_decider_id", "ta_status"),
    Stage.FULL_TEXT: StageFields("ft_count", "ft_first_decider_id", "ft_status"),
}


def stage_fields(stage: str) -> StageFields:
    try:
        return STAGE_FIELDS[Stage(stage)]
    except (KeyError, ValueError) as error:
        raise ScreeningError(f"There is no screening at the stage '{stage}'.") from error


def decisions_needed(review: Review, record: Record, stage: str) -> int:
    """Two (or one) as the review says; a pilot record needs every reviewer at title/abstract.

    A record locked by `_lock` carries the review's rule as it stands in the database (the
    `review` object came with the request and may predate the lead's change)."""
    needed = getattr(record, _NEEDED[Stage(stage)], None) or review.reviewers_per_record(stage)
    # Calibration is at title/abstract; at full text a pilot record is a record like any other.
    if record.pilot and stage == Stage.TITLE_ABSTRACT:
        # Every reviewer, however many the review otherwise asks for (one reviewer beside a
        # lead, who does not screen the pilot set, completes it alone); a team of leads only
        # screens it as any other record.
        reviewers = Membership.objects.filter(review=review, role=Role.REVIEWER).count()
        needed = reviewers or needed
    return needed


LOCK_FIELDS = (
    "id",
    "review_id",
    "pilot",
    "duplicate_of_id",
    "retrieval",
    "ta_count",
    "ta_first_decider_id",
    "ta_status",
    "ft_count",
    "ft_first_decider_id",
    "ft_status",
    "ft_reason_id",
)


_NEEDED = {Stage.TITLE_ABSTRACT: "ta_needed", Stage.FULL_TEXT: "ft_needed"}


def _lock(review: Review, record_id: int, stage: str = Stage.TITLE_ABSTRACT) -> Record:
    # Lock only the record's row (not the review's), so reviewers never queue behind each other.
    # The criteria version and the decisions a record needs ride along (no query more on the
    # hot path), read after the shared hold on the review's rules: a lead lowering the number
    # waits for this decision, or this decision reads the new number.
    share_decision_rules(review)
    latest = CriteriaVersion.objects.filter(review=review).order_by("-number").values("pk")[:1]
    rules = Review.objects.filter(pk=review.pk)
    record = (
        Record.objects.select_for_update(of=("self",))
        .filter(review=review, pk=record_id)
        .only(*LOCK_FIELDS)  # not the texts: a decision needs only the record's state
        .annotate(
            criteria_in_force=Subquery(latest),
            ta_needed=Subquery(rules.values("ta_reviewers_per_record")),
            ft_needed=Subquery(rules.values("ft_reviewers_per_record")),
            calibrating=Subquery(rules.values("calibration")),
        )
        .order_by()
        .first()
    )
    if record is None:
        raise ScreeningError("That record is not in this review.")
    if record.duplicate_of_id:
        raise ScreeningError("That record is a duplicate; it is not screened.")
    if stage == Stage.TITLE_ABSTRACT and (record.ft_count or record.ft_status):
        # Changing the title/abstract outcome now would strand the full-text work: PRISMA
        # would drop the report while the studies and conflicts pages still showed it.
        raise SettledAtFullText(
            "This record already has full-text decisions, so its title/abstract outcome is "
            "settled. Undo the full-text decisions (or the lead reopens them) first."
        )
    if stage == Stage.FULL_TEXT:
        if record.ta_status != StageStatus.INCLUDE:
            raise ScreeningError("Only records included at title/abstract go to full text.")
        if record.retrieval != "retrieved":
            raise ScreeningError("Retrieve the full text first (upload a PDF or add a link).")
    return record


def _check_calibration(review: Review, record: Record, reviewer: AbstractBaseUser) -> None:
    """While calibrating, only the pilot set is screened; a pilot record is the reviewers' to
    screen (it needs every one of them, and a lead's decision would take a reviewer's place)."""
    if getattr(record, "calibrating", False) and not record.pilot:
        raise ScreeningError(
            "Calibration is running: only the pilot set is screened until the lead ends it."
        )
    if record.pilot and not _is_reviewer(review, reviewer) and _has_reviewers(review):
        raise ScreeningError(
            "Pilot records are for the reviewers to screen; the lead compares their agreement "
            "and resolves their conflicts."
        )


def _is_reviewer(review: Review, user: AbstractBaseUser) -> bool:
    return Membership.objects.filter(review=review, user=user, role=Role.REVIEWER).exists()


def _has_reviewers(review: Review) -> bool:
    """A team of leads only screens its pilot set itself."""
    return Membership.objects.filter(review=review, role=Role.REVIEWER).exists()


def _check_reason(
    review: Review, stage: str, value: str, reason: ExclusionReason | None, note: str
) -> ExclusionReason | None:
    if value != Verdict.EXCLUDE:
        return None
    if reason is None:
        if stage == Stage.FULL_TEXT or review.ta_reason_required:
            raise ScreeningError("Choose an exclusion reason.")
        return None
    if reason.review_id != review.pk or not reason.applies_to(stage) or not reason.active:
        raise ScreeningError(f"'{reason.code}' is not a reason used at this stage.")
    if reason.note_required and not note.strip():
        raise ScreeningError(f"'{reason.label}' needs a note saying why.")
    return reason


def _criteria_version_id(record: Record, review: Review) -> int:
    version_id = getattr(record, "criteria_in_force", None)
    return version_id if version_id is not None else current_criteria(review).pk


def _recompute(
    record: Record,
    review: Review,
    stage: str,
    fields: StageFields,
    resolution: Resolution | None,
    decisions: list[Decision] | None = None,
) -> None:
    """Set the record's stage status from its decisions (or the lead's resolution).

    `decisions`: the record's decisions at this stage when the caller has them already."""
    if decisions is None:
        decisions = list(Decision.objects.filter(record=record, stage=stage))
    votes = [(decision.value, decision.reason_id) for decision in decisions]
    setattr(record, fields.count, len(votes))
    if stage != Stage.FULL_TEXT:
        votes = [(value, None) for value, _ in votes]  # reasons are optional, never a conflict
    reason_id = None
    if resolution is not None:
        status, reason_id = resolution.value, resolution.reason_id
    elif len(votes) < decisions_needed(review, record, stage):
        status = StageStatus.OPEN
    elif len(set(votes)) == 1 and votes[0][0] != Verdict.MAYBE:
        status, reason_id = votes[0]
    else:
        # Disagreement, a maybe, or (at full text) two different reasons: the lead decides.
        status = StageStatus.CONFLICT
    setattr(record, fields.status, status)
    update = [fields.count, fields.first_decider, fields.status]
    if stage == Stage.FULL_TEXT:
        record.ft_reason_id = reason_id if status == StageStatus.EXCLUDE else None
        update.append("ft_reason")
    record.save(update_fields=update)


def _event(record: Record, stage: str, actor, kind: str, **fields) -> ScreeningEvent:
    return ScreeningEvent.objects.create(
        review_id=record.review_id, record=record, stage=stage, actor=actor, kind=kind, **fields
    )


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
    record = _lock(review, record_id, stage)
    if Resolution.objects.filter(record=record, stage=stage).exists():
        raise AlreadyResolved("The lead has resolved this record; only the lead can reopen it.")
    if stage == Stage.TITLE_ABSTRACT:
        _check_calibration(review, record, reviewer)
    reason = _check_reason(review, stage, value, reason, note)
    version_id = _criteria_version_id(record, review)
    labels = sorted({label.strip() for label in labels if label.strip()})
    # Under the record's lock nobody else changes its decisions: read them once, for both the
    # reviewer's own and the new status.
    decisions = list(Decision.objects.filter(record=record, stage=stage))
    mine = next((d for d in decisions if d.reviewer_id == reviewer.pk), None)
    now = timezone.now()
    if mine is None:
        if getattr(record, fields.count) >= decisions_needed(review, record, stage):
            raise AlreadyDecided("This record already has the decisions it needs.")
        mine = Decision.objects.create(
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
        mine.save()
        kind = ScreeningEvent.Kind.CHANGED
    _event(
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
    _recompute(record, review, stage, fields, None, decisions)
    return mine


@transaction.atomic
def undo_decision(
    *, review: Review, record_id: int, stage: str, reviewer: AbstractBaseUser
) -> Record:
    """Take back a reviewer's decision (it stays in the history); the record needs it again."""
    fields = stage_fields(stage)
    record = _lock(review, record_id, stage)
    if Resolution.objects.filter(record=record, stage=stage).exists():
        raise ScreeningError("The lead has resolved this record; only the lead can reopen it.")
    mine = Decision.objects.filter(record=record, stage=stage, reviewer=reviewer).first()
    if mine is None:
        raise ScreeningError("You have no decision on this record to undo.")
    mine.delete()
    if getattr(record, fields.first_decider) == reviewer.pk:
        other = Decision.objects.filter(record=record, stage=stage).order_by("decided_at").first()
        setattr(record, fields.first_decider, other.reviewer_id if other else None)
    # What was taken back, whole: the decision row itself is gone.
    _event(
        record,
        stage,
        reviewer,
        ScreeningEvent.Kind.UNDONE,
        value=mine.value,
        reason_id=mine.reason_id,
        note=mine.note,
        labels=mine.labels,
    )
    _recompute(record, review, stage, fields, None)
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
    record = _lock(review, record_id, stage)
    if Resolution.objects.filter(record=record, stage=stage).exists():
        raise AlreadyResolved("This record is already resolved; reopen it first to change it.")
    reason = _check_reason(review, stage, value, reason, note)
    resolution = Resolution.objects.create(
        review=review,
        record=record,
        stage=stage,
        value=value,
        reason=reason,
        note=note,
        resolved_by=lead,
    )
    _event(
        record,
        stage,
        lead,
        kind,
        value=value,
        reason=reason,
        note=note,
        criteria_version_id=_criteria_version_id(record, review),
    )
    _recompute(record, review, stage, fields, resolution)
    return resolution


@transaction.atomic
def reopen_record(*, review: Review, record_id: int, stage: str, lead: AbstractBaseUser) -> Record:
    """Undo the lead's resolution: the record goes back to its reviewers' decisions."""
    fields = stage_fields(stage)
    record = _lock(review, record_id, stage)
    deleted, _ = Resolution.objects.filter(record=record, stage=stage).delete()
    if not deleted:
        raise ScreeningError("This record is not resolved, so there is nothing to reopen.")
    _event(record, stage, lead, ScreeningEvent.Kind.REOPENED)
    _recompute(record, review, stage, fields, None)
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
        # decisions than the usual number: look at every started one (_recompute decides).
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
                record = _lock(review, record_id, stage)
                if getattr(record, fields.status) != StageStatus.OPEN:
                    continue  # decided meanwhile
                _recompute(record, review, stage, fields, None)
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
