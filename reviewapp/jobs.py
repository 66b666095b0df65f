"""The stale-job rule shared by every background job model (imports now, exports next).

A job model that uses it has `status` (TextChoices with RUNNING and FAILED), `started_at`,
`finished_at`, `message` (and `phase` if it has one), and a class attribute `STALE_AFTER` (a
timedelta longer than any real run). A job still running past it lost its worker (a pool child
killed by the OOM killer is acknowledged and never redelivered), so it is failed with a message
and can be retried.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


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
