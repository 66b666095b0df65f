"""A task travels through the real broker to a real worker (CI starts both)."""

import os
import uuid

import pytest
from django.conf import settings

from reviewapp.tasks import worker_health


@pytest.fixture
def broker():
    if not settings.CELERY_BROKER_URL:
        if os.environ.get("REQUIRE_WORKER"):
            pytest.fail("REQUIRE_WORKER is set but CELERY_BROKER_URL is empty")
        pytest.skip("no CELERY_BROKER_URL: tasks run eagerly (set it and run `make worker`)")
    return settings.CELERY_BROKER_URL


@pytest.mark.worker
def test_task_round_trip_through_redis_and_a_worker(broker):
    token = uuid.uuid4().hex
    result = worker_health.delay(token)
    assert result.get(timeout=30) == {"token": token, "hostname": result.get()["hostname"]}
    assert result.successful()


def test_without_a_broker_tasks_run_eagerly_in_process(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from reviewapp.celery import app

    app.conf.task_always_eager = True
    try:
        assert worker_health.delay("x").get()["token"] == "x"
    finally:
        app.conf.task_always_eager = not settings.CELERY_BROKER_URL
