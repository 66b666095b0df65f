"""Celery tasks of the review core."""

import socket

from celery import shared_task

# A job task that a dead worker must not lose. acks_late + reject_on_worker_lost: a worker
# killed mid-run leaves the task on the broker. A pool child killed mid-run (the OOM killer) is
# sent again as a retry by the worker's main process (retry_on_worker_lost, Celery 5.7), at most
# twice: a file that kills the worker every time must not loop. Only that main process, which
# saw the child die, sends such a retry, so the retry (self.request.retries > 0) may take over
# the job the dead child left "running".
SURVIVES_LOST_WORKER = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "retry_on_worker_lost": True,
    "max_retries": 2,
    "default_retry_delay": 5,
}


@shared_task
def worker_health(token: str) -> dict:
    """Echo a token with the worker's host name: proves a task went through the broker."""
    return {"token": token, "hostname": socket.gethostname()}
