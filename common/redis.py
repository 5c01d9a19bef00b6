"""The process's Redis client, and a latch that stops asking a Redis that just failed.

Every Redis call of a request gives up after settings.REDIS_CLIENT_TIMEOUTS. A hung Redis would still
cost each call of a request that timeout, one after another (queueing the assignment, bumping the
dashboard, queueing a notification...), and Retell hangs up on us after 10 s. So the first timeout
closes the latch for REDIS_FAIL_FAST_SECONDS: meanwhile this process skips what can wait (what is queued
is left to its sweep, what is cached goes stale for a moment) instead of waiting on Redis again.
"""

import logging
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import redis
from django.conf import settings
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)
REDIS_FAILURES = (redis.exceptions.RedisError, OperationalError, OSError)
SLOW_FAILURES = (redis.exceptions.TimeoutError, TimeoutError)  # socket.timeout is TimeoutError
_failed_until = 0.0


@lru_cache(maxsize=1)
def get_redis() -> redis.Redis:
    """One connection pool per process to the configured Redis.

    With the short socket and connect timeouts of settings.REDIS_CLIENT_TIMEOUTS: a hung Redis raises
    redis.TimeoutError within them instead of holding the request or task that asked.
    """
    return redis.Redis.from_url(settings.REDIS_URL, **settings.REDIS_CLIENT_TIMEOUTS)


def redis_recently_failed() -> bool:
    return time.monotonic() < _failed_until


def _timed_out(exc: BaseException | None) -> bool:
    """A timeout anywhere in the chain (kombu wraps redis's errors): a refused connection fails at once and
    costs nothing, only a Redis that does not answer holds the request."""
    while exc is not None:
        if isinstance(exc, SLOW_FAILURES):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def redis_failed() -> None:
    """Note a Redis timeout: for REDIS_FAIL_FAST_SECONDS this process does not wait on Redis again."""
    global _failed_until
    _failed_until = time.monotonic() + settings.REDIS_FAIL_FAST_SECONDS


def redis_reset() -> None:
    global _failed_until
    _failed_until = 0.0


def unless_redis_failed(what: str, call: Callable[[], Any]) -> None:
    """Run `call` (a Redis write that may be skipped: queueing, a cache bump) unless Redis just timed out.

    A timeout is noted; every failure is raised again, so the caller's own handling (Django's robust
    on_commit logs it) still sees it; a skipped call is logged.
    """
    if redis_recently_failed():
        logger.warning("redis failed moments ago: %s skipped (left to its sweep or to expire)", what)
        return
    try:
        call()
    except REDIS_FAILURES as exc:
        if _timed_out(exc):
            redis_failed()
        raise


def _noted(exc: BaseException) -> None:
    logger.warning("redis failed (%s): answered without the cache", type(exc).__name__)
    if _timed_out(exc):
        redis_failed()


def cached(key: str, build: Callable[[], Any], seconds: int) -> Any:
    """`build()`'s value from Django's cache (the company's key space), built and stored when missing.

    The cache is a shortcut here, never a dependency: with Redis failing, or failed moments ago, the value
    is built every time.
    """
    from django.core.cache import cache

    if not redis_recently_failed():
        try:
            value = cache.get(key)
        except REDIS_FAILURES as exc:
            _noted(exc)
        else:
            if value is not None:
                return value
    value = build()
    if not redis_recently_failed():
        try:
            cache.set(key, value, seconds)
        except REDIS_FAILURES as exc:
            _noted(exc)
    return value


def cached_forget(key: str) -> None:
    """Drop `key` from the company's cache; a failing Redis leaves it to expire."""
    from django.core.cache import cache

    try:
        cache.delete(key)
    except REDIS_FAILURES as exc:
        _noted(exc)
