"""The retrain scenario of bench/faults.py: the worker (whole, or only its pool child) killed
while a ranking run trains. The run must end failed with a message, or be redone to the identical
ranking; never stay "running" for good. Django is set up."""

from __future__ import annotations

import hashlib
import random
import time
from datetime import timedelta

from _common import bench_line
from django.db import transaction
from django.utils import timezone

from screening.models import RankingRun, Record, StageStatus
from screening.services import prioritise


def screen_some(review, share: float = 0.05, seed: int = 15) -> None:
    """Final outcomes on a share of the records (one in ten included), as agreed decisions leave
    them: what the model trains on."""
    ids = list(Record.objects.filter(review=review).values_list("pk", flat=True))
    chosen = random.Random(seed).sample(ids, int(len(ids) * share))
    Record.objects.filter(pk__in=chosen).update(ta_status=StageStatus.EXCLUDE, ta_count=2)
    Record.objects.filter(pk__in=chosen[: max(1, len(chosen) // 10)]).update(
        ta_status=StageStatus.INCLUDE
    )


def _queue(review, lead) -> RankingRun | None:
    with transaction.atomic():  # the task is sent once this commits, as after the lead's click
        return prioritise.queue_retrain(review, trigger=RankingRun.Trigger.LEAD, requested_by=lead)


def _ranking(review) -> str:
    rows = Record.objects.filter(review=review).order_by("pk").values_list("pk", "rank")
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


def _run(pk: int) -> RankingRun:
    return RankingRun.objects.get(pk=pk)


def _ended(pk: int):
    run = _run(pk)
    return run if run.state not in RankingRun.PENDING else None


def reference(review, lead, wait_for) -> tuple[str, float]:
    """One undisturbed run (it also builds the cached features): the ranking to get again."""
    run = _queue(review, lead)
    done = wait_for(lambda: _ended(run.pk), 600)
    print(f"  retrain reference: {done.state} in {done.seconds:.1f} s, {done.ranked} ranked")
    return _ranking(review), done.seconds


def retrain_fault(services, review, lead, wait_for, *, expected: str, whole: bool) -> None:
    name = f"retrain_{'worker' if whole else 'child'}"
    Record.objects.filter(review=review).update(rank=0.0)  # a redo must write every rank again
    started = time.monotonic()
    run = _queue(review, lead)
    if wait_for(lambda: _run(run.pk).state == RankingRun.State.RUNNING, 120, 0.01) is None:
        print(f"  {name}: never seen running: {_run(run.pk).state}")
        return
    time.sleep(0.3)  # into the training
    stuck_after = ""
    if whole:
        services.kill_worker()
        services.start_worker()
        wait_for(lambda: _ended(run.pk), 15)
        stuck_after = _run(run.pk).state
        print(f"  {name}: 15 s after a new worker: {stuck_after}")
        # Past its stale time the next request (the lead's, or decisions due) fails and replaces it.
        RankingRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - timedelta(hours=1))
        again = _queue(review, lead)
        failed = _run(run.pk)
        print(f"  {name}: after its stale time: {failed.state}: {failed.error[:90]}")
        final = wait_for(lambda: _ended(again.pk), 600) if again else None
    else:
        services.kill_child()
        final = wait_for(lambda: _ended(run.pk), 600)
        failed = None
    identical = int(final is not None and final.state == "ready" and _ranking(review) == expected)
    print(f"  {name}: {final.state if final else 'still running'} "
          f"{(final.error if final else '')[:90]}")  # fmt: skip
    fields = {"status": final.state if final else _run(run.pk).state, "identical": identical}
    if whole:
        fields |= {"after_15s": stuck_after, "stale_run": failed.state}
    print(bench_line(f"faults_{name}", **fields, seconds=round(time.monotonic() - started, 1)))


def run_retrain(services, review, lead, wait_for) -> None:
    screen_some(review)
    expected, _seconds = reference(review, lead, wait_for)
    retrain_fault(services, review, lead, wait_for, expected=expected, whole=False)
    retrain_fault(services, review, lead, wait_for, expected=expected, whole=True)
