"""Export jobs through HTTP and the service: queue, run, fail, redeliver, download."""

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from extraction.exports import kinds
from extraction.exports.kinds import ExportFormat
from extraction.models import ExportJob
from extraction.services import exports as service
from extraction.services.exports import export_folder, run_export


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Queued tasks run when the request's or the service's transaction commits, as in life."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def start_export(on_commit):
    def start(**kwargs):
        with on_commit():
            return service.start_export(**kwargs)

    return start


def exports_url(review) -> str:
    return reverse("extraction:exports", kwargs={"slug": review.slug})


def download_url(job) -> str:
    return reverse("extraction:export-download", kwargs={"slug": job.review.slug, "job_id": job.pk})


def test_starting_an_export_builds_the_file_and_offers_it_as_an_attachment(
    client, review, known, lead, on_commit
):
    client.force_login(lead)
    with on_commit():
        response = client.post(exports_url(review), {"export": "records.csv", "bom": "on"})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert (job.kind, job.format, job.options) == (
        "records",
        "csv",
        {"bom": True, "per_reviewer": False},
    ) or (
        job.kind,
        job.format,
        job.options,
    ) == ("records", "csv", {"bom": True})
    assert (job.status, job.progress, job.message) == ("done", 100, "3 rows")
    download = client.get(download_url(job))
    assert download.status_code == 200
    assert download["Content-Disposition"] == (
        f'attachment; filename="{review.slug}-records-{job.created_at:%Y%m%d-%H%M}.csv"'
    )
    body = b"".join(download.streaming_content)
    assert job.size == len(body)
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert [r["title_abstract:rev2:note"] for r in rows] == ["clear yes", "not CSE", ""]


def test_the_page_lists_jobs_and_polls_only_while_one_runs(client, review, lead):
    client.force_login(lead)
    done = ExportJob.objects.create(
        review=review, kind="records", format="csv", status="done", requested_by=lead
    )
    running = ExportJob.objects.create(
        review=review, kind="sources", format="xlsx", status="running", progress=40
    )
    page = client.get(exports_url(review)).content.decode()
    poll = reverse("extraction:export-job", kwargs={"slug": review.slug, "job_id": running.pk})
    assert f'hx-get="{poll}"' in page
    assert "40%" in page
    assert download_url(done) in page and download_url(running) not in page
    kinds = re.findall(r'data-testid="job-kind">([^<]+)<', page)
    assert kinds == ["Search log (PRISMA-S)", "Records with decision trail"]  # names, not keys
    row = client.get(poll, headers={"HX-Request": "true"}).content.decode()
    assert row.lstrip().startswith(f'<tr id="export-{running.pk}"')
    assert 'nav-link" href="/reviews/participation/exports/">Exports' in page


def test_a_job_that_fails_midway_ends_failed_with_its_message_and_no_file(
    client, review, known, lead, monkeypatch, start_export
):
    def half_then_fail(handle, ctx):
        handle.write("record_id\n1\n")
        raise RuntimeError("disk full")

    monkeypatch.setitem(kinds.KINDS["records"], "csv", ExportFormat(half_then_fail))
    job = start_export(review=review, kind="records", fmt="csv", by=lead)  # eager: runs now
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.message == "The export failed (RuntimeError: disk full); no file was kept."
    assert (job.file_path, job.size) == ("", 0)
    assert list(export_folder(review).iterdir()) == []  # nor a temporary file
    client.force_login(lead)
    assert client.get(download_url(job)).status_code == 404
    assert download_url(job) not in client.get(exports_url(review)).content.decode()


def test_a_redelivered_task_for_a_done_job_changes_nothing(review, known, lead, start_export):
    job = start_export(review=review, kind="records", fmt="csv", by=lead)
    job.refresh_from_db()
    path = Path(settings.MEDIA_ROOT) / job.file_path
    before = (job.finished_at, path.stat().st_mtime_ns)
    run_export(job.pk)
    job.refresh_from_db()
    assert (job.finished_at, path.stat().st_mtime_ns) == before
    assert job.status == "done"


def test_a_job_running_elsewhere_is_left_alone_and_a_stale_one_is_redone(review, known, lead):
    fresh = ExportJob.objects.create(
        review=review, kind="records", format="csv", status="running", started_at=timezone.now()
    )
    stale = ExportJob.objects.create(
        review=review,
        kind="records",
        format="csv",
        status="running",
        requested_by=lead,
        started_at=timezone.now() - ExportJob.STALE_AFTER - timedelta(minutes=1),
    )
    run_export(fresh.pk)
    run_export(stale.pk)
    fresh.refresh_from_db()
    stale.refresh_from_db()
    assert (fresh.status, fresh.file_path) == ("running", "")
    assert (stale.status, stale.message) == ("done", "3 rows")


def test_the_final_file_appears_only_when_whole(review, known, lead, monkeypatch, start_export):
    seen = []
    real = kinds.KINDS["records"]["csv"].write

    def watching(handle, ctx):
        rows = real(handle, ctx)
        seen.append(sorted(p.name for p in export_folder(review).iterdir()))
        return rows

    monkeypatch.setitem(kinds.KINDS["records"], "csv", ExportFormat(watching))
    job = start_export(review=review, kind="records", fmt="csv", by=lead)
    job.refresh_from_db()
    (names,) = seen
    assert len(names) == 1 and names[0].endswith(".partial")  # still the temporary name
    assert sorted(p.name for p in export_folder(review).iterdir()) == [f"{job.pk}-records.csv"]


def test_a_blind_reviewer_sees_and_downloads_only_their_own_jobs(
    client, review, known, lead, reviewer, start_export
):
    leads = start_export(review=review, kind="records", fmt="csv", by=lead)
    mine = start_export(review=review, kind="records", fmt="csv", by=reviewer)
    client.force_login(reviewer)
    page = client.get(exports_url(review)).content.decode()
    assert download_url(mine) in page and download_url(leads) not in page
    assert client.get(download_url(leads)).status_code == 404
    assert client.get(download_url(mine)).status_code == 200


def test_an_outsider_gets_404_for_the_download(client, review, known, lead, outsider, start_export):
    job = start_export(review=review, kind="records", fmt="csv", by=lead)
    client.force_login(outsider)
    assert client.get(download_url(job)).status_code == 404


def test_an_unknown_export_is_refused_with_the_form(client, review, lead):
    client.force_login(lead)
    response = client.post(exports_url(review), {"export": "records.pdf"})
    assert response.status_code == 400
    assert not ExportJob.objects.exists()


def test_a_job_whose_requester_left_the_review_fails_saying_so(review, known, lead, viewer):
    from reviewapp.models import Membership

    job = ExportJob.objects.create(review=review, kind="records", format="csv", requested_by=viewer)
    Membership.objects.filter(user=viewer).delete()
    run_export(job.pk)
    job.refresh_from_db()
    assert job.status == "failed"
    assert "no longer in the review" in job.message


@pytest.mark.parametrize(("export", "fmt"), [("records.xlsx", "xlsx"), ("sources.csv", "csv")])
def test_every_offered_format_builds(client, review, known, lead, export, fmt, on_commit):
    client.force_login(lead)
    with on_commit():
        client.post(exports_url(review), {"export": export})
    job = ExportJob.objects.get()
    assert job.status == "done", job.message
    assert Path(settings.MEDIA_ROOT, job.file_path).suffix == f".{fmt}"


def retry_url(job) -> str:
    return reverse("extraction:export-retry", kwargs={"slug": job.review.slug, "job_id": job.pk})


def lost_job(review, lead, *, minutes_ago: int) -> ExportJob:
    """A job whose worker was killed mid-run: still 'running', a partial file left on disk."""
    job = ExportJob.objects.create(
        review=review,
        kind="records",
        format="csv",
        status="running",
        progress=60,
        requested_by=lead,
        started_at=timezone.now() - timedelta(minutes=minutes_ago),
    )
    (export_folder(review) / f".{job.pk}-records.csv.dead.partial").write_text("record_id\n1\n")
    return job


def test_a_stale_running_job_is_swept_to_failed_and_its_retry_builds_one_file(
    client, review, known, lead, on_commit
):
    job = lost_job(review, lead, minutes_ago=int(ExportJob.STALE_AFTER.total_seconds()) // 60 + 5)
    client.force_login(lead)
    page = client.get(exports_url(review)).content.decode()
    job.refresh_from_db()
    assert (job.status, job.message) == ("failed", service.LOST_MESSAGE)
    assert job.finished_at is not None
    assert service.LOST_MESSAGE in page and retry_url(job) in page
    assert download_url(job) not in page
    assert list(export_folder(review).iterdir()) == []  # the killed run's partial is gone

    with on_commit():
        response = client.post(retry_url(job))
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.message, job.progress) == ("done", "3 rows", 100)
    assert [p.name for p in export_folder(review).iterdir()] == [f"{job.pk}-records.csv"]
    assert ExportJob.objects.count() == 1  # the same job, not a second one
    assert client.get(download_url(job)).status_code == 200


def test_a_job_within_its_stale_time_is_not_swept_and_cannot_be_retried(
    client, review, known, lead
):
    job = lost_job(review, lead, minutes_ago=1)
    client.force_login(lead)
    client.get(exports_url(review))
    response = client.post(retry_url(job), follow=True)
    job.refresh_from_db()
    assert (job.status, job.progress) == ("running", 60)
    assert "Only a failed export can be tried again." in response.content.decode()


def test_a_failed_job_tried_again_rewrites_the_same_file_name(
    client, review, known, lead, monkeypatch, start_export, on_commit
):
    real = kinds.KINDS["records"]["csv"]

    def fail(handle, ctx):
        handle.write("record_id\n")
        raise OSError("No space left on device")

    monkeypatch.setitem(kinds.KINDS["records"], "csv", ExportFormat(fail))
    job = start_export(review=review, kind="records", fmt="csv", by=lead)
    job.refresh_from_db()
    assert job.message == "The export failed (OSError: No space left on device); no file was kept."
    monkeypatch.setitem(kinds.KINDS["records"], "csv", real)
    client.force_login(lead)
    for _ in range(2):  # the second click finds the job done and is refused
        with on_commit():
            client.post(retry_url(job))
    job.refresh_from_db()
    assert (job.status, job.message) == ("done", "3 rows")
    assert [p.name for p in export_folder(review).iterdir()] == [f"{job.pk}-records.csv"]


def test_the_retry_after_a_killed_pool_child_takes_the_job_over_at_once(review, known, lead):
    job = lost_job(review, lead, minutes_ago=1)  # the worker saw its child die just now
    run_export(job.pk)  # an ordinary redelivery: the job looks busy, so it is left alone
    job.refresh_from_db()
    assert job.status == "running"
    run_export(job.pk, after_lost_worker=True)
    job.refresh_from_db()
    assert (job.status, job.message) == ("done", "3 rows")
    assert [p.name for p in export_folder(review).iterdir()] == [f"{job.pk}-records.csv"]


def test_a_run_that_lost_its_claim_does_not_end_the_job(review, known, lead, monkeypatch):
    job = ExportJob.objects.create(review=review, kind="records", format="csv", requested_by=lead)
    real = kinds.KINDS["records"]["csv"].write

    def swept_meanwhile(handle, ctx):
        rows = real(handle, ctx)
        # The sweep failed this run as lost and a retry took the job over while it wrote.
        ExportJob.objects.filter(pk=job.pk).update(started_at=timezone.now() + timedelta(1))
        return rows

    monkeypatch.setitem(kinds.KINDS["records"], "csv", ExportFormat(swept_meanwhile))
    run_export(job.pk)
    job.refresh_from_db()
    assert (job.status, job.file_path) == ("running", "")  # the newer run will end it


def test_the_export_task_retries_a_lost_worker_and_acknowledges_late():
    from extraction.tasks import run_export_job

    assert run_export_job.acks_late and run_export_job.reject_on_worker_lost
    assert run_export_job.retry_on_worker_lost and run_export_job.max_retries == 2


def test_a_per_reviewer_extraction_table_is_asked_for_on_the_page(
    client, review, charted, lead, on_commit
):
    client.force_login(lead)
    with on_commit():
        client.post(exports_url(review), {"export": "extraction.csv", "per_reviewer": "on"})
    job = ExportJob.objects.get()
    assert (job.kind, job.options["per_reviewer"], job.status) == ("extraction", True, "done")
    assert job.message == "4 rows"  # two reviewers' charts of one study, two studies without
    assert "(per reviewer)" in client.get(exports_url(review)).content.decode()
    body = b"".join(client.get(download_url(job)).streaming_content).decode()
    assert [r["charted_by"] for r in csv.DictReader(io.StringIO(body))] == ["rev1", "rev2", "", ""]


@pytest.mark.parametrize("blind", [False, True])
def test_a_per_reviewer_extraction_table_is_seen_and_downloaded_only_by_its_requester(
    client, review, lead, reviewer, second_reviewer, viewer, start_export, blind
):
    from extraction.models import Chart
    from tests.extraction.charting_setup import build_form, included_study
    from tests.factories import ChartFactory, ChartValueFactory

    review.blind_mode = blind
    review.save()
    form = build_form(review)
    form.charters_per_study = 2
    form.save()
    study = included_study(review)
    draft = ChartFactory(study=study, form=form, charted_by=reviewer, status=Chart.Status.DRAFT)
    ChartValueFactory(chart=draft, field=form.sections.get(key="general").fields.get(key="design"),
                      value="rev1's secret draft")  # fmt: skip
    options = {"per_reviewer": True}
    mine = start_export(review=review, kind="extraction", fmt="csv", by=reviewer, options=options)
    plain = start_export(review=review, kind="extraction", fmt="csv", by=reviewer)
    client.force_login(reviewer)
    body = b"".join(client.get(download_url(mine)).streaming_content).decode()
    assert [r["design"] for r in csv.DictReader(io.StringIO(body))] == ["rev1's secret draft"]
    for other in (second_reviewer, lead, viewer):
        client.force_login(other)
        page = client.get(exports_url(review)).content.decode()
        assert download_url(mine) not in page
        assert client.get(download_url(mine)).status_code == 404
        job_url = reverse("extraction:export-job", kwargs={"slug": review.slug, "job_id": mine.pk})
        assert client.get(job_url).status_code == 404
        # The consensus table holds no draft: still shared where blind mode allows it.
        shared = blind is False or other != second_reviewer
        assert (download_url(plain) in page) is shared
