from functools import lru_cache

import redis
from django.conf import settings


@lru_cache(maxsize=1)
def get_redis() -> redis.Redis:
    """One connection pool per process to the configured Redis.

    With the short socket and connect timeouts of settings.REDIS_CLIENT_TIMEOUTS: a hung Redis raises
    redis.TimeoutError within them instead of holding the request or task that asked.
    """
    return redis.Redis.from_url(settings.REDIS_URL, **settings.REDIS_CLIENT_TIMEOUTS)
