"""The scenarios of bench/faults.py (kept apart so each stays readable); Django is set up."""

from __future__ import annotations

import hashlib
import io
import threading
import time
from datetime import timedelta
from pathlib import Path

import psycopg2
from _common import bench_line
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from extraction.models import ExportJob
from extraction.services.exports import write_export
from reviewapp.models import Role
from reviewapp.services import add_member, create_review
from screening.models import Decision, ImportJob, Record, Source


def _client(user) -> Client:
    client = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def _setup():
    User = get_user_model()
    lead = User.objects.create_user("lead", password="x")  # noqa: S106
    reviewers = [User.objects.create_user(f"r{i}", password="x") for i in (1, 2)]  # noqa: S106
    review = create_review(owner=lead, slug="faults", title="Faults")
    for user in reviewers:
        add_member(review=review, user=user, role=Role.REVIEWER, by=lead)
    return review, lead, reviewers


def _upload(client, review, name: str, data: bytes):
    url = reverse("screening:sources", kwargs={"slug": review.slug})
    return client.post(url, {"name": name, "method": "database", "file_format": "auto",
                             "files": [SimpleUploadedFile(f"{name}.ris", data)]})  # fmt: skip


def _job(name: str) -> ImportJob | None:
    return ImportJob.objects.filter(file_name=f"{name}.ris").order_by("-pk").first()


def _running_with_progress(name: str):
    job = _job(name)
    return job if job and job.status == "running" and job.progress >= 5 else None


def _finished(model, pk: int):
    job = model.objects.filter(pk=pk).first()
    return job if job and job.status in ("done", "failed") else None


def _records(review, name: str) -> tuple[int, int]:
    rows = Record.objects.filter(review=review, source__name=name)
    return rows.count(), rows.values("title").distinct().count()


def import_fault(services, client, review, *, n: int, whole: bool) -> None:
    name = f"import-{'worker' if whole else 'child'}"
    _upload(client, review, name, _ris(n, name))
    started = time.monotonic()
    job = _wait_for(lambda: _running_with_progress(name), 120)
    if job is None:
        print(f"  {name}: never seen running with progress: {_job(name).status}")
        return
    phase = job.phase
    if whole:
        services.kill_worker()
        services.start_worker()
        seen = _wait_for(lambda: _finished(ImportJob, job.pk), 15)
        after = _job(name)
        print(f"  {name}: killed at {after.progress}% ({phase}); 15 s after a new worker: "
              f"{after.status} ({after.phase})")  # fmt: skip
        done_while_partial = seen is not None and seen.status == "done" and _records(
            review, name)[0] != n  # fmt: skip
        # Half an hour on: the sources page fails it with its message; "try again" redoes it.
        ImportJob.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(hours=1))
        client.get(reverse("screening:sources", kwargs={"slug": review.slug}))
        failed = ImportJob.objects.get(pk=job.pk)
        print(f"  {name}: after its stale time: {failed.status}: {failed.message[:90]}")
        client.post(reverse("screening:import-retry", kwargs={"slug": review.slug,
                                                               "job_id": job.pk}))  # fmt: skip
        final = _wait_for(lambda: _finished(ImportJob, _job(name).pk), 300)
    else:
        services.kill_child()
        final = _wait_for(lambda: _finished(ImportJob, job.pk), 300)
        done_while_partial = False
    records, unique = _records(review, name)
    print(f"  {name}: {final.status if final else 'still running'}: "
          f"{(final.message if final else '')[:100]}")  # fmt: skip
    print(bench_line(f"faults_{name.replace('-', '_')}", records=n, stored=records,
                     duplicates=records - unique, status=final.status if final else "running",
                     partial_done=int(done_while_partial),
                     sources=Source.objects.filter(review=review, name=name).count(),
                     seconds=round(time.monotonic() - started, 1)))  # fmt: skip


def _reference_export(review, lead) -> str:
    handle = io.StringIO()
    write_export(handle=handle, review=review, kind="records", fmt="csv", user=lead)
    return hashlib.sha256(handle.getvalue().encode()).hexdigest()


def _export_sha(job: ExportJob) -> str:
    path = Path(settings.MEDIA_ROOT) / job.file_path
    return hashlib.sha256(path.read_bytes()).hexdigest() if job.file_path else ""


def export_fault(services, client, review, lead, *, whole: bool) -> None:
    name = f"export_{'worker' if whole else 'child'}"
    expected = _reference_export(review, lead)
    url = reverse("extraction:exports", kwargs={"slug": review.slug})
    client.post(url, {"export": "records.csv"})
    job = ExportJob.objects.order_by("-pk").first()
    started = time.monotonic()
    running = ExportJob.objects.filter(pk=job.pk, status="running", progress__gte=3)
    seen = _wait_for(running.first, 120, 0.01)
    if seen is None:
        print(f"  {name}: never seen running: {ExportJob.objects.get(pk=job.pk).status}")
        return
    if whole:
        services.kill_worker()
        services.start_worker()
        _wait_for(lambda: _finished(ExportJob, job.pk), 15)
        after = ExportJob.objects.get(pk=job.pk)
        partial_done = int(after.status == "done" and _export_sha(after) != expected)
        print(f"  {name}: killed at {seen.progress}%; 15 s after a new worker: {after.status}")
        ExportJob.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(hours=1))
        client.get(url)
        failed = ExportJob.objects.get(pk=job.pk)
        print(f"  {name}: after its stale time: {failed.status}: {failed.message[:90]}")
        client.post(reverse("extraction:export-retry", kwargs={"slug": review.slug,
                                                                "job_id": job.pk}))  # fmt: skip
    else:
        services.kill_child()
        partial_done = 0
    final = _wait_for(lambda: _finished(ExportJob, job.pk), 300)
    identical = int(final is not None and final.status == "done" and _export_sha(final) == expected)
    print(f"  {name}: {final.status if final else 'still running'}: "
          f"{(final.message if final else '')[:100]}")  # fmt: skip
    print(bench_line(f"faults_{name}", status=final.status if final else "running",
                     identical=identical, partial_done=partial_done,
                     seconds=round(time.monotonic() - started, 1)))  # fmt: skip


def _decide(client, review, record, value="include"):
    url = reverse("screening:screen-ta", kwargs={"slug": review.slug})
    return client.post(url, {"record": record.pk, "value": value}, headers={"HX-Request": "true"})


def _decided(record, user) -> bool:
    return Decision.objects.filter(record=record, reviewer=user).exists()


def redis_down(services, client, reviewer_client, review, reviewer) -> None:
    services.kill_worker()
    services.stop_redis()
    records = list(Record.objects.filter(review=review).order_by("pk")[:10])
    start = time.monotonic()
    shown = [_decide(reviewer_client, review, r).status_code for r in records]
    decide_ms = (time.monotonic() - start) * 1000 / len(records)
    stored = sum(_decided(r, reviewer) for r in records)
    start = time.monotonic()
    upload = _upload(client, review, "redis-down", _ris(50, "redisdown"))
    upload_s = time.monotonic() - start
    job = _job("redis-down")
    page = client.get(reverse("screening:sources", kwargs={"slug": review.slug}))
    start = time.monotonic()
    export = client.post(reverse("extraction:exports", kwargs={"slug": review.slug}),
                         {"export": "records.csv"})  # fmt: skip
    export_s = time.monotonic() - start
    export_job = ExportJob.objects.order_by("-pk").first()
    print(f"  redis down: decisions answered {shown}, {stored}/{len(records)} stored")
    print(f"  redis down: upload answered {upload.status_code} in {upload_s:.1f} s; job "
          f"{job.status if job else None}: {job.message[:100] if job else ''!r}; "
          f"page {page.status_code}")  # fmt: skip
    print(f"  redis down: export answered {export.status_code} in {export_s:.1f} s; job "
          f"{export_job.status}: {export_job.message[:100]!r}")  # fmt: skip
    print(bench_line("faults_redis_down", decisions=len(records), stored=stored,
                     decide_ms=round(decide_ms, 1), upload_status=upload.status_code,
                     upload_s=round(upload_s, 1), import_job=job.status if job else "none",
                     export_status=export.status_code, export_s=round(export_s, 1),
                     export_job=export_job.status))  # fmt: skip
    services.start_redis()
    services.start_worker()
    # Redis back: the same web process queues again, without a restart.
    client.post(reverse("extraction:exports", kwargs={"slug": review.slug}),
                {"export": "records.csv"})  # fmt: skip
    again = ExportJob.objects.order_by("-pk").first()
    final = _wait_for(lambda: _finished(ExportJob, again.pk), 120)
    print(f"  redis back: a new export ends {final.status if final else 'not finished'}")
    print(bench_line("faults_redis_back", export_job=final.status if final else "running"))


def pg_terminate(review, reviewer_client, reviewer, *, seconds: float) -> None:
    dsn = connection.settings_dict
    stop = threading.Event()
    kills = [0]

    def killer() -> None:
        admin = psycopg2.connect(host=dsn["HOST"], port=dsn["PORT"], user=dsn["USER"],
                                 dbname="postgres", password=dsn["PASSWORD"] or None)  # fmt: skip
        admin.autocommit = True
        with admin.cursor() as cursor:
            while not stop.wait(0.5):
                cursor.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()", [dsn["NAME"]])  # fmt: skip
                kills[0] += cursor.fetchone()[0]
        admin.close()

    records = list(Record.objects.filter(review=review, ta_count=0).order_by("pk")[:2000])
    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    answered = ok = errors = ok_without_row = 0
    end = time.monotonic() + seconds
    tried = iter(records)
    for record in tried:
        if time.monotonic() > end:
            break
        response = _decide(reviewer_client, review, record)
        answered += 1
        success = response.status_code == 200
        ok += success
        errors += response.status_code >= 500
        connection.close()  # this process's own check reads through a fresh connection
        try:
            stored = _decided(record, reviewer)
        except Exception:
            connection.close()
            stored = _decided(record, reviewer)
        ok_without_row += success and not stored
    stop.set()
    thread.join()
    after = [next(tried) for _ in range(20)]
    recovered = sum(_decide(reviewer_client, review, r).status_code == 200 for r in after)
    print(f"  pg_terminate: {answered} decisions under {kills[0]} terminated backends: {ok} "
          f"shown saved, {errors} server errors; then {recovered}/20 saved")  # fmt: skip
    print(bench_line("faults_pg_terminate", decisions=answered, terminated=kills[0], ok=ok,
                     server_errors=errors, ok_without_row=ok_without_row,
                     recovered=f"{recovered}/20"))  # fmt: skip


def _ris(n: int, seed: str) -> bytes:
    from faults import ris

    return ris(n, seed)


def _wait_for(predicate, timeout: float, step: float = 0.05):
    from faults import wait_for

    return wait_for(predicate, timeout, step)


def run_all(services, *, n: int, folder: Path, only: str = "") -> None:
    from _faults_retrain import run_retrain

    review, lead, (r1, _r2) = _setup()
    lead_client, r1_client = _client(lead), _client(r1)
    services.start_worker()
    if only == "retrain":  # its own records: one import, undisturbed
        _upload(lead_client, review, "retrain", _ris(n, "retrain"))
        _wait_for(lambda: _finished(ImportJob, _job("retrain").pk), 600)
        print(f"== retrain faults ({Record.objects.filter(review=review).count():,} records)")
        run_retrain(services, review, lead, _wait_for)
        return
    print(f"== worker faults ({n:,} records a file)")
    import_fault(services, lead_client, review, n=n, whole=False)
    import_fault(services, lead_client, review, n=n, whole=True)
    export_fault(services, lead_client, review, lead, whole=False)
    export_fault(services, lead_client, review, lead, whole=True)
    print("== retrain faults")
    run_retrain(services, review, lead, _wait_for)
    print("== Redis down")
    redis_down(services, lead_client, r1_client, review, r1)
    print("== PostgreSQL backends terminated during screening")
    pg_terminate(review, r1_client, r1, seconds=10)
