"""Celery tasks of screening: thin wrappers that load by id and call one service."""

from celery import shared_task

from .services import jobs


@shared_task
def run_import_job(job_id: int) -> None:
    """Import one uploaded search file (see services.jobs.run_import)."""
    jobs.run_import(job_id)
