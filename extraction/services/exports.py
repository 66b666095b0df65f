"""Export jobs: queued on commit, built by a worker under a temporary name, renamed when whole."""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from reviewapp.jobs import fail_stale_jobs, send_or_fail, stale_jobs
from reviewapp.models import Membership, Review

from ..exports.base import ExportContext
from ..exports.kinds import ExportFormat, export_format
from ..models import ExportJob

logger = logging.getLogger(__name__)

OPTIONS = ("bom", "per_reviewer")


class ExportRefused(Exception):
    """An export that cannot be started or run; the message says why, for the page."""


def _format(kind: str, fmt: str) -> ExportFormat:
    spec = export_format(kind, fmt)
    if spec is None:
        raise ExportRefused(f"There is no {fmt} export of {kind}.")
    return spec


def start_export(
    *, review: Review, kind: str, fmt: str, by: AbstractBaseUser, options: dict | None = None
) -> ExportJob:
    """Record the request and queue its job once this transaction commits."""
    from ..tasks import run_export_job

    _format(kind, fmt)
    kept = {key: bool(value) for key, value in (options or {}).items() if key in OPTIONS}
    with transaction.atomic():
        job = ExportJob.objects.create(
            review=review, kind=kind, format=fmt, options=kept, requested_by=by
        )
        transaction.on_commit(
            lambda: send_or_fail(lambda: run_export_job.delay(job.pk), job, what="export")
        )
    return job


def write_export(
    *,
    handle,
    review: Review,
    kind: str,
    fmt: str,
    user: AbstractBaseUser | None = None,
    options: dict | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write one export to `handle` (bytes for binary formats, text otherwise) as `user` may see
    it (None: everything, as on the command line); the number of rows written."""
    spec = _format(kind, fmt)
    blind = False
    if user is not None:
        membership = Membership.objects.filter(review=review, user=user).first()
        if membership is None:
            raise ExportRefused("The person who asked for it is no longer in the review.")
        blind = membership.is_blind
    ctx = ExportContext(
        review=review,
        user_id=user.pk if user is not None else None,
        blind=blind,
        options=options or {},
        **({"progress": progress} if progress else {}),
    )
    return spec.write(handle, ctx)


def run_export(job_id: int, *, after_lost_worker: bool = False) -> None:
    """Build one queued export; the job ends done with its file, or failed with a message.
    After a lost worker the job is taken over even though it still shows running."""
    job = ExportJob.objects.select_related("review", "requested_by").filter(pk=job_id).first()
    claim = _claim(job, takeover=after_lost_worker) if job is not None else None
    if claim is None:
        return  # deleted, finished, or running elsewhere: a redelivery does nothing
    final = export_folder(job.review) / f"{job.pk}-{job.kind}.{job.format}"
    remove_partials(job)  # what a killed run of this job left: one job, at most one file
    temp = final.with_name(f".{final.name}.{uuid.uuid4().hex}.partial")
    try:
        rows = _write_file(job, temp, claim)
        temp.replace(final)  # atomic: the final name only ever holds a whole file
    except Exception as error:
        temp.unlink(missing_ok=True)
        logger.exception("export job %s failed", job.pk)
        reason = (
            str(error) if isinstance(error, ExportRefused) else f"{type(error).__name__}: {error}"
        )
        _finish(
            job.pk,
            claim,
            ExportJob.Status.FAILED,
            f"The export failed ({reason[:300]}); no file was kept.",
        )
        return
    _finish(
        job.pk,
        claim,
        ExportJob.Status.DONE,
        f"{rows:,} row{'' if rows == 1 else 's'}",
        size=final.stat().st_size,
        file_path=str(final.relative_to(Path(settings.MEDIA_ROOT))),
    )


LOST_MESSAGE = (
    "The worker stopped while building this export (it may have run out of memory); "
    "no file was kept. Try again."
)


def fail_lost_exports(*, review: Review) -> int:
    """Fail the review's exports still running past their stale time (their worker died and
    no redelivery took them over), dropping what they wrote, so they can be tried again."""
    lost = list(stale_jobs(ExportJob.objects.filter(review=review)))
    count = fail_stale_jobs(
        ExportJob.objects.filter(pk__in=[job.pk for job in lost]), message=LOST_MESSAGE
    )
    for job in lost:
        remove_partials(job)
    return count


def retry_export(*, job: ExportJob) -> ExportJob:
    """Queue a failed export again under the same id: it rewrites the same file name."""
    from ..tasks import run_export_job

    fail_lost_exports(review=job.review)  # a job stuck "running" becomes failed, then retried
    with transaction.atomic():
        again = ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.FAILED).update(
            status=ExportJob.Status.QUEUED,
            message="",
            progress=0,
            started_at=None,
            finished_at=None,
        )
        if not again:  # a double click, or a job that is not failed
            raise ExportRefused("Only a failed export can be tried again.")
        transaction.on_commit(
            lambda: send_or_fail(lambda: run_export_job.delay(job.pk), job, what="export")
        )
    job.refresh_from_db()
    return job


def remove_partials(job: ExportJob) -> None:
    """Delete the temporary files of this job's earlier, unfinished runs."""
    for path in export_folder(job.review).glob(f".{job.pk}-*.partial"):
        path.unlink(missing_ok=True)


def export_folder(review: Review) -> Path:
    folder = Path(settings.MEDIA_ROOT) / "exports" / str(review.pk)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def export_file(job: ExportJob) -> Path | None:
    """The finished file of a done job, or None (not done, or the file is gone)."""
    if job.status != ExportJob.Status.DONE or not job.file_path:
        return None
    path = Path(settings.MEDIA_ROOT) / job.file_path
    return path if path.is_file() else None


def _write_file(job: ExportJob, temp: Path, claim: datetime) -> int:
    spec = _format(job.kind, job.format)
    with temp.open("wb") as raw:
        handle = raw if spec.binary else io.TextIOWrapper(raw, encoding="utf-8", newline="")
        rows = write_export(
            handle=handle,
            review=job.review,
            kind=job.kind,
            fmt=job.format,
            user=job.requested_by,
            options=job.options,
            progress=_reporter(job.pk, claim),
        )
        handle.flush()
        if not spec.binary:
            handle.detach()  # the with block closes the file itself
    return rows


def _reporter(job_id: int, claim: datetime) -> Callable[[int, int], None]:
    last = [-1]

    def report(done: int, total: int) -> None:
        percent = min(99, done * 100 // total) if total else 0
        if percent != last[0]:  # one UPDATE per percent, not per chunk
            last[0] = percent
            ExportJob.objects.filter(pk=job_id, started_at=claim).update(progress=percent)

    return report


def _claim(job: ExportJob, *, takeover: bool = False) -> datetime | None:
    """Take the job if queued, or running past its stale time (its worker died and the broker
    handed the task out again), or at once when the worker saw its child die (takeover): that
    run starts over under a new temporary name. The claim's start time, or None if not taken."""
    stale = timezone.now() if takeover else timezone.now() - ExportJob.STALE_AFTER
    claimable = Q(status=ExportJob.Status.QUEUED) | Q(
        status=ExportJob.Status.RUNNING, started_at__lt=stale
    )
    started = timezone.now()
    taken = ExportJob.objects.filter(claimable, pk=job.pk).update(
        status=ExportJob.Status.RUNNING, progress=0, started_at=started, message=""
    )
    return started if taken else None


def _finish(job_id: int, claim: datetime, status: str, message: str, **fields) -> None:
    # Only the run that holds the claim ends the job: a run swept as lost that comes back to
    # life later does not overwrite the outcome of the retry that replaced it.
    if status == ExportJob.Status.DONE:
        fields["progress"] = 100
    ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING, started_at=claim).update(
        status=status, message=message, finished_at=timezone.now(), **fields
    )
