"""A Cal.com API v2 stand-in: the endpoints our client uses, answered from memory, shaped as the OpenAPI
document in integrations/calcom/openapi/ describes them (facts: shared/integrations/calcom.md).

One implementation for two uses:

- tests start it on a free port and script exceptional answers (429, 5xx, slow answers) with `queue()`,
  or an outage (every request 503, or hung until recovery) with `go_down()` and `recover()`;
- `make run` serves it for the demo companies (`manage.py calcom_standin`), so booking, moving and
  cancelling work without internet.

The calendar: slots every `slot_minutes` Mon-Fri 09:00-18:00 in the host's timezone; a booking lasts its
event type's length and blocks that time for every event type of the same host (`ownerId`). Like Cal.com
it answers a booking, a move or a cancellation only after sending the matching signed webhook
(BOOKING_CREATED / BOOKING_RESCHEDULED / BOOKING_CANCELLED, `X-Cal-Signature-256`) to the host account's
`webhook_url`; a failed delivery is logged and not retried (calcom.md §2.3).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import httpx

from integrations.calcom.signature import calcom_signature
from integrations.calcom.standin_shapes import (
    StandInAccount,
    as_int,
    booking_attendee,
    error_body,
    event_type_output,
    iso_ms,
    me_output,
    parse_bound,
    webhook_body,
    z,
)

logger = logging.getLogger(__name__)

RATE_LIMIT_MESSAGE = "CustomThrottlerGuard - Too many requests. Please try again later."
SLOT_TAKEN_MESSAGE = "User either already has booking at this time or is not available"
HANG_AT_MOST = 30.0  # a hung request is let go after this long even without `recover()`
WEBHOOK_TIMEOUT = 10.0
# Without accounts (the tests' default) every key is this user, and both event types are theirs.
DEFAULT_ACCOUNT = StandInAccount(api_key="", username="acme", user_id=1, name="Acme")
DEFAULT_EVENT_TYPES = (
    {"id": 4242, "slug": "haarschnitt", "title": "Haarschnitt", "lengthInMinutes": 30, "ownerId": 1},
    {"id": 4343, "slug": "faerben", "title": "Färben", "lengthInMinutes": 90, "ownerId": 1},
)


@dataclass
class Scripted:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    path_prefix: str = ""


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


def throttled(reset_seconds: int) -> Scripted:
    headers = {
        "X-RateLimit-Limit-Default": "120",
        "X-RateLimit-Remaining-Default": "0",
        "X-RateLimit-Reset-Default": str(reset_seconds),
    }
    return Scripted(429, error_body(429, "ThrottlerException", RATE_LIMIT_MESSAGE), headers)


class CalcomStandIn:
    def __init__(
        self,
        *,
        host_time_zone: str = "Europe/Berlin",
        slot_minutes: int = 30,
        accounts: Iterable[StandInAccount] = (),
        event_types: Iterable[dict[str, Any]] = DEFAULT_EVENT_TYPES,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        """`accounts`: the Cal.com users (keys, webhook addresses); `event_types` name their owner by
        `ownerId` (the account's `user_id`). Without accounts every key is the one user "acme"."""
        self.host_tz = ZoneInfo(host_time_zone)
        self.slot_minutes = slot_minutes
        self.opening = (9, 18)
        self.accounts = list(accounts) or [DEFAULT_ACCOUNT]
        self.event_types: list[dict[str, Any]] = [dict(event_type) for event_type in event_types]
        self.booked: dict[str, dict[str, Any]] = {}
        self.seen: list[Seen] = []
        self.deliveries: list[tuple[str, str, int | str]] = []  # (trigger, booking uid, status or error)
        self.response_delay = 0.0
        self.outage: str | None = None  # "hang" or "unavailable" while `go_down()` is in force
        self._recovered = threading.Event()
        self._script: deque[Scripted] = deque()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> CalcomStandIn:
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted (`manage.py calcom_standin`)."""
        try:
            self._server.serve_forever(0.2)
        finally:
            self._server.server_close()

    def stop(self) -> None:
        self.recover()  # let hung requests go, so their threads end
        self._server.shutdown()
        self._server.server_close()

    def queue(self, *answers: Scripted) -> None:
        with self._lock:
            self._script.extend(answers)

    def go_down(self, how: str) -> None:
        """An outage until `recover()`: "unavailable" answers every request 503 at once; "hang" accepts the
        connection and answers nothing until after recovery (past any client's read timeout)."""
        if how not in ("hang", "unavailable"):
            raise ValueError(how)
        self._recovered.clear()
        self.outage = how

    def recover(self) -> None:
        self.outage = None
        self._recovered.set()

    def requests_to(self, path_prefix: str) -> list[Seen]:
        return [seen for seen in self.seen if seen.path.startswith(path_prefix)]

    # ----- accounts and event types ----------------------------------------------------------------

    def account_for(self, api_key: str) -> StandInAccount | None:
        if self.accounts == [DEFAULT_ACCOUNT]:
            return DEFAULT_ACCOUNT
        return next((account for account in self.accounts if account.api_key == api_key), None)

    def event_type(self, event_type_id: Any) -> dict[str, Any] | None:
        return next((known for known in self.event_types if known["id"] == event_type_id), None)

    def owner_of(self, event_type_id: Any) -> StandInAccount | None:
        event_type = self.event_type(event_type_id)
        owner_id = event_type.get("ownerId") if event_type else None
        return next((account for account in self.accounts if account.user_id == owner_id), None)

    # ----- behaviour --------------------------------------------------------------------------------

    def answer(self, method: str, path: str, query: dict[str, str], body: Any, api_key: str = "") -> Scripted:
        if self.outage is not None:
            if self.outage == "hang":
                self._recovered.wait(timeout=HANG_AT_MOST)
            return Scripted(503, error_body(503, "ServiceUnavailableException", "Service Unavailable", path))
        with self._lock:
            for index, scripted in enumerate(self._script):
                if path.startswith(scripted.path_prefix):
                    del self._script[index]
                    return scripted
        if method == "GET" and path == "/v2/slots":
            return Scripted(200, {"status": "success", "data": self.free_slots(query)})
        if method == "POST" and path == "/v2/bookings":
            return self.book(body)
        if method == "GET" and path == "/v2/bookings":
            return self.list_bookings(query)
        if method == "GET" and path.startswith("/v2/bookings/"):
            return self.get_booking(path.split("/")[3])
        if method == "POST" and path.endswith("/cancel"):
            return self.cancel(path.split("/")[3], body or {})
        if method == "POST" and path.endswith("/reschedule"):
            return self.reschedule(path.split("/")[3], body)
        if method == "POST" and path == "/v2/slots/reservations":
            return self.reserve(body)
        if method == "DELETE" and path.startswith("/v2/slots/reservations/"):
            return Scripted(200, {"status": "success"})
        if method == "GET" and path.startswith("/v2/event-types"):
            return self.list_event_types(path, query)
        if method == "GET" and path == "/v2/me":
            account = self.account_for(api_key)
            if account is None:
                return Scripted(401, error_body(401, "UnauthorizedException", "Invalid API Key", path))
            return Scripted(200, {"status": "success", "data": me_output(account)})
        return Scripted(404, error_body(404, "NotFoundException", f"Cannot {method} {path}", path))

    def list_event_types(self, path: str, query: dict[str, str]) -> Scripted:
        """By id, or a user's list (`username` required: without it Cal.com answers [], calcom.md §1.2)."""
        if path.count("/") == 3:
            event_type = self.event_type(as_int(path.split("/")[3]))
            if event_type is None:
                return Scripted(404, error_body(404, "NotFoundException", "Event type not found", path))
            return Scripted(200, {"status": "success", "data": self._event_type_output(event_type)})
        owner = next((a for a in self.accounts if a.username == query.get("username")), None)
        mine = [e for e in self.event_types if owner and e.get("ownerId", 1) == owner.user_id]
        return Scripted(200, {"status": "success", "data": [self._event_type_output(e) for e in mine]})

    def _event_type_output(self, event_type: dict[str, Any]) -> dict[str, Any]:
        return event_type_output(event_type, self.owner_of(event_type["id"]))

    def free_slots(self, query: dict[str, str]) -> dict[str, list[dict[str, str]]]:
        """Slots grouped by local date of `timeZone`; `start`/`end` read in UTC, a midnight end widened."""
        start = parse_bound(query["start"])
        end = parse_bound(query["end"])
        if end.time() == datetime.min.time():
            end = end + timedelta(hours=23, minutes=59, seconds=59)
        tz = ZoneInfo(query.get("timeZone", "UTC"))
        event_type_id = as_int(query.get("eventTypeId"))
        length = timedelta(minutes=self.length_of(event_type_id))
        days: dict[str, list[dict[str, str]]] = {}
        for slot_start in self._calendar(start, end):
            if self._busy(event_type_id, slot_start, slot_start + length):
                continue
            local = slot_start.astimezone(tz)
            item = {"start": iso_ms(local)}
            if query.get("format") == "range":
                item["end"] = iso_ms(local + timedelta(minutes=self.slot_minutes))
            days.setdefault(local.date().isoformat(), []).append(item)
        return days

    def length_of(self, event_type_id: Any) -> int:
        """The event type's length; `slot_minutes` for an event type the stand-in does not know."""
        event_type = self.event_type(event_type_id)
        return int(event_type["lengthInMinutes"]) if event_type else self.slot_minutes

    def _busy(self, event_type_id: Any, start: datetime, end: datetime) -> bool:
        """Whether the host of `event_type_id` has an accepted booking overlapping [start, end)."""
        owner = (self.event_type(event_type_id) or {}).get("ownerId", 1)
        for booking in list(self.booked.values()):
            if booking["status"] != "accepted":
                continue
            if (self.event_type(booking["eventTypeId"]) or {}).get("ownerId", 1) != owner:
                continue
            if parse_bound(booking["start"]) < end and start < parse_bound(booking["end"]):
                return True
        return False

    def _calendar(self, start: datetime, end: datetime) -> Iterator[datetime]:
        day = start.astimezone(self.host_tz).date() - timedelta(days=1)
        while datetime.combine(day, datetime.min.time(), self.host_tz) <= end:
            if day.weekday() < 5:
                moment = datetime.combine(
                    day, datetime.min.time().replace(hour=self.opening[0]), self.host_tz
                )
                closing = datetime.combine(
                    day, datetime.min.time().replace(hour=self.opening[1]), self.host_tz
                )
                while moment < closing:
                    if start <= moment <= end:
                        yield moment.astimezone(UTC)
                    moment = (moment.astimezone(UTC) + timedelta(minutes=self.slot_minutes)).astimezone(
                        self.host_tz
                    )
            day += timedelta(days=1)

    def book(self, body: dict[str, Any], rescheduled_from: dict[str, Any] | None = None) -> Scripted:
        start = parse_bound(body["start"])
        event_type_id = body.get("eventTypeId")
        end = start + timedelta(minutes=self.length_of(event_type_id))
        if self._busy(event_type_id, start, end):
            return Scripted(400, error_body(400, "BadRequestException", SLOT_TAKEN_MESSAGE))
        booking = self.booking_record(
            uid=uuid.uuid4().hex[:22],
            event_type_id=event_type_id,
            start=start,
            end=end,
            attendee=body.get("attendee") or {},
            metadata=body.get("metadata") or {},
        )
        if rescheduled_from is not None:
            booking["rescheduledFromUid"] = rescheduled_from["uid"]
            booking["reschedulingReason"] = body.get("reschedulingReason", "")
        self.booked[booking["uid"]] = booking
        if rescheduled_from is None:
            self.send_webhook("BOOKING_CREATED", booking)
        return Scripted(201, {"status": "success", "data": booking})

    def booking_record(
        self,
        *,
        uid: str,
        event_type_id: Any,
        start: datetime,
        end: datetime,
        attendee: dict[str, Any],
        metadata: dict[str, Any],
        status: str = "accepted",
    ) -> dict[str, Any]:
        """A booking as BookingOutput_2024_08_13 has it (also for bookings the demo already holds)."""
        event_type = self.event_type(event_type_id) or {"slug": "appointment", "title": "Appointment"}
        host = self.owner_of(event_type_id) or self.accounts[0]
        attendee_out = booking_attendee(attendee)
        now = z(datetime.now(UTC))
        return {
            "id": len(self.booked) + 1000,
            "uid": uid,
            "title": f"{event_type['title']} between {host.host()['name']} and {attendee_out['name']}",
            "description": "",
            "hosts": [host.host()],
            "status": status,
            "start": z(start),
            "end": z(end),
            "duration": int((end - start).total_seconds() // 60),
            "eventTypeId": event_type_id,
            "eventType": {"id": event_type_id, "slug": event_type["slug"]},
            "location": "",
            "absentHost": False,
            "createdAt": now,
            "updatedAt": now,
            "attendees": [attendee_out],
            "bookingFieldsResponses": {"name": attendee_out["name"]},
            "metadata": metadata,
        }

    def list_bookings(self, query: dict[str, str]) -> Scripted:
        """`GET /v2/bookings` (GetBookingsOutput_2024_08_13): filters ANDed, `take`/`skip`, every status
        (the `status` filter is not played)."""
        wanted_types = {int(known) for known in query.get("eventTypeIds", "").split(",") if known}
        after = parse_bound(query["afterStart"]) if "afterStart" in query else None
        before = parse_bound(query["beforeEnd"]) if "beforeEnd" in query else None
        found = [
            booking
            for booking in sorted(self.booked.values(), key=lambda booking: booking["start"])
            if (not wanted_types or booking["eventTypeId"] in wanted_types)
            and (after is None or parse_bound(booking["start"]) >= after)
            and (before is None or parse_bound(booking["end"]) <= before)
            and query.get("bookingUid", booking["uid"]) == booking["uid"]
        ]
        take, skip = int(query.get("take", 100)), int(query.get("skip", 0))
        page = found[skip : skip + take]
        pagination = {
            "totalItems": len(found),
            "remainingItems": max(len(found) - skip - len(page), 0),
            "returnedItems": len(page),
            "itemsPerPage": take,
            "currentPage": skip // take + 1,
            "totalPages": -(-len(found) // take),
            "hasNextPage": skip + len(page) < len(found),
            "hasPreviousPage": skip > 0,
        }
        return Scripted(200, {"status": "success", "data": page, "pagination": pagination})

    def get_booking(self, uid: str) -> Scripted:
        booking = self.booked.get(uid)
        if booking is None:
            return Scripted(404, error_body(404, "NotFoundException", f"Booking with uid={uid} not found"))
        return Scripted(200, {"status": "success", "data": booking})

    def cancel(self, uid: str, body: dict[str, Any] | None = None) -> Scripted:
        booking = self.booked.get(uid)
        if booking is None:
            return Scripted(404, error_body(404, "NotFoundException", f"Booking with uid={uid} not found"))
        if booking["status"] == "cancelled":  # handleCancelBooking.ts refuses a second cancellation
            return Scripted(
                400, error_body(400, "BadRequestException", "This booking has already been cancelled.")
            )
        booking["status"] = "cancelled"
        booking["cancellationReason"] = str((body or {}).get("cancellationReason") or "")
        self.send_webhook("BOOKING_CANCELLED", booking)
        return Scripted(200, {"status": "success", "data": booking})

    def reschedule(self, uid: str, body: dict[str, Any]) -> Scripted:
        """A move is a new booking (new uid, `rescheduledFromUid`); the old one is cancelled without a
        BOOKING_CANCELLED of its own (calcom.md §4.4)."""
        old = self.booked.get(uid)
        if old is None or old["status"] == "cancelled":
            return Scripted(
                400, error_body(400, "BadRequestException", "Can't reschedule a cancelled booking")
            )
        attendee = {**old["attendees"][0]} if old["attendees"] else {}
        old["status"] = "cancelled"  # its own time is free for the move
        moved = {**body, "eventTypeId": old["eventTypeId"], "metadata": old["metadata"], "attendee": attendee}
        answer = self.book(moved, rescheduled_from=old)
        if answer.status != 201:
            old["status"] = "accepted"
            return answer
        old["rescheduledToUid"] = answer.body["data"]["uid"]
        self.send_webhook("BOOKING_RESCHEDULED", answer.body["data"])
        return answer

    def reserve(self, body: dict[str, Any]) -> Scripted:
        start = parse_bound(body["slotStart"])
        minutes = int(body.get("reservationDuration", 5))
        data = {
            "eventTypeId": body["eventTypeId"],
            "slotStart": z(start),
            "slotEnd": z(start + timedelta(minutes=self.slot_minutes)),
            "slotDuration": self.slot_minutes,
            "reservationUid": str(uuid.uuid4()),
            "reservationDuration": minutes,
            "reservationUntil": z(datetime.now(UTC) + timedelta(minutes=minutes)),
        }
        return Scripted(201, {"status": "success", "data": data})

    def send_webhook(self, trigger: str, booking: dict[str, Any]) -> None:
        """POST the signed webhook to the host's address before answering, as Cal.com does; once."""
        host = self.owner_of(booking["eventTypeId"])
        if host is None or not host.webhook_url:
            return
        body = webhook_body(trigger, booking, self.event_type(booking["eventTypeId"]), host)
        raw = json.dumps(body).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Cal-Signature-256": calcom_signature(raw, host.webhook_secret),
            "X-Cal-Webhook-Version": "2021-10-20",
        }
        try:
            answer = httpx.post(host.webhook_url, content=raw, headers=headers, timeout=WEBHOOK_TIMEOUT)
            outcome: int | str = answer.status_code
        except httpx.HTTPError as exc:
            outcome = type(exc).__name__
        logger.info("webhook %s %s -> %s: %s", trigger, booking["uid"], host.webhook_url, outcome)
        with self._lock:
            self.deliveries.append((trigger, booking["uid"], outcome))

    # ----- HTTP plumbing ----------------------------------------------------------------------------

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                parsed = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                headers = {k.lower(): v for k, v in self.headers.items()}
                with standin._lock:
                    standin.seen.append(Seen(self.command, parsed.path, query, headers, body))
                api_key = headers.get("authorization", "").removeprefix("Bearer ").strip()
                answer = standin.answer(self.command, parsed.path, query, body, api_key)
                time.sleep(answer.delay or standin.response_delay)
                payload = json.dumps(answer.body).encode() if answer.body is not None else b""
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.send_header("X-Request-Id", uuid.uuid4().hex)
                    rate = {"X-RateLimit-Limit-Default": "120", "X-RateLimit-Remaining-Default": "119"}
                    rate["X-RateLimit-Reset-Default"] = "60"
                    for name, value in {**rate, **answer.headers}.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (read timeout): exactly what a slow Cal.com looks like

            do_GET = do_POST = do_DELETE = do_PATCH = _serve

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler
