"""Faults, scripted and repeatable (issue #15 item 2), against PostgreSQL, a Redis of its own and
a real Celery worker:

- the worker's pool child killed (SIGKILL) during an import and an export: the job is redone
  to an identical result (same record count, no duplicates; a byte-identical file);
- the pool child, then the whole worker, killed during a ranking retrain: the child's run is
  retried to the identical ranking; the whole worker's goes stale, is failed with a message by
  the next request and replaced by a run that gives the identical ranking;
- the whole worker killed during an import and an export: the job never ends "done" with a
  partial result; once past its stale time it shows failed with a message, and "try again"
  gives the identical result;
- Redis down: screening keeps working; starting an import or an export says so;
- PostgreSQL backends terminated (pg_terminate_backend) during screening: no success shown
  without a committed row, and the app recovers by itself.

HTTP goes through Django's test client in this process (the app's views, middleware and
transactions; no gunicorn), the jobs through Redis to the worker. Its own database, its own
Redis server (a port of its own, so stopping it touches no one else) and its own media folder.

    python bench/faults.py [--quick] [--postgres URL] [--records N] [--only retrain]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, setup_django

DATABASE = "postgres://postgres@127.0.0.1:5432/bench_faults"
REDIS_PORT = 6391
SLUG = "faults"
BIN = Path(sys.executable).parent


def ris(n: int, seed: str) -> bytes:
    rows = []
    for i in range(n):
        # Titles of random words: two files, or two records, never look like duplicates.
        words = hashlib.sha256(f"{seed}-{i}".encode()).hexdigest()
        title = " ".join(words[k : k + 6] for k in range(0, 48, 6))
        rows += [
            "TY  - JOUR",
            f"TI  - {title}",
            f"AU  - Author{i % 97}, A.",
            f"PY  - {1990 + i % 30}",
            f"DO  - 10.{seed}/{i}",
            f"AB  - Abstract {i}: " + "young people took part in the design of services. " * 8,
            "ER  - ",
            "",
        ]
    return "\n".join(rows).encode()


class Services:
    """The Redis server and the Celery worker this script starts, and stops, by their ids."""

    def __init__(self, folder: Path, env: dict):
        self.folder, self.env = folder, env
        self.redis: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.starts = 0

    def start_redis(self) -> None:
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        for _ in range(50):
            ping = subprocess.run(
                ["redis-cli", "-p", str(REDIS_PORT), "ping"],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            if ping.stdout.strip() == "PONG":
                return
            time.sleep(0.1)
        raise RuntimeError("redis did not start")

    def stop_redis(self) -> None:
        if self.redis:
            self.redis.kill()
            self.redis.wait()
            self.redis = None

    def start_worker(self) -> None:
        self.starts += 1
        log = (self.folder / f"worker-{self.starts}.log").open("w")
        self.worker = subprocess.Popen(
            [str(BIN / "celery"), "-A", "reviewapp", "worker", "-l", "info", "--concurrency=1",
             "--pool=prefork", "-n", f"faults{self.starts}@%h", "--without-gossip",
             "--without-mingle"],
            cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        path = Path(log.name)
        for _ in range(300):
            if "ready." in path.read_text():
                return
            time.sleep(0.1)
        raise RuntimeError(f"worker did not start: {path.read_text()[-2000:]}")

    def pool_child(self) -> int:
        out = subprocess.run(
            ["pgrep", "-P", str(self.worker.pid)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        return int(out.stdout.split()[0])

    def kill_child(self) -> None:
        os.kill(self.pool_child(), signal.SIGKILL)

    def kill_worker(self) -> None:
        os.killpg(self.worker.pid, signal.SIGKILL)  # the main process and its pool, at once
        self.worker.wait()
        self.worker = None

    def stop_all(self) -> None:
        if self.worker:
            self.kill_worker()
        self.stop_redis()


def wait_for(predicate, timeout: float, step: float = 0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--postgres", default=DATABASE)
    parser.add_argument("--records", type=int)
    parser.add_argument("--only", choices=["retrain"], help="run just this scenario")
    args = parser.parse_args()
    n = args.records or (8000 if args.quick else 30000)
    folder = Path(tempfile.mkdtemp(prefix="bench-faults-"))
    broker = f"redis://127.0.0.1:{REDIS_PORT}/11"
    os.environ.update(CELERY_BROKER_URL=broker, MEDIA_ROOT=str(folder / "media"), DEBUG="1")
    env = {**os.environ, "DATABASE_URL": args.postgres, "CONN_MAX_AGE": "0"}
    services = Services(folder, env)
    services.start_redis()
    try:
        setup_django(args.postgres)
        from _faults import run_all

        run_all(services, n=n, folder=folder, only=args.only or "")
    finally:
        services.stop_all()


if __name__ == "__main__":
    main()
