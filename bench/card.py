"""The screening card, rendered (issue #19: the fragment in <= 2 ms for a 3,000-character abstract).

Renders `screening/screen.html#card` as the decide view does after each decision (htmx: the
fragment only), for a record with a 3,000-character abstract taken from the Cohen 2006 data and
a review with 20 include and 10 exclude terms (wildcards among them) and five exclusion reasons,
with DEBUG off (cached templates, as production). Times, per render: the whole fragment (context
built from loaded objects: highlighting, reasons' keys, hint; then the template), and the
highlighting of title and abstract alone. The first render (template compilation, the terms'
pattern) is reported apart. Also reports CPU time, which machine load disturbs less than wall
time.

    python bench/card.py [--quick] [--renders N]
"""

from __future__ import annotations

import argparse
import csv
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import SHARED, bench_line, setup_django

TARGET_MS = 2.0
INCLUDE = "\n".join(
    [
        "random*",
        "trial",
        "child*",
        "adolescen*",
        "young people",
        "participat*",
        "service*",
        "intervention",
        "outcome*",
        "placebo",
        "double-blind",
        "efficacy",
        "treatment",
        "patient*",
        "clinical",
        "therap*",
        "dose",
        "cohort",
        "survey",
        "qualitative",
    ]
)
EXCLUDE = "\n".join(
    [
        "rat",
        "rats",
        "mice",
        "mouse",
        "in vitro",
        "animal*",
        "review",
        "editorial",
        "letter",
        "case report",
    ]
)


def long_abstract() -> tuple[str, str]:
    """A real title and 3,000 characters of real abstracts (joined when one is shorter)."""
    path = SHARED / "scale" / "cohen2006_alltopics_combined.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if len(row["abstract"]) > 1500]
    text = " ".join(row["abstract"] for row in rows[:3])
    return rows[0]["title"], text[:3000]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(p / 100 * len(ordered) + 0.5) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 renders")
    parser.add_argument("--renders", type=int, help="default 2,000 (quick: 200)")
    args = parser.parse_args()
    renders = args.renders or (200 if args.quick else 2000)
    os.environ.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        SECURE_SSL_REDIRECT="0",
        STATIC_ROOT=tempfile.mkdtemp(prefix="bench-static-"),
        ALLOWED_HOSTS="testserver",
    )
    scratch = tempfile.mkdtemp(prefix="bench-card-")
    setup_django(f"sqlite:///{scratch}/card.sqlite3")
    from django.core.management import call_command

    call_command("collectstatic", "--noinput", verbosity=0)
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.cache import SessionStore
    from django.template.loader import render_to_string
    from django.test import RequestFactory
    from django_htmx.middleware import HtmxDetails

    from reviewapp.access import get_review_for
    from reviewapp.models import ExclusionReason, Membership
    from reviewapp.services import create_review
    from screening.highlight import highlight, parse_terms
    from screening.models import Record, Source
    from screening.queues import Progress
    from screening.views.screen import _card, keyed_reasons

    user = get_user_model().objects.create_user("card-bench")
    review = create_review(
        owner=None,
        slug="card",
        title="Card bench",
        include_terms=INCLUDE,
        exclude_terms=EXCLUDE,
        relevance_hint=True,
    )
    Membership.objects.create(review=review, user=user, role="reviewer")
    for number, code in enumerate(["POP", "DES", "OUT", "LNG", "DUP"], 1):
        ExclusionReason.objects.create(
            review=review, code=code, label=f"Wrong {code}", number=number
        )
    title, abstract = long_abstract()
    source = Source.objects.create(review=review, name="Bench", file_name="b.ris", record_count=1)
    record = Record.objects.create(
        review=review,
        source=source,
        source_position=1,
        number=1,
        title=title,
        abstract=abstract,
        authors=["Smith J", "Jones K", "Brown L"],
        year=2004,
        journal="Journal of Benchmarks",
        doi="10.1000/bench.1",
        pmid="12345678",
        keywords=["trial", "children"],
        rank=0.93,
    )
    review = get_review_for(user, "card")
    request = RequestFactory().post("/", HTTP_HX_REQUEST="true")
    request.user, request.session = user, SessionStore()
    request.htmx = HtmxDetails(request)
    reasons = keyed_reasons(review)
    progress = Progress(120, 1704)

    def render_card() -> str:
        context = _card(
            request, review, record, reasons=reasons, from_queue=True, progress=progress
        )
        return render_to_string("screening/screen.html#card", context, request=request)

    include, exclude = parse_terms(review.include_terms), parse_terms(review.exclude_terms)

    def highlight_only() -> None:
        highlight(record.title, include, exclude)
        highlight(record.abstract, include, exclude)

    started = time.perf_counter()
    html = render_card()
    first_ms = (time.perf_counter() - started) * 1000
    if "<mark" not in html or f'data-record="{record.pk}"' not in html:
        raise SystemExit("the card did not render its record with its terms marked")
    results = {}
    for name, work in (("card", render_card), ("highlight", highlight_only)):
        wall, cpu = [], []
        for _ in range(renders):
            w, c = time.perf_counter(), time.process_time()
            work()
            cpu.append((time.process_time() - c) * 1000)
            wall.append((time.perf_counter() - w) * 1000)
        results[name] = (wall, cpu)
        print(
            f"  {name}: p50 {percentile(wall, 50):.3f} ms, p95 {percentile(wall, 95):.3f} ms "
            f"(cpu mean {statistics.fmean(cpu):.3f} ms) over {renders:,}"
        )
    card_wall, card_cpu = results["card"]
    p95 = percentile(card_wall, 95)
    print(f"  first render (template compiled, terms' pattern built): {first_ms:.1f} ms")
    print(f"  target p95 <= {TARGET_MS} ms: {'met' if p95 <= TARGET_MS else 'NOT met'}")
    print(
        bench_line(
            "card_render",
            renders=renders,
            abstract_chars=len(record.abstract),
            terms=len(include) + len(exclude),
            p50_ms=percentile(card_wall, 50),
            p95_ms=p95,
            cpu_mean_ms=statistics.fmean(card_cpu),
            highlight_p95_ms=percentile(results["highlight"][0], 95),
            first_ms=first_ms,
            html_bytes=len(html.encode()),
            target_p95_met=p95 <= TARGET_MS,
            load1=os.getloadavg()[0],
        )
    )


if __name__ == "__main__":
    main()
