"""Celery tasks of screening: thin wrappers that load by id and call one service."""

from celery import shared_task

from reviewapp.models import Review

from .services import jobs, prioritise
from .services.decisions import settle_open_records


@shared_task
def run_import_job(job_id: int) -> None:
    """Import one uploaded search file (see services.jobs.run_import)."""
    jobs.run_import(job_id)


@shared_task
def retrain_ranking(run_id: int) -> None:
    """Retrain one review's ranking model and re-rank its queue (see services.prioritise)."""
    prioritise.retrain(run_id)


@shared_task
def settle_records(review_id: int, stages: list[str]) -> None:
    """Give their outcome to the records that now have all the decisions they need."""
    review = Review.objects.filter(pk=review_id).first()
    for stage in stages if review else ():
        settle_open_records(review=review, stage=stage)
