"""Celery tasks of the review core."""

import socket

from celery import shared_task


@shared_task
def worker_health(token: str) -> dict:
    """Echo a token with the worker's host name: proves a task went through the broker."""
    return {"token": token, "hostname": socket.gethostname()}
