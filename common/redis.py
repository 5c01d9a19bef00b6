"""The process's Redis client, and a latch that stops asking a Redis that just failed.

Every Redis call of a request gives up after settings.REDIS_CLIENT_TIMEOUTS. A hung Redis would still
cost each call of a request that timeout, one after another (queueing the assignment, bumping the
dashboard, queueing a notification...), and Retell hangs up on us after 10 s. So the first failure
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


def redis_failed() -> None:
    """Note a Redis failure: for REDIS_FAIL_FAST_SECONDS this process does not wait on Redis again."""
    global _failed_until
    _failed_until = time.monotonic() + settings.REDIS_FAIL_FAST_SECONDS


def redis_reset() -> None:
    global _failed_until
    _failed_until = 0.0


def unless_redis_failed(what: str, call: Callable[[], Any]) -> None:
    """Run `call` (a Redis write that may be skipped: queueing, a cache bump) unless Redis just failed.

    A failure is noted and raised again, so the caller's own handling (Django's robust on_commit logs it)
    still sees it; a skipped call is logged.
    """
    if redis_recently_failed():
        logger.warning("redis failed moments ago: %s skipped (left to its sweep or to expire)", what)
        return
    try:
        call()
    except REDIS_FAILURES:
        redis_failed()
        raise
