"""Celery tasks of screening: thin wrappers that load by id and call one service."""

from celery import shared_task

from reviewapp.models import Review
from reviewapp.tasks import SURVIVES_LOST_WORKER

from .services import jobs, prioritise, texts
from .services.decisions import settle_open_records


@shared_task(**SURVIVES_LOST_WORKER)
def run_import_job(self, job_id: int) -> None:
    """Import one uploaded search file (see services.jobs.run_import)."""
    jobs.run_import(job_id, after_lost_worker=self.request.retries > 0)


# A retrain whose pool child died is taken over and trained again (same labels, same ranks).
@shared_task(**SURVIVES_LOST_WORKER)
def retrain_ranking(self, run_id: int) -> None:
    """Retrain one review's ranking model and re-rank its queue (see services.prioritise)."""
    prioritise.retrain(run_id, after_lost_worker=self.request.retries > 0)


@shared_task
def settle_records(review_id: int, stages: list[str]) -> None:
    """Give their outcome to the records that now have all the decisions they need."""
    review = Review.objects.filter(pk=review_id).first()
    for stage in stages if review else ():
        settle_open_records(review=review, stage=stage)


@shared_task
def extract_fulltext_text(fulltext_id: int) -> None:
    """Extract one uploaded PDF's text per page (see services.texts.extract_text)."""
    texts.extract_text(fulltext_id)
