import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from extraction.models import ExportJob
from extraction.services.exports import run_export
from extraction.tasks import run_export_job
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    RecordFactory,
    ReviewFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lead_starts_an_export_watches_its_progress_and_downloads_the_csv(
    page, live_server, login, monkeypatch
):
    review = ReviewFactory(slug="export-demo", title="Export demo")
    MembershipFactory(review=review, user=UserFactory(username="lead"), role="lead")
    source = SourceFactory(review=review, name="ERIC")
    RecordFactory(source=source, title="Youth voice")
    RecordFactory(source=source, title="@SUM(A1:A9)")
    # The worker is this test: the job waits queued until the test moves it on.
    monkeypatch.setattr(run_export_job, "delay", lambda job_id: None)
    login("lead", PASSWORD)
    page.goto(f"{live_server.url}/reviews/export-demo/")
    page.get_by_role("link", name="Exports").click()
    page.get_by_role("combobox", name="Export").select_option(
        label="Records with decision trail (CSV)"
    )
    page.get_by_label("Byte-order mark for Excel (CSV)").check()
    page.get_by_role("button", name="Start export").click()
    row = page.get_by_test_id("export-job")
    expect(row).to_have_attribute("data-status", "queued")
    job = ExportJob.objects.get()
    ExportJob.objects.filter(pk=job.pk).update(status="running", progress=40)
    expect(page.get_by_test_id("export-progress")).to_have_text("40%")  # the page polls
    ExportJob.objects.filter(pk=job.pk).update(status="queued")
    run_export(job.pk)
    expect(row).to_have_attribute("data-status", "done")
    expect(page.get_by_test_id("export-message")).to_have_text("2 rows")
    with page.expect_download() as info:
        page.get_by_test_id("export-download").click()
    download = info.value
    assert download.suggested_filename.startswith("export-demo-records-")
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["title"] for r in rows] == ["Youth voice", "'@SUM(A1:A9)"]


def test_a_lost_export_shows_failed_and_try_again_builds_it(page, live_server, login, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    review = ReviewFactory(slug="lost-export", title="Lost export")
    lead = MembershipFactory(review=review, user=UserFactory(username="lead"), role="lead").user
    RecordFactory(source=SourceFactory(review=review, name="ERIC"), title="Youth voice")
    # Its worker was killed an hour ago: the job still says running.
    job = ExportJob.objects.create(
        review=review,
        kind="records",
        format="csv",
        status="running",
        progress=70,
        requested_by=lead,
        started_at=timezone.now() - timedelta(hours=1),
    )
    queued = []
    monkeypatch.setattr(run_export_job, "delay", queued.append)
    login("lead", PASSWORD)
    page.goto(f"{live_server.url}/reviews/lost-export/exports/")
    row = page.get_by_test_id("export-job")
    expect(row).to_have_attribute("data-status", "failed")
    expect(page.get_by_test_id("export-message")).to_contain_text("The worker stopped")
    expect(page.get_by_test_id("export-download")).to_have_count(0)
    page.get_by_test_id("export-retry").click()
    expect(row).to_have_attribute("data-status", "queued")
    assert queued == [job.pk]
    run_export(job.pk)
    expect(row).to_have_attribute("data-status", "done")
    expect(page.get_by_test_id("export-message")).to_have_text("1 row")
    expect(page.get_by_test_id("export-download")).to_be_visible()
