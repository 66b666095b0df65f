"""Celery tasks of extraction: thin wrappers that take an id and call one service."""

from celery import shared_task

from reviewapp.tasks import SURVIVES_LOST_WORKER

from .services import exports


# Any redelivery finds the job done (and does nothing), takes it over (a lost pool child's
# retry) or redoes it once stale. Every run of a job writes the same file name.
@shared_task(**SURVIVES_LOST_WORKER)
def run_export_job(self, job_id: int) -> None:
    """Build one export file (see services.exports.run_export)."""
    exports.run_export(job_id, after_lost_worker=self.request.retries > 0)
