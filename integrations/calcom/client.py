"""The one Cal.com API v2 client (facts and sources: shared/integrations/calcom.md).

Everything that talks to Cal.com goes through `CalcomClient`: its endpoints here, how each request is made
(versions, retries, rate limit, circuit breaker, errors) in `integrations.calcom.transport`, the slot cache
with request coalescing in `integrations.calcom.slot_cache`.

It needs no Django models: `calcom_client_for_current_company()` at the bottom wires it to the tenant.
Inside `caller_waiting()` (an in-call function) the clients it builds answer within the in-call deadline.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from integrations.calcom.errors import CalcomError, CalcomUnavailable
from integrations.calcom.slot_cache import SlotCache
from integrations.calcom.transport import (
    DEFAULT_API_VERSIONS,
    MALFORMED_ANSWER,
    CalcomTransport,
    ClientSettings,
)
from integrations.calcom.types import Attendee, Booking, EventType, Reservation, Slot, parse_instant, utc_z

NO_COMPANY = "The Cal.com client needs a company: the connection is on the public schema."
NAIVE_WINDOW = "Slot window bounds must be timezone-aware and start before end."

# When (time.monotonic()) the caller on the line started waiting for the current answer; None elsewhere.
_caller_waiting_since: ContextVar[float | None] = ContextVar("calcom_caller_waiting_since", default=None)


class CalcomClient(CalcomTransport):
    """Every Cal.com endpoint we use, each one call through the transport."""

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
        return SlotCache(self, event_type_id, window).get(
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

    def list_bookings(
        self,
        *,
        event_type_ids: Iterable[int] = (),
        after_start: datetime | None = None,
        before_end: datetime | None = None,
        booking_uid: str = "",
        page_size: int = 100,
    ) -> list[dict[str, Any]]:
        """Every booking matching the filters (all statuses), page by page (`take`/`skip`), as Cal.com sent
        them: reconciliation reads attendees and reschedule links that `Booking` leaves out."""
        params: dict[str, Any] = {"take": page_size}
        if event_type_ids:
            params["eventTypeIds"] = ",".join(str(int(known)) for known in event_type_ids)
        if after_start is not None:
            params["afterStart"] = utc_z(after_start)
        if before_end is not None:
            params["beforeEnd"] = utc_z(before_end)
        if booking_uid:
            params["bookingUid"] = booking_uid
        bookings: list[dict[str, Any]] = []
        skip = 0
        while True:
            page = self._call("GET", "/v2/bookings", group="bookings", params={**params, "skip": skip})
            if not isinstance(page, list):
                raise CalcomUnavailable(MALFORMED_ANSWER % 200)
            bookings.extend(item for item in page if isinstance(item, dict) and item.get("uid"))
            skip += len(page)
            if len(page) < page_size:
                return bookings

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


def settings_with_overrides(overrides: Mapping[str, Any] | None) -> ClientSettings:
    """Platform defaults with a company's overrides (unknown names are ignored, versions are merged)."""
    base = ClientSettings()
    if not overrides:
        return base
    known = {k: v for k, v in overrides.items() if k in ClientSettings.__dataclass_fields__}
    versions = {**DEFAULT_API_VERSIONS, **dict(known.pop("api_versions", {}) or {})}
    return replace(base, api_versions=versions, **known)


@contextmanager
def caller_waiting(since: float | None = None) -> Iterator[None]:
    """A caller waits for what happens inside (since `since`, a time.monotonic() value; default now):
    every client built in it shares one deadline, `in_call_deadline` seconds after that moment."""
    token = _caller_waiting_since.set(time.monotonic() if since is None else since)
    try:
        yield
    finally:
        _caller_waiting_since.reset(token)


def _in_call(settings: ClientSettings) -> tuple[ClientSettings, float | None]:
    """Inside `caller_waiting`: the deadline, and no wait for another worker's slot fetch beyond it."""
    since = _caller_waiting_since.get()
    if since is None:
        return settings, None
    deadline_at = since + settings.in_call_deadline
    left = max(0.0, deadline_at - time.monotonic())
    return replace(settings, coalesce_wait=min(settings.coalesce_wait, left)), deadline_at


def calcom_client_for_current_company() -> CalcomClient:
    """The client for the tenant the connection is on (its encrypted key, its Redis namespace).

    Tuning comes from the platform's `CALCOM_CLIENT` setting, with the company's own `CALCOM_CLIENT`
    (in `Company.settings`) on top, key by key; `base_url` is the platform's alone. Inside
    `caller_waiting` the client has the in-call deadline.
    """
    from common.cache import tenant_key
    from common.conf import company_overrides, current_company_fresh, platform_setting
    from common.redis import get_redis

    company = current_company_fresh()
    if company is None:
        raise RuntimeError(NO_COMPANY)
    overrides = dict(platform_setting("CALCOM_CLIENT", {}) or {})
    overrides.update(company_overrides(company).get("CALCOM_CLIENT", {}) or {})
    settings, deadline_at = _in_call(settings_with_overrides(overrides))
    return CalcomClient(
        api_key=company.calcom_api_key or "",
        redis_client=get_redis(),
        key=tenant_key,
        settings=settings,
        deadline_at=deadline_at,
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
    "caller_waiting",
]
