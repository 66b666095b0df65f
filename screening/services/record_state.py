"""A record's state at a screening stage, and the rules every decision goes through.

The stage fields of a record (count, first decider, status, full-text reason) are computed here
from its decisions or the lead's resolution, and written only by the actions in
services.decisions, each under the record's row lock (lock_record): concurrent reviewers settle
in the database, a record never gets more decisions than it needs, and none is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection

from reviewapp.models import CriteriaVersion, ExclusionReason, Membership, Review, Role, Stage
from reviewapp.prepared import insert, prepared_rows
from reviewapp.prepared import update as update_row
from reviewapp.services import current_criteria
from reviewapp.sqljson import instance_from_row, json_rows, rows_from_json

from ..models import (
    Decision,
    Record,
    Resolution,
    ScreeningEvent,
    Source,
    StageStatus,
    Verdict,
)


class ScreeningError(Exception):
    """A decision the rules do not allow; the message is for the person who tried."""


class AlreadyResolved(ScreeningError):
    """The lead has already resolved the record at this stage."""


class AlreadyDecided(ScreeningError):
    """Colleagues gave the record all its decisions first: not the reviewer's fault."""


class SettledAtFullText(ScreeningError):
    """The record has full-text decisions: its title/abstract outcome can no longer change."""


class FoundByOtherMethods(SettledAtFullText):
    """Records found by other methods skip title/abstract screening (PRISMA 2020): they go to
    full text as they arrive, so their title/abstract outcome is settled from the start."""


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

    A record locked by `lock_record` carries the review's rule as it stands in the database (the
    `review` object came with the request and may predate the lead's change)."""
    needed = getattr(record, _NEEDED[Stage(stage)], None) or review.reviewers_per_record(stage)
    # Calibration is at title/abstract; at full text a pilot record is a record like any other.
    if record.pilot and stage == Stage.TITLE_ABSTRACT:
        # Every reviewer, however many the review otherwise asks for (one reviewer beside a
        # lead, who does not screen the pilot set, completes it alone); a team of leads only
        # screens it as any other record.
        needed = _reviewer_ids(review).count() or needed
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


LOCK_FIELDS_ATTNAMES = tuple(Record._meta.get_field(name).attname for name in LOCK_FIELDS)
_NEEDED = {Stage.TITLE_ABSTRACT: "ta_needed", Stage.FULL_TEXT: "ft_needed"}
_STAGE_PARAM = "%s"


def _read_again(record: Record, stage: str) -> None:
    """The record changed while lock_record waited for it: its decisions and resolution as they
    stand now that it is locked (a statement started after the wait sees what was committed)."""
    record.resolved = Resolution.objects.filter(record=record, stage=stage).exists()
    record.stage_decisions = list(
        Decision.objects.filter(record=record, stage=stage).only(*DECISION_FIELDS)
    )


def _locked(row: tuple, stage: str) -> Record:
    n = len(LOCK_FIELDS)
    record = instance_from_row(Record, LOCK_FIELDS_ATTNAMES, row[:n])
    (
        record.ta_needed,
        record.ft_needed,
        record.calibrating,
        record.criteria_in_force,
        record.source_method,
        resolved,
        decided,
        unchanged_since_start,
    ) = row[n:]
    record.resolved = bool(resolved)
    record.stage_decisions = rows_from_json(Decision, decided, DECISION_FIELDS)
    if not unchanged_since_start:
        _read_again(record, stage)
    return record


@cache
def _lock_sql(vendor: str) -> str:
    """lock_record's statement (params: stage, stage, review id, record id)."""
    quote = connection.ops.quote_name
    table = quote(Record._meta.db_table)
    postgres = vendor == "postgresql"
    columns = ", ".join("r." + quote(Record._meta.get_field(f).column) for f in LOCK_FIELDS)
    decisions = json_rows(Decision, DECISION_FIELDS, "d.record_id = r.id AND d.stage = %s", "d")
    # PostgreSQL: the row version locked is the one the statement started with (else re-read).
    unchanged = "r.xmin::text = (SELECT o.xmin::text FROM {table} o WHERE o.id = r.id)"
    return (
        f"SELECT {columns}, v.ta_reviewers_per_record, v.ft_reviewers_per_record, "  # noqa: S608
        f"v.calibration, (SELECT c.id FROM {quote(CriteriaVersion._meta.db_table)} c "
        "WHERE c.review_id = v.id ORDER BY c.number DESC LIMIT 1), s.method, "
        f"EXISTS (SELECT 1 FROM {quote(Resolution._meta.db_table)} x "
        "WHERE x.record_id = r.id AND x.stage = %s), "
        f"{decisions}, {unchanged.format(table=table) if postgres else '1'} "
        f"FROM {quote(Review._meta.db_table)} v JOIN {table} r ON r.review_id = v.id "
        f"JOIN {quote(Source._meta.db_table)} s ON s.id = r.source_id "
        "WHERE v.id = %s AND r.id = %s" + (" FOR SHARE OF v FOR UPDATE OF r" if postgres else "")
    )


# The record's decisions at the stage, read with the lock (what record_decision needs of them).
DECISION_FIELDS = ("id", "record", "stage", "reviewer", "value", "reason", "note", "labels")


def lock_record(review: Review, record_id: int, stage: str = Stage.TITLE_ABSTRACT) -> Record:
    """The record's row, locked for this transaction, with what every action reads under the
    lock, in one statement: the review's rules (`ta_needed`, `ft_needed`, `calibrating`), the
    criteria in force, the source's method, whether the lead resolved the stage (`resolved`) and
    the stage's decisions (`stage_decisions`).

    Only the record's row is locked for update (reviewers never queue behind each other); the
    review's row is held shared, so a lead changing the rules (lock_decision_rules) waits for the
    decisions in flight, and a decision arriving meanwhile waits and then reads the new rules:
    PostgreSQL re-reads a row it had to wait for. The review's row is locked first, as the lead
    locks it before any record (no deadlock).

    What the statement reads beside the locked rows is as of its start. If another action
    changed the record while this one waited for it (every action on its decisions or
    resolution writes the record's row), they are read again, now under the lock."""
    rows = prepared_rows(_lock_sql(connection.vendor), [stage, stage, review.pk, record_id])
    record = _locked(rows[0], stage) if rows else None
    if record is None:
        raise ScreeningError("That record is not in this review.")
    if record.duplicate_of_id:
        raise ScreeningError("That record is a duplicate; it is not screened.")
    if stage == Stage.TITLE_ABSTRACT and record.source_method == Source.Method.OTHER:
        raise FoundByOtherMethods(
            "This record was found by other methods (citation searching, websites, ...): it "
            "skips title/abstract screening and goes straight to full text."
        )
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


def check_calibration(review: Review, record: Record, reviewer: AbstractBaseUser) -> None:
    """While calibrating, only the pilot set is screened; a pilot record is the reviewers' to
    screen (it needs every one of them, and a lead's decision would take a reviewer's place)."""
    if getattr(record, "calibrating", False) and not record.pilot:
        raise ScreeningError(
            "Calibration is running: only the pilot set is screened until the lead ends it."
        )
    if record.pilot:
        reviewers = set(_reviewer_ids(review))
        # A team of leads only screens its pilot set itself.
        if reviewers and reviewer.pk not in reviewers:
            raise ScreeningError(
                "Pilot records are for the reviewers to screen; the lead compares their "
                "agreement and resolves their conflicts."
            )


def _reviewer_ids(review: Review):
    return Membership.objects.filter(review=review, role=Role.REVIEWER).values_list(
        "user_id", flat=True
    )


def check_reason(
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


def criteria_version_id(record: Record, review: Review) -> int:
    version_id = getattr(record, "criteria_in_force", None)
    return version_id if version_id is not None else current_criteria(review).pk


def recompute(
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
    update_row(record, update)  # one prepared statement (reviewapp.prepared)


def write_event(record: Record, stage: str, actor, kind: str, **fields) -> ScreeningEvent:
    event = ScreeningEvent(
        review_id=record.review_id, record=record, stage=stage, actor=actor, kind=kind, **fields
    )
    insert(event)
    return event
