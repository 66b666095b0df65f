"""What a reviewer screens next, in two small indexed queries whatever the review's size.

Records needing decisions are either untouched (count 0) or half-decided (count 1) with one
first decider. For each person who could be that first decider (the screeners, and anyone who
left the team with records half-decided) we take the best half-decided record from the queue
index; with the best untouched records (and, at title/abstract, the best pilot record I have
not decided) that is one UNION ALL of single-row index lookups, none scanning. Pilot records
(few) come first while calibration runs. The full-text stage is the same mechanism over records
included at title/abstract and retrieved.

This is the hottest read in the app (every decision asks it), so the candidates come from one
hand-written statement (plain SQL that PostgreSQL and SQLite both run); building the same
lookups through the ORM cost more in query compilation than the database spent answering them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import QuerySet

from reviewapp.models import Membership, Review, Role, Stage
from reviewapp.prepared import prepared_rows
from reviewapp.sqljson import instance_from_row

from .models import Decision, RankingRun, Record, Source, StageStatus


def open_records(review: Review, stage: str = Stage.TITLE_ABSTRACT) -> QuerySet[Record]:
    """Records that still need decisions at this stage."""
    records = Record.objects.filter(review=review, duplicate_of__isnull=True)
    if stage == Stage.FULL_TEXT:
        return records.filter(
            ta_status=StageStatus.INCLUDE, retrieval="retrieved", ft_status=StageStatus.OPEN
        )
    return records.filter(ta_status=StageStatus.OPEN)


_rows = prepared_rows  # this module's statements, planned once per connection


@dataclass(frozen=True)
class _Candidate:
    arm: str  # "pilot", "untouched" or "half"
    pk: int
    rank: float
    partner: int | None  # the first decider of a half-decided record


# The open condition of each stage, exactly as the partial queue indexes state it, so the
# planner serves each arm from its index.
_OPEN = {
    Stage.TITLE_ABSTRACT: "r.duplicate_of_id IS NULL AND r.ta_status = ''",
    Stage.FULL_TEXT: (
        "r.duplicate_of_id IS NULL AND r.ta_status = 'include' AND r.retrieval = 'retrieved' "
        "AND r.ft_status = ''"
    ),
}
_COLUMNS = {
    Stage.TITLE_ABSTRACT: ("ta_count", "ta_first_decider_id"),
    Stage.FULL_TEXT: ("ft_count", "ft_first_decider_id"),
}


def _arm(alias: str, condition: str, limit: str) -> str:
    """One lookup of the queue: the best `limit` open records meeting `condition`.

    Only this module's constants, table and column names are spliced in; values are params."""
    return (
        f"SELECT * FROM (SELECT '{alias}' AS arm, r.id, r.rank, "  # noqa: S608
        "r.{first} AS partner FROM {record} r "
        f"WHERE r.review_id = %s AND {{open}} AND {condition} "
        f"ORDER BY r.rank DESC, r.id LIMIT {limit}) AS {alias}"
    )


def _candidate_sql(review: Review, reviewer: AbstractBaseUser, stage: str) -> tuple[str, str, list]:
    """In one statement: the best pilot record I have not decided (title/abstract); the best
    untouched records, one more than there are screeners; one row per screener (lead or
    reviewer) with their best half-decided record, if any (columns: arm "screener", the user's
    id, that record's rank, that record's id); and the same for every former screener (arm
    "former") who left half-decided records behind. Returns the WITH clause (its params: the
    review's id twice), the UNION ALL of the arms, and the arms' params."""
    count, first = _COLUMNS[Stage(stage)]
    team = (
        f"FROM {Membership._meta.db_table} m WHERE m.review_id = %s "
        f"AND m.role IN ('{Role.LEAD.value}', '{Role.REVIEWER.value}')"
    )
    arms: list[str] = []
    params: list = []
    not_pilot = ""
    if stage == Stage.TITLE_ABSTRACT:
        mine = (
            f"SELECT 1 FROM {Decision._meta.db_table} d "  # noqa: S608  (values are params)
            "WHERE d.record_id = r.id AND d.stage = %s AND d.reviewer_id = %s"
        )
        # Pilot records are the reviewers' (every one of them), not the leads' (unless the
        # team has no reviewers).
        members = Membership._meta.db_table
        reviewer_role = (
            f"(EXISTS (SELECT 1 FROM {members} pm WHERE pm.review_id = %s "  # noqa: S608
            f"AND pm.user_id = %s AND pm.role = '{Role.REVIEWER.value}') "
            f"OR NOT EXISTS (SELECT 1 FROM {members} pr WHERE pr.review_id = %s "
            f"AND pr.role = '{Role.REVIEWER.value}'))"
        )
        arms.append(_arm("pilot", f"r.pilot AND NOT EXISTS ({mine}) AND {reviewer_role}", "1"))
        params += [review.pk, stage, reviewer.pk, review.pk, reviewer.pk, review.pk]
        not_pilot = " AND NOT r.pilot"
    arms.append(_arm("untouched", f"r.{count} = 0{not_pilot}", f"(SELECT COUNT(*) + 1 {team})"))
    params += [review.pk, review.pk]
    half = f"r.review_id = %s AND {{open}} AND r.{count} = 1{not_pilot}"
    # Someone's best half-decided record: one index probe per person.
    best = (
        f"(SELECT r.<column> FROM {{record}} r WHERE {half} "  # noqa: S608
        f"AND r.{first} = <who> ORDER BY r.rank DESC, r.id LIMIT 1)"
    )

    def pick(column: str, who: str) -> str:
        return best.replace("<column>", column).replace("<who>", who)

    arms.append(
        f"SELECT 'screener' AS arm, m.user_id AS id, {pick('rank', 'm.user_id')}"
        f" AS rank, {pick('id', 'm.user_id')} AS partner {team}"
    )
    params += [review.pk, review.pk, review.pk]
    # A screener who was removed or made a viewer leaves records needing a second decision
    # that no screener's probe above finds. Their first deciders come from a loose scan of the
    # half-decided index (one probe per distinct decider: the team and any former members).
    arms.append(
        f"SELECT 'former' AS arm, f.id, {pick('rank', 'f.id')} AS rank, "  # noqa: S608
        f"{pick('id', 'f.id')} AS partner FROM deciders f "
        f"WHERE f.id IS NOT NULL AND f.id NOT IN (SELECT m.user_id {team})"
    )
    params += [review.pk, review.pk, review.pk]
    deciders = (
        "WITH RECURSIVE deciders(id) AS ("  # noqa: S608  (values are params)
        f"SELECT (SELECT r.{first} FROM {{record}} r WHERE {half} AND r.{first} IS NOT NULL "
        f"ORDER BY r.{first} LIMIT 1) UNION ALL "
        f"SELECT (SELECT r.{first} FROM {{record}} r WHERE {half} AND r.{first} > d.id "
        f"ORDER BY r.{first} LIMIT 1) FROM deciders d WHERE d.id IS NOT NULL) "
    )
    names = {"record": Record._meta.db_table, "open": _OPEN[Stage(stage)], "first": first}
    return deciders.format(**names), " UNION ALL ".join(arms).format(**names), params


def next_record(
    review: Review,
    reviewer: AbstractBaseUser,
    stage: str = Stage.TITLE_ABSTRACT,
    *,
    skip: int | None = None,
) -> Record | None:
    """The next record for this reviewer at this stage, or None when they are done.

    `skip`: the record on the reviewer's screen, taken as decided, to prefetch the one after it
    (a guess the decision's answer confirms: the server never decides on a prefetched card)."""
    return queue_state(review, reviewer, stage, skip=skip)[1]


def queue_state(
    review: Review,
    reviewer: AbstractBaseUser,
    stage: str = Stage.TITLE_ABSTRACT,
    *,
    skip: int | None = None,
) -> tuple[Progress, Record | None]:
    """reviewer_progress and next_record in one statement (what every decision asks next): the
    progress row joined to each candidate, with the card's fields of the candidate's record."""
    with_clause, arms, arm_params = _candidate_sql(review, reviewer, stage)
    progress_sql, progress_params = _progress_sql(review, reviewer, stage, None)
    record_id = "CASE WHEN c.arm IN ('screener', 'former') THEN c.partner ELSE c.id END"
    card = f"{Record._meta.db_table} rec ON rec.id = {record_id}"
    if connection.vendor == "postgresql":
        # An index probe per candidate (a few): a plain join may hash the whole record table
        # (LIMIT 1 keeps the subquery from being flattened into such a join).
        card = (
            f"LATERAL (SELECT rec.* FROM {Record._meta.db_table} rec "  # noqa: S608
            f"WHERE rec.id = {record_id} LIMIT 1) rec ON TRUE"
        )
    sql = (
        f"{with_clause}SELECT p.*, c.arm, c.id, c.rank, c.partner, {_CARD_SQL} "  # noqa: S608
        f"FROM ({progress_sql}) AS p LEFT JOIN ({arms}) AS c ON 1 = 1 LEFT JOIN {card}"
    )
    rows = _rows(sql, [review.pk, review.pk, *progress_params, *arm_params])
    progress = Progress(*rows[0][:3], bool(rows[0][3]))
    cards = {}
    found = []
    for row in rows:
        if row[4] is None:
            continue  # no candidate at all: the progress row alone
        candidate = _Candidate(*row[4:8])
        found.append(candidate)
        if row[8] is not None:
            cards[row[8]] = row[8:]
    chosen = _choose(review, reviewer, stage, found, skip)
    if chosen is None:
        return progress, None
    return progress, instance_from_row(Record, _CARD_FIELDS, cards[chosen.pk])


# What the card shows of a record: every field but the raw import (often the biggest column).
_CARD_FIELDS = tuple(f.attname for f in Record._meta.concrete_fields if f.name != "raw")
_CARD_SQL = ", ".join(f"rec.{f}" for f in (Record._meta.get_field(a).column for a in _CARD_FIELDS))


def _record_of(candidate: _Candidate) -> int | None:
    return candidate.partner if candidate.arm in ("screener", "former") else candidate.pk


def _choose(
    review: Review,
    reviewer: AbstractBaseUser,
    stage: str,
    found: list[_Candidate],
    skip: int | None,
) -> _Candidate | None:
    """The candidate to serve: pilot records first while calibrating; else the best untouched
    record (spread over a large team) or the best record a colleague half-decided."""
    found = [c for c in found if skip is None or _record_of(c) != skip]
    pilot = [c for c in found if c.arm == "pilot"]
    if pilot or (stage == Stage.TITLE_ABSTRACT and review.calibration):
        return pilot[0] if pilot else None
    team = sorted((c for c in found if c.arm == "screener"), key=lambda c: c.pk)
    screeners = [c.pk for c in team]
    needed = review.reviewers_per_record(stage)
    untouched = [c for c in found if c.arm == "untouched"][: max(1, len(screeners))]
    me = screeners.index(reviewer.pk) if reviewer.pk in screeners else -1
    if len(screeners) > needed and me >= 0 and untouched:
        # More screeners than decisions per record: spread them over the best few untouched
        # records, or they would all open the same one and most would be turned away.
        untouched = [untouched[me % len(untouched)]]
    # Each screener completes first the records of the colleague after them in a fixed circle,
    # so a large team does not converge on the same half-decided record.
    circle = screeners[me + 1 :] + screeners[: max(me, 0)]
    partner_order = {user: i for i, user in enumerate(circle)}
    halves = []
    if needed > 1:
        halves = [
            _Candidate("half", c.partner, c.rank, c.pk)
            for c in found
            if c.arm in ("screener", "former") and c.partner is not None and c.pk != reviewer.pk
        ]
    # Highest priority first; among equals the nearest partner's record, then import order.
    candidates = sorted(
        untouched[:1] + halves,
        key=lambda c: (-c.rank, partner_order.get(c.partner, len(partner_order)), c.pk),
    )
    if len(screeners) > needed and me >= 0 and len(candidates) > 1:
        # With a ranking, the best half-decided record is the best for everyone: all would open
        # it and all but one be turned away. Among the team's best few, each takes the one of
        # the nearest colleague in the circle instead (ties in rank: the circle alone).
        window = candidates[: len(screeners)]
        return min(
            window,
            key=lambda c: (partner_order.get(c.partner, len(partner_order)), -c.rank, c.pk),
        )
    return candidates[0] if candidates else None


@dataclass(frozen=True)
class Progress:
    done: int  # the reviewer's decisions at this stage
    total: int  # the records the stage screens
    since_training: int = 0  # title/abstract decisions since the last ranking run (capped)
    training_pending: bool = False  # a ranking run is queued or running

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def reviewer_progress(
    review: Review, reviewer: AbstractBaseUser, stage: str, stale_before: datetime | None = None
) -> Progress:
    """The reviewer's progress and, at title/abstract, whether the ranking is due a retrain:
    one statement, as every decision asks it.

    At title/abstract the sources' record counts stand in for counting the review's records on
    every request; duplicates are few and indexed. Decisions since the last ranking run are
    counted up to `retrain_every` only, so the count stays small however big the review; a run
    queued before `stale_before` no longer counts as pending (services.prioritise replaces it)."""
    sql, params = _progress_sql(review, reviewer, stage, stale_before)
    [(done, total_count, since, pending)] = _rows(sql, params)
    return Progress(done, total_count, since, bool(pending))


def _progress_sql(
    review: Review, reviewer: AbstractBaseUser, stage: str, stale_before: datetime | None
) -> tuple[str, list]:
    """reviewer_progress's statement: one row (done, total, since training, training pending)."""
    stale_before = stale_before or RankingRun.stale_before()
    record = Record._meta.db_table
    unique = f"FROM {record} r WHERE r.review_id = %s AND r.duplicate_of_id IS NULL"
    mine_only, mine_params = "", []
    if stage == Stage.FULL_TEXT:
        retrieved = "r.ta_status = 'include' AND r.retrieval <> 'not_retrieved'"
        total = f"SELECT COUNT(*) {unique} AND {retrieved}"
        params = [review.pk]
    elif review.calibration:
        total = f"SELECT COUNT(*) {unique} AND r.pilot"
        params = [review.pk]
        # Done counts the pilot set too, not decisions made before calibration began.
        mine_only = f" AND d.record_id IN (SELECT r.id {unique} AND r.pilot)"
        mine_params = [review.pk]
    else:
        total = (
            f"SELECT COALESCE((SELECT SUM(s.record_count) FROM {Source._meta.db_table} s "  # noqa: S608
            "WHERE s.review_id = %s), 0) - (SELECT COUNT(*) "
            f"FROM {record} r WHERE r.review_id = %s AND r.duplicate_of_id IS NOT NULL)"
        )
        params = [review.pk, review.pk]
    decisions, runs = Decision._meta.db_table, RankingRun._meta.db_table
    ranking = "0 AS since, 0 AS pending"
    if stage == Stage.TITLE_ABSTRACT:
        watermark = f"(SELECT MAX(w.decision_watermark) FROM {runs} w WHERE w.review_id = %s)"  # noqa: S608
        ranking = (
            f"(SELECT COUNT(*) FROM (SELECT 1 FROM {decisions} n WHERE n.review_id = %s "  # noqa: S608
            f"AND n.stage = %s AND n.id > COALESCE({watermark}, 0) ORDER BY n.id LIMIT %s) "
            "AS recent) AS since, "
            f"(SELECT COUNT(*) FROM {runs} p WHERE p.review_id = %s "
            "AND ((p.state = 'queued' AND p.queued_at > %s) "
            "OR (p.state = 'running' AND p.started_at > %s))) AS pending"
        )
        params += [review.pk, stage, review.pk, review.retrain_every, review.pk]
        params += [stale_before, stale_before]
    sql = (
        f"SELECT (SELECT COUNT(*) FROM {decisions} d "  # noqa: S608  (values are params)
        f"WHERE d.review_id = %s AND d.stage = %s AND d.reviewer_id = %s{mine_only}) AS done, "
        f"({total}) AS total, {ranking}"
    )
    return sql, [review.pk, stage, reviewer.pk, *mine_params, *params]
