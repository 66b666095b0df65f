"""A job whose worker died (a pool child killed mid-run) ends failed and can be tried again."""

from datetime import timedelta
from pathlib import Path

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from reviewapp.jobs import fail_stale_jobs
from screening.models import ImportJob, Source
from screening.services.imports import SourceFields, import_records
from screening.services.jobs import LOST_MESSAGE

DATA = Path(__file__).resolve().parent.parent / "data"


def running_job(review, lead, *, minutes_ago: int, name: str = "overlap.ris") -> ImportJob:
    job = ImportJob(
        review=review,
        file_name=name,
        source_fields=SourceFields(name="Scopus").as_json(),
        status="running",
        phase="Finding duplicates",
        progress=85,
        started_at=timezone.now() - timedelta(minutes=minutes_ago),
        created_by=lead,
    )
    job.upload.save(name, ContentFile((DATA / name).read_bytes()), save=True)
    return job


def test_the_sweep_fails_only_jobs_running_past_their_stale_time(lead, review):
    lost = running_job(review, lead, minutes_ago=120)
    busy = running_job(review, lead, minutes_ago=1)
    done = running_job(review, lead, minutes_ago=120)
    ImportJob.objects.filter(pk=done.pk).update(status="done", message="3 records imported")

    assert fail_stale_jobs(ImportJob.objects.filter(review=review), message="lost") == 1

    rows = {j.pk: (j.status, j.message) for j in ImportJob.objects.all()}
    assert rows[lost.pk] == ("failed", "lost")
    assert rows[busy.pk] == ("running", "")
    assert rows[done.pk] == ("done", "3 records imported")


def test_a_stuck_import_shows_failed_and_its_retry_finishes_it_without_importing_twice(
    client_for, lead, review, django_capture_on_commit_callbacks
):
    job = running_job(review, lead, minutes_ago=120)
    # What the killed worker committed before "Finding duplicates": the source and its records.
    import_records(
        review=review,
        data=(DATA / "overlap.ris").read_bytes(),
        file_name="overlap.ris",
        source_fields=SourceFields(name="Scopus"),
        by=lead,
        dedup=False,
        on_stored=lambda source: ImportJob.objects.filter(pk=job.pk).update(source=source),
    )
    client = client_for(lead)
    page = client.get(reverse("screening:sources", kwargs={"slug": review.slug})).content.decode()
    job.refresh_from_db()
    assert (job.status, job.message) == ("failed", LOST_MESSAGE)
    assert LOST_MESSAGE in page and 'data-testid="job-retry"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("screening:import-retry", kwargs={"slug": review.slug, "job_id": job.pk})
        )
    assert response.status_code == 302
    again = ImportJob.objects.get(retry_of=job)
    assert again.status == "done", again.message
    assert "finished after a worker stopped" in again.message
    assert Source.objects.filter(file_name="overlap.ris").count() == 1  # not imported twice


def test_a_job_still_within_its_stale_time_cannot_be_retried(client_for, lead, review):
    job = running_job(review, lead, minutes_ago=1)
    client_for(lead).post(
        reverse("screening:import-retry", kwargs={"slug": review.slug, "job_id": job.pk})
    )
    job.refresh_from_db()
    assert job.status == "running" and not ImportJob.objects.filter(retry_of=job).exists()


def test_the_retry_celery_sends_after_a_lost_worker_takes_over_the_running_job(lead, review):
    from screening.services.jobs import run_import
    from screening.tasks import run_import_job

    # The task is sent again (not acknowledged and dropped) when its pool child dies, twice at most.
    assert (run_import_job.acks_late, run_import_job.retry_on_worker_lost) == (True, True)
    assert run_import_job.max_retries == 2
    job = running_job(review, lead, minutes_ago=1)  # the child died a minute into the run
    run_import(job.pk, after_lost_worker=True)
    job.refresh_from_db()
    assert job.status == "done", job.message
    assert Source.objects.get(file_name="overlap.ris").record_count > 0
