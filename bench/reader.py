"""The full-text reader (issue #18): text extraction, first page in the browser, text search.

Three figures, on text made of real abstracts (Cohen 2006, shared data) written into PDFs by the
tests' tiny PDF writer (Helvetica, ~45 lines a page):
- extraction: pages per second of screening.pdftext.page_texts on a 300-page PDF (target >= 50);
- first page: time from navigation to the first rendered page of that 300-page PDF in the
  app's reader (Playwright on Debian's Chromium, the app on a live server; target < 1 s);
- search: screening.textsearch.search_fulltexts over 2,000 full texts of 20 pages each on
  PostgreSQL (its own database, created and dropped here), p50/p95 of a mix of queries
  (target p95 < 300 ms).

    python bench/reader.py [--quick] [--postgres URL] [--no-browser]
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, SHARED, bench_line, setup_django

DATABASE = "postgres://postgres@127.0.0.1:5432/bench_reader"
SCALE = SHARED / "scale" / "cohen2006_alltopics_combined.csv"
LINES_PER_PAGE = 45
QUERIES = [
    "children",  # common
    "randomized controlled trial",
    "hormone replacement",
    "adolescent participation",
    "estrogen -cancer",
    "zzyzx",  # nothing
]


def abstracts(limit: int) -> list[str]:
    with SCALE.open(newline="", encoding="utf-8") as handle:
        rows = []
        for row in csv.DictReader(handle):
            if row["abstract"]:
                rows.append(row["abstract"].encode("latin-1", "replace").decode("latin-1"))
            if len(rows) >= limit:
                break
    return rows


def page_lines(texts: list[str], pages: int) -> list[list[str]]:
    """`pages` pages of ~45 wrapped lines, cycling through the abstracts."""
    out, at = [], 0
    for _ in range(pages):
        lines: list[str] = []
        while len(lines) < LINES_PER_PAGE:
            lines += textwrap.wrap(texts[at % len(texts)], 95)
            at += 1
        out.append(lines[:LINES_PER_PAGE])
    return out


def bench_extraction(pdf: bytes, pages: int) -> None:
    from screening.pdftext import page_texts

    page_texts(pdf)  # warm: the library's first load
    start = time.perf_counter()
    texts = page_texts(pdf)
    seconds = time.perf_counter() - start
    if len(texts) != pages or not all(texts):
        raise SystemExit(f"extraction read {len(texts)} pages, some empty: the bench PDF is wrong")
    rate = pages / seconds
    print(f"  extraction: {pages} pages in {seconds:.2f} s ({rate:.0f} pages/s)", flush=True)
    print(bench_line("reader_extraction", pages=pages, pages_per_s=rate, target_min=50))


# Where the time to the first page goes: the page's HTML, pdf.js loaded, the PDF opened.
STAGES = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const at = (name) => performance.getEntriesByName(name)[0]?.startTime ?? -1;
  return {html: nav.responseEnd, dom: nav.domContentLoadedEventEnd, library: at("reader-library"),
          document: at("reader-document"), first_page: at("reader-first-page")};
}"""


def bench_first_page(pdf: bytes, pages: int, runs: int) -> None:
    """The app on a live server thread; Chromium opens the reader page `runs` times."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test.testcases import LiveServerThread
    from playwright.sync_api import expect, sync_playwright

    from reviewapp.models import Membership, Review
    from screening.models import Record, Source
    from screening.services.fulltext import attach_pdf
    from tests.browser.conftest import ARGS, CHROMIUM
    from tests.factories import PASSWORD, UserFactory

    if not Path(CHROMIUM).exists():
        print(f"  first page: skipped, no Chromium at {CHROMIUM}")
        return
    lead = UserFactory(username="bench-reader")
    review = Review.objects.create(slug="bench-reader-browser", title="Reader bench")
    Membership.objects.create(review=review, user=lead, role="lead")
    source = Source.objects.create(review=review, name="bench")
    record = Record.objects.create(
        review=review, source=source, source_position=1, title="A long report", ta_status="include"
    )
    upload = SimpleUploadedFile("long.pdf", pdf)
    fulltext = attach_pdf(review=review, record=record, upload=upload, kind="report", by=lead)
    server = LiveServerThread("localhost", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    base = f"http://localhost:{server.port}"
    url = f"{base}/reviews/{review.slug}/full-texts/{fulltext.pk}/read/"
    times, stages = [], []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(f"{base}/accounts/login/")
            page.get_by_label("Username").fill("bench-reader")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(f"{base}/")
            for _ in range(runs):
                page.goto(url)
                expect(page.get_by_test_id("reader")).to_have_attribute(
                    "data-rendered", "1", timeout=30000
                )
                # From navigation start to page 1 drawn with its text layer (reader.js marks
                # it); Playwright's noticing comes later and is not the reader's time.
                stages.append(page.evaluate(STAGES))
                times.append(stages[-1]["first_page"] / 1000)
                count = page.get_by_test_id("reader-count").text_content()
                if count != str(pages):
                    raise SystemExit(f"the reader counts {count} pages, not {pages}")
            browser.close()
    finally:
        server.terminate()
    cold, warm = times[0], statistics.median(times[1:]) if len(times) > 1 else times[0]
    for run, stage in enumerate(stages, start=1):
        print("  run", run, " ".join(f"{name}={ms:.0f}ms" for name, ms in stage.items()))
    print(f"  first page: cold {cold:.2f} s, then median {warm:.2f} s ({runs} runs)", flush=True)
    print(
        bench_line(
            "reader_first_page",
            pages=pages,
            cold_s=cold,
            median_s=warm,
            max_s=max(times),
            target_s=1.0,
        )
    )


def build_search(texts: list[str], fulltexts: int, pages: int) -> object:
    """A review whose `fulltexts` included studies each have `pages` pages of text (rows
    written directly: the PDFs themselves play no part in search)."""
    from django.db import connection

    from reviewapp.models import Review
    from screening.models import FullText, FullTextPage, Record, Source
    from screening.services.texts import index_pages

    review = Review.objects.create(slug="bench-reader-search", title="Search bench")
    source = Source.objects.create(review=review, name="bench")
    records = Record.objects.bulk_create(
        Record(
            review=review,
            source=source,
            source_position=i + 1,
            title=f"Study {i + 1}",
            ta_status="include",
            ft_status="include",
        )
        for i in range(fulltexts)
    )
    docs = FullText.objects.bulk_create(
        FullText(review=review, record=r, file=f"bench/{r.pk}.pdf", original_name=f"{r.pk}.pdf")
        for r in records
    )
    page_texts = [" ".join(lines) for lines in page_lines(texts, 97)]  # a prime: pages vary
    batch: list[FullTextPage] = []
    at = 0
    for doc in docs:
        for number in range(1, pages + 1):
            batch.append(FullTextPage(fulltext=doc, number=number, text=page_texts[at % 97]))
            at += 1
        if len(batch) >= 5000:
            FullTextPage.objects.bulk_create(batch)
            batch = []
    FullTextPage.objects.bulk_create(batch)
    index_pages(FullTextPage.objects.filter(fulltext__review=review))  # as extraction does
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would after a load this size
    return review


def bench_search(texts: list[str], fulltexts: int, pages: int, reps: int) -> None:
    from django.db import connection

    from screening.textsearch import search_fulltexts

    start = time.perf_counter()
    review = build_search(texts, fulltexts, pages)
    print(
        f"  search: {fulltexts} full texts x {pages} pages built in "
        f"{time.perf_counter() - start:.1f} s",
        flush=True,
    )
    timings, found = [], {}
    for query in QUERIES:
        search_fulltexts(review, query)  # warm the cache for this query's index pages
        for _ in range(reps):
            begin = time.perf_counter()
            hits, more = search_fulltexts(review, query)
            timings.append((time.perf_counter() - begin) * 1000)
        found[query] = f"{len(hits)}{'+' if more else ''}"
    print(f"  hits per query (first page of results): {found}", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN SELECT 1 FROM screening_fulltextpage "
            "WHERE search @@ websearch_to_tsquery('english'::regconfig, 'hormone')"
        )
        plan = " ".join(row[0] for row in cursor.fetchall())
    index_used = "screening_fulltextpage_search" in plan
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        bench_line(
            "reader_search",
            fulltexts=fulltexts,
            pages=fulltexts * pages,
            queries=len(timings),
            p50_ms=p50,
            p95_ms=p95,
            index_used=str(index_used).lower(),
            target_p95_ms=300,
        )
    )


def drop_database(url: str) -> None:
    import psycopg2
    from django.conf import settings
    from django.db import connections
    from psycopg2 import sql

    if settings.configured:
        connections.close_all()
    base, name = url.rsplit("/", 1)
    connection = psycopg2.connect(f"{base}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a few seconds")
    parser.add_argument("--postgres", default=DATABASE, help="database URL (created, dropped)")
    parser.add_argument("--no-browser", action="store_true", help="skip the first-page figure")
    args = parser.parse_args()
    pages = 40 if args.quick else 300
    fulltexts, per_doc, reps = (100, 20, 5) if args.quick else (2000, 20, 20)
    os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="bench-reader-media-"))
    os.environ.setdefault("CELERY_BROKER_URL", "")  # extraction runs in process, like tests
    drop_database(args.postgres)  # a run cut short leaves one behind: start from nothing
    setup_django(args.postgres)
    sys.path.insert(0, str(REPO))
    from tests.pdfs import make_pdf

    texts = abstracts(400)
    pdf = make_pdf(page_lines(texts, pages))
    print(f"reader bench: a {pages}-page PDF of {len(pdf) / 1e6:.1f} MB", flush=True)
    try:
        bench_extraction(pdf, pages)
        if not args.no_browser:
            bench_first_page(pdf, pages, runs=3 if args.quick else 6)
        bench_search(texts, fulltexts, per_doc, reps)
    finally:
        drop_database(args.postgres)


if __name__ == "__main__":
    main()
