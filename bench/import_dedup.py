"""Import and dedup at scale (issue: import search results, find duplicates).

Writes N distinct records as one RIS file built from the real Cohen 2006 collection (the 1,330
real duplicate PMIDs stay in, so dedup has real work), then times, on PostgreSQL and SQLite:
  (a) rispy parsing the file alone (its own process, for its own peak memory)
  (b) our import into the database end to end (read, detect, parse, normalise, store)
  (c) deduplication of the whole review
Targets on PostgreSQL: (b) <= 3 x (a); (c) <= 30 s; peak memory <= 1 GB.

    python bench/import_dedup.py [--quick] [--records N] [--postgres URL] [--skip-sqlite]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import DEFAULT_POSTGRES, SHARED, bench_line, peak_rss_mb, setup_django, timed

SCALE = SHARED / "scale" / "cohen2006_alltopics_combined.csv"


def load_scale() -> list[dict]:
    with SCALE.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def synthetic_title(rng: random.Random, rows: list[dict]) -> str:
    """A distinct, realistic-looking title: halves of two unrelated real titles."""
    a, b = rng.sample(rows, 2)
    left, right = a["title"].split(), b["title"].split()
    return " ".join(left[: max(2, len(left) // 2)] + right[len(right) // 2 :])


def ris_record(row: dict, title: str, year: str, doi: str, pmid: str) -> str:
    lines = ["TY  - JOUR", f"TI  - {title}"]
    lines += [f"AU  - {a.strip()}" for a in row["authors"].split(";") if a.strip()][:12]
    if year:
        lines.append(f"PY  - {year}")
    lines.append(f"JO  - {row.get('topic', '')} Journal")
    if row["abstract"]:
        lines.append(f"AB  - {row['abstract']}")
    if doi:
        lines.append(f"DO  - {doi}")
    if pmid:  # as EndNote/Ovid write MEDLINE records
        lines += ["DB  - PubMed", f"AN  - {pmid}"]
    lines.append("ER  - ")
    return "\n".join(lines) + "\n\n"


def write_ris(path: Path, count: int, seed: int = 1) -> int:
    """Copy 0 is the real collection; later copies are distinct synthetic records."""
    rng = random.Random(seed)
    rows = load_scale()
    written = 0
    with path.open("w", encoding="utf-8") as out:
        copy = 0
        while written < count:
            for i, row in enumerate(rows):
                if written >= count:
                    break
                if copy == 0:
                    title, year, doi, pmid = row["title"], row["year"], row["doi"], row["pmid"]
                else:
                    title = synthetic_title(rng, rows)
                    year = str(1990 + rng.randrange(30))
                    doi, pmid = f"10.9999/bench.{copy}.{i}", ""
                out.write(ris_record(row, title, year, doi, pmid))
                written += 1
            copy += 1
    return written


def time_rispy(path: Path) -> dict:
    """(a) in a fresh process, so its memory is its own."""
    code = (
        "import json,resource,sys,time,rispy;t=time.perf_counter();"
        "n=len(rispy.load(open(sys.argv[1],encoding='utf-8')));"
        "print(json.dumps({'n':n,'s':time.perf_counter()-t,"
        "'mb':resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def run_backend(database_url: str, path: Path) -> dict:
    """(b) and (c) against one database, in this process."""
    setup_django(database_url)
    from reviewapp.services import create_review
    from screening.models import Record
    from screening.services.dedup import find_duplicates
    from screening.services.imports import SourceFields, import_records

    review = create_review(owner=None, slug="bench", title="Benchmark")
    data = path.read_bytes()
    times: dict[str, float] = {}
    with timed("import", times):
        outcome = import_records(
            review=review,
            data=data,
            file_name=path.name,
            source_fields=SourceFields(name="Bench"),
            by=None,
            dedup=False,
        )
    del data
    with timed("dedup", times):
        result = find_duplicates(review=review)
    return {
        "records": outcome.source.record_count,
        "import_s": times["import"],
        "dedup_s": times["dedup"],
        "marked": result.marked,
        "pending": result.pending,
        "duplicates": Record.objects.filter(review=review, duplicate_of__isnull=False).count(),
        "peak_mb": peak_rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 records")
    parser.add_argument("--records", type=int)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--backend", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.backend:  # child process: one database
        print(json.dumps(run_backend(args.backend, args.file)))
        return
    count = args.records or (10_000 if args.quick else 100_000)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.ris"
        start = time.perf_counter()
        written = write_ris(path, count)
        print(
            f"wrote {written:,} RIS records ({path.stat().st_size / 1e6:.0f} MB) "
            f"in {time.perf_counter() - start:.1f} s",
            flush=True,
        )
        rispy = time_rispy(path)
        print(f"  (a) rispy alone: {rispy['s']:.2f} s, peak {rispy['mb']:.0f} MB", flush=True)
        backends = [("postgresql", args.postgres)]
        if not args.skip_sqlite:
            backends.append(("sqlite", f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"))
        for name, url in backends:
            print(f"{name}:", flush=True)
            child = subprocess.run(
                [sys.executable, __file__, "--backend", url, "--file", str(path)],
                capture_output=True,
                text=True,
                check=False,
            )
            if child.returncode != 0:
                print(child.stdout, child.stderr)
                raise SystemExit(f"{name} run failed")
            sys.stdout.write("".join(line + "\n" for line in child.stdout.splitlines()[:-1]))
            result = json.loads(child.stdout.splitlines()[-1])
            print(
                bench_line(
                    f"import_dedup_{name}",
                    records=result["records"],
                    rispy_s=rispy["s"],
                    import_s=result["import_s"],
                    import_vs_rispy=result["import_s"] / rispy["s"],
                    dedup_s=result["dedup_s"],
                    duplicates=result["duplicates"],
                    pending=result["pending"],
                    peak_mb=round(result["peak_mb"]),
                    rispy_peak_mb=round(rispy["mb"]),
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
