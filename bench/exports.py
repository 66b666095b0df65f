"""Exports at scale (issue #12): the records decision trail and the extraction table.

On PostgreSQL, a review of 100,000 real-width records (Cohen 2006 titles and abstracts,
repeated) screened by two reviewers each, with notes, and a lead's resolution on every tenth:
the decision-trail CSV (and XLSX, the slower format) is written by the service the export job
runs, in a child process, so its peak resident memory is the export's alone (Django included),
not the set-up's. Target: peak memory <= 200 MB whatever the size.

The extraction table (2,000 studies) needs the charting models; until they are in this branch
its line says so.

    python bench/exports.py [--quick] [--records N] [--postgres URL]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import DEFAULT_POSTGRES, REPO, bench_line, setup_django

DATABASE = DEFAULT_POSTGRES.rsplit("/", 1)[0] + "/reviewapp_bench_exports"
SLUG = "bench-exports"
TARGET_MB = 200.0


def _screening_bench():
    # bench/screening.py's loaders (COPY of real-width records); it is a script, not a package.
    spec = importlib.util.spec_from_file_location(
        "bench_screening", Path(__file__).with_name("screening.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(records: int) -> None:
    """The review: records COPYed in, two decisions each (bulk), every tenth resolved."""
    from django.db import connection

    from screening.models import Decision, Record, Resolution, StageStatus

    loaders = _screening_bench()
    users = loaders.make_users(["lead", "rev1", "rev2"])
    review = loaders.make_review(
        SLUG, records, users["lead"], [users["rev1"], users["rev2"]], loaders.load_scale()
    )
    reason = review.reasons.first()
    rng = random.Random(12)
    ids = list(Record.objects.filter(review=review).order_by("pk").values_list("pk", flat=True))
    batch: list[Decision] = []
    for pk in ids:
        for who in ("rev1", "rev2"):
            value = "include" if rng.random() < 0.3 else "exclude"
            batch.append(
                Decision(
                    review=review,
                    record_id=pk,
                    stage="title_abstract",
                    reviewer=users[who],
                    value=value,
                    reason=reason if value == "exclude" else None,
                    note="=not sure, see page 3" if rng.random() < 0.1 else "",
                )
            )
        if len(batch) >= 10000:
            Decision.objects.bulk_create(batch)
            batch = []
    Decision.objects.bulk_create(batch)
    Resolution.objects.bulk_create(
        Resolution(
            review=review,
            record_id=pk,
            stage="title_abstract",
            value="exclude",
            reason=reason,
            resolved_by=users["lead"],
            note="lead's call",
        )
        for pk in ids[::10]
    )
    Record.objects.filter(pk__in=ids[::10]).update(ta_status=StageStatus.EXCLUDE, ta_count=2)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def export_once(kind: str, fmt: str, out: Path) -> dict:
    """In the child: write one export as a lead's job would, report rows, seconds, peak MB."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from extraction.services.exports import write_export
    from reviewapp.models import Review

    review = Review.objects.get(slug=SLUG)
    lead = get_user_model().objects.get(username="lead")
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Django, apps loaded
    start = time.perf_counter()
    binary = fmt == "xlsx"
    with out.open(
        "wb" if binary else "w", **({} if binary else {"newline": "", "encoding": "utf-8"})
    ) as handle:
        rows = write_export(handle=handle, review=review, kind=kind, fmt=fmt, user=lead)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = out.stat().st_size / 2**20
    return {"rows": rows, "seconds": seconds, "peak_mb": peak, "base_mb": baseline, "mb": size}


def run_child(kind: str, fmt: str, url: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / f"export.{fmt}"
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "reviewapp.settings"}
        env.setdefault("DEBUG", "1")
        result = subprocess.run(
            [sys.executable, __file__, "--child", kind, fmt, str(out)],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 records, a few seconds")
    parser.add_argument("--records", type=int)
    parser.add_argument("--postgres", default=DATABASE)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(REPO))
        kind, fmt, out = args.child
        print(json.dumps(export_once(kind, fmt, Path(out))))
        return
    records = args.records or (5000 if args.quick else 100000)
    print(f"exports: {records:,} records on {args.postgres}", flush=True)
    setup_django(args.postgres)
    start = time.perf_counter()
    build(records)
    print(f"  built in {time.perf_counter() - start:.1f} s", flush=True)
    lines = []
    for fmt in ("csv", "xlsx"):
        got = run_child("records", fmt, args.postgres)
        print(f"  records {fmt}: {got['rows']:,} rows, {got['mb']:.0f} MB file", flush=True)
        name = "exports_records" if fmt == "csv" else "exports_records_xlsx"
        lines.append(
            bench_line(
                name,
                rows=got["rows"],
                seconds=round(got["seconds"], 2),
                peak_mb=round(got["peak_mb"], 1),
                baseline_mb=round(got["base_mb"], 1),
                file_mb=round(got["mb"], 1),
                target_mb=TARGET_MB,
            )
        )
    lines.append(bench_line("exports_extraction", studies=0, skipped="no-charting-models"))
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
