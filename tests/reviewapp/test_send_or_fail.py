"""A job whose task cannot reach the broker ends failed with a message, never "queued" for good
(bench/faults.py shows it with Redis really stopped: the upload and export pages answer)."""

import pytest

from extraction.models import ExportJob
from reviewapp.jobs import send_or_fail
from screening.models import ImportJob

pytestmark = pytest.mark.django_db


def _broker_down():
    raise ConnectionRefusedError(111, "Connection refused")


def test_an_export_that_cannot_be_queued_fails_with_the_reason(review, lead):
    job = ExportJob.objects.create(review=review, kind="records", format="csv", requested_by=lead)
    send_or_fail(_broker_down, job, what="export")
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.message.startswith("The job queue (Redis) cannot be reached, so this export")
    assert job.finished_at is not None


def test_an_import_that_cannot_be_queued_fails_with_the_reason(review, lead):
    job = ImportJob.objects.create(review=review, file_name="a.ris", created_by=lead)
    send_or_fail(_broker_down, job, what="import")
    job.refresh_from_db()
    assert (job.status, job.phase) == ("failed", "Failed")
    assert "so this import could not start" in job.message


def test_a_job_a_worker_already_took_is_left_alone(review, lead):
    job = ExportJob.objects.create(
        review=review, kind="records", format="csv", requested_by=lead, status="running"
    )
    send_or_fail(_broker_down, job, what="export")
    job.refresh_from_db()
    assert (job.status, job.message) == ("running", "")


def test_a_job_sent_is_left_queued(review, lead):
    job = ExportJob.objects.create(review=review, kind="records", format="csv", requested_by=lead)
    send_or_fail(lambda: None, job, what="export")
    job.refresh_from_db()
    assert job.status == "queued"
