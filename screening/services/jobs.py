"""Import jobs: an upload is saved, queued on commit, and run by a Celery worker."""

from __future__ import annotations

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from reviewapp.jobs import fail_stale_jobs, send_or_fail
from reviewapp.models import Review

from ..models import ImportJob
from .imports import (
    ImportOutcome,
    ImportRejected,
    SourceFields,
    after_storing,
    check_not_imported,
    file_sha256,
    import_records,
)

logger = logging.getLogger(__name__)


def queue_import(
    *,
    review: Review,
    upload: UploadedFile,
    source_fields: SourceFields,
    by: AbstractBaseUser | None,
    fmt: str = "auto",
    force: bool = False,
) -> ImportJob:
    """Store the uploaded file and queue its import once this transaction commits."""
    from ..tasks import run_import_job

    job = ImportJob.objects.create(
        review=review,
        upload=upload,
        file_name=upload.name[:255],
        file_format=fmt,
        source_fields=source_fields.as_json(),
        force=force,
        created_by=by,
        phase="Waiting for a worker",
    )
    transaction.on_commit(
        lambda: send_or_fail(lambda: run_import_job.delay(job.pk), job, what="import")
    )
    return job


def refuse_upload(
    *,
    review: Review,
    file_name: str,
    problem: str,
    source_fields: SourceFields,
    by: AbstractBaseUser | None,
) -> ImportJob:
    """Note a file refused on sight (not a search export): a refused job, with nothing stored
    and nothing queued, listed with its reason among the refused files."""
    now = timezone.now()
    return ImportJob.objects.create(
        review=review,
        file_name=file_name[:255],
        source_fields=source_fields.as_json(),
        created_by=by,
        status=ImportJob.Status.FAILED,
        phase=ImportJob.REFUSED,
        progress=100,
        message=problem,
        started_at=now,
        finished_at=now,
    )


def delete_refused_import(*, job: ImportJob) -> None:
    """Take a refused attempt off the list, with its stored file unless a retry shares it. A
    job whose records were stored (a lost run) is not a refusal and stays."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportJob.Status.FAILED or job.source_id is not None:
        raise ImportRejected(f"{job.file_name}: only a refused file can be deleted.")
    name = job.upload.name
    job.delete()
    if name and not ImportJob.objects.filter(upload=name).exists():
        storage = job.upload.storage
        transaction.on_commit(lambda: storage.delete(name))


def retry_import(*, job: ImportJob, by: AbstractBaseUser | None) -> ImportJob:
    """Queue a failed import again from its stored file and search details, importing it even
    if the same file was imported before (the usual reason to retry): nothing is retyped."""
    fail_lost_imports(review=job.review)  # a job stuck "running" becomes failed, then retried
    job = ImportJob.objects.select_for_update().get(pk=job.pk)  # a double click waits here
    if job.status != ImportJob.Status.FAILED:
        raise ImportRejected(f"{job.file_name}: only a failed import can be tried again.")
    if job.phase == ImportJob.REFUSED:
        raise ImportRejected(
            f"{job.file_name}: importing the same file again would be refused again; "
            "fix the file (or export it again) and upload it."
        )
    if job.retried_as_id:
        raise ImportRejected(f"{job.file_name}: already imported again (see the newer row).")
    from ..tasks import run_import_job

    stored, job.source = job.source, None  # a lost run's records are in: the retry resumes
    job.save(update_fields=["source"])
    again = ImportJob.objects.create(
        source=stored,
        review=job.review,
        upload=job.upload.name,  # the same stored file
        file_name=job.file_name,
        file_format=job.file_format,
        source_fields=job.source_fields,
        force=True,
        created_by=by,
        phase="Waiting for a worker",
    )
    job.retried_as = again
    job.save(update_fields=["retried_as"])
    transaction.on_commit(
        lambda: send_or_fail(lambda: run_import_job.delay(again.pk), again, what="import")
    )
    return again


LOST_MESSAGE = (
    "The worker stopped while importing this file (it may have run out of memory). "
    "Try again: records already stored are kept and not imported twice."
)


def fail_lost_imports(*, review: Review) -> int:
    """Fail the review's imports still running past their stale time, so they can be retried."""
    return fail_stale_jobs(ImportJob.objects.filter(review=review), message=LOST_MESSAGE)


def _report(job_id: int):
    def progress(phase: str, percent: int) -> None:
        # Runs outside the import's transaction, so the sources page sees it at once.
        ImportJob.objects.filter(pk=job_id).update(phase=phase, progress=percent)

    return progress


def run_import(job_id: int, *, after_lost_worker: bool = False) -> None:
    """Run one queued import; the job row ends done or failed with a message for the page.
    After a lost worker the job is taken over even though it still shows running."""
    job = ImportJob.objects.select_related("review", "created_by").get(pk=job_id)
    if not _claim(job, takeover=after_lost_worker):
        return
    job.refresh_from_db(fields=["source"])
    if job.source_id is not None:
        _resume(job)  # a previous run stored the file, then its worker died
    else:
        _import(job)


def _claim(job: ImportJob, *, takeover: bool = False) -> bool:
    """Take the job if it is queued, or running so long that its worker died (the broker hands
    the task out again). A redelivery while it really runs finds it taken and does nothing, so
    a file is never imported twice at once."""
    stale = timezone.now() if takeover else timezone.now() - ImportJob.STALE_AFTER
    claimable = Q(status=ImportJob.Status.QUEUED) | Q(
        status=ImportJob.Status.RUNNING, started_at__lt=stale
    )
    return bool(
        ImportJob.objects.filter(claimable, pk=job.pk).update(
            status=ImportJob.Status.RUNNING, phase="Starting", started_at=timezone.now()
        )
    )


def _import(job: ImportJob) -> None:
    checked = False  # past the one refusal "Import it anyway" gets past (imported before)
    try:
        with job.upload.open("rb") as handle:
            data = handle.read()
        if not job.force:
            check_not_imported(review=job.review, sha256=file_sha256(data), file_name=job.file_name)
        checked = True
        outcome = import_records(
            review=job.review,
            data=data,
            file_name=job.file_name,
            source_fields=SourceFields.from_json(job.source_fields),
            by=job.created_by,
            fmt=job.file_format,
            force=True,  # checked just above (not twice: a race would read as refused)
            progress=_report(job.pk),
            # Noted in the records' own commit: a re-run knows the file is in.
            on_stored=lambda source: ImportJob.objects.filter(pk=job.pk).update(source=source),
        )
    except ImportRejected as error:
        phase = ImportJob.REFUSED if checked else ""
        _finish(job.pk, ImportJob.Status.FAILED, str(error), phase=phase)
        return
    except Exception:
        logger.exception("import job %s failed", job.pk)
        # Logged, not re-raised: the job row carries the outcome to the page either way.
        _finish(
            job.pk,
            ImportJob.Status.FAILED,
            f"{job.file_name}: the import failed unexpectedly; nothing was imported. "
            "The error is in the server log.",
        )
        return
    _finish(job.pk, ImportJob.Status.DONE, _imported(outcome))


def _resume(job: ImportJob) -> None:
    """Finish dedup and ranking for the source a lost run stored (they are safe to repeat)."""
    source = job.source
    try:
        outcome = after_storing(review=job.review, source=source, progress=_report(job.pk))
    except Exception:
        logger.exception("import job %s: finishing after a lost worker failed", job.pk)
        _finish(
            job.pk,
            ImportJob.Status.FAILED,
            f"{job.file_name}: its {source.record_count:,} records are in, but finding their "
            "duplicates failed; run 'Check the whole review again' on the duplicates page.",
        )
        return
    _finish(job.pk, ImportJob.Status.DONE, _imported(outcome, "finished after a worker stopped"))


def _imported(outcome: ImportOutcome, how: str = "") -> str:
    notes = "".join(f" Note: {note}." for note in outcome.notes)
    return (
        f"{outcome.source.record_count:,} records imported{f' ({how})' if how else ''}; "
        f"{outcome.duplicates_hidden:,} hidden as duplicates, {outcome.duplicates_pending:,} "
        f"possible duplicate pairs to check.{notes}"
    )


def _finish(job_id: int, status: str, message: str, *, phase: str = "") -> None:
    ImportJob.objects.filter(pk=job_id).update(
        status=status,
        message=message,
        progress=100,
        finished_at=timezone.now(),
        phase=phase or ("Done" if status == ImportJob.Status.DONE else "Failed"),
    )
