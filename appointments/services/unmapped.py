"""Cal.com bookings of event types no mapping names: kept for an admin, never put on a guessed branch."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from appointments.models import Appointment, UnmappedBooking

if TYPE_CHECKING:
    from appointments.services.inbound import CalcomBookingFacts


def unmapped_booking_record(*, facts: CalcomBookingFacts) -> tuple[UnmappedBooking, bool]:
    """Keep the booking as needing a mapping (once per Cal.com uid); True when it is new."""
    return UnmappedBooking.objects.get_or_create(
        calcom_booking_uid=facts.uid,
        defaults={
            "event_type_id": facts.event_type_id,
            "starts_at": facts.start,
            "ends_at": facts.end if facts.end > facts.start else facts.start,
            "attendee_name": facts.attendee_name[:200],
            "attendee_email": facts.attendee_email[:254],
            "attendee_phone": facts.attendee_phone[:32],
            "notes": facts.notes,
        },
    )


def unmapped_booking_link_callback(*, unmapped: UnmappedBooking, callback_id: int) -> UnmappedBooking:
    """Note the callback request that carries the patient to a human while the mapping is missing."""
    unmapped.callback_id = callback_id
    unmapped.save(update_fields=["callback"])
    return unmapped


def unmapped_booking_cancel(*, uid: str) -> UnmappedBooking | None:
    """Cal.com cancelled a booking that still waits for its mapping: nothing is left to book."""
    unmapped = UnmappedBooking.objects.filter(
        calcom_booking_uid=uid, status=UnmappedBooking.Status.NEEDS_MAPPING
    ).first()
    if unmapped is not None:
        unmapped.status, unmapped.resolved_at = UnmappedBooking.Status.CANCELLED, timezone.now()
        unmapped.save(update_fields=["status", "resolved_at"])
    return unmapped


def unmapped_booking_waiting(uid: str) -> UnmappedBooking | None:
    """The booking with this uid still waiting for a mapping, if any."""
    return UnmappedBooking.objects.filter(
        calcom_booking_uid=uid, status=UnmappedBooking.Status.NEEDS_MAPPING
    ).first()


def unmapped_booking_resolve(*, unmapped: UnmappedBooking, appointment: Appointment) -> UnmappedBooking:
    """Its event type is mapped now and the appointment exists: the waiting booking is done."""
    unmapped.status, unmapped.resolved_at = UnmappedBooking.Status.RESOLVED, timezone.now()
    unmapped.appointment = appointment
    unmapped.save(update_fields=["status", "resolved_at", "appointment"])
    return unmapped
