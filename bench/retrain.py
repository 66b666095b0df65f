"""The app's retraining as the worker runs it (issue: prioritised screening), on PostgreSQL.

`bench/prioritise.py` times the model step alone (train + score); this times the whole Celery
task body, `services.prioritise.retrain`: read the review's records and outcomes, load the cached
TF-IDF (or build it on the first run), train, rank, write each unscreened record's rank in small
batches, estimate what is left. Reviews of 2,500 and 20,000 real-width records (Cohen 2006 titles
and abstracts) with 5 % of them screened (one in ten included); the first run builds the features,
the next --runs are warm.

    python bench/retrain.py [--quick] [--runs N] [--postgres URL]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import DEFAULT_POSTGRES, bench_line, bench_script, setup_django

DATABASE = DEFAULT_POSTGRES.rsplit("/", 1)[0] + "/reviewapp_bench_retrain"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def screen_some(review, share: float, seed: int) -> None:
    """Final outcomes on a random share of the records (as agreed decisions leave them)."""
    from screening.models import Record, StageStatus

    rng = random.Random(seed)
    ids = list(Record.objects.filter(review=review).values_list("pk", flat=True))
    chosen = rng.sample(ids, int(len(ids) * share))
    included = chosen[: max(1, len(chosen) // 10)]
    Record.objects.filter(pk__in=chosen).update(ta_status=StageStatus.EXCLUDE, ta_count=2)
    Record.objects.filter(pk__in=included).update(ta_status=StageStatus.INCLUDE)


def time_retrains(review, runs: int) -> dict:
    from screening.models import RankingRun
    from screening.services import prioritise

    times = []
    for _ in range(runs + 1):
        run = RankingRun.objects.create(review=review, trigger=RankingRun.Trigger.LEAD)
        start = time.perf_counter()
        prioritise.retrain(run.pk)
        times.append(time.perf_counter() - start)
        run.refresh_from_db()
        if run.state != RankingRun.State.READY:
            raise SystemExit(f"run {run.pk} ended {run.state}: {run.error}")
    warm = times[1:]
    return {
        "cold_s": times[0],
        "warm_p50_s": percentile(warm, 50),
        "warm_p95_s": percentile(warm, 95),
        "ranked": run.ranked,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,500 records only, 3 warm runs")
    parser.add_argument("--runs", type=int, help="warm runs per size (default 10; quick: 3)")
    parser.add_argument("--postgres", default=DATABASE)
    args = parser.parse_args()
    sizes = [2_500] if args.quick else [2_500, 20_000]
    runs = args.runs or (3 if args.quick else 10)

    setup_django(args.postgres)
    import tempfile

    from django.conf import settings

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-retrain-")  # a cold feature cache
    helpers = bench_script("screening")
    users = helpers.make_users(["lead", "r1", "r2"])
    data = helpers.load_scale()
    lines = []
    for size in sizes:
        review = helpers.make_review(
            f"retrain-{size}", size, users["lead"], [users["r1"], users["r2"]], data
        )
        screen_some(review, share=0.05, seed=size)
        helpers.analyze()
        result = time_retrains(review, runs)
        lines.append(bench_line("retrain", records=size, warm_runs=runs, **result))
        print(lines[-1], flush=True)
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
