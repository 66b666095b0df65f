"""A Redis cache that a Redis outage degrades instead of breaking (CACHE_URL, settings).

The cache holds sessions in front of the database (SESSION_ENGINE cached_db): with Redis down,
every read is a miss (the session comes from the database, as without a cache) and every write is
skipped, logged once a minute at most. Screening keeps working with Redis down (bench/faults.py);
a cache that raised would turn each request into a 500. Entries live 5 minutes at most: a
logout whose delete Redis missed (a blip) leaves that session readable for no longer.
"""

from __future__ import annotations

import logging
import time
from functools import wraps

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
OUTAGE = (RedisConnectionError, RedisTimeoutError, OSError)
_last_warning = 0.0


def _warn(operation: str, error: Exception) -> None:
    global _last_warning
    if time.monotonic() - _last_warning > 60:
        _last_warning = time.monotonic()
        logger.warning("cache %s skipped, Redis unreachable: %s", operation, error)


def _capped(timeout):
    if timeout is DEFAULT_TIMEOUT:
        return timeout
    return MAX_SECONDS if timeout is None else min(timeout, MAX_SECONDS)


MAX_SECONDS = 300


class _OneClientPerPool(RedisCacheClient):
    """Django's client builds a new redis.Redis (and its ~170 response callbacks) on every call:
    half a millisecond of each request's session read. One per pool serves every thread (a
    redis.Redis is thread-safe; the pool hands out connections)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


def _tolerant(operation: str, fallback=None):
    """The cache method, or `fallback` (the warning logged) while Redis is unreachable."""

    def wrap(method):
        @wraps(method)
        def call(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except OUTAGE as error:
                _warn(operation, error)
                return fallback

        return call

    return wrap


class TolerantRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _OneClientPerPool

    def get(self, key, default=None, version=None):  # the fallback is the caller's default
        try:
            return super().get(key, default, version)
        except OUTAGE as error:
            _warn("read", error)
            return default

    @_tolerant("write")
    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        super().set(key, value, _capped(timeout), version)

    @_tolerant("write", fallback=False)
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return super().add(key, value, _capped(timeout), version)

    @_tolerant("read", fallback=False)
    def has_key(self, key, version=None):
        return super().has_key(key, version)

    @_tolerant("delete", fallback=False)  # the entry expires within MAX_SECONDS
    def delete(self, key, version=None):
        return super().delete(key, version)
