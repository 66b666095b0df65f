"""The stale-job rule shared by every background job model (imports now, exports next).

A job model that uses it has `status` (TextChoices with RUNNING and FAILED), `started_at`,
`finished_at`, `message` (and `phase` if it has one), and a class attribute `STALE_AFTER` (a
timedelta longer than any real run). A job still running past it lost its worker (a pool child
killed by the OOM killer is acknowledged and never redelivered), so it is failed with a message
and can be retried.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import models
from django.utils import timezone

logger = logging.getLogger(__name__)


def stale_jobs(queryset: models.QuerySet) -> models.QuerySet:
    """The jobs of this queryset still running past their model's STALE_AFTER."""
    model = queryset.model
    cutoff = timezone.now() - model.STALE_AFTER
    return queryset.filter(status=model.Status.RUNNING, started_at__lt=cutoff)


def fail_stale_jobs(queryset: models.QuerySet, *, message: str) -> int:
    """Fail every stale job of this queryset with the message; return how many. One UPDATE,
    conditional on the row still being stale, so a run that finishes meanwhile keeps its end."""
    model = queryset.model
    fields = {"status": model.Status.FAILED, "message": message, "finished_at": timezone.now()}
    if any(f.name == "phase" for f in model._meta.fields):  # export jobs have no phase
        fields["phase"] = "Failed"
    return stale_jobs(queryset).update(**fields)


BROKER_DOWN = (
    "The job queue (Redis) cannot be reached, so this {what} could not start; nothing was "
    "changed. Try again in a few minutes, or ask the administrator to start Redis."
)


def send_or_fail(send: Callable[[], object], job: models.Model, *, what: str) -> None:
    """Send the job's task (an on-commit callback); if the broker cannot be reached, fail the
    job with a message saying so, instead of a server error and a job "queued" for good."""
    try:
        send()
    except Exception:  # any broker or connection error: the row must not promise a run
        logger.exception("could not queue %s %s", type(job).__name__, job.pk)
        model = type(job)
        fields = {
            "status": model.Status.FAILED,
            "message": BROKER_DOWN.format(what=what),
            "finished_at": timezone.now(),
        }
        if any(f.name == "phase" for f in model._meta.fields):
            fields["phase"] = "Failed"
        model.objects.filter(pk=job.pk, status=model.Status.QUEUED).update(**fields)
