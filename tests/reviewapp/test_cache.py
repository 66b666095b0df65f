"""Sessions read through the cache (cached_db), and a Redis outage that only costs speed."""

import time

import pytest
from django.core.cache import caches
from django.urls import reverse

from screening.models import Decision
from tests.factories import RecordFactory, SourceFactory

DEAD_REDIS = {
    "default": {
        "BACKEND": "reviewapp.cache.TolerantRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


def test_an_unreachable_redis_reads_as_a_miss_and_writes_nothing(settings):
    settings.CACHES = DEAD_REDIS
    cache = caches["default"]
    started = time.monotonic()
    cache.set("k", "v", 60)
    assert cache.get("k", "missing") == "missing"
    assert cache.add("k", "v") is False
    assert cache.delete("k") is False
    assert "k" not in cache
    assert time.monotonic() - started < 3  # each call gives up at its 0.2 s timeout


def test_screening_works_with_the_session_cache_down(settings, client, review, reviewer):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.CACHES = DEAD_REDIS
    record = RecordFactory(source=SourceFactory(review=review))
    client.force_login(reviewer)  # the session lands in the database only
    url = reverse("screening:screen-ta", kwargs={"slug": review.slug})
    response = client.post(url, {"record": record.pk, "value": "include"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert Decision.objects.filter(record=record, reviewer=reviewer).exists()


def test_entries_live_five_minutes_at_most(settings):
    from reviewapp import cache as tolerant

    assert tolerant._capped(None) == tolerant.MAX_SECONDS
    assert tolerant._capped(14 * 24 * 3600) == tolerant.MAX_SECONDS  # a session's two weeks
    assert tolerant._capped(30) == 30


@pytest.mark.parametrize(
    ("cache_url", "single", "engine"), [("", "0", "db"), ("", "1", "cached_db")]
)
def test_sessions_use_the_cache_only_where_it_is_shared(cache_url, single, engine):
    """A per-process memory cache must not hold sessions for several workers: one would still
    accept a session another had logged out."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "CACHE_URL": cache_url, "SINGLE_PROCESS": single, "DEBUG": "1"}
    code = "from django.conf import settings; print(settings.SESSION_ENGINE)"
    out = subprocess.run(  # noqa: S603  (this interpreter, a fixed script)
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**env, "DJANGO_SETTINGS_MODULE": "reviewapp.settings"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip().endswith(f"backends.{engine}")


def test_a_live_redis_keeps_what_it_is_given(settings):
    """CI sets CACHE_URL to its Redis; a laptop without one runs the tests above only."""
    import os

    url = os.environ.get("CACHE_URL")
    if not url:
        pytest.skip("no CACHE_URL: the live Redis round trip runs in CI (.ci/run sets it)")
    settings.CACHES = {**DEAD_REDIS, "default": {**DEAD_REDIS["default"], "LOCATION": url}}
    cache = caches["default"]
    cache.set("reviewapp-test-key", {"a": 1}, 30)
    assert cache.get("reviewapp-test-key") == {"a": 1}
    assert cache.delete("reviewapp-test-key") is True
