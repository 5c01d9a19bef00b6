"""Changes made in Cal.com itself, reported by webhooks, applied here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction

from appointments.models import Appointment
from appointments.selectors import owner_of_event_type
from appointments.services.base import (
    _apply_move,
    _status_of,
)
from common.events import emit
from integrations.calcom.types import Booking
from org.models import Branch, Customer, Service, Staff
from policies.services import Actor, can_cancel, can_reschedule, policy_snapshot_for
from policies.services import record_modification as policy_record_modification

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
    from common.phone import try_normalise_phone
    from org.selectors import customer_for_email, customer_for_phone
    from org.services import customer_create

    phone = try_normalise_phone(facts.attendee_phone) or "" if facts.attendee_phone else ""
    found = customer_for_phone(phone, name=facts.attendee_name) or customer_for_email(facts.attendee_email)
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
