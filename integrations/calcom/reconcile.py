"""Reconciliation with Cal.com's own list: bookings whose webhook never came are applied as if it had.

Every 15 minutes per company (integrations/beat.py) we list the bookings of the company's mapped event
types starting in the coming weeks (`GET /v2/bookings`) and compare them with our appointments by booking
uid. What we lack or hold differently goes through the very functions the webhook path uses
(appointments.services: appointment_record_calcom_booking / _cancellation / _reschedule), so a webhook
arriving later finds its work done and changes nothing, and a second run finds nothing to do:

- a live booking we do not hold: created (a reschedule link to one we hold: that one is moved);
- a pending booking Cal.com has accepted: confirmed;
- a booking Cal.com cancelled that is active here: cancelled, unless Cal.com moved it (then moved).

Our own changes not yet pushed to Cal.com (sync_state pending) are left to their own sweep: an
appointment cancelled or moved here but still live there is never revived or moved back.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from appointments.models import Appointment, EventTypeMapping, UnmappedBooking
from appointments.services import (
    CalcomBookingFacts,
    appointment_record_calcom_booking,
    appointment_record_calcom_cancellation,
    appointment_record_calcom_reschedule,
)
from common.conf import company_setting, current_company_fresh
from common.metrics import RECONCILIATION_REPAIRS
from integrations.calcom.client import CalcomClient, calcom_client_for_current_company
from integrations.calcom.types import parse_instant
from integrations.calcom.unmapped import calcom_unmapped_hand_over
from org.models import Service
from tenants.models import Company

logger = logging.getLogger(__name__)

ENDED = ("cancelled", "rejected")
_skip_logged: set[str] = set()


def calcom_reconcile(*, now: datetime | None = None) -> int:
    """Repair the current company's appointments from Cal.com's list; returns how many were repaired."""
    company = current_company_fresh()
    event_types = mapped_event_types()
    if company is None or not company.calcom_api_key or not event_types:
        _log_skip_once(company, "no event type mapped" if event_types else "no Cal.com API key")
        return 0
    now = now or timezone.now()
    client = calcom_client_for_current_company()
    weeks = int(company_setting("CALCOM_RECONCILE_WEEKS", 4))
    listed = client.list_bookings(
        event_type_ids=event_types, after_start=now, before_end=now + timedelta(weeks=weeks)
    )
    by_uid = {str(booking["uid"]): booking for booking in listed}
    # Live bookings first: a move then reaches the appointment before its old, cancelled booking does.
    ordered = sorted(listed, key=lambda booking: _status(booking) in ENDED)
    repaired = 0
    for booking in ordered:
        if _repair(client, booking, by_uid):
            repaired += 1
            client.invalidate_slots(_event_type_of(booking))  # the calendar changed: cached slots are stale
    if repaired:
        RECONCILIATION_REPAIRS.labels(source="calcom").inc(repaired)
        logger.info("Cal.com reconciliation repaired %d booking(s)", repaired)
    return repaired


def mapped_event_types() -> list[int]:
    """Every Cal.com event type a branch's service (or a staff member's variant) is booked in, and the
    services' own event types."""
    mapped = set(EventTypeMapping.objects.values_list("event_type_id", flat=True))
    mapped |= set(
        Service.objects.filter(calcom_event_type_id__isnull=False).values_list(
            "calcom_event_type_id", flat=True
        )
    )
    return sorted(int(known) for known in mapped)


def booking_facts_from_api(booking: dict[str, Any], *, moved_from: str | None = None) -> CalcomBookingFacts:
    """The facts a webhook would carry, read from an API v2 booking (BookingOutput_2024_08_13)."""
    attendees = booking.get("attendees") if isinstance(booking.get("attendees"), list) else []
    attendee = attendees[0] if attendees and isinstance(attendees[0], dict) else {}
    responses = booking.get("bookingFieldsResponses") or {}
    metadata = booking.get("metadata") if isinstance(booking.get("metadata"), dict) else {}
    event_type = booking.get("eventType") if isinstance(booking.get("eventType"), dict) else {}
    event_type_id = booking.get("eventTypeId") or event_type.get("id")
    return CalcomBookingFacts(
        uid=str(booking["uid"]),
        event_type_id=int(event_type_id) if event_type_id is not None else None,
        start=parse_instant(str(booking["start"])),
        end=parse_instant(str(booking["end"])),
        status=_status(booking),
        attendee_name=str(attendee.get("name") or ""),
        attendee_email=str(attendee.get("email") or ""),
        attendee_phone=str(attendee.get("phoneNumber") or responses.get("attendeePhoneNumber") or ""),
        attendee_time_zone=str(attendee.get("timeZone") or ""),
        attendee_language=str(attendee.get("language") or ""),
        reschedule_uid=moved_from,
        reference=str(metadata["switchboard_ref"]) if metadata.get("switchboard_ref") else None,
        reason=str(booking.get("cancellationReason") or booking.get("reschedulingReason") or ""),
        changed_by_email=str(booking.get("cancelledByEmail") or booking.get("rescheduledByEmail") or ""),
        notes=str(responses.get("notes") or ""),
    )


def _repair(client: CalcomClient, booking: dict[str, Any], by_uid: dict[str, dict[str, Any]]) -> bool:
    """Apply one listed booking; False when we hold it as Cal.com does (or must not take it)."""
    if _status(booking) in ENDED:
        return _repair_ended(client, booking, by_uid)
    held = _held(booking["uid"])
    if held is not None:
        return held.calcom_booking_uid == booking["uid"] and _confirm(booking, held)
    moved_from = booking.get("rescheduledFromUid")
    if moved_from and _held(moved_from) is not None:
        appointment_record_calcom_reschedule(facts=booking_facts_from_api(booking, moved_from=moved_from))
        return True
    facts = booking_facts_from_api(booking)
    if facts.reference is not None:
        return False  # our own booking that our booking service undid: never revived from Cal.com
    settled = appointment_record_calcom_booking(facts=facts)
    if isinstance(settled, UnmappedBooking):  # its event type places it at no one branch: never guessed
        return calcom_unmapped_hand_over(settled)
    return True


def _repair_ended(client: CalcomClient, booking: dict[str, Any], by_uid: dict[str, dict[str, Any]]) -> bool:
    held = _held(booking["uid"])
    if held is None or not held.is_active or held.calcom_booking_uid != booking["uid"]:
        return False  # unknown, cancelled already, or an old uid of a booking that has moved on since
    successor_uid = booking.get("rescheduledToUid")
    if successor_uid:
        # Moved in Cal.com: the old booking is cancelled there. Follow the new one (read it when it lies
        # outside the listed window) instead of cancelling ours.
        successor = by_uid.get(successor_uid) or _read(client, successor_uid)
        if successor is None or _status(successor) in ENDED:
            return False
        facts = booking_facts_from_api(successor, moved_from=held.calcom_booking_uid)
        appointment_record_calcom_reschedule(facts=facts)
        return True
    appointment_record_calcom_cancellation(facts=booking_facts_from_api(booking))
    return True


def _confirm(booking: dict[str, Any], held: Appointment) -> bool:
    """Held already: only a pending booking that Cal.com has since accepted has anything to catch up."""
    if held.status != Appointment.Status.SCHEDULED or _status(booking) != "accepted":
        return False
    confirmed = appointment_record_calcom_booking(facts=booking_facts_from_api(booking))
    return confirmed is not None and confirmed.status == Appointment.Status.CONFIRMED


def _read(client: CalcomClient, uid: str) -> dict[str, Any] | None:
    return next(iter(client.list_bookings(booking_uid=uid)), None)


def _held(uid: str) -> Appointment | None:
    """The appointment that has this uid, or had it before a move (as the webhook path finds it)."""
    holds = Q(calcom_booking_uid=uid) | Q(previous_booking_uids__contains=[uid])
    return Appointment.objects.filter(holds).first()


def _status(booking: dict[str, Any]) -> str:
    return str(booking.get("status") or "").lower()


def _event_type_of(booking: dict[str, Any]) -> int:
    """Listed by event type, so every listed booking names one."""
    return int(booking.get("eventTypeId") or (booking.get("eventType") or {})["id"])


def _log_skip_once(company: Company | None, reason: str) -> None:
    name = company.schema_name if company is not None else "public"
    if name not in _skip_logged:
        _skip_logged.add(name)
        logger.info("Cal.com reconciliation skipped for %s: %s", name, reason)
