"""Free slots of one event type and window, cached briefly and fetched once for many concurrent callers."""

from __future__ import annotations

import contextlib
import json
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from redis.exceptions import LockError

from integrations.calcom.errors import CalcomUnavailable
from integrations.calcom.transport import UNREACHABLE
from integrations.calcom.types import Slot

if TYPE_CHECKING:
    from redis.lock import Lock

    from integrations.calcom.transport import CalcomTransport

COALESCE_TIMEOUT = "Timed out waiting for another worker's Cal.com slot request."


class SlotCache:
    """Slots for one event type and window, shared by every worker of the company.

    The first caller takes a short Redis lock and fetches; concurrent callers wait for its result instead
    of asking Cal.com themselves (ten callers asking about the same day cause one request). Invalidation
    bumps a per-event-type generation that is part of the key, so no key scan is ever needed.
    """

    LOCK_SECONDS = 15
    FAILURE_SECONDS = 5

    def __init__(self, client: CalcomTransport, event_type_id: int, window: tuple[str, str, str]) -> None:
        self._settings = client.settings
        self._redis = client._redis
        key = client._key
        generation = int(self._redis.get(key("calcom", "slots-generation", event_type_id)) or 0)
        self._value_key = key("calcom", "slots", event_type_id, generation, *window)
        self._lock_key = key("calcom", "slots-lock", event_type_id, generation, *window)
        self._failure_key = key("calcom", "slots-failed", event_type_id, generation, *window)

    def get(self, fetch: Callable[[], list[Slot]]) -> list[Slot]:
        cached = self._cached()
        if cached is not None:
            return cached
        deadline = time.monotonic() + self._settings.coalesce_wait
        while True:
            self._raise_if_just_failed()
            lock = self._redis.lock(self._lock_key, timeout=self.LOCK_SECONDS, blocking=False)
            if lock.acquire():
                return self._fetch_as_leader(fetch, lock)
            result = self._wait_for_leader(deadline)
            if result is not None:
                return result

    def _fetch_as_leader(self, fetch: Callable[[], list[Slot]], lock: Lock) -> list[Slot]:
        try:
            # The previous leader may have stored its answer between our last look and our lock.
            cached = self._cached()
            if cached is not None:
                return cached
            self._raise_if_just_failed()
            return self._fetch_and_store(fetch)
        finally:
            _release(lock)

    def _fetch_and_store(self, fetch: Callable[[], list[Slot]]) -> list[Slot]:
        try:
            slots = fetch()
        except CalcomUnavailable:
            # Tell the waiters, and whoever asks in the next seconds, to give up now rather than each trying
            # Cal.com in turn (a late caller would otherwise take the free lock and ask again).
            self._redis.set(self._failure_key, 1, ex=self.FAILURE_SECONDS)
            raise
        ttl = self._settings.slot_cache_seconds if slots else self._settings.empty_slot_cache_seconds
        self._redis.set(self._value_key, json.dumps([slot.to_json() for slot in slots]), ex=ttl)
        return slots

    def _raise_if_just_failed(self) -> None:
        if self._redis.exists(self._failure_key):
            raise CalcomUnavailable(UNREACHABLE % "failed for a concurrent caller")

    def _wait_for_leader(self, deadline: float) -> list[Slot] | None:
        """Poll until the leader's answer lands; None means the lock is free again (leader vanished)."""
        while True:
            cached = self._cached()
            if cached is not None:
                return cached
            self._raise_if_just_failed()
            if not self._redis.exists(self._lock_key):
                return None
            if time.monotonic() > deadline:
                raise CalcomUnavailable(COALESCE_TIMEOUT)
            time.sleep(random.uniform(0.02, 0.05))

    def _cached(self) -> list[Slot] | None:
        raw = self._redis.get(self._value_key)
        if raw is None:
            return None
        return [Slot.from_json(item) for item in json.loads(raw)]


def _release(lock: Lock) -> None:
    """Release only if the lock is still ours: redis-py compares the token and deletes in one Lua script.

    A fetch slower than LOCK_SECONDS lets the lock expire and another worker take it; a separate GET then
    DELETE could remove that worker's lock in between.
    """
    with contextlib.suppress(LockError):  # expired, perhaps taken by another worker: nothing of ours left
        lock.release()
