"""Redis-backed guards shared by every worker process: a request-rate limiter per API key and a
circuit breaker per company. Both work across processes because their state lives in Redis."""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import redis

from integrations.calcom.errors import CalcomCircuitOpen, CalcomRateLimited

RATE_LIMITED = "Cal.com request budget for this API key is used up; retry in %.1f s."
CIRCUIT_OPEN = "Cal.com is treated as unavailable for this company after repeated failures."

# Sliding-window log in one atomic step: Redis' own clock, so all workers agree on "now".
# Returns 0 when the request may go out (and records it), else the milliseconds to wait.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local learned = redis.call('GET', KEYS[3])
if learned and tonumber(learned) < limit then limit = tonumber(learned) end
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then return blocked end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
"""


def api_key_fingerprint(api_key: str) -> str:
    """A stable, non-reversible id for an API key (Redis keys and logs must never hold the key)."""
    return hashlib.sha256(api_key.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class RateLimitHeaders:
    """What Cal.com told us about our budget: the tightest of its `X-RateLimit-*-<Name>` header sets."""

    limit: int | None
    remaining: int | None
    reset_seconds: float | None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> RateLimitHeaders:
        names = {k.lower()[len("x-ratelimit-remaining-") :] for k in headers if _is_remaining(k)}
        tightest: tuple[int, int | None, float | None] | None = None
        for name in names:
            remaining = _int(headers.get(f"x-ratelimit-remaining-{name}"))
            if remaining is None or (tightest is not None and remaining >= tightest[0]):
                continue
            limit = _int(headers.get(f"x-ratelimit-limit-{name}"))
            reset = _int(headers.get(f"x-ratelimit-reset-{name}"))
            tightest = (remaining, limit, float(reset) if reset is not None else None)
        if tightest is None:
            return cls(limit=None, remaining=None, reset_seconds=None)
        return cls(limit=tightest[1], remaining=tightest[0], reset_seconds=tightest[2])


def _is_remaining(header: str) -> bool:
    return header.lower().startswith("x-ratelimit-remaining-")


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


class RateLimiter:
    """Keeps one API key under its per-minute budget across all workers.

    Cal.com counts per API key (not per company), so the key is the API key's fingerprint; it is global on
    purpose and reveals nothing about the tenant. Cal.com sends no `Retry-After`; when its headers say the
    budget is gone (or it answers 429) we block the key for `X-RateLimit-Reset-*` seconds.
    """

    WINDOW_MS = 60_000

    def __init__(self, *, redis_client: redis.Redis, api_key: str, per_minute: int) -> None:
        self._redis = redis_client
        self._per_minute = per_minute
        base = f"calcom:ratelimit:{api_key_fingerprint(api_key)}"
        self._keys = [f"{base}:log", f"{base}:blocked", f"{base}:learned-limit"]
        self._script = redis_client.register_script(_ACQUIRE)

    def acquire(self, *, max_wait: float, sleep: Callable[[float], None] = time.sleep) -> None:
        """Take one request slot, waiting at most `max_wait` seconds, else raise CalcomRateLimited."""
        deadline = time.monotonic() + max_wait
        while True:
            member = f"{time.time_ns()}:{random.random()}"
            wait_ms = int(self._script(keys=self._keys, args=[self.WINDOW_MS, self._per_minute, member]))
            if wait_ms <= 0:
                return
            wait = wait_ms / 1000
            if time.monotonic() + wait > deadline:
                raise CalcomRateLimited(RATE_LIMITED % wait, retry_after=wait)
            sleep(wait + random.uniform(0, 0.05))

    def observe(self, headers: RateLimitHeaders, *, throttled: bool = False) -> None:
        """Learn from a response: a smaller custom limit, an exhausted budget, or a 429."""
        if headers.limit is not None and headers.limit < self._per_minute:
            self._redis.set(self._keys[2], headers.limit, ex=3600)
        exhausted = throttled or (headers.remaining is not None and headers.remaining <= 0)
        if exhausted:
            reset = headers.reset_seconds if headers.reset_seconds is not None else 60.0
            self._redis.set(self._keys[1], 1, px=max(1, int(reset * 1000)))

    def blocked_for(self) -> float:
        """Seconds the key is still blocked after a 429 or an exhausted budget (0 when free)."""
        return max(0, self._redis.pttl(self._keys[1])) / 1000


class CircuitBreaker:
    """Per company: after `threshold` consecutive failed calls, fail fast for `cooldown` seconds, then let
    exactly one probe through; its success closes the circuit, its failure opens it again."""

    def __init__(
        self, *, redis_client: redis.Redis, key: Callable[..., str], threshold: int, cooldown: float
    ) -> None:
        self._redis = redis_client
        self._threshold = threshold
        self._cooldown_ms = int(cooldown * 1000)
        self._failures = key("calcom", "circuit", "failures")
        self._open = key("calcom", "circuit", "open")
        self._probe = key("calcom", "circuit", "probe")

    def before_call(self, *, probe_seconds: float) -> None:
        """Raise CalcomCircuitOpen unless the call may go out (closed, or the single half-open probe)."""
        if self._redis.exists(self._open):
            raise CalcomCircuitOpen(CIRCUIT_OPEN)
        if int(self._redis.get(self._failures) or 0) < self._threshold:
            return
        # Half-open: the first caller to set the probe marker is the probe; everybody else fails fast.
        if not self._redis.set(self._probe, 1, nx=True, px=int(probe_seconds * 1000)):
            raise CalcomCircuitOpen(CIRCUIT_OPEN)

    def record_success(self) -> None:
        self._redis.delete(self._failures, self._probe)

    def record_failure(self) -> None:
        pipe = self._redis.pipeline()
        pipe.incr(self._failures)
        pipe.expire(self._failures, 86_400)
        failures = pipe.execute()[0]
        if failures >= self._threshold:
            pipe = self._redis.pipeline()
            pipe.set(self._open, 1, px=self._cooldown_ms)
            pipe.delete(self._probe)
            pipe.execute()

    def record_neutral(self) -> None:
        """The call says nothing about Cal.com's health (e.g. our own rate limit): free the probe."""
        self._redis.delete(self._probe)

    def is_open(self) -> bool:
        return bool(self._redis.exists(self._open))
