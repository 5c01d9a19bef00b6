"""A local stand-in for Cal.com API v2, built from the documented shapes (shared/integrations/calcom.md).

It is a real threaded HTTP server on a free port, so the client's real httpx stack, timeouts and retries
are exercised. By default it behaves like a calendar with 30-minute slots Mon-Fri 09:00-18:00 in the
host's timezone; tests script exceptional answers (429, 5xx, slow answers) with `queue()`, and an outage
(every request answered 503, or hung until recovery) with `go_down()` and `recover()`.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

RATE_LIMIT_MESSAGE = "CustomThrottlerGuard - Too many requests. Please try again later."
SLOT_TAKEN_MESSAGE = "User either already has booking at this time or is not available"
HANG_AT_MOST = 30.0  # a hung request is let go after this long even without `recover()`


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


def error_body(status: int, code: str, message: str, path: str = "/v2/bookings") -> dict[str, Any]:
    """The error envelope of calcom.md §1.6."""
    return {
        "status": "error",
        "timestamp": datetime.now(UTC).isoformat(),
        "path": path,
        "error": {"code": code, "message": message, "details": {"message": message, "statusCode": status}},
    }


def throttled(reset_seconds: int) -> Scripted:
    headers = {
        "X-RateLimit-Limit-Default": "120",
        "X-RateLimit-Remaining-Default": "0",
        "X-RateLimit-Reset-Default": str(reset_seconds),
    }
    return Scripted(429, error_body(429, "ThrottlerException", RATE_LIMIT_MESSAGE), headers)


class CalcomStandIn:
    def __init__(self, *, host_time_zone: str = "Europe/Berlin", slot_minutes: int = 30) -> None:
        self.host_tz = ZoneInfo(host_time_zone)
        self.slot_minutes = slot_minutes
        self.opening = (9, 18)
        self.booked: dict[str, dict[str, Any]] = {}
        self.event_types: list[dict[str, Any]] = [
            {
                "id": 4242,
                "slug": "haarschnitt",
                "title": "Haarschnitt",
                "lengthInMinutes": 30,
                "hidden": False,
            },
            {"id": 4343, "slug": "faerben", "title": "Färben", "lengthInMinutes": 90, "hidden": False},
        ]
        self.seen: list[Seen] = []
        self.response_delay = 0.0
        self.outage: str | None = None  # "hang" or "unavailable" while `go_down()` is in force
        self._recovered = threading.Event()
        self._script: deque[Scripted] = deque()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> CalcomStandIn:
        self._thread.start()
        return self

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

    # ----- behaviour --------------------------------------------------------------------------------

    def answer(self, method: str, path: str, query: dict[str, str], body: Any) -> Scripted:
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
        if method == "POST" and path.endswith("/cancel"):
            return self.cancel(path.split("/")[3])
        if method == "POST" and path.endswith("/reschedule"):
            return self.reschedule(path.split("/")[3], body)
        if method == "POST" and path == "/v2/slots/reservations":
            return self.reserve(body)
        if method == "DELETE" and path.startswith("/v2/slots/reservations/"):
            return Scripted(200, {"status": "success"})
        if method == "GET" and path == "/v2/event-types":
            mine = query.get("username") == "acme"
            return Scripted(200, {"status": "success", "data": self.event_types if mine else []})
        if method == "GET" and path == "/v2/me":
            return Scripted(
                200, {"status": "success", "data": {"id": 1, "username": "acme", "email": "a@b.c"}}
            )
        return Scripted(404, error_body(404, "NotFoundException", f"Cannot {method} {path}", path))

    def free_slots(self, query: dict[str, str]) -> dict[str, list[dict[str, str]]]:
        """Slots grouped by local date of `timeZone`; `start`/`end` read in UTC, a midnight end widened."""
        start = _parse_bound(query["start"])
        end = _parse_bound(query["end"])
        if end.time() == datetime.min.time():
            end = end + timedelta(hours=23, minutes=59, seconds=59)
        tz = ZoneInfo(query.get("timeZone", "UTC"))
        taken = {booking["start"] for booking in self.booked.values() if booking["status"] == "accepted"}
        days: dict[str, list[dict[str, str]]] = {}
        for slot_start in self._calendar(start, end):
            if _z(slot_start) in taken:
                continue
            local = slot_start.astimezone(tz)
            item = {"start": _iso_ms(local)}
            if query.get("format") == "range":
                item["end"] = _iso_ms(local + timedelta(minutes=self.slot_minutes))
            days.setdefault(local.date().isoformat(), []).append(item)
        return days

    def _calendar(self, start: datetime, end: datetime):
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

    def book(self, body: dict[str, Any], rescheduled_from: str | None = None) -> Scripted:
        wanted = _z(_parse_bound(body["start"]))
        if any(b["start"] == wanted and b["status"] == "accepted" for b in self.booked.values()):
            return Scripted(400, error_body(400, "BadRequestException", SLOT_TAKEN_MESSAGE))
        uid = uuid.uuid4().hex[:22]
        start = _parse_bound(body["start"])
        booking = {
            "id": len(self.booked) + 1000,
            "uid": uid,
            "title": "Appointment",
            "status": "accepted",
            "start": _z(start),
            "end": _z(start + timedelta(minutes=self.slot_minutes)),
            "duration": self.slot_minutes,
            "eventTypeId": body.get("eventTypeId"),
            "eventType": {"id": body.get("eventTypeId"), "slug": "appointment"},
            "attendees": [body.get("attendee", {})],
            "metadata": body.get("metadata", {}),
            "rescheduledFromUid": rescheduled_from,
        }
        self.booked[uid] = booking
        return Scripted(201, {"status": "success", "data": booking})

    def list_bookings(self, query: dict[str, str]) -> Scripted:
        """`GET /v2/bookings` (GetBookingsOutput_2024_08_13): filters ANDed, `take`/`skip`, every status
        (the `status` filter is not played)."""
        wanted_types = {int(known) for known in query.get("eventTypeIds", "").split(",") if known}
        after = _parse_bound(query["afterStart"]) if "afterStart" in query else None
        before = _parse_bound(query["beforeEnd"]) if "beforeEnd" in query else None
        found = [
            booking
            for booking in sorted(self.booked.values(), key=lambda booking: booking["start"])
            if (not wanted_types or booking["eventTypeId"] in wanted_types)
            and (after is None or _parse_bound(booking["start"]) >= after)
            and (before is None or _parse_bound(booking["end"]) <= before)
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

    def cancel(self, uid: str) -> Scripted:
        booking = self.booked.get(uid)
        if booking is None:
            return Scripted(404, error_body(404, "NotFoundException", f"Booking with uid={uid} not found"))
        if booking["status"] == "cancelled":  # handleCancelBooking.ts refuses a second cancellation
            return Scripted(
                400, error_body(400, "BadRequestException", "This booking has already been cancelled.")
            )
        booking["status"] = "cancelled"
        return Scripted(200, {"status": "success", "data": booking})

    def reschedule(self, uid: str, body: dict[str, Any]) -> Scripted:
        old = self.booked.get(uid)
        if old is None or old["status"] == "cancelled":
            return Scripted(
                400, error_body(400, "BadRequestException", "Can't reschedule a cancelled booking")
            )
        answer = self.book({**body, "eventTypeId": old["eventTypeId"], "metadata": old["metadata"]}, uid)
        if answer.status == 201:
            old["status"] = "cancelled"
            old["rescheduledToUid"] = answer.body["data"]["uid"]
        return answer

    def reserve(self, body: dict[str, Any]) -> Scripted:
        start = _parse_bound(body["slotStart"])
        minutes = int(body.get("reservationDuration", 5))
        data = {
            "eventTypeId": body["eventTypeId"],
            "slotStart": _z(start),
            "slotEnd": _z(start + timedelta(minutes=self.slot_minutes)),
            "slotDuration": self.slot_minutes,
            "reservationUid": str(uuid.uuid4()),
            "reservationDuration": minutes,
            "reservationUntil": _z(datetime.now(UTC) + timedelta(minutes=minutes)),
        }
        return Scripted(201, {"status": "success", "data": data})

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
                answer = standin.answer(self.command, parsed.path, query, body)
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


def _parse_bound(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _iso_ms(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")
