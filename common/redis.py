from functools import lru_cache

import redis
from django.conf import settings


@lru_cache(maxsize=1)
def get_redis() -> redis.Redis:
    """One connection pool per process to the configured Redis."""
    return redis.Redis.from_url(settings.REDIS_URL)
