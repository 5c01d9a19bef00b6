"""Booking: Cal.com first, then the local appointment in one transaction with its event."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from appointments.models import Appointment, SlotHold
from appointments.selectors import appointment_for_request, event_type_for, slot_is_free
from appointments.services.base import (
    CALCOM_REFUSED,
    DEFERRED_BOOKING_NOTE,
    NAIVE_TIME,
    NO_CONTACT,
    ORPHAN_BOOKING_NOTE,
    REQUEST_IN_PROGRESS,
    REQUEST_WAIT_SECONDS,
    SERVICE_INACTIVE,
    SERVICE_NOT_AT_BRANCH,
    STAFF_CANNOT_DO_IT,
    START_IN_PAST,
    AppointmentDeferred,
    BookingRequest,
    SlotNotFree,
    _attendee,
    _callback_for,
    _check_time,
    _local,
    _status_of,
)
from appointments.services.holds import _hold_settled
from common.cache import tenant_key
from common.events import emit
from common.redis import get_redis
from integrations.calcom.client import CalcomClient, calcom_client_for_current_company
from integrations.calcom.echo import expect_echo, forget_echo
from integrations.calcom.errors import (
    CalcomError,
    CalcomRequestRejected,
    CalcomUnavailable,
    NoSlotsAvailable,
)
from integrations.calcom.types import Booking
from org.models import Branch, Customer, Service, Staff
from policies.services import policy_snapshot_for

logger = logging.getLogger(__name__)


def appointment_book(
    *,
    customer: Customer,
    service: Service,
    branch: Branch,
    starts_at: datetime,
    staff: Staff | None = None,
    source: str = Appointment.Source.ADMIN,
    call_id: int | None = None,
    callback_id: int | None = None,
    notes: str = "",
    idempotency_key: str | None = None,
    hold: SlotHold | None = None,
    client: CalcomClient | None = None,
) -> Appointment:
    """Book in Cal.com, then save the appointment locally; the same request key books only once.

    Raises SlotNotFree (offer alternatives), ValidationError (bad input) or AppointmentDeferred (Cal.com
    unreachable: a callback request was created instead).
    """
    request = BookingRequest(
        customer,
        service,
        branch,
        starts_at,
        staff,
        source,
        call_id,
        callback_id,
        notes,
        idempotency_key or None,
    )
    existing = appointment_for_request(request.idempotency_key)
    if existing is not None:
        return existing
    _check_booking(request)
    event_type_id = event_type_for(service=service, branch=branch, staff=staff)
    client = client or calcom_client_for_current_company()
    with _one_at_a_time(request.idempotency_key):
        existing = appointment_for_request(request.idempotency_key)
        if existing is not None:
            return existing
        appointment = Appointment()  # its fresh `reference` goes to Cal.com before the row exists
        booking = _book_in_calcom(request, event_type_id, appointment, hold, client)
        try:
            appointment = _save_booked(request, appointment, booking)
        except Exception:
            _undo_calcom_booking(request, booking, client)
            raise
    if hold is not None:
        _hold_settled(hold, appointment=appointment)
    return appointment


@contextmanager
def _one_at_a_time(idempotency_key: str | None) -> Iterator[None]:
    """Two concurrent requests with the same key must not both reach Cal.com: the second waits for the
    first and then finds its appointment."""
    if not idempotency_key:
        yield
        return
    lock = get_redis().lock(tenant_key("appointments", "request", idempotency_key), timeout=60)
    if not lock.acquire(blocking=True, blocking_timeout=REQUEST_WAIT_SECONDS):
        raise ValidationError(REQUEST_IN_PROGRESS, code="in_progress")
    try:
        yield
    finally:
        lock.release()


def _check_booking(request: BookingRequest) -> None:
    """Refuse what no calendar could fix: bad times, closed branch, service not offered, customer busy."""
    start, service, branch, staff = request.starts_at, request.service, request.branch, request.staff
    if start.tzinfo is None:
        raise ValidationError({"starts_at": NAIVE_TIME})
    if start <= timezone.now():
        raise ValidationError({"starts_at": START_IN_PAST})
    if not service.is_active:
        raise ValidationError({"service": SERVICE_INACTIVE % {"service": service}})
    if not service.branches.filter(pk=branch.pk).exists():
        raise ValidationError({"service": SERVICE_NOT_AT_BRANCH % {"service": service, "branch": branch}})
    if staff is not None and not _staff_offers(staff, service, branch):
        params = {"staff": staff, "service": service, "branch": branch}
        raise ValidationError({"staff": STAFF_CANNOT_DO_IT % params})
    if not request.customer.phone and not request.customer.email:
        raise ValidationError({"customer": NO_CONTACT})
    _check_time(request.branch, request.customer, start, request.duration)


def _staff_offers(staff: Staff, service: Service, branch: Branch) -> bool:
    return (
        staff.is_active
        and staff.services.filter(pk=service.pk).exists()
        and staff.branches.filter(pk=branch.pk).exists()
    )


def _book_in_calcom(
    request: BookingRequest,
    event_type_id: int,
    appointment: Appointment,
    hold: SlotHold | None,
    client: CalcomClient,
) -> Booking:
    try:
        # Our own live hold on exactly this slot hides it from the slot list: the hold is the check.
        if not _holds(hold, event_type_id, request.starts_at) and not slot_is_free(
            request.query, start=request.starts_at, client=client
        ):
            raise SlotNotFree()
        return client.create_booking(
            event_type_id=event_type_id,
            start=request.starts_at,
            attendee=_attendee(request.customer, request.branch),
            metadata=_booking_metadata(request, appointment),
        )
    except NoSlotsAvailable as exc:
        raise SlotNotFree() from exc
    except CalcomUnavailable as exc:
        callback = _defer_booking(request, reason=str(exc))
        raise AppointmentDeferred(callback) from exc
    except CalcomRequestRejected as exc:
        logger.warning("Cal.com refused a booking for event type %s: %s", event_type_id, exc)
        raise ValidationError(CALCOM_REFUSED % {"message": exc}, code="calcom_refused") from exc


def _holds(hold: SlotHold | None, event_type_id: int, start: datetime) -> bool:
    if hold is None:
        return False
    if hold.status != SlotHold.Status.HELD or hold.expires_at <= timezone.now():
        return False
    return hold.event_type_id == event_type_id and hold.starts_at == start


def _booking_metadata(request: BookingRequest, appointment: Appointment) -> dict[str, Any]:
    """Our ids in Cal.com (flat, ≤ 40-character keys): the reference lets us recognise the echo."""
    return {
        "switchboard_ref": str(appointment.reference),
        "switchboard_customer": request.customer.pk,
        "switchboard_service": request.service.pk,
        "switchboard_branch": request.branch.pk,
        "switchboard_source": request.source,
    }


@transaction.atomic
def _save_booked(request: BookingRequest, appointment: Appointment, booking: Booking) -> Appointment:
    appointment.customer = request.customer
    appointment.service = request.service
    appointment.branch = request.branch
    appointment.staff = request.staff
    appointment.starts_at = booking.start
    appointment.ends_at = booking.start + request.duration
    appointment.status = _status_of(booking.status)
    appointment.source = request.source
    appointment.calcom_booking_uid = booking.uid
    appointment.call_id = request.call_id
    appointment.callback_id = request.callback_id
    appointment.policy_snapshot = policy_snapshot_for(
        branch=request.branch, service=request.service, staff=request.staff
    )
    appointment.price = request.service.price
    appointment.currency = request.service.currency
    appointment.notes = request.notes
    appointment.sync_state = Appointment.SyncState.SYNCED
    appointment.idempotency_key = request.idempotency_key
    appointment.full_clean()
    appointment.save()
    emit("appointment.created", appointment=appointment)
    return appointment


def _undo_calcom_booking(request: BookingRequest, booking: Booking, client: CalcomClient) -> None:
    """The local save failed after Cal.com booked: cancel there, or let a human sort it out."""
    logger.error("saving appointment for Cal.com booking %s failed; cancelling it in Cal.com", booking.uid)
    try:
        expect_echo("BOOKING_CANCELLED", booking.uid)
        client.cancel_booking(
            booking.uid, reason="Booking could not be completed", event_type_id=booking.event_type_id
        )
    except CalcomError:
        forget_echo("BOOKING_CANCELLED", booking.uid)
        logger.exception("cancelling orphaned Cal.com booking %s failed", booking.uid)
        _callback_for(
            request,
            notes=ORPHAN_BOOKING_NOTE % {"uid": booking.uid},
            kind="orphaned_booking",
            extra={"calcom_booking_uid": booking.uid},
        )


def _defer_booking(request: BookingRequest, *, reason: str) -> Any:
    when = _local(request.starts_at, request.branch)
    notes = DEFERRED_BOOKING_NOTE % {"service": request.service, "when": when}
    return _callback_for(request, notes=notes, kind="booking", extra={"error": reason})
