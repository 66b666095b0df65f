"""Exports at scale (issue #12): the records decision trail and the extraction table.

On PostgreSQL, a review of 100,000 real-width records (Cohen 2006 titles and abstracts,
repeated) screened by two reviewers each, with notes, and a lead's resolution on every tenth:
the decision-trail CSV (and XLSX, the slower format) is written by the service the export job
runs, in a child process, so its peak resident memory is the export's alone (Django included),
not the set-up's. Target: peak memory <= 200 MB whatever the size.

The extraction table: 2,000 studies (an included report each), a form of 3 sections x 10 fields
(a third multiple choice with quote and page), two reviewers' charts and a consensus per study
with every field answered (180,000 values), as CSV and XLSX (a sheet per section).

    python bench/exports.py [--quick] [--records N] [--studies N] [--postgres URL]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import DEFAULT_POSTGRES, REPO, bench_line, bench_script, setup_django

DATABASE = DEFAULT_POSTGRES.rsplit("/", 1)[0] + "/reviewapp_bench_exports"
SLUG = "bench-exports"
TARGET_MB = 200.0


def build(records: int) -> None:
    """The review: records COPYed in, two decisions each (bulk), every tenth resolved."""
    from django.db import connection

    from screening.models import Decision, Record, Resolution, StageStatus

    loaders = bench_script("screening")
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
    table = connection.ops.quote_name(Record._meta.db_table)
    with connection.cursor() as cursor:
        # The record numbers an import gives (the bench's COPY loader leaves them empty).
        cursor.execute(
            f"UPDATE {table} AS r SET number = n.number FROM (SELECT id, row_number() OVER "  # noqa: S608
            f"(ORDER BY id) AS number FROM {table} WHERE review_id = %s) AS n WHERE r.id = n.id",
            [review.pk],
        )
        cursor.execute("VACUUM ANALYZE")


SECTIONS, FIELDS = 3, 10
CHOICES = ["Consultation", "Co-production", "Peer support", "Advisory group", "Evaluation"]


def build_extraction(studies: int) -> None:
    """Studies over the first records (included at full text), a form, three charts each."""
    from django.contrib.auth import get_user_model

    from extraction.models import Chart, ChartForm, ChartValue, FormField, FormSection
    from reviewapp.models import Review
    from screening.models import Record, StageStatus, Study

    review = Review.objects.get(slug=SLUG)
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=["lead", "rev1", "rev2"])
    }
    form = ChartForm.objects.create(review=review, version=1, charters_per_study=2)
    fields = []
    for s in range(SECTIONS):
        section = FormSection.objects.create(
            form=form, key=f"rq{s + 1}", title=f"RQ{s + 1}: question {s + 1}", order=s
        )
        for f in range(FIELDS):
            choice = f % 3 == 0
            fields.append(
                FormField.objects.create(
                    section=section,
                    key=f"rq{s + 1}_f{f + 1}",
                    label=f"Field {f + 1} of RQ{s + 1}",
                    type="multiple_choice" if choice else "long_text",
                    choices=CHOICES if choice else [],
                    takes_quote=choice,
                    order=f,
                )
            )
    ids = list(Record.objects.filter(review=review).order_by("pk").values_list("pk", flat=True))
    made = Study.objects.bulk_create(
        Study(review=review, label=f"Author {i} {2000 + i % 25}") for i in range(studies)
    )
    for study, pk in zip(made, ids[1 : 10 * studies : 10], strict=False):
        # Every tenth record from the second on: not among the resolved exclusions above.
        Record.objects.filter(pk=pk).update(
            study=study, ta_status=StageStatus.INCLUDE, ft_status=StageStatus.INCLUDE
        )
    rng = random.Random(7)
    charts = Chart.objects.bulk_create(
        Chart(study=study, form=form, charted_by=users[who], kind=kind, status="submitted")
        for study in made
        for who, kind in (("rev1", "reviewer"), ("rev2", "reviewer"), ("lead", "consensus"))
    )
    batch: list[ChartValue] = []
    for chart in charts:
        for field in fields:
            if field.takes_quote:
                value = rng.sample(CHOICES, rng.randint(1, 3))
                quote, where = (
                    "young people said the groups were theirs " * 3,
                    f"p. {rng.randint(1, 40)}",
                )
            else:
                value, quote, where = "=a charted note, " * rng.randint(2, 12), "", ""
            batch.append(
                ChartValue(
                    chart=chart, field=field, value=value, draft=value, quote=quote, location=where
                )
            )
        if len(batch) >= 10000:
            ChartValue.objects.bulk_create(batch)
            batch = []
    ChartValue.objects.bulk_create(batch)


def high_water_mb() -> float:
    """This process's peak resident memory (VmHWM). Not ru_maxrss: Linux carries that over
    from the parent through fork and exec, so a child would report the set-up's memory."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def export_once(kind: str, fmt: str, out: Path) -> dict:
    """In the child: write one export as a lead's job would, report rows, seconds, peak MB."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from extraction.services.exports import write_export
    from reviewapp.models import Review

    review = Review.objects.get(slug=SLUG)
    lead = get_user_model().objects.get(username="lead")
    baseline = high_water_mb()  # Django, apps loaded
    start = time.perf_counter()
    binary = fmt == "xlsx"
    with out.open(
        "wb" if binary else "w", **({} if binary else {"newline": "", "encoding": "utf-8"})
    ) as handle:
        rows = write_export(handle=handle, review=review, kind=kind, fmt=fmt, user=lead)
    seconds = time.perf_counter() - start
    peak = high_water_mb()
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
    parser.add_argument("--studies", type=int)
    parser.add_argument("--postgres", default=DATABASE)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(REPO))
        kind, fmt, out = args.child
        print(json.dumps(export_once(kind, fmt, Path(out))))
        return
    records = args.records or (5000 if args.quick else 100000)
    studies = args.studies or (200 if args.quick else 2000)
    print(f"exports: {records:,} records, {studies:,} studies on {args.postgres}", flush=True)
    setup_django(args.postgres)
    start = time.perf_counter()
    build(records)
    build_extraction(min(studies, records // 10))
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
    for fmt in ("csv", "xlsx"):
        got = run_child("extraction", fmt, args.postgres)
        print(f"  extraction {fmt}: {got['rows']:,} rows, {got['mb']:.0f} MB file", flush=True)
        lines.append(
            bench_line(
                "exports_extraction" if fmt == "csv" else "exports_extraction_xlsx",
                studies=got["rows"],
                values=got["rows"] * SECTIONS * FIELDS,
                seconds=round(got["seconds"], 2),
                peak_mb=round(got["peak_mb"], 1),
                baseline_mb=round(got["base_mb"], 1),
                file_mb=round(got["mb"], 1),
                target_mb=TARGET_MB,
            )
        )
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
