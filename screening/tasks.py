"""Celery tasks of screening: thin wrappers that load by id and call one service."""

from celery import shared_task

from .services import jobs, prioritise


@shared_task
def run_import_job(job_id: int) -> None:
    """Import one uploaded search file (see services.jobs.run_import)."""
    jobs.run_import(job_id)


@shared_task
def retrain_ranking(run_id: int) -> None:
    """Retrain one review's ranking model and re-rank its queue (see services.prioritise)."""
    prioritise.retrain(run_id)
