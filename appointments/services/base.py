"""What the appointment services share: messages, errors, the booking request, small helpers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from appointments.availability import fits_opening_hours, overlaps
from appointments.models import Appointment
from appointments.selectors import SlotQuery, customer_busy
from common.events import emit
from integrations.calcom.types import Attendee, Booking
from org.models import Branch, Customer, Service, Staff
from policies.services import PolicyCheck

# How long a repeated request waits for the first one with the same key (a booking takes a few seconds).
REQUEST_WAIT_SECONDS = 20

SLOT_NOT_FREE = _("This time is no longer free; please choose another.")
OUTSIDE_OPENING_HOURS = _("%(branch)s is not open for the whole appointment at that time.")
CUSTOMER_BUSY = _("The customer already has an appointment at that time.")
SERVICE_INACTIVE = _("%(service)s is not offered any more.")
SERVICE_NOT_AT_BRANCH = _("%(service)s is not offered at %(branch)s.")
STAFF_CANNOT_DO_IT = _("%(staff)s does not offer %(service)s at %(branch)s.")
NAIVE_TIME = _("The time must include its timezone.")
START_IN_PAST = _("The appointment must start in the future.")
NO_CONTACT = _("The customer needs a phone number or an email address for the booking.")
NOT_CHANGEABLE = _("This appointment is %(status)s and can no longer be changed.")
SAME_TIME = _("The appointment already starts at that time.")
CALCOM_REFUSED = _("Cal.com refused the change: %(message)s")
REQUEST_IN_PROGRESS = _("This request is already being processed; try again in a moment.")
OVERRIDE_NOT_ALLOWED = _("Only a manager can override this refusal.")
DEFERRED_BOOKING_NOTE = _(
    "Cal.com could not be reached. Please book %(service)s on %(when)s by hand and confirm."
)
DEFERRED_RESCHEDULE_NOTE = _(
    "Cal.com could not be reached. Please move the appointment of %(old)s to %(when)s by hand and confirm."
)
ORPHAN_BOOKING_NOTE = _(
    "A Cal.com booking (%(uid)s) was made but could not be saved here, and cancelling it failed. "
    "Please check the booking with the customer."
)
UNSAVED_MOVE_NOTE = _("Cal.com moved the appointment to %(when)s but saving it here failed. Please check it.")
UNSYNCED_CANCEL_NOTE = _("The appointment on %(when)s was cancelled here but Cal.com could not be updated.")


class SlotNotFree(ValidationError):
    """The wished time is taken (or no longer bookable): offer alternatives."""

    def __init__(self) -> None:
        super().__init__({"starts_at": SLOT_NOT_FREE}, code="slot_not_free")


class PolicyRefused(ValidationError):
    """The policy engine said no; `check.reason` says why in words the customer understands."""

    def __init__(self, check: PolicyCheck) -> None:
        super().__init__(str(check.reason), code=str(check.code))
        self.check = check


class AppointmentDeferred(Exception):
    """Cal.com was unreachable: the request was saved as a callback request for a human to finish."""

    def __init__(self, callback: Any) -> None:
        super().__init__(f"deferred to callback request {getattr(callback, 'pk', None)}")
        self.callback = callback


@dataclass
class Handoff:
    """A request Cal.com could not take, for a human to finish; sent with `appointment.booking_failed`.

    The subscriber that takes it on (callbacks) records what it created in `callback`.
    """

    request: BookingRequest
    notes: str
    metadata: dict[str, Any]
    callback: Any = None


@dataclass(frozen=True)
class BookingRequest:
    """What is needed to book (and, if Cal.com is down, to book by hand later)."""

    customer: Customer
    service: Service
    branch: Branch
    starts_at: datetime
    staff: Staff | None = None
    source: str = Appointment.Source.ADMIN
    call_id: int | None = None
    callback_id: int | None = None
    notes: str = ""
    idempotency_key: str | None = None

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.service.duration_minutes)

    @property
    def query(self) -> SlotQuery:
        return SlotQuery(service=self.service, branch=self.branch, staff=self.staff, customer=self.customer)


def _check_time(
    branch: Branch,
    customer: Customer,
    start: datetime,
    duration: timedelta,
    exclude: Appointment | None = None,
) -> None:
    if not fits_opening_hours(branch.weekly_hours(), start, duration):
        raise ValidationError({"starts_at": OUTSIDE_OPENING_HOURS % {"branch": branch}})
    busy = customer_busy(customer=customer, start=start, end=start + duration, exclude=exclude)
    if overlaps(start, duration, busy):
        raise ValidationError({"starts_at": CUSTOMER_BUSY})


def _attendee(customer: Customer, branch: Branch) -> Attendee:
    return Attendee(
        name=customer.name,
        time_zone=customer.timezone or branch.timezone,
        email=customer.email or "",
        phone=customer.phone.as_e164 if customer.phone else "",
        language=customer.preferred_language or "",
    )


def _status_of(calcom_status: str) -> str:
    if calcom_status in ("accepted", "ACCEPTED"):
        return Appointment.Status.CONFIRMED
    return Appointment.Status.SCHEDULED


def _callback_for(request: BookingRequest, *, notes: str, kind: str, extra: dict[str, Any]) -> Any:
    """Hand the request to a human: callbacks answers `appointment.booking_failed` with a callback request
    carrying everything needed to finish it by hand (once per request key)."""
    metadata = {
        "kind": kind,
        "idempotency_key": request.idempotency_key,
        "customer_id": request.customer.pk,
        "service_id": request.service.pk,
        "staff_id": request.staff.pk if request.staff else None,
        "branch_id": request.branch.pk,
        "starts_at": request.starts_at.isoformat(),
        "source": request.source,
        **extra,
    }
    handoff = Handoff(request=request, notes=str(notes), metadata=metadata)
    emit("appointment.booking_failed", handoff=handoff)
    return handoff.callback


def _local(moment: datetime, branch: Branch) -> str:
    return moment.astimezone(branch.tzinfo).strftime("%Y-%m-%d %H:%M %Z")


def _request_of(appointment: Appointment, starts_at: datetime, key: str | None = None) -> BookingRequest:
    return BookingRequest(
        customer=appointment.customer,
        service=appointment.service,
        branch=appointment.branch,
        starts_at=starts_at,
        staff=appointment.staff,
        source=appointment.source,
        call_id=appointment.call_id,
        callback_id=appointment.callback_id,
        idempotency_key=key,
    )


def _apply_move(
    appointment: Appointment, booking: Booking | None, new_start: datetime, duration: timedelta
) -> None:
    if booking is not None and booking.uid != appointment.calcom_booking_uid:
        if appointment.calcom_booking_uid:
            appointment.previous_booking_uids = [
                *appointment.previous_booking_uids,
                appointment.calcom_booking_uid,
            ]
        appointment.calcom_booking_uid = booking.uid
    appointment.starts_at = booking.start if booking is not None else new_start
    appointment.ends_at = appointment.starts_at + duration
    appointment.sync_state = Appointment.SyncState.SYNCED
    appointment.full_clean()
    appointment.save()
