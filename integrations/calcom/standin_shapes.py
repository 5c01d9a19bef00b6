"""What the Cal.com stand-in (integrations.calcom.standin) answers and sends, shaped as Cal.com does.

Response bodies follow the OpenAPI document in integrations/calcom/openapi/ (BookingOutput_2024_08_13,
EventTypeOutput_2024_06_14, MeOutput); webhook bodies follow shared/integrations/calcom.md §2.2 (the
trigger, `createdAt` and the booking under `payload`; a reschedule carries the new uid and `rescheduleUid`,
a cancellation no metadata). Plain dictionaries, no Django: the stand-in runs in tests and in `make run`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

WEBHOOK_STATUS = {"accepted": "ACCEPTED", "cancelled": "CANCELLED", "pending": "PENDING"}


@dataclass(frozen=True)
class StandInAccount:
    """One Cal.com user of the stand-in: the key it is called with, and where its webhooks go.

    `webhook_url` empty: no webhooks (the tests' default stand-in sends none)."""

    api_key: str
    username: str
    user_id: int
    name: str = ""
    time_zone: str = "Europe/Berlin"
    webhook_url: str = ""
    webhook_secret: str = ""

    @property
    def email(self) -> str:
        return f"{self.username}@calcom-standin.invalid"

    def host(self) -> dict[str, Any]:
        return {
            "id": self.user_id,
            "name": self.name or self.username,
            "email": self.email,
            "username": self.username,
            "timeZone": self.time_zone,
        }


def event_type_output(event_type: dict[str, Any], owner: StandInAccount | None) -> dict[str, Any]:
    """EventTypeOutput_2024_06_14 for one of the stand-in's event types."""
    return {
        "id": event_type["id"],
        "lengthInMinutes": event_type["lengthInMinutes"],
        "title": event_type["title"],
        "slug": event_type["slug"],
        "description": event_type.get("description", ""),
        "locations": [],
        "bookingFields": [],
        "disableGuests": False,
        "recurrence": None,
        "metadata": {},
        "price": 0,
        "currency": "eur",
        "lockTimeZoneToggleOnBookingPage": False,
        "forwardParamsSuccessRedirect": None,
        "successRedirectUrl": None,
        "isInstantEvent": False,
        "scheduleId": None,
        "hidden": bool(event_type.get("hidden", False)),
        "bookingRequiresAuthentication": False,
        "ownerId": event_type.get("ownerId", owner.user_id if owner else 1),
        "users": [owner.username] if owner else [],
    }


def me_output(account: StandInAccount) -> dict[str, Any]:
    return {
        "id": account.user_id,
        "username": account.username,
        "email": account.email,
        "timeFormat": 24,
        "defaultScheduleId": None,
        "weekStart": "Monday",
        "timeZone": account.time_zone,
        "organizationId": None,
    }


def booking_attendee(attendee: dict[str, Any]) -> dict[str, Any]:
    """BookingAttendee: name, email, timeZone and absent are required (a phone-only booker has a
    placeholder address in Cal.com too)."""
    shaped = {
        "name": str(attendee.get("name") or ""),
        "email": str(attendee.get("email") or "no-email@calcom-standin.invalid"),
        "timeZone": str(attendee.get("timeZone") or "UTC"),
        "absent": False,
    }
    if attendee.get("phoneNumber"):
        shaped["phoneNumber"] = str(attendee["phoneNumber"])
    if attendee.get("language"):
        shaped["language"] = str(attendee["language"])
    return shaped


def webhook_body(
    trigger: str, booking: dict[str, Any], event_type: dict[str, Any] | None, host: StandInAccount
) -> dict[str, Any]:
    """One webhook delivery for `booking` (a BookingOutput as the stand-in stores it)."""
    attendees = [
        {
            "email": attendee["email"],
            "name": attendee["name"],
            "timeZone": attendee["timeZone"],
            "phoneNumber": attendee.get("phoneNumber"),
            "language": {"locale": attendee.get("language", "de")},
        }
        for attendee in booking["attendees"]
    ]
    payload: dict[str, Any] = {
        "type": booking["eventType"]["slug"],
        "title": booking["title"],
        "description": booking["description"],
        "startTime": booking["start"],
        "endTime": booking["end"],
        "organizer": {**host.host(), "language": {"locale": "de"}},
        "attendees": attendees,
        "uid": booking["uid"],
        "bookingId": booking["id"],
        "eventTypeId": booking["eventTypeId"],
        "length": booking["duration"],
        "eventTitle": (event_type or {}).get("title", booking["title"]),
        "status": WEBHOOK_STATUS.get(booking["status"], booking["status"].upper()),
    }
    if trigger == "BOOKING_CANCELLED":
        payload["cancellationReason"] = booking.get("cancellationReason", "")
        payload["cancelledBy"] = booking.get("cancelledByEmail", host.email)
    else:
        payload["metadata"] = booking.get("metadata", {})
    if trigger == "BOOKING_RESCHEDULED":
        payload["rescheduleUid"] = booking["rescheduledFromUid"]
        payload["reschedulingReason"] = booking.get("reschedulingReason", "")
        payload["rescheduledBy"] = booking.get("rescheduledByEmail", host.email)
    return {"triggerEvent": trigger, "createdAt": z(datetime.now(UTC)), "payload": payload}


def error_body(status: int, code: str, message: str, path: str = "/v2/bookings") -> dict[str, Any]:
    """The error envelope of calcom.md §1.6."""
    return {
        "status": "error",
        "timestamp": datetime.now(UTC).isoformat(),
        "path": path,
        "error": {"code": code, "message": message, "details": {"message": message, "statusCode": status}},
    }


def parse_bound(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def iso_ms(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def as_int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
