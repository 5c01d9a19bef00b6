"""How one logical Cal.com call is made (facts and sources: shared/integrations/calcom.md).

The version header per endpoint group, timeouts, retries with backoff and jitter, the per-key rate limiter,
the per-company circuit breaker, and the mapping of answers to typed exceptions
(`integrations.calcom.errors`). A transport built with `deadline_at` (a caller is on the line) clips every
attempt to the time left and starts no attempt that could not finish in it.
`CalcomClient` (integrations.calcom.client) builds the endpoints on top of `CalcomTransport`.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import redis
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
)
from tenacity.stop import stop_base

from common.outbound import GuardedTransport, OutboundRefused
from integrations.calcom.errors import (
    CalcomAuthenticationFailed,
    CalcomNotFound,
    CalcomRateLimited,
    CalcomRequestRejected,
    CalcomUnavailable,
    SlotTaken,
)
from integrations.calcom.resilience import CircuitBreaker, RateLimiter, RateLimitHeaders

logger = logging.getLogger(__name__)

UNREACHABLE = "Cal.com could not be reached (%s)."
REFUSED = "Cal.com was not contacted: %s"
SERVER_ERROR = "Cal.com answered with a server error (HTTP %s)."
MALFORMED_ANSWER = "Cal.com sent an answer we cannot read (HTTP %s)."
OUT_OF_TIME = "Cal.com was not asked: %.1f s left of the caller's wait, too little for an attempt."

# cal-api-version per endpoint group (calcom.md §1.1). A missing or unknown value silently selects the old
# 2024-04-15 controllers, so every call sends one explicitly; companies may override per group.
DEFAULT_API_VERSIONS: Mapping[str, str] = {
    "event_types": "2024-06-14",
    "slots": "2024-09-04",
    "reservations": "2024-09-04",
    "bookings": "2024-08-13",
}

# Phrases of Cal.com's 400 answers meaning "that time is not bookable" (errors.service.ts, calcom.md §1.4).
_SLOT_TAKEN_PHRASES = ("already has booking", "is not available", "can't be booked", "in the past")


@dataclass(frozen=True)
class ClientSettings:
    base_url: str = "https://api.cal.com"
    connect_timeout: float = 2.0
    read_timeout: float = 6.0
    attempts: int = 3
    backoff_base: float = 0.2
    backoff_max: float = 2.0
    max_rate_wait: float = 3.0
    requests_per_minute: int = 110
    circuit_threshold: int = 5
    circuit_cooldown: float = 60.0
    slot_cache_seconds: int = 45
    empty_slot_cache_seconds: int = 10
    coalesce_wait: float = 8.0
    # While a caller is on the line (Retell waits 10 s for an in-call function): all Cal.com calls of one
    # function together end within `in_call_deadline`; no attempt starts with less than
    # `in_call_min_attempt` left. Workers and the admin have no deadline.
    in_call_deadline: float = 7.0
    in_call_min_attempt: float = 1.0
    api_versions: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_API_VERSIONS))


class _Retryable(Exception):
    """Internal: an attempt failed in a way worth another try."""

    def __init__(self, reason: str, *, throttled_for: float | None = None) -> None:
        super().__init__(reason)
        self.throttled_for = throttled_for


class _Throttled(_Retryable):
    """Internal: Cal.com answered 429 (the throttler guard rejects before any handler runs)."""


class _ConnectFailed(_Retryable):
    """Internal: the request never reached Cal.com, so even a non-idempotent call may be repeated."""


_shared_http: dict[tuple[str, float, float], httpx.Client] = {}
_shared_http_lock = threading.Lock()


def _http_for(settings: ClientSettings) -> httpx.Client:
    """One pooled httpx client per process and configuration: no TLS handshake per request."""
    key = (settings.base_url, settings.connect_timeout, settings.read_timeout)
    with _shared_http_lock:
        if key not in _shared_http:
            timeout = httpx.Timeout(
                connect=settings.connect_timeout,
                read=settings.read_timeout,
                write=settings.read_timeout,
                pool=settings.connect_timeout,
            )
            _shared_http[key] = httpx.Client(
                base_url=settings.base_url, timeout=timeout, transport=GuardedTransport()
            )
        return _shared_http[key]


class CalcomTransport:
    """One company's connection to Cal.com: `_call` makes one logical request, the client names them."""

    def __init__(
        self,
        *,
        api_key: str,
        redis_client: redis.Redis,
        key: Callable[..., str],
        settings: ClientSettings | None = None,
        http: httpx.Client | None = None,
        deadline_at: float | None = None,
    ) -> None:
        """`key(*parts)` builds the company-scoped Redis key (`common.cache.tenant_key` in the app).

        `deadline_at` (a `time.monotonic()` value) is when a waiting caller must have their answer.
        """
        self.settings = settings or ClientSettings()
        self.deadline_at = deadline_at
        self._api_key = api_key
        self._redis = redis_client
        self._key = key
        self._http = http or _http_for(self.settings)
        self.rate_limiter = RateLimiter(
            redis_client=redis_client, api_key=api_key, per_minute=self.settings.requests_per_minute
        )
        self.circuit = CircuitBreaker(
            redis_client=redis_client,
            key=key,
            threshold=self.settings.circuit_threshold,
            cooldown=self.settings.circuit_cooldown,
        )

    def _call(
        self,
        method: str,
        path: str,
        *,
        group: str | None,
        params: Mapping[str, Any] | None = None,
        json_body: Mapping[str, Any] | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        """One logical call: circuit breaker around retries around the rate limiter and one HTTP attempt."""
        idempotent = method == "GET" if idempotent is None else idempotent
        left = self.time_left()
        if left is not None and left < self.settings.in_call_min_attempt:
            # Not a sign of Cal.com's health (nobody asked it): the breaker is left alone.
            raise CalcomUnavailable(OUT_OF_TIME % max(0.0, left))
        self.circuit.before_call(probe_seconds=self._attempts_budget())
        try:
            response = self._send_with_retries(method, path, group, params, json_body, idempotent)
        except CalcomRateLimited:
            self.circuit.record_neutral()
            raise
        except CalcomUnavailable:
            self.circuit.record_failure()
            raise
        except CalcomRequestRejected:
            # Cal.com answered (with a refusal): it is reachable, which is all the breaker cares about.
            self.circuit.record_success()
            raise
        except BaseException:
            self.circuit.record_neutral()
            raise
        self.circuit.record_success()
        return _payload(response)

    def time_left(self) -> float | None:
        """Seconds until the caller's deadline; None without one (a worker, the admin)."""
        return None if self.deadline_at is None else self.deadline_at - time.monotonic()

    def _attempts_budget(self) -> float:
        per_attempt = self.settings.connect_timeout + self.settings.read_timeout + self.settings.backoff_max
        return per_attempt * self.settings.attempts

    def _send_with_retries(
        self,
        method: str,
        path: str,
        group: str | None,
        params: Mapping[str, Any] | None,
        json_body: Mapping[str, Any] | None,
        idempotent: bool,
    ) -> httpx.Response:
        retrying = Retrying(
            stop=self._stop(),
            wait=self._backoff,
            retry=retry_if_exception(lambda exc: self._worth_retrying(exc, idempotent)),
            reraise=True,
        )
        try:
            return retrying(self._attempt, method, path, group, params, json_body)
        except _Throttled as exc:
            wait = exc.throttled_for or 60.0
            raise CalcomRateLimited(str(exc), retry_after=wait) from exc
        except _Retryable as exc:
            raise CalcomUnavailable(str(exc)) from exc

    def _stop(self) -> stop_base:
        """After `attempts`, or (with a deadline) before a retry that would start too late to finish."""
        stop = stop_after_attempt(self.settings.attempts)
        left = self.time_left()
        if left is None:
            return stop
        return stop | stop_before_delay(left - self.settings.in_call_min_attempt)

    def _worth_retrying(self, exc: BaseException, idempotent: bool) -> bool:
        if isinstance(exc, _Throttled):
            return (exc.throttled_for or 60.0) <= self.settings.max_rate_wait
        # A POST that reached Cal.com may have created the booking even if the answer got lost: only
        # repeat it when the connection itself failed. Reads and cancels are safe to repeat.
        return isinstance(exc, _ConnectFailed) or (idempotent and isinstance(exc, _Retryable))

    def _backoff(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        jitter = random.uniform(0, self.settings.backoff_base)
        if isinstance(exc, _Throttled) and exc.throttled_for is not None:
            return exc.throttled_for + jitter
        exponential = self.settings.backoff_base * 2 ** (state.attempt_number - 1)
        return min(self.settings.backoff_max, exponential) + jitter

    def _attempt(
        self,
        method: str,
        path: str,
        group: str | None,
        params: Mapping[str, Any] | None,
        json_body: Mapping[str, Any] | None,
    ) -> httpx.Response:
        self.rate_limiter.acquire(max_wait=self._clipped(self.settings.max_rate_wait))
        started = time.monotonic()
        try:
            response = self._http.request(
                method,
                path,
                params=params,
                json=json_body,
                headers=self._headers(group),
                timeout=self._timeout(),
            )
        except OutboundRefused as exc:
            # The configured address is not public: no attempt will change that, so no retry.
            raise CalcomUnavailable(REFUSED % exc) from exc
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise _ConnectFailed(UNREACHABLE % type(exc).__name__) from exc
        except httpx.TransportError as exc:
            raise _Retryable(UNREACHABLE % type(exc).__name__) from exc
        elapsed_ms = int((time.monotonic() - started) * 1000)
        logger.info(
            "calcom %s %s -> %s in %d ms (request id %s)",
            method,
            path,
            response.status_code,
            elapsed_ms,
            response.headers.get("x-request-id", "-"),
        )
        budget = RateLimitHeaders.from_headers(response.headers)
        self.rate_limiter.observe(budget, throttled=response.status_code == 429)
        if response.status_code == 429:
            raise _Throttled(SERVER_ERROR % 429, throttled_for=budget.reset_seconds or 60.0)
        if response.status_code >= 500:
            raise _Retryable(SERVER_ERROR % response.status_code)
        if response.status_code >= 400:
            raise _rejection(response)
        return response

    def _clipped(self, seconds: float) -> float:
        left = self.time_left()
        return seconds if left is None else max(0.0, min(seconds, left))

    def _timeout(self) -> httpx.Timeout:
        """The configured timeouts, each cut to the time the caller has left."""
        connect = self._clipped(self.settings.connect_timeout)
        read = self._clipped(self.settings.read_timeout)
        return httpx.Timeout(connect=connect, read=read, write=read, pool=connect)

    def _headers(self, group: str | None) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        if group is not None:
            headers["cal-api-version"] = self.settings.api_versions[group]
        return headers


def _payload(response: httpx.Response) -> Any:
    try:
        body = response.json()
    except ValueError as exc:
        raise CalcomUnavailable(MALFORMED_ANSWER % response.status_code) from exc
    if isinstance(body, dict) and "data" in body:
        return body["data"]
    return body


def _rejection(response: httpx.Response) -> CalcomRequestRejected:
    code, message = "", f"HTTP {response.status_code}"
    try:
        error = response.json().get("error") or {}
        code = str(error.get("code", ""))
        message = str(error.get("message") or message)
    except (ValueError, AttributeError):
        pass
    kwargs = {
        "status_code": response.status_code,
        "code": code,
        "request_id": response.headers.get("x-request-id", ""),
    }
    if response.status_code in (401, 403):
        return CalcomAuthenticationFailed(message, **kwargs)
    if response.status_code == 404:
        return CalcomNotFound(message, **kwargs)
    if response.status_code == 400 and any(phrase in message for phrase in _SLOT_TAKEN_PHRASES):
        return SlotTaken(message, **kwargs)
    return CalcomRequestRejected(message, **kwargs)
