"""Shared helpers for benchmarks: Django set-up on a chosen database, timing, memory, output."""

from __future__ import annotations

import importlib.util
import os
import resource
import sys
import time
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
DEFAULT_POSTGRES = "postgres://reviewapp:reviewapp@127.0.0.1:5432/reviewapp_bench"


def setup_django(database_url: str) -> None:
    """Point Django at a benchmark database, migrate it, and start from empty tables."""
    sys.path.insert(0, str(REPO))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewapp.settings")
    if database_url.startswith("postgres"):
        _create_postgres_database(database_url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("flush", "--noinput", verbosity=0)


def _create_postgres_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    base, name = url.rsplit("/", 1)
    connection = psycopg2.connect(f"{base}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def timed(label: str, into: dict):
    start = time.perf_counter()
    yield
    into[label] = time.perf_counter() - start
    print(f"  {label}: {into[label]:.2f} s", flush=True)


def bench_line(name: str, **values) -> str:
    parts = []
    for key, value in values.items():
        parts.append(f"{key}={value:.3f}" if isinstance(value, float) else f"{key}={value}")
    return f"BENCH {name} " + " ".join(parts)


def bench_script(name: str):
    """Another bench script as a module (bench/NAME.py: scripts, not a package), loaded under
    its own name (bench/screening.py would otherwise shadow the screening app)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", REPO / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
