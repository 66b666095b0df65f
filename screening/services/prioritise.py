"""Prioritised screening: the worker retrains the review's ranking model and stores a score on
every unscreened record; the queue serves the highest first (import order until the model has
seen one include and one exclude).

What the model learns from: title/abstract outcomes that are final (agreed by the reviewers, or
the lead's resolution), never a single reviewer's decision on a record still open, so a score
tells no reviewer what a colleague decided. Records excluded by a stopping rule are not
training data either: no person looked at them. Each run also measures the two signals the
lead's stopping suggestion reads (services.stopping).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from reviewapp.models import Review, Stage
from reviewapp.prepared import insert

from ..models import (
    Decision,
    RankingRun,
    Record,
    Resolution,
    StageStatus,
    Verdict,
)
from ..queues import Progress
from .ranks import estimate_remaining, review_features, store_ranks

# numpy, scipy and scikit-learn load in the worker only (imported where training needs them):
# the web process serving reviewers never pays for them.
logger = logging.getLogger(__name__)

TA = Stage.TITLE_ABSTRACT


# ------------------------------------------------------------------------------------ queueing


def queue_retrain(
    review: Review,
    *,
    trigger: str,
    requested_by: AbstractBaseUser | None = None,
) -> RankingRun | None:
    """Queue one retraining unless one is already queued or running (then None).

    The Celery task starts once this transaction commits; the request that asked never waits
    for the training. A run pending for longer than RankingRun.STALE_AFTER (its task lost, or
    its worker killed) is marked failed and replaced, so retraining never stalls."""
    run = RankingRun(review=review, trigger=trigger, requested_by=requested_by)
    for attempt in (1, 2):
        created = _insert_run(run)
        if created:
            break
        # A run is already queued or running (it will see these decisions), unless it is
        # stale: then it is marked failed and this one takes its place.
        if attempt == 2 or not _fail_stale(review):
            return None
    transaction.on_commit(lambda: _dispatch(run.pk))
    return run


def _insert_run(run: RankingRun) -> bool:
    """INSERT the run unless one is queued or running (the unique constraint), in one
    statement that also reads its decision watermark (the newest title/abstract decision it
    sees): a decision that queues a retrain pays one query for it."""
    newest = (
        f"(SELECT COALESCE(MAX(d.id), 0) FROM {Decision._meta.db_table} d "  # noqa: S608
        "WHERE d.review_id = %s AND d.stage = %s)"
    )
    watermark = ("decision_watermark", newest, (run.review_id, TA))
    return insert(run, computed=[watermark], skip_conflict=True)


def _fail_stale(review: Review) -> int:
    cutoff = RankingRun.stale_before()
    # Queued too long, or running too long (a running run is measured from its start).
    stale = Q(state=RankingRun.State.QUEUED, queued_at__lt=cutoff) | Q(
        state=RankingRun.State.RUNNING, started_at__lt=cutoff
    )
    return RankingRun.objects.filter(stale, review=review).update(
        state=RankingRun.State.FAILED,
        error=f"Did not finish within {RankingRun.STALE_AFTER}: the task was lost or its worker "
        "stopped.",
        finished_at=timezone.now(),
    )


def _dispatch(run_id: int) -> None:
    """Hand the run to the worker; without one (`make run`'s eager Celery), to a thread.

    Eager Celery would train inside the reviewer's request; a background thread keeps the
    promise that no request waits for the model (RANKING_EAGER_IN_THREAD, on by default; the
    test suite turns it off to run the task where it can watch it)."""
    from ..tasks import retrain_ranking

    try:
        eager = retrain_ranking.app.conf.task_always_eager
        if eager and settings.RANKING_EAGER_IN_THREAD and not _FOREGROUND.active:
            threading.Thread(
                target=_retrain_in_thread,
                args=(run_id,),
                name=f"ranking-run-{run_id}",
                daemon=True,  # a server stopping mid-run leaves it to go stale and be replaced
            ).start()
        else:
            retrain_ranking.delay(run_id)
    except Exception as error:  # broker down: the decision that asked must still succeed
        logger.exception("could not queue ranking run %s", run_id)
        RankingRun.objects.filter(pk=run_id, state=RankingRun.State.QUEUED).update(
            state=RankingRun.State.FAILED,
            error=f"Could not be queued: {type(error).__name__}: {error}",
            finished_at=timezone.now(),
        )


class _Foreground(threading.local):
    active = False


_FOREGROUND = _Foreground()


@contextmanager
def training_in_foreground() -> Iterator[None]:
    """Without a worker, train inside this block's thread instead of a background one: a
    command exits when its work is done, and a thread still training then (importing
    scikit-learn at interpreter shutdown) would die and leave its run pending."""
    before, _FOREGROUND.active = _FOREGROUND.active, True
    try:
        yield
    finally:
        _FOREGROUND.active = before


def _retrain_in_thread(run_id: int) -> None:
    try:
        retrain(run_id)
    finally:
        connections.close_all()  # this thread's own database connection


def retrain_if_due(review: Review, progress: Progress) -> bool:
    """After every `retrain_every` new title/abstract decisions, unless a run is pending, queue
    one. Best effort: the decision that asked is saved whatever happens here.

    True when the run has already trained, in this request: eager Celery without the thread
    (the test suite, a command), where the next record is worth asking for again."""
    if progress.training_pending or progress.since_training < review.retrain_every:
        return False
    try:
        run = queue_retrain(review, trigger=RankingRun.Trigger.DECISIONS)
    except DatabaseError:
        logger.exception("could not queue a ranking run for review %s", review.pk)
        return False
    return run is not None and not connection.in_atomic_block and _trains_in_caller()


def _trains_in_caller() -> bool:
    """_dispatch runs the task in the calling thread (no worker, no background thread)."""
    from ..tasks import retrain_ranking

    eager = retrain_ranking.app.conf.task_always_eager
    return eager and not (settings.RANKING_EAGER_IN_THREAD and not _FOREGROUND.active)


def rank_new_records(review: Review) -> None:
    """Once the model ranks a review, records imported later would wait at the bottom of the
    queue (rank 0) until enough new decisions retrain it: an import queues a run at once.
    Best effort, like retrain_if_due: the import has landed whatever happens here."""
    if not RankingRun.objects.filter(review=review, state=RankingRun.State.READY).exists():
        return  # import order still rules: nothing to catch up with
    try:
        queue_retrain(review, trigger=RankingRun.Trigger.IMPORT)
    except DatabaseError:
        logger.exception("could not queue a ranking run for review %s", review.pk)


# ------------------------------------------------------------------------------------ training


@dataclass(frozen=True)
class Outcome:
    state: str
    records: int
    includes: int
    excludes: int
    ranked: int = 0
    estimated_remaining: float | None = None
    last_record_id: int = 0  # the newest record the run saw


def retrain(run_id: int, *, after_lost_worker: bool = False) -> None:
    """Run one queued retraining; the run ends ready, cold (no include or exclude yet) or failed.

    `after_lost_worker`: the task's retry after its pool child died, which takes over the run
    the dead child left running (only the worker that saw it die sends that retry)."""
    states = [RankingRun.State.QUEUED]
    if after_lost_worker:
        states.append(RankingRun.State.RUNNING)
    claimed = RankingRun.objects.filter(pk=run_id, state__in=states).update(
        state=RankingRun.State.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return  # a redelivered task must not train twice
    run = RankingRun.objects.select_related("review").get(pk=run_id)
    started = time.perf_counter()
    fields: dict = {}
    outcome = None
    try:
        from .. import ranking

        outcome = train_and_rank(run.review)
        fields = {
            "state": outcome.state,
            "records": outcome.records,
            "includes": outcome.includes,
            "excludes": outcome.excludes,
            "ranked": outcome.ranked,
            "estimated_remaining": outcome.estimated_remaining,
            "model": ranking.DEFAULT_CONFIG.label(),
        }
    except Exception as error:  # the lead sees the failure; the queue keeps its last order
        logger.exception("ranking run %s failed", run_id)
        fields = {"state": RankingRun.State.FAILED, "error": f"{type(error).__name__}: {error}"}
    # Only if still running: a run given up as stale stays failed (its replacement owns the queue).
    RankingRun.objects.filter(pk=run_id, state=RankingRun.State.RUNNING).update(
        **fields,
        decisions=Decision.objects.filter(review=run.review, stage=TA).count(),
        consecutive_excludes=consecutive_excludes(run.review),
        seconds=time.perf_counter() - started,
        finished_at=timezone.now(),
    )
    if outcome is not None and outcome.state == RankingRun.State.READY:
        _rank_records_imported_meanwhile(run.review, outcome.last_record_id)


def _rank_records_imported_meanwhile(review: Review, last_record_id: int) -> None:
    """An import that landed while this run trained could not queue its own run (one at a
    time) and this run read the records before it: queue one more, or they stay at rank 0."""
    newer = Record.objects.filter(review=review, pk__gt=last_record_id, duplicate_of__isnull=True)
    if newer.exists():  # unique ones: the run trains on those only (a duplicate would loop)
        try:
            queue_retrain(review, trigger=RankingRun.Trigger.IMPORT)
        except DatabaseError:
            logger.exception("could not queue a ranking run for review %s", review.pk)


def training_labels(review: Review) -> tuple[list[int], dict[int, int], list[int]]:
    """(record ids in model row order, {row: 1 include / 0 exclude}, open rows).

    One statement, so a stopping rule applied meanwhile cannot make its records look like a
    person's excludes."""
    by_rule = Resolution.objects.filter(record=OuterRef("pk"), stage=TA, rule__isnull=False)
    ids: list[int] = []
    labels: dict[int, int] = {}
    open_rows: list[int] = []
    rows = (
        Record.objects.in_review(review)
        .unique()
        .order_by("id")
        .annotate(by_rule=Exists(by_rule))
        .values_list("id", "ta_status", "by_rule")
    )
    for row, (pk, status, excluded_by_rule) in enumerate(rows.iterator(chunk_size=5000)):
        ids.append(pk)
        if status == StageStatus.OPEN:
            open_rows.append(row)
        elif status in (StageStatus.INCLUDE, StageStatus.EXCLUDE) and not excluded_by_rule:
            labels[row] = 1 if status == StageStatus.INCLUDE else 0
    return ids, labels, open_rows


def train_and_rank(review: Review) -> Outcome:
    from .. import ranking

    ids, labels, open_rows = training_labels(review)
    includes = sum(labels.values())
    excludes = len(labels) - includes
    cold = Outcome(RankingRun.State.COLD, len(ids), includes, excludes)
    if not includes or not excludes or not open_rows:
        return cold
    features = review_features(review, ids)
    # The run of excludes the simulation passes too: a "dry" textless policy (ModelConfig)
    # queues the records with no usable word once the model's own supply has run dry. The
    # simulation counts records (one decision each): a run of decisions is per record here.
    per_record = max(1, review.reviewers_per_record(TA))
    run = consecutive_excludes(review) // per_record
    scores = ranking.rank(features, labels, excludes_in_a_row=run)
    if scores is None:
        return cold
    store_ranks(review.pk, ids, open_rows, scores)
    return Outcome(
        RankingRun.State.READY,
        len(ids),
        includes,
        excludes,
        ranked=len(open_rows),
        estimated_remaining=estimate_remaining(scores, labels, open_rows),
        last_record_id=ids[-1],
    )


def consecutive_excludes(review: Review, limit: int = 100_000) -> int:
    """How many of the latest title/abstract decisions in a row are excludes."""
    values = (
        Decision.objects.filter(review=review, stage=TA)
        .order_by("-decided_at", "-id")
        .values_list("value", flat=True)
    )
    count = 0
    for value in values[:limit].iterator(chunk_size=1000):
        if value != Verdict.EXCLUDE:
            break
        count += 1
    return count
