"""Load (issue #15 item 1, screening part): 20 reviewers and a lead over HTTP against gunicorn,
PostgreSQL, a Redis of its own and a real Celery worker, for a bounded time (default 10
minutes, --quick 1 minute). Reviewers screen titles and abstracts (5 % of decisions sent twice,
as a double click does), and some of them full texts too, in a tab of their own, on records the
set-up included at title/abstract with their reports retrieved (bench/_fulltext.py); the lead
resolves conflicts and starts a records export every minute. At the end the clients' log is
compared with the database: 0 lost and 0 duplicated decisions (both stages), 0 server errors;
p50/p95 per endpoint. Each reviewer also has a charting tab autosaving chart
values on included studies (two charters per study, 5 % of saves sent twice), compared with the
database at the end the same way (bench/_charting.py).

    python bench/load.py [--quick] [--seconds S] [--records N] [--studies N] [--full-texts N]
                        [--ft-reviewers N] [--workers W]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _charting
import _fulltext
from _common import bench_line, bench_script, setup_django

DATABASE = "postgres://postgres@127.0.0.1:5432/bench_load"
SLUG = "bench-load"
REVIEWERS = 20
CONFLICT = re.compile(rb'data-record="(\d+)"')


screening = bench_script("screening")
faults = bench_script("faults")


class Timed:
    """Per-endpoint times and statuses, shared by every client (appends are thread-safe)."""

    def __init__(self):
        self.ms: dict[str, list[float]] = defaultdict(list)
        self.status: Counter = Counter()


def timed_send(client, timed: Timed, endpoint: str, path: str, data=None, headers=None):
    start = time.perf_counter()
    status, body = screening.ReviewerClient._send(client, path, data, headers)
    timed.ms[endpoint].append((time.perf_counter() - start) * 1000)
    timed.status[(endpoint, status)] += 1
    return status, body


class Reviewer(screening.ReviewerClient):
    """bench/screening.py's reviewer, timing each endpoint and sending 5 % of decisions twice."""

    def __init__(self, base, username, url, timed: Timed, prefix: str = ""):
        super().__init__(base, username, url)
        self.timed, self.doubles, self.prefix = timed, 0, prefix

    def _send(self, path, data=None, headers=None):
        endpoint = self.prefix + ("screen POST" if data is not None and path == self.url else (
            "screen GET" if path == self.url else "login"))  # fmt: skip
        status, body = timed_send(self, self.timed, endpoint, path, data, headers)
        if endpoint == self.prefix + "screen POST" and random.random() < 0.05:
            self.doubles += 1  # the second click: must neither store twice nor fail
            timed_send(self, self.timed, f"{endpoint} (double)", path, data, headers)
        return status, body


class Lead(screening.ReviewerClient):
    def __init__(self, base, username, url, timed: Timed, slug: str):
        super().__init__(base, username, url)
        self.timed, self.slug = timed, slug
        self.resolved, self.exports = 0, 0

    def run(self, deadline: float, max_requests: int, seed: int) -> None:
        conflicts = f"/reviews/{self.slug}/conflicts/?stage=title_abstract"
        exports = f"/reviews/{self.slug}/exports/"
        next_export = time.perf_counter()
        while time.perf_counter() < deadline:
            headers = {"HX-Request": "true", "X-CSRFToken": self.csrf()}
            if time.perf_counter() >= next_export:
                form = {"export": "records.csv"}
                csrf = {"X-CSRFToken": self.csrf()}
                status, _ = timed_send(self, self.timed, "export POST", exports, form, csrf)
                self.exports += status == 302
                next_export += 60
            status, body = timed_send(self, self.timed, "conflicts GET", conflicts)
            found = CONFLICT.search(body) if status == 200 else None
            if found is None:
                time.sleep(1)
                continue
            form = {"record": found.group(1), "value": "include", "stage": "title_abstract",
                    "note": ""}  # fmt: skip
            status, _ = timed_send(self, self.timed, "resolve POST", conflicts, form, headers)
            self.resolved += status == 200
        self.finished_at = time.perf_counter()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--studies", type=int, default=40, help="included studies to chart")
    parser.add_argument("--full-texts", type=int, default=300, help="records at full text")
    parser.add_argument("--ft-reviewers", type=int, default=6, help="reviewers screening them")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--postgres", default=DATABASE)
    args = parser.parse_args()
    seconds = args.seconds or (60 if args.quick else 600)
    folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
    os.environ.update(CELERY_BROKER_URL=f"redis://127.0.0.1:{faults.REDIS_PORT + 1}/11",
                      MEDIA_ROOT=str(folder / "media"), DEBUG="1")  # fmt: skip
    faults.REDIS_PORT += 1  # a Redis of its own, beside bench/faults.py's
    services = faults.Services(folder, {**os.environ, "DATABASE_URL": args.postgres})
    services.start_redis()
    try:
        setup_django(args.postgres)
        run(args, seconds, services)
    finally:
        services.stop_all()


def run(args, seconds: float, services) -> None:
    from django.db import connection

    from extraction.models import ExportJob
    from screening.models import Decision

    names = [f"reviewer{i}" for i in range(1, REVIEWERS + 1)]
    users = screening.make_users(["lead", *names])
    review = screening.make_review(SLUG, args.records, users["lead"],
                                   [users[n] for n in names], screening.load_scale())  # fmt: skip
    assigned = _charting.seed(review, users["lead"], [users[n] for n in names], args.studies)
    at_full_text = _fulltext.seed(review, [users[n] for n in names], args.full_texts,
                                  args.studies)  # fmt: skip
    reason = review.reasons.filter(at_full_text=True).first()
    services.start_worker()
    url = f"/reviews/{SLUG}/screen/title-abstract/"
    timed = Timed()
    with tempfile.TemporaryFile(mode="w+") as log:
        server, base = screening.start_server(args.postgres, args.workers, log)
        try:
            clients = [Reviewer(base, name, url, timed) for name in names]
            ft_class = _fulltext.reviewer_class(Reviewer, reason.pk)
            ft_url = _fulltext.FT_URL.format(slug=SLUG)
            ft_clients = [ft_class(base, name, ft_url, timed, "ft ")
                          for name in names[: args.ft_reviewers]]  # fmt: skip
            lead = Lead(base, "lead", f"/reviews/{SLUG}/conflicts/", timed, SLUG)
            tabs = [screening.ReviewerClient(base, name, url) for name in names]
            for client in [*clients, *ft_clients, lead, *tabs]:
                client.login()
            charters = [_charting.Charter(tab, SLUG, assigned[tab.username], _sender(tab, timed))
                        for tab in tabs]  # fmt: skip
            print(
                f"  {len(clients)} reviewers ({len(ft_clients)} also at full text, "
                f"{at_full_text} records there) and a lead for {seconds:.0f} s on {base}",
                flush=True,
            )
            deadline = time.perf_counter() + seconds
            threads = [threading.Thread(target=c.run, args=(deadline, 10**9, i))
                       for i, c in enumerate([*clients, lead, *ft_clients])]  # fmt: skip
            threads += [threading.Thread(target=c.run, args=(deadline, 1000 + i))
                        for i, c in enumerate(charters)]  # fmt: skip
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            server.terminate()
            server.wait(timeout=30)
    connection.close()
    ids = {name: users[name].pk for name in names}
    acknowledged = Counter((ids[c.username], r) for c in clients for r in c.decided)
    stored = set(Decision.objects.filter(review=review, stage="title_abstract").values_list(
        "reviewer_id", "record_id"))  # fmt: skip
    lost = sum(1 for pair in acknowledged if pair not in stored)
    checks = screening.check_database(review)
    charted = _charting.compare(review, charters, users)
    full_text = _fulltext.compare(review, ft_clients, ids)
    time.sleep(5)  # the last export's worker run
    export_states = Counter(
        ExportJob.objects.filter(review=review).values_list("status", flat=True)
    )
    errors = sum(n for (endpoint, status), n in timed.status.items() if status >= 500)
    refusals = {f"{e} {s}": n for (e, s), n in sorted(timed.status.items()) if s >= 400}
    print(f"  answers other than 2xx/3xx: {refusals}")
    client_errors = Counter()
    refused = 0
    for client in [*clients, *ft_clients]:
        refused += client.refusals  # 409s included (bench/screening.py counts them)
        client_errors.update(client.errors)
    for charter in charters:
        client_errors.update({f"chart {k}": n for k, n in charter.errors.items()})
    for message, n in client_errors.most_common(5):
        print(f"  client error {n}x: {message[:200]}")
    for endpoint, values in sorted(timed.ms.items()):
        print(bench_line("load_endpoint", endpoint=endpoint.replace(" ", "_"), n=len(values),
                         p50_ms=screening.percentile(values, 50),
                         p95_ms=screening.percentile(values, 95)))  # fmt: skip
    print(bench_line(
        "load", reviewers=len(clients), seconds=seconds, decisions=sum(acknowledged.values()),
        doubles=sum(c.doubles for c in clients), refused=refused, resolved=lead.resolved,
        exports=lead.exports, exports_done=export_states.get("done", 0), lost=lost,
        duplicated=checks["duplicate_rows"], count_mismatch=checks["count_mismatch"],
        status_wrong=checks["status_wrong"], server_errors=errors,
        client_errors=sum(client_errors.values()),
        chart_saves=sum(c.saves for c in charters), chart_doubles=sum(c.doubles for c in charters),
        chart_refused=sum(c.refused for c in charters), **charted, **full_text,
    ))  # fmt: skip


def _sender(client, timed: Timed):
    def send(endpoint, path, data=None, headers=None):
        return timed_send(client, timed, endpoint, path, data, headers)

    return send


if __name__ == "__main__":
    main()
