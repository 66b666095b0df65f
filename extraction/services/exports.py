"""Export jobs: queued on commit, built by a worker under a temporary name, renamed when whole."""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

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
        transaction.on_commit(lambda: run_export_job.delay(job.pk))
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


def run_export(job_id: int) -> None:
    """Build one queued export; the job ends done with its file, or failed with a message."""
    job = ExportJob.objects.select_related("review", "requested_by").filter(pk=job_id).first()
    if job is None or not _claim(job):
        return  # deleted, finished, or running elsewhere: a redelivery does nothing
    final = export_folder(job.review) / f"{job.pk}-{job.kind}.{job.format}"
    temp = final.with_name(f".{final.name}.{uuid.uuid4().hex}.partial")
    try:
        rows = _write_file(job, temp)
        temp.replace(final)  # atomic: the final name only ever holds a whole file
    except Exception as error:
        temp.unlink(missing_ok=True)
        logger.exception("export job %s failed", job.pk)
        reason = (
            str(error) if isinstance(error, ExportRefused) else f"{type(error).__name__}: {error}"
        )
        _finish(
            job.pk,
            ExportJob.Status.FAILED,
            f"The export failed ({reason[:300]}); no file was kept.",
        )
        return
    _finish(
        job.pk,
        ExportJob.Status.DONE,
        f"{rows:,} rows",
        size=final.stat().st_size,
        file_path=str(final.relative_to(Path(settings.MEDIA_ROOT))),
    )


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


def _write_file(job: ExportJob, temp: Path) -> int:
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
            progress=_reporter(job.pk),
        )
        handle.flush()
        if not spec.binary:
            handle.detach()  # the with block closes the file itself
    return rows


def _reporter(job_id: int) -> Callable[[int, int], None]:
    last = [-1]

    def report(done: int, total: int) -> None:
        percent = min(99, done * 100 // total) if total else 0
        if percent != last[0]:  # one UPDATE per percent, not per chunk
            last[0] = percent
            ExportJob.objects.filter(pk=job_id).update(progress=percent)

    return report


def _claim(job: ExportJob) -> bool:
    """Take the job if queued, or running past its stale time (its worker died and the broker
    handed the task out again): that run starts over under a new temporary name."""
    stale = timezone.now() - ExportJob.STALE_AFTER
    claimable = Q(status=ExportJob.Status.QUEUED) | Q(
        status=ExportJob.Status.RUNNING, started_at__lt=stale
    )
    return bool(
        ExportJob.objects.filter(claimable, pk=job.pk).update(
            status=ExportJob.Status.RUNNING, progress=0, started_at=timezone.now()
        )
    )


def _finish(job_id: int, status: str, message: str, **fields) -> None:
    if status == ExportJob.Status.DONE:
        fields["progress"] = 100
    ExportJob.objects.filter(pk=job_id).update(
        status=status, message=message, finished_at=timezone.now(), **fields
    )
