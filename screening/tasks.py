"""Celery tasks of screening: thin wrappers that load by id and call one service."""

from celery import shared_task

from reviewapp.models import Review

from .services import jobs, prioritise, texts
from .services.decisions import settle_open_records


# A pool child killed mid-run (the OOM killer) is otherwise acknowledged and never run again.
# Celery 5.7's retry_on_worker_lost sends it again as a retry, at most twice (a file that kills
# the worker every time must not loop): only the worker's main process, which saw the child
# die, sends such a retry, so the retry may take over the job the dead child left "running".
@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    retry_on_worker_lost=True,
    max_retries=2,
    default_retry_delay=5,
)
def run_import_job(self, job_id: int) -> None:
    """Import one uploaded search file (see services.jobs.run_import)."""
    jobs.run_import(job_id, after_lost_worker=self.request.retries > 0)


# As run_import_job: a pool child killed mid-training would otherwise leave its run "running"
# until it goes stale; the retry takes the run over and trains it again (same labels, same ranks).
@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    retry_on_worker_lost=True,
    max_retries=2,
    default_retry_delay=5,
)
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
