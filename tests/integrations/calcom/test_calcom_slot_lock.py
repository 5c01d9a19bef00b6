"""The slot-cache lock: a worker only ever releases its own lock."""

from __future__ import annotations

import os

import redis

from integrations.calcom.slot_cache import SlotCache

WINDOW = ("2026-11-23T00:00:00Z", "2026-11-24T00:00:00Z", "Europe/Berlin")


class LockTakenOverRedis(redis.Redis):
    """The real Redis, where the slot lock expires and another worker takes it at the worst moment:
    right after our first command that touches the lock once `take_over` is armed."""

    lock_key = ""
    armed = False

    def execute_command(self, *args, **options):
        result = super().execute_command(*args, **options)
        if self.armed and self.lock_key in args[1:]:
            self.armed = False
            super().execute_command("SET", self.lock_key, "another-worker")
        return result


def test_a_lock_another_worker_took_over_is_not_released_by_us(make_client, namespace):
    racy_redis = LockTakenOverRedis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3"))
    client = make_client()
    client._redis = racy_redis
    racy_redis.lock_key = namespace("calcom", "slots-lock", 7, 0, *WINDOW)

    def slow_fetch() -> list:
        racy_redis.armed = True  # our fetch outlived LOCK_SECONDS
        return []

    SlotCache(client, 7, WINDOW).get(slow_fetch)

    assert racy_redis.get(racy_redis.lock_key) == b"another-worker"


def test_the_leader_releases_its_own_lock_after_fetching(make_client, namespace, redis_client):
    client = make_client()

    SlotCache(client, 7, WINDOW).get(lambda: [])

    assert not redis_client.exists(namespace("calcom", "slots-lock", 7, 0, *WINDOW))
