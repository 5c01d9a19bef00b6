"""Reading Cal.com webhook bodies (shapes in calcom.md §2.2) into the facts the appointment services use."""

from __future__ import annotations

from typing import Any

from appointments.models import Appointment
from appointments.services import CalcomBookingFacts
from common.webhook_body import max_length
from integrations.calcom.types import parse_instant
from integrations.models import WebhookEvent
from org.models import Customer

MISSING_FIELD = "Cal.com payload has no %s."


def _limits() -> dict[str, int]:
    """What a delivery writes into our columns (the booking sits under `payload`, or flat for MEETING_*)."""
    booking = {
        "uid": max_length(Appointment, "calcom_booking_uid"),
        "rescheduleUid": max_length(Appointment, "calcom_booking_uid"),
        "attendees.0.name": max_length(Customer, "name"),
        "attendees.0.email": max_length(Customer, "email"),
    }
    return {
        "triggerEvent": max_length(WebhookEvent, "event"),
        **booking,
        **{f"payload.{path}": limit for path, limit in booking.items()},
    }


LIMITS = _limits()


class PayloadError(ValueError):
    """The body lacks what a booking webhook must carry."""


def payload_of(body: dict[str, Any]) -> dict[str, Any]:
    """The booking data: under `payload`, except for MEETING_* triggers, which send it flat (issue #12494)."""
    payload = body.get("payload")
    return payload if isinstance(payload, dict) else body


def booking_facts(payload: dict[str, Any]) -> CalcomBookingFacts:
    for field in ("uid", "startTime", "endTime"):
        if not payload.get(field):
            raise PayloadError(MISSING_FIELD % field)
    attendee = _first_attendee(payload)
    metadata = payload.get("metadata") if isinstance(payload.get("metadata"), dict) else {}
    language = attendee.get("language")
    return CalcomBookingFacts(
        uid=str(payload["uid"]),
        event_type_id=_int(payload.get("eventTypeId")),
        start=parse_instant(str(payload["startTime"])),
        end=parse_instant(str(payload["endTime"])),
        status=str(payload.get("status") or ""),
        attendee_name=str(attendee.get("name") or ""),
        attendee_email=str(attendee.get("email") or ""),
        attendee_phone=str(attendee.get("phoneNumber") or _answer(payload, "attendeePhoneNumber") or ""),
        attendee_time_zone=str(attendee.get("timeZone") or ""),
        attendee_language=str(language.get("locale", "") if isinstance(language, dict) else language or ""),
        reschedule_uid=str(payload["rescheduleUid"]) if payload.get("rescheduleUid") else None,
        reference=str(metadata["switchboard_ref"]) if metadata.get("switchboard_ref") else None,
        reason=str(payload.get("cancellationReason") or payload.get("reschedulingReason") or ""),
        changed_by_email=_email_of(payload.get("cancelledBy") or payload.get("rescheduledBy")),
        notes=str(payload.get("additionalNotes") or ""),
    )


def _first_attendee(payload: dict[str, Any]) -> dict[str, Any]:
    """The first attendee is the booker; guests follow."""
    attendees = payload.get("attendees")
    if isinstance(attendees, list) and attendees and isinstance(attendees[0], dict):
        return attendees[0]
    return {}


def _answer(payload: dict[str, Any], field: str) -> str:
    answer = (payload.get("responses") or {}).get(field)
    value = answer.get("value") if isinstance(answer, dict) else answer
    return value if isinstance(value, str) else ""


def _email_of(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("email") or "")
    return str(value or "") if "@" in str(value or "") else ""


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
