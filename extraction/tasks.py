"""Celery tasks of extraction: thin wrappers that take an id and call one service."""

from celery import shared_task

from .services import exports


# acks_late + reject_on_worker_lost: a worker killed mid-export leaves the task on the broker.
# A pool child killed mid-run (the OOM killer) is sent again as a retry by the worker's main
# process (retry_on_worker_lost, at most twice: an export that kills the worker every time must
# not loop), and that retry takes the job over at once; any other redelivery finds the job done
# (and does nothing) or redoes it once stale. Every run of a job writes the same file name.
@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    retry_on_worker_lost=True,
    max_retries=2,
    default_retry_delay=5,
)
def run_export_job(self, job_id: int) -> None:
    """Build one export file (see services.exports.run_export)."""
    exports.run_export(job_id, after_lost_worker=self.request.retries > 0)
