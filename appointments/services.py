"""Every change to an appointment: book, cancel, reschedule, update, slot holds, and changes from Cal.com.

Admin, phone agent, API and the Cal.com webhook all call these functions. Calls to Cal.com happen outside
database transactions (a slow Cal.com must not hold locks); the local write that follows is one
transaction with its domain event. When Cal.com cannot be reached, nothing the customer asked for is lost:
the request becomes a callback request with everything needed to finish it by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appointments.availability import fits_opening_hours, overlaps
from appointments.models import Appointment, EventTypeMapping, SlotHold
from appointments.selectors import SlotQuery, customer_busy, event_type_for, owner_of_event_type, slot_is_free
from callbacks.models import CallbackRequest
from common.cache import tenant_key
from common.conf import company_setting
from common.events import emit
from common.redis import get_redis
from integrations.calcom.client import CalcomClient, calcom_client_for_current_company
from integrations.calcom.echo import expect_echo, forget_echo
from integrations.calcom.errors import (
    CalcomError,
    CalcomNotFound,
    CalcomRequestRejected,
    CalcomUnavailable,
    NoSlotsAvailable,
)
from integrations.calcom.types import Attendee, Booking
from org.models import Branch, Customer, Service, Staff
from policies.services import Actor, PolicyCheck, can_cancel, can_reschedule, policy_snapshot_for
from policies.services import record_modification as policy_record_modification

logger = logging.getLogger(__name__)

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
HOLD_EXPIRED = _("The hold on this slot has ended.")
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

    def __init__(self, callback: CallbackRequest) -> None:
        super().__init__(f"deferred to callback request {callback.pk}")
        self.callback = callback


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


# --------------------------------------------------------------------------- booking


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
    existing = _already_booked(request.idempotency_key)
    if existing is not None:
        return existing
    _check_booking(request)
    event_type_id = event_type_for(service=service, staff=staff)
    client = client or calcom_client_for_current_company()
    with _one_at_a_time(request.idempotency_key):
        existing = _already_booked(request.idempotency_key)
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


def _already_booked(idempotency_key: str | None) -> Appointment | None:
    if not idempotency_key:
        return None
    return Appointment.objects.filter(idempotency_key=idempotency_key).first()


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


def _attendee(customer: Customer, branch: Branch) -> Attendee:
    return Attendee(
        name=customer.name,
        time_zone=customer.timezone or branch.timezone,
        email=customer.email or "",
        phone=customer.phone.as_e164 if customer.phone else "",
        language=customer.preferred_language or "",
    )


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


def _status_of(calcom_status: str) -> str:
    if calcom_status in ("accepted", "ACCEPTED"):
        return Appointment.Status.CONFIRMED
    return Appointment.Status.SCHEDULED


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


def _defer_booking(request: BookingRequest, *, reason: str) -> CallbackRequest:
    when = _local(request.starts_at, request.branch)
    notes = DEFERRED_BOOKING_NOTE % {"service": request.service, "when": when}
    return _callback_for(request, notes=notes, kind="booking", extra={"error": reason})


def _callback_for(
    request: BookingRequest, *, notes: str, kind: str, extra: dict[str, Any]
) -> CallbackRequest:
    """A callback request carrying everything needed to finish the request by hand (once per request key)."""
    from callbacks.services import callback_create

    if request.idempotency_key:
        earlier = CallbackRequest.objects.filter(
            metadata__idempotency_key=request.idempotency_key, metadata__kind=kind
        ).first()
        if earlier is not None:
            return earlier
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
    created = callback_create(
        branch_id=request.branch.pk,
        phone=request.customer.phone.as_e164 if request.customer.phone else "",
        customer_name=request.customer.name,
        customer_id=request.customer.pk,
        service_id=request.service.pk,
        preferred_staff_id=request.staff.pk if request.staff else None,
        preferred_window_start=request.starts_at,
        preferred_window_end=request.starts_at + request.duration,
        notes=str(notes),
        metadata=metadata,
        source=CallbackRequest.Source.BOOKING_FAILURE,
        call_id=request.call_id,
    )
    return created.callback


def _local(moment: datetime, branch: Branch) -> str:
    return moment.astimezone(branch.tzinfo).strftime("%Y-%m-%d %H:%M %Z")


# --------------------------------------------------------------------------- cancel and reschedule


def _ensure_allowed(check: PolicyCheck, override_reason: str) -> None:
    if check.allowed:
        return
    if not override_reason.strip():
        raise PolicyRefused(check)
    if not check.can_override:
        raise ValidationError(OVERRIDE_NOT_ALLOWED, code="override_not_allowed")


def _lock_and_record(
    appointment: Appointment, check: PolicyCheck, by: Actor | Staff | str | None, terms: dict[str, Any]
) -> tuple[Appointment, Any]:
    """Lock the row, make sure nobody changed it meanwhile, and record the modification with its fee."""
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
    _ensure_changeable(locked)
    return locked, policy_record_modification(appointment=locked, check=check, by=by, **terms)


def _ensure_changeable(appointment: Appointment) -> None:
    if not appointment.is_active:
        raise ValidationError(
            NOT_CHANGEABLE % {"status": appointment.get_status_display()}, code="not_changeable"
        )


def appointment_cancel(
    *,
    appointment: Appointment,
    by: Actor | Staff | str | None,
    reason: str = "",
    override_reason: str = "",
    waive_fee: bool = False,
    waive_reason: str = "",
    client: CalcomClient | None = None,
) -> Appointment:
    """Cancel after asking the policy engine; record the modification and fee; cancel in Cal.com.

    If Cal.com is unreachable the cancellation still stands here and is pushed to Cal.com later.
    """
    _ensure_changeable(appointment)
    check = can_cancel(appointment, by=by)
    _ensure_allowed(check, override_reason)
    sync_state = _cancel_in_calcom(appointment, reason, client)
    with transaction.atomic():
        terms = {"reason": reason, "override_reason": override_reason}
        terms |= {"waive_fee": waive_fee, "waive_reason": waive_reason}
        locked, modification = _lock_and_record(appointment, check, by, terms)
        locked.status = Appointment.Status.CANCELLED
        locked.sync_state = sync_state
        locked.save(update_fields=["status", "sync_state", "updated_at"])
        emit("appointment.cancelled", appointment=locked, modification=modification, by=Actor.of(by))
        if sync_state == Appointment.SyncState.PENDING:
            from appointments.tasks import appointment_push_cancel
            from common.tasks import enqueue_on_commit

            enqueue_on_commit(appointment_push_cancel, locked.pk, countdown=60)
    return locked


def _cancel_in_calcom(appointment: Appointment, reason: str, client: CalcomClient | None) -> str:
    uid = appointment.calcom_booking_uid
    if not uid:
        return Appointment.SyncState.SYNCED
    client = client or calcom_client_for_current_company()
    expect_echo("BOOKING_CANCELLED", uid)
    try:
        client.cancel_booking(
            uid, reason=reason or "Cancelled by the business", event_type_id=_event_type_of(appointment)
        )
    except CalcomNotFound:
        logger.warning(
            "Cal.com booking %s was already gone when cancelling appointment %s", uid, appointment.pk
        )
    except CalcomUnavailable:
        forget_echo("BOOKING_CANCELLED", uid)
        return Appointment.SyncState.PENDING
    except CalcomRequestRejected as exc:
        forget_echo("BOOKING_CANCELLED", uid)
        raise ValidationError(CALCOM_REFUSED % {"message": exc}, code="calcom_refused") from exc
    return Appointment.SyncState.SYNCED


def _event_type_of(appointment: Appointment) -> int | None:
    try:
        return event_type_for(service=appointment.service, staff=appointment.staff)
    except ValidationError:
        return None


def appointment_push_cancel_to_calcom(*, appointment: Appointment, final_attempt: bool) -> bool:
    """Retry telling Cal.com about a cancellation made while it was down; True when done.

    After the last attempt the appointment is marked failed and a human gets a callback request.
    """
    if (
        appointment.sync_state != Appointment.SyncState.PENDING
        or appointment.status != Appointment.Status.CANCELLED
    ):
        return True
    state = _cancel_in_calcom(appointment, "Cancelled by the business", None)
    if state == Appointment.SyncState.PENDING and not final_attempt:
        return False
    with transaction.atomic():
        appointment.sync_state = (
            Appointment.SyncState.SYNCED
            if state == Appointment.SyncState.SYNCED
            else Appointment.SyncState.FAILED
        )
        appointment.save(update_fields=["sync_state", "updated_at"])
        if appointment.sync_state == Appointment.SyncState.FAILED:
            request = _request_of(appointment, appointment.starts_at)
            notes = UNSYNCED_CANCEL_NOTE % {"when": _local(appointment.starts_at, appointment.branch)}
            _callback_for(
                request, notes=notes, kind="unsynced_cancel", extra={"appointment_id": appointment.pk}
            )
        emit("appointment.updated", appointment=appointment, changed=["sync_state"])
    return True


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


def appointment_reschedule(
    *,
    appointment: Appointment,
    new_start: datetime,
    by: Actor | Staff | str | None,
    reason: str = "",
    override_reason: str = "",
    waive_fee: bool = False,
    waive_reason: str = "",
    idempotency_key: str | None = None,
    client: CalcomClient | None = None,
) -> Appointment:
    """Move an appointment after asking the policy engine; Cal.com gives the booking a new uid (both kept).

    Raises PolicyRefused, SlotNotFree, ValidationError or AppointmentDeferred (Cal.com unreachable).
    """
    _ensure_changeable(appointment)
    if new_start.tzinfo is None:
        raise ValidationError({"new_start": NAIVE_TIME})
    if new_start == appointment.starts_at:
        raise ValidationError({"new_start": SAME_TIME})
    check = can_reschedule(appointment, new_start, by=by)
    _ensure_allowed(check, override_reason)
    duration = timedelta(minutes=appointment.service.duration_minutes)
    _check_time(appointment.branch, appointment.customer, new_start, duration, exclude=appointment)
    client = client or calcom_client_for_current_company()
    booking = _move_in_calcom(appointment, new_start, reason, client, idempotency_key)
    terms = {"reason": reason, "override_reason": override_reason, "waive_fee": waive_fee}
    terms["waive_reason"] = waive_reason
    try:
        return _save_moved(appointment, check, by, terms, booking, new_start, duration)
    except Exception:
        # Cal.com has moved the booking but we could not: a human must bring the two together again.
        logger.exception("saving the move of appointment %s failed after Cal.com moved it", appointment.pk)
        request = _request_of(appointment, new_start, idempotency_key)
        notes = UNSAVED_MOVE_NOTE % {"when": _local(new_start, appointment.branch)}
        extra = {"appointment_id": appointment.pk, "calcom_booking_uid": booking.uid if booking else None}
        _callback_for(request, notes=notes, kind="unsaved_move", extra=extra)
        raise


@transaction.atomic
def _save_moved(
    appointment: Appointment,
    check: PolicyCheck,
    by: Actor | Staff | str | None,
    terms: dict[str, Any],
    booking: Booking | None,
    new_start: datetime,
    duration: timedelta,
) -> Appointment:
    locked, modification = _lock_and_record(appointment, check, by, terms)
    previous_starts_at = locked.starts_at
    _apply_move(locked, booking, new_start, duration)
    emit(
        "appointment.rescheduled",
        appointment=locked,
        modification=modification,
        previous_starts_at=previous_starts_at,
        by=Actor.of(by),
    )
    return locked


def _move_in_calcom(
    appointment: Appointment, new_start: datetime, reason: str, client: CalcomClient, key: str | None
) -> Booking | None:
    uid = appointment.calcom_booking_uid
    event_type_id = event_type_for(service=appointment.service, staff=appointment.staff)
    try:
        if not uid:
            return client.create_booking(
                event_type_id=event_type_id,
                start=new_start,
                attendee=_attendee(appointment.customer, appointment.branch),
                metadata={"switchboard_ref": str(appointment.reference)},
            )
        expect_echo("BOOKING_RESCHEDULED", uid)
        return client.reschedule_booking(uid, start=new_start, reason=reason, event_type_id=event_type_id)
    except NoSlotsAvailable as exc:
        _forget(uid)
        raise SlotNotFree() from exc
    except CalcomUnavailable as exc:
        _forget(uid)
        request = _request_of(appointment, new_start, key)
        when = _local(new_start, appointment.branch)
        notes = DEFERRED_RESCHEDULE_NOTE % {
            "old": _local(appointment.starts_at, appointment.branch),
            "when": when,
        }
        callback = _callback_for(
            request,
            notes=notes,
            kind="reschedule",
            extra={"appointment_id": appointment.pk, "error": str(exc)},
        )
        raise AppointmentDeferred(callback) from exc
    except CalcomRequestRejected as exc:
        _forget(uid)
        raise ValidationError(CALCOM_REFUSED % {"message": exc}, code="calcom_refused") from exc


def _forget(uid: str | None) -> None:
    if uid:
        forget_echo("BOOKING_RESCHEDULED", uid)


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


@transaction.atomic
def appointment_update(
    *, appointment: Appointment, by: Actor | Staff | str | None = None, **changes: Any
) -> Appointment:
    """Change plain fields (notes, status completed/no-show, staff) and tell subscribers what changed."""
    allowed = {"notes", "status", "staff"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    changed = [name for name, value in changes.items() if getattr(appointment, name) != value]
    for name in changed:
        setattr(appointment, name, changes[name])
    if changed:
        appointment.full_clean()
        appointment.save(update_fields=[*changed, "updated_at"])
        emit("appointment.updated", appointment=appointment, changed=changed, by=Actor.of(by))
    return appointment


# --------------------------------------------------------------------------- slot holds


def slot_hold(
    *,
    service: Service,
    branch: Branch,
    starts_at: datetime,
    staff: Staff | None = None,
    customer: Customer | None = None,
    call_id: int | None = None,
    client: CalcomClient | None = None,
) -> SlotHold:
    """Reserve a slot in Cal.com for a few minutes while the caller confirms."""
    minutes = int(company_setting("APPOINTMENT_SLOT_HOLD_MINUTES"))
    event_type_id = event_type_for(service=service, staff=staff)
    client = client or calcom_client_for_current_company()
    try:
        reservation = client.reserve_slot(event_type_id=event_type_id, start=starts_at, minutes=minutes)
    except NoSlotsAvailable as exc:
        raise SlotNotFree() from exc
    except CalcomRequestRejected as exc:
        raise ValidationError(CALCOM_REFUSED % {"message": exc}, code="calcom_refused") from exc
    hold = SlotHold(
        reservation_uid=reservation.uid,
        event_type_id=event_type_id,
        service=service,
        staff=staff,
        branch=branch,
        customer=customer,
        call_id=call_id,
        starts_at=starts_at,
        expires_at=timezone.now() + timedelta(minutes=minutes),
    )
    hold.full_clean()
    hold.save()
    return hold


def slot_hold_release(*, hold: SlotHold, client: CalcomClient | None = None) -> SlotHold:
    """Give a held slot back (the caller chose another or hung up); Cal.com would expire it anyway."""
    if hold.status != SlotHold.Status.HELD:
        return hold
    try:
        (client or calcom_client_for_current_company()).release_reservation(hold.reservation_uid)
    except CalcomError:
        logger.warning("releasing Cal.com reservation %s failed; it expires on its own", hold.reservation_uid)
    return _hold_settled(hold, appointment=None)


def _hold_settled(hold: SlotHold, *, appointment: Appointment | None) -> SlotHold:
    hold.status = SlotHold.Status.BOOKED if appointment is not None else SlotHold.Status.RELEASED
    hold.appointment = appointment
    hold.save(update_fields=["status", "appointment"])
    return hold


# --------------------------------------------------------------------------- event type mappings


@transaction.atomic
def event_type_map(
    *,
    service: Service,
    event_type_id: int,
    staff: Staff | None = None,
    title: str = "",
    slug: str = "",
    length_minutes: int | None = None,
) -> EventTypeMapping:
    """Point a service (or one staff member's variant of it) at a Cal.com event type."""
    mapping = EventTypeMapping.objects.filter(service=service, staff=staff).first() or EventTypeMapping(
        service=service, staff=staff
    )
    mapping.event_type_id = event_type_id
    mapping.title, mapping.slug, mapping.length_minutes = title, slug, length_minutes
    mapping.full_clean()
    mapping.save()
    return mapping


def event_types_import(*, client: CalcomClient | None = None, username: str = "") -> list[EventTypeMapping]:
    """Create a service for every Cal.com event type that no mapping knows yet (title → name, length →
    duration), mapped as that service's default. Existing mappings are left alone."""
    client = client or calcom_client_for_current_company()
    # Without a username Cal.com lists nothing (calcom.md §1.2): ask who the key belongs to.
    username = username or str(client.me().get("username", ""))
    event_types = client.event_types(username=username)
    with transaction.atomic():
        return _import_event_types(event_types)


def _import_event_types(event_types: list) -> list[EventTypeMapping]:
    known = set(EventTypeMapping.objects.values_list("event_type_id", flat=True))
    known |= set(
        Service.objects.exclude(calcom_event_type_id=None).values_list("calcom_event_type_id", flat=True)
    )
    created = []
    for event_type in event_types:
        if event_type.id in known:
            continue
        service = Service(
            name=event_type.title or event_type.slug, duration_minutes=event_type.length_minutes or 30
        )
        service.full_clean()
        service.save()
        created.append(
            event_type_map(
                service=service,
                event_type_id=event_type.id,
                title=event_type.title,
                slug=event_type.slug,
                length_minutes=event_type.length_minutes,
            )
        )
    return created


# --------------------------------------------------------------------------- changes made in Cal.com


UNKNOWN_EVENT_TYPE = "Cal.com event type %s belongs to no service of this company."
SERVICE_WITHOUT_BRANCH = "Service %s is offered at no active branch."


class UnknownEventType(Exception):
    """A Cal.com booking for an event type that is no service of this company: rejected, never guessed."""


@dataclass(frozen=True)
class CalcomBookingFacts:
    """What a Cal.com webhook says about one booking (parsed by integrations.calcom.payloads)."""

    uid: str
    event_type_id: int | None
    start: datetime
    end: datetime
    status: str
    attendee_name: str = ""
    attendee_email: str = ""
    attendee_phone: str = ""
    attendee_time_zone: str = ""
    attendee_language: str = ""
    reschedule_uid: str | None = None
    reference: str | None = None
    reason: str = ""
    changed_by_email: str = ""
    notes: str = ""


def _by_uid(uid: str | None, *, for_update: bool = False) -> Appointment | None:
    if not uid:
        return None
    rows = Appointment.objects.select_for_update(of=("self",)) if for_update else Appointment.objects
    return (
        rows.select_related("service", "branch", "customer", "staff").filter(calcom_booking_uid=uid).first()
    )


def _actor_for(email: str) -> Actor:
    """Changes in Cal.com are the customer's, unless a staff member's address made them."""
    staff = Staff.objects.filter(email__iexact=email, is_active=True).first() if email else None
    return Actor.of(staff) if staff is not None else Actor.of("customer")


@transaction.atomic
def appointment_record_calcom_booking(*, facts: CalcomBookingFacts) -> Appointment:
    """BOOKING_CREATED / BOOKING_REQUESTED for a booking made in Cal.com: create (or confirm) it here."""
    existing = _by_uid(facts.uid, for_update=True)
    if existing is not None:
        return _confirm_if_accepted(existing, facts)
    owner = owner_of_event_type(facts.event_type_id) if facts.event_type_id is not None else None
    if owner is None:
        raise UnknownEventType(UNKNOWN_EVENT_TYPE % facts.event_type_id)
    branch = _branch_for(owner.service, owner.staff)
    appointment = Appointment(
        customer=_customer_for(facts, branch),
        service=owner.service,
        staff=owner.staff,
        branch=branch,
        starts_at=facts.start,
        ends_at=facts.end
        if facts.end > facts.start
        else facts.start + timedelta(minutes=owner.service.duration_minutes),
        status=_status_of(facts.status),
        source=Appointment.Source.CALCOM,
        calcom_booking_uid=facts.uid,
        policy_snapshot=policy_snapshot_for(branch=branch, service=owner.service, staff=owner.staff),
        price=owner.service.price,
        currency=owner.service.currency,
        notes=facts.notes,
        sync_state=Appointment.SyncState.SYNCED,
    )
    appointment.full_clean()
    appointment.save()
    emit("appointment.created", appointment=appointment)
    return appointment


def _confirm_if_accepted(appointment: Appointment, facts: CalcomBookingFacts) -> Appointment:
    """A duplicate delivery changes nothing; a pending booking accepted in Cal.com becomes confirmed."""
    if (
        appointment.status == Appointment.Status.SCHEDULED
        and _status_of(facts.status) == Appointment.Status.CONFIRMED
    ):
        appointment.status = Appointment.Status.CONFIRMED
        appointment.save(update_fields=["status", "updated_at"])
        emit("appointment.updated", appointment=appointment, changed=["status"], by=Actor.of(None))
    return appointment


def _branch_for(service: Service, staff: Staff | None) -> Branch:
    branches = service.branches.filter(is_active=True).order_by("pk")
    if staff is not None:
        branches = branches.filter(pk__in=staff.branches.values("pk")) or branches
    branch = branches.first()
    if branch is None:
        raise UnknownEventType(SERVICE_WITHOUT_BRANCH % service.pk)
    return branch


def _customer_for(facts: CalcomBookingFacts, branch: Branch) -> Customer:
    from appointments.selectors import find_customer
    from common.phone import try_normalise_phone
    from org.services import customer_create

    phone = try_normalise_phone(facts.attendee_phone) or "" if facts.attendee_phone else ""
    found = find_customer(phone=phone, email=facts.attendee_email)
    if found is not None:
        return found
    language = facts.attendee_language[:2] if facts.attendee_language[:2] in ("de", "en") else "de"
    return customer_create(
        name=facts.attendee_name or facts.attendee_email or phone,
        phone=phone,
        email=facts.attendee_email,
        timezone=_known_zone(facts.attendee_time_zone) or branch.timezone,
        preferred_language=language,
    )


def _known_zone(name: str) -> str | None:
    from zoneinfo import ZoneInfo

    try:
        return name if name and ZoneInfo(name) else None
    except (ValueError, KeyError, OSError):
        return None


@transaction.atomic
def appointment_record_calcom_cancellation(*, facts: CalcomBookingFacts) -> Appointment | None:
    """BOOKING_CANCELLED made in Cal.com: cancel here and record it (outside policy if the policy says no)."""
    appointment = _by_uid(facts.uid, for_update=True)
    if appointment is None or not appointment.is_active:
        return appointment
    actor = _actor_for(facts.changed_by_email)
    check = can_cancel(appointment, by=actor)
    modification = policy_record_modification(
        appointment=appointment, check=check, by=actor, reason=facts.reason, metadata={"via": "calcom"}
    )
    appointment.status = Appointment.Status.CANCELLED
    appointment.sync_state = Appointment.SyncState.SYNCED
    appointment.save(update_fields=["status", "sync_state", "updated_at"])
    emit("appointment.cancelled", appointment=appointment, modification=modification, by=actor)
    return appointment


@transaction.atomic
def appointment_record_calcom_reschedule(*, facts: CalcomBookingFacts) -> Appointment:
    """BOOKING_RESCHEDULED made in Cal.com: the new uid replaces `rescheduleUid` (both are kept)."""
    if _by_uid(facts.uid) is not None:
        return _by_uid(facts.uid)  # a duplicate delivery: already applied
    appointment = _by_uid(facts.reschedule_uid, for_update=True)
    if appointment is None or not appointment.is_active:
        return appointment_record_calcom_booking(facts=facts)
    actor = _actor_for(facts.changed_by_email)
    check = can_reschedule(appointment, facts.start, by=actor)
    modification = policy_record_modification(
        appointment=appointment, check=check, by=actor, reason=facts.reason, metadata={"via": "calcom"}
    )
    previous_starts_at = appointment.starts_at
    booking = Booking(
        uid=facts.uid,
        id=None,
        status=facts.status.lower(),
        start=facts.start,
        end=facts.end,
        event_type_id=None,
    )
    _apply_move(appointment, booking, facts.start, facts.end - facts.start)
    if _status_of(facts.status) == Appointment.Status.SCHEDULED:
        appointment.status = Appointment.Status.SCHEDULED
        appointment.save(update_fields=["status", "updated_at"])
    emit(
        "appointment.rescheduled",
        appointment=appointment,
        modification=modification,
        previous_starts_at=previous_starts_at,
        by=actor,
    )
    return appointment


def appointment_by_reference(reference: str) -> Appointment | None:
    try:
        return Appointment.objects.filter(reference=reference).first()
    except ValidationError:
        return None


def slot_holds_expire(*, now: datetime | None = None) -> int:
    """Mark holds whose Cal.com reservation has run out as released (Cal.com frees the slot itself)."""
    now = now or timezone.now()
    return SlotHold.objects.filter(status=SlotHold.Status.HELD, expires_at__lte=now).update(
        status=SlotHold.Status.RELEASED
    )
