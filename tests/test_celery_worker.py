"""Tasks travel through the real broker to a real worker (CI starts both).

CI points the worker at pytest-django's test database, so a task sees the rows a
transactional test committed.
"""

import os
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from reviewapp.tasks import worker_health
from screening.models import ImportJob, Record
from screening.tasks import run_import_job

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def broker():
    if not settings.CELERY_BROKER_URL:
        if os.environ.get("REQUIRE_WORKER"):
            pytest.fail("REQUIRE_WORKER is set but CELERY_BROKER_URL is empty")
        pytest.skip("no CELERY_BROKER_URL: tasks run eagerly (set it and run `make worker`)")
    return settings.CELERY_BROKER_URL


@pytest.mark.worker
def test_task_round_trip_through_redis_and_a_worker(broker):
    token = uuid.uuid4().hex
    result = worker_health.delay(token)
    reply = result.get(timeout=30)
    assert reply["token"] == token
    assert reply["hostname"]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_import_job_runs_in_the_worker(broker):
    from tests.factories import ReviewFactory

    review = ReviewFactory()
    job = ImportJob(review=review, file_name="small.ris", source_fields={"name": "PsycINFO"})
    job.upload.save(
        f"worker-{uuid.uuid4().hex}.ris", ContentFile((DATA / "small.ris").read_bytes())
    )
    run_import_job.delay(job.pk).get(timeout=60)
    job.refresh_from_db()
    assert job.status == "done", job.message
    assert Record.objects.filter(review=review).count() == 3
    job.upload.delete(save=False)


def test_without_a_broker_tasks_run_eagerly_in_process():
    # The autouse fixture makes tasks eager, as settings do when CELERY_BROKER_URL is unset.
    assert worker_health.delay("x").get()["token"] == "x"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_ranking_retrains_in_the_worker(broker):
    import time

    from screening.models import RankingRun
    from screening.services import prioritise
    from screening.services.decisions import record_decision
    from tests.factories import MembershipFactory, RecordFactory, ReviewFactory, SourceFactory

    review = ReviewFactory(ta_reviewers_per_record=1)
    reviewer = MembershipFactory(review=review, role="reviewer").user
    source = SourceFactory(review=review)
    topics = ["youth participation in exploitation services", "maize drought crop yields"]
    records = [
        RecordFactory(source=source, title=f"{topics[i % 2]} {i}", abstract=topics[i % 2])
        for i in range(12)
    ]
    for record, value in zip(records[:4], ["include", "exclude"] * 2, strict=True):
        record_decision(
            review=review,
            record_id=record.pk,
            stage="title_abstract",
            reviewer=reviewer,
            value=value,
        )

    run = prioritise.queue_retrain(review, trigger=RankingRun.Trigger.LEAD)  # queued on commit

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.state not in RankingRun.PENDING:
            break
        time.sleep(0.2)
    assert run.state == RankingRun.State.READY, (run.state, run.error)
    best = max(records[4:], key=lambda r: Record.objects.get(pk=r.pk).rank)
    assert best.title.startswith("youth")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_lowering_reviewers_per_record_is_settled_by_the_worker(broker):
    import time

    from reviewapp.forms import ReviewSettingsForm
    from reviewapp.models import Review
    from reviewapp.services import save_review_settings
    from screening.services.decisions import record_decision
    from tests.factories import MembershipFactory, RecordFactory, ReviewFactory, SourceFactory
    from tests.forms import review_settings

    review = ReviewFactory(ta_reviewers_per_record=2)
    reviewer = MembershipFactory(review=review, role="reviewer").user
    half = RecordFactory(source=SourceFactory(review=review))
    record_decision(
        review=review, record_id=half.pk, stage="title_abstract", reviewer=reviewer, value="exclude"
    )
    data = review_settings(review, ta_reviewers_per_record=1)
    form = ReviewSettingsForm(data, instance=Review.objects.get(pk=review.pk))
    assert form.is_valid(), form.errors
    save_review_settings(form)  # the worker settles once this commits

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        half.refresh_from_db()
        if half.ta_status:
            break
        time.sleep(0.2)
    assert half.ta_status == "exclude"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_export_job_runs_in_the_worker(broker):
    import csv
    import io
    import time

    from extraction.models import ExportJob
    from extraction.services.exports import export_file, start_export
    from tests.factories import MembershipFactory, RecordFactory, ReviewFactory, SourceFactory

    review = ReviewFactory()
    lead = MembershipFactory(review=review, role="lead").user
    source = SourceFactory(review=review, name="ERIC")
    RecordFactory(source=source, title="=cmd|' /C calc'!A0")
    RecordFactory(source=source, title="Second")
    job = start_export(review=review, kind="records", fmt="csv", by=lead)  # queued on commit

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_active:
            break
        time.sleep(0.2)
    assert job.status == ExportJob.Status.DONE, job.message
    path = export_file(job)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert [r["title"] for r in rows] == ["'=cmd|' /C calc'!A0", "Second"]
    assert job.size == path.stat().st_size
    path.unlink()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_export_whose_pool_child_is_killed_is_run_again_and_offers_one_whole_file(broker):
    """What the OOM killer does: the pool child building the file dies. The worker's main
    process sends the task again (retry_on_worker_lost), the retry takes the job over, and the
    job ends done with one whole file; the dead run's temporary file is gone."""
    import signal
    import time

    import openpyxl

    from extraction.services.exports import export_file, export_folder, start_export
    from reviewapp.celery import app
    from tests.factories import MembershipFactory, ReviewFactory, SourceFactory

    review = ReviewFactory()
    lead = MembershipFactory(review=review, role="lead").user
    source = SourceFactory(review=review, name="ERIC")
    abstract = "Young people took part in planning the service and said so. " * 30
    Record.objects.bulk_create(
        Record(
            review=review,
            source=source,
            source_position=n,
            number=n,
            title=f"Record {n}",
            abstract=abstract,
            authors=["Smith, J."],
        )
        for n in range(1, 4001)
    )
    job = start_export(review=review, kind="records", fmt="xlsx", by=lead)  # a few seconds' work

    killed, deadline = None, time.monotonic() + 60
    while killed is None and time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_active:
            break
        for tasks in (app.control.inspect(timeout=1).active() or {}).values():
            for task in tasks:
                if task["name"] == "extraction.tasks.run_export_job" and str(job.pk) in str(
                    task["args"]
                ):
                    killed = task["worker_pid"]
                    os.kill(killed, signal.SIGKILL)
    assert killed, f"the export ended ({job.status}) before its pool child could be killed"

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_active:
            break
        time.sleep(0.5)
    assert (job.status, job.message) == ("done", "4,000 rows")
    path = export_file(job)
    assert sorted(p.name for p in export_folder(review).iterdir()) == [path.name]
    sheet = openpyxl.load_workbook(path, read_only=True)["Records"]
    assert sum(1 for _ in sheet.iter_rows()) == 4001  # whole: the header and every record
    path.unlink()
