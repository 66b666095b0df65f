"""Celery tasks of extraction: thin wrappers that take an id and call one service."""

from celery import shared_task

from .services import exports


# acks_late + reject_on_worker_lost: a worker killed mid-export leaves the task on the broker,
# and the redelivery either finds the job done (and does nothing) or redoes it once stale.
@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_export_job(job_id: int) -> None:
    """Build one export file (see services.exports.run_export)."""
    exports.run_export(job_id)
