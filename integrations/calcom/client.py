"""The one Cal.com API v2 client (facts and sources: shared/integrations/calcom.md).

Everything that talks to Cal.com goes through `CalcomClient`: the version header per endpoint, timeouts,
retries with backoff and jitter, the per-key rate limiter, the per-company circuit breaker, the slot cache
with request coalescing, and the mapping of answers to typed exceptions (`integrations.calcom.errors`).

It needs no Django models: `calcom_client_for_current_company()` at the bottom wires it to the tenant.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import redis
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from integrations.calcom.errors import (
    CalcomAuthenticationFailed,
    CalcomError,
    CalcomNotFound,
    CalcomRateLimited,
    CalcomRequestRejected,
    CalcomUnavailable,
    SlotTaken,
)
from integrations.calcom.resilience import CircuitBreaker, RateLimiter, RateLimitHeaders
from integrations.calcom.types import Attendee, Booking, EventType, Reservation, Slot, parse_instant, utc_z

logger = logging.getLogger(__name__)

UNREACHABLE = "Cal.com could not be reached (%s)."
SERVER_ERROR = "Cal.com answered with a server error (HTTP %s)."
MALFORMED_ANSWER = "Cal.com sent an answer we cannot read (HTTP %s)."
COALESCE_TIMEOUT = "Timed out waiting for another worker's Cal.com slot request."
NO_COMPANY = "The Cal.com client needs a company: the connection is on the public schema."
NAIVE_WINDOW = "Slot window bounds must be timezone-aware and start before end."

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
            _shared_http[key] = httpx.Client(base_url=settings.base_url, timeout=timeout)
        return _shared_http[key]


class CalcomClient:
    def __init__(
        self,
        *,
        api_key: str,
        redis_client: redis.Redis,
        key: Callable[..., str],
        settings: ClientSettings | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        """`key(*parts)` builds the company-scoped Redis key (`common.cache.tenant_key` in the app)."""
        self.settings = settings or ClientSettings()
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

    # ----- public API -------------------------------------------------------------------------------

    def me(self) -> dict[str, Any]:
        """The key's own profile: the connection test, and the username event-type listing needs."""
        return self._call("GET", "/v2/me", group=None)

    def event_types(self, *, username: str) -> list[EventType]:
        # Without `username` Cal.com returns [] even with a valid key (calcom.md §1.2).
        data = self._call("GET", "/v2/event-types", group="event_types", params={"username": username})
        return [EventType.from_api(item) for item in data]

    def event_type(self, event_type_id: int) -> EventType:
        return EventType.from_api(self._call("GET", f"/v2/event-types/{event_type_id}", group="event_types"))

    def slots(self, *, event_type_id: int, start: datetime, end: datetime, time_zone: str) -> list[Slot]:
        """Free slots in [start, end), cached briefly per event type and window; one fetch for many."""
        if start.tzinfo is None or end.tzinfo is None or start >= end:
            raise ValueError(NAIVE_WINDOW)
        window = (utc_z(start), utc_z(end), time_zone)
        return _SlotCache(self, event_type_id, window).get(
            lambda: self._fetch_slots(event_type_id, start, end, time_zone)
        )

    def invalidate_slots(self, event_type_id: int) -> None:
        """Forget every cached window of an event type (after we book, cancel or move in it)."""
        self._redis.incr(self._key("calcom", "slots-generation", event_type_id))

    def reserve_slot(self, *, event_type_id: int, start: datetime, minutes: int = 5) -> Reservation:
        body = {"eventTypeId": event_type_id, "slotStart": utc_z(start), "reservationDuration": minutes}
        data = self._call("POST", "/v2/slots/reservations", group="reservations", json_body=body)
        return Reservation.from_api(data)

    def release_reservation(self, reservation_uid: str) -> None:
        self._call(
            "DELETE", f"/v2/slots/reservations/{reservation_uid}", group="reservations", idempotent=True
        )

    def create_booking(
        self, *, event_type_id: int, start: datetime, attendee: Attendee, metadata: Mapping[str, Any]
    ) -> Booking:
        body = {
            "start": utc_z(start),
            "eventTypeId": event_type_id,
            "attendee": attendee.to_api(),
            "metadata": _flat_metadata(metadata),
        }
        data = self._call("POST", "/v2/bookings", group="bookings", json_body=body, idempotent=False)
        self.invalidate_slots(event_type_id)
        return Booking.from_api(data)

    def get_booking(self, uid: str) -> Booking:
        return Booking.from_api(self._call("GET", f"/v2/bookings/{uid}", group="bookings"))

    def cancel_booking(self, uid: str, *, reason: str, event_type_id: int | None = None) -> Booking:
        # A host's key must send a non-empty reason, else 400 (calcom.md §1.5).
        body = {"cancellationReason": reason or "Cancelled"}
        data = self._call(
            "POST", f"/v2/bookings/{uid}/cancel", group="bookings", json_body=body, idempotent=True
        )
        booking = Booking.from_api(data)
        self._invalidate_for(event_type_id, booking)
        return booking

    def reschedule_booking(
        self, uid: str, *, start: datetime, reason: str = "", event_type_id: int | None = None
    ) -> Booking:
        """Move a booking; Cal.com answers with a *new* booking (new uid, `rescheduled_from_uid` = uid)."""
        body: dict[str, Any] = {"start": utc_z(start)}
        if reason:
            body["reschedulingReason"] = reason
        data = self._call(
            "POST", f"/v2/bookings/{uid}/reschedule", group="bookings", json_body=body, idempotent=False
        )
        booking = Booking.from_api(data)
        self._invalidate_for(event_type_id, booking)
        return booking

    # ----- internals --------------------------------------------------------------------------------

    def _invalidate_for(self, event_type_id: int | None, booking: Booking) -> None:
        for known in {event_type_id, booking.event_type_id} - {None}:
            self.invalidate_slots(int(known))

    def _fetch_slots(self, event_type_id: int, start: datetime, end: datetime, time_zone: str) -> list[Slot]:
        # Cal.com widens an `end` of exactly 00:00:00Z to 23:59:59Z of that day (calcom.md §1.3): a
        # window ending at UTC midnight would silently grow by a day, so stop one second earlier.
        upper = end - timedelta(seconds=1) if end.astimezone(UTC).time() == datetime.min.time() else end
        params = {
            "eventTypeId": event_type_id,
            "start": utc_z(start),
            "end": utc_z(upper),
            "timeZone": time_zone,
            "format": "range",
        }
        data = self._call("GET", "/v2/slots", group="slots", params=params)
        if not isinstance(data, dict):
            raise CalcomUnavailable(MALFORMED_ANSWER % 200)
        slots = [_slot_from_api(item) for day in data.values() for item in day]
        return sorted(slot for slot in slots if start <= slot.start < end)

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
            stop=stop_after_attempt(self.settings.attempts),
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
        self.rate_limiter.acquire(max_wait=self.settings.max_rate_wait)
        started = time.monotonic()
        try:
            response = self._http.request(
                method, path, params=params, json=json_body, headers=self._headers(group)
            )
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

    def _headers(self, group: str | None) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        if group is not None:
            headers["cal-api-version"] = self.settings.api_versions[group]
        return headers


class _SlotCache:
    """Slots for one event type and window, shared by every worker of the company.

    The first caller takes a short Redis lock and fetches; concurrent callers wait for its result instead
    of asking Cal.com themselves (ten callers asking about the same day cause one request). Invalidation
    bumps a per-event-type generation that is part of the key, so no key scan is ever needed.
    """

    LOCK_SECONDS = 15

    def __init__(self, client: CalcomClient, event_type_id: int, window: tuple[str, str, str]) -> None:
        self._client = client
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
        deadline = time.monotonic() + self._client.settings.coalesce_wait
        while True:
            token = uuid.uuid4().hex
            if self._redis.set(self._lock_key, token, nx=True, ex=self.LOCK_SECONDS):
                return self._fetch_as_leader(fetch, token)
            leader = _text(self._redis.get(self._lock_key))
            result = self._wait_for_leader(leader, deadline)
            if result is not None:
                return result

    def _fetch_as_leader(self, fetch: Callable[[], list[Slot]], token: str) -> list[Slot]:
        settings = self._client.settings
        try:
            slots = fetch()
        except CalcomUnavailable:
            # Tell the waiters to give up now rather than each trying Cal.com in turn.
            self._redis.set(f"{self._failure_key}:{token}", 1, ex=5)
            raise
        else:
            ttl = settings.slot_cache_seconds if slots else settings.empty_slot_cache_seconds
            self._redis.set(self._value_key, json.dumps([slot.to_json() for slot in slots]), ex=ttl)
            return slots
        finally:
            if _text(self._redis.get(self._lock_key)) == token:
                self._redis.delete(self._lock_key)

    def _wait_for_leader(self, leader: str | None, deadline: float) -> list[Slot] | None:
        """Poll until the leader's answer lands; None means the lock is free again (leader vanished)."""
        while True:
            cached = self._cached()
            if cached is not None:
                return cached
            if leader and self._redis.exists(f"{self._failure_key}:{leader}"):
                raise CalcomUnavailable(UNREACHABLE % "failed for a concurrent caller")
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


def _text(value: bytes | str | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


def _slot_from_api(item: Mapping[str, Any]) -> Slot:
    end = item.get("end")
    return Slot(start=parse_instant(item["start"]), end=parse_instant(end) if end else None)


def _flat_metadata(metadata: Mapping[str, Any]) -> dict[str, str | int | float | bool]:
    """Cal.com accepts at most 50 keys of ≤ 40 characters with scalar values (strings ≤ 500)."""
    flat: dict[str, str | int | float | bool] = {}
    for name, value in list(metadata.items())[:50]:
        if isinstance(value, bool | int | float):
            flat[str(name)[:40]] = value
        elif value is not None:
            flat[str(name)[:40]] = str(value)[:500]
    return flat


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


def settings_with_overrides(overrides: Mapping[str, Any] | None) -> ClientSettings:
    """Platform defaults with a company's overrides (unknown names are ignored, versions are merged)."""
    base = ClientSettings()
    if not overrides:
        return base
    known = {k: v for k, v in overrides.items() if k in ClientSettings.__dataclass_fields__}
    versions = {**DEFAULT_API_VERSIONS, **dict(known.pop("api_versions", {}) or {})}
    return replace(base, api_versions=versions, **known)


def calcom_client_for_current_company() -> CalcomClient:
    """The client for the tenant the connection is on (its encrypted key, its Redis namespace).

    Tuning comes from the platform's `CALCOM_CLIENT` setting, with the company's own `CALCOM_CLIENT`
    (in `Company.settings`) on top, key by key.
    """
    from common.cache import tenant_key
    from common.conf import current_company_fresh, platform_setting
    from common.redis import get_redis

    company = current_company_fresh()
    if company is None:
        raise RuntimeError(NO_COMPANY)
    overrides = dict(platform_setting("CALCOM_CLIENT", {}) or {})
    overrides.update((company.settings or {}).get("CALCOM_CLIENT", {}) or {})
    return CalcomClient(
        api_key=company.calcom_api_key or "",
        redis_client=get_redis(),
        key=tenant_key,
        settings=settings_with_overrides(overrides),
    )


__all__ = [
    "Attendee",
    "Booking",
    "CalcomClient",
    "CalcomError",
    "ClientSettings",
    "EventType",
    "Reservation",
    "Slot",
    "calcom_client_for_current_company",
]
