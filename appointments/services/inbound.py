"""Changes made in Cal.com itself, reported by webhooks, applied here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q

from appointments.models import Appointment, UnmappedBooking
from appointments.selectors import owner_of_event_type
from appointments.services.base import (
    _apply_move,
    _status_of,
)
from appointments.services.unmapped import (
    unmapped_booking_cancel,
    unmapped_booking_record,
    unmapped_booking_resolve,
    unmapped_booking_waiting,
)
from common.events import emit
from integrations.calcom.types import Booking
from org.models import Branch, Customer, Staff
from policies.services import Actor, can_cancel, can_reschedule, policy_snapshot_for
from policies.services import record_modification as policy_record_modification

Settled = Appointment | UnmappedBooking | None


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


def _holder(uid: str | None) -> Appointment | None:
    """The appointment that has (or had, before a reschedule) this Cal.com uid, locked."""
    if not uid:
        return None
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("service", "branch", "customer", "staff")
        .filter(Q(calcom_booking_uid=uid) | Q(previous_booking_uids__contains=[uid]))
        .first()
    )


def _one_at_a_time() -> None:
    """Cal.com reports of one company are settled one after another (until the transaction ends): two
    workers must not each create a row for two uids of one booking before either sees the other."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"calcom-bookings:{connection.schema_name}"]
        )


def _actor_for(email: str) -> Actor:
    """Changes in Cal.com are the customer's, unless a staff member's address made them."""
    staff = Staff.objects.filter(email__iexact=email, is_active=True).first() if email else None
    return Actor.of(staff) if staff is not None else Actor.of("customer")


def appointment_record_calcom_booking(*, facts: CalcomBookingFacts) -> Settled:
    """BOOKING_CREATED / BOOKING_REQUESTED for a booking made in Cal.com: create (or confirm) it here.

    An event type no mapping places at one branch gives an `UnmappedBooking` (needs mapping) instead."""
    return appointment_settle_calcom_booking(facts=facts, cancelled=False)


def appointment_record_calcom_cancellation(*, facts: CalcomBookingFacts) -> Settled:
    """BOOKING_CANCELLED made in Cal.com: cancel here and record it (outside policy if the policy says no).

    A cancellation of a booking we have not heard of yet is kept as a cancelled appointment (None only for
    an event type that is no service of ours)."""
    return appointment_settle_calcom_booking(facts=facts, cancelled=True)


def appointment_record_calcom_reschedule(*, facts: CalcomBookingFacts) -> Settled:
    """BOOKING_RESCHEDULED made in Cal.com: the new uid replaces `rescheduleUid` (both are kept)."""
    return appointment_settle_calcom_booking(facts=facts, cancelled=False)


@transaction.atomic
def appointment_settle_calcom_booking(*, facts: CalcomBookingFacts, cancelled: bool) -> Settled:
    """Apply one Cal.com report so that the result depends on the reports, never on their arrival order.

    - A booking and its reschedules (uid ← rescheduleUid ← ...) are one appointment, which shows the newest
      uid's time; a report about a uid that already has a successor changes nothing.
    - The appointment is cancelled exactly when its newest uid was reported cancelled. A cancellation of an
      unknown uid is kept as a cancelled appointment (a tombstone); a creation or reschedule reporting that
      uid later finds it and does not revive it. A successor uid is a new, live booking (a host's "request
      reschedule" cancels the old uid first).
    - A reschedule whose old uid and new uid sit in two appointments (they came the other way round) merges
      them: the older one (the chain's first booking, perhaps ours) takes the newer one's uids, time and
      status, and the newer one goes.
    """
    _one_at_a_time()
    holder = _holder(facts.uid)
    predecessor = _holder(facts.reschedule_uid)
    if holder is None and predecessor is None:
        return _record_new(facts, cancelled=cancelled)
    if holder is None:
        return _move_to_successor(predecessor, facts)
    if predecessor is not None and predecessor.pk != holder.pk:
        return _merge(older=predecessor, newer=holder)
    if facts.reschedule_uid and facts.reschedule_uid not in holder.all_booking_uids:
        _link_predecessor(holder, facts.reschedule_uid, of=facts.uid)
    if holder.calcom_booking_uid != facts.uid:
        return holder  # a report about a uid moved on since
    if cancelled:
        return _cancel(holder, facts.reason, facts.changed_by_email)
    return _confirm_if_accepted(holder, facts)


def _record_new(facts: CalcomBookingFacts, *, cancelled: bool) -> Settled:
    """A booking we do not hold yet lands on the branch of its event type; without one it waits for a
    mapping (`UnmappedBooking`), never on a guessed branch."""
    owner = owner_of_event_type(facts.event_type_id) if facts.event_type_id is not None else None
    if owner is None or owner.branch is None:
        if cancelled:
            return unmapped_booking_cancel(uid=facts.uid)  # None: never ours, nothing to cancel
        return unmapped_booking_record(facts=facts)[0]
    branch = owner.branch
    waiting = unmapped_booking_waiting(facts.uid)
    appointment = Appointment(
        customer=_customer_for(facts, branch),
        service=owner.service,
        staff=owner.staff,
        branch=branch,
        starts_at=facts.start,
        ends_at=facts.end
        if facts.end > facts.start
        else facts.start + timedelta(minutes=owner.service.duration_minutes),
        status=Appointment.Status.CANCELLED if cancelled else _status_of(facts.status),
        source=Appointment.Source.CALCOM,
        calcom_booking_uid=facts.uid,
        previous_booking_uids=[facts.reschedule_uid] if facts.reschedule_uid else [],
        policy_snapshot=policy_snapshot_for(branch=branch, service=owner.service, staff=owner.staff),
        price=owner.service.price,
        currency=owner.service.currency,
        notes=facts.notes,
        sync_state=Appointment.SyncState.SYNCED,
        callback_id=waiting.callback_id if waiting is not None else None,
    )
    appointment.full_clean()
    appointment.save()
    if waiting is not None:
        unmapped_booking_resolve(unmapped=waiting, appointment=appointment)
    if not cancelled:
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


def _cancel(appointment: Appointment, reason: str, by_email: str) -> Appointment:
    if not appointment.is_active:
        return appointment
    actor = _actor_for(by_email)
    check = can_cancel(appointment, by=actor)
    modification = policy_record_modification(
        appointment=appointment, check=check, by=actor, reason=reason, metadata={"via": "calcom"}
    )
    appointment.status = Appointment.Status.CANCELLED
    appointment.sync_state = Appointment.SyncState.SYNCED
    appointment.save(update_fields=["status", "sync_state", "updated_at"])
    emit("appointment.cancelled", appointment=appointment, modification=modification, by=actor)
    return appointment


def _move_to_successor(appointment: Appointment, facts: CalcomBookingFacts) -> Appointment:
    """The appointment's uid was rescheduled in Cal.com to `facts.uid`: a new, live booking."""
    if appointment.calcom_booking_uid != facts.reschedule_uid:
        return appointment  # that uid was moved on already (Cal.com moves a booking only once)
    status = _status_of(facts.status)
    _move(appointment, facts.uid, facts.start, facts.end, status, facts.reason, facts.changed_by_email)
    return appointment


def _merge(*, older: Appointment, newer: Appointment) -> Appointment:
    """One booking chain in two appointments: the older absorbs the newer (its uids, time and status)."""
    uids = [*older.all_booking_uids[::-1], *newer.all_booking_uids[::-1]]
    current, previous = uids[-1], list(dict.fromkeys(uids[:-1]))
    starts_at, ends_at, status = newer.starts_at, newer.ends_at, newer.status
    newer.modifications.update(appointment=older)
    newer.notifications.update(appointment=older)
    newer.settled_callbacks.update(appointment=older)
    newer.slot_holds.update(appointment=older)
    newer.delete()
    older.calcom_booking_uid, older.previous_booking_uids = current, previous
    if status != Appointment.Status.CANCELLED:
        return _move(older, current, starts_at, ends_at, status, "", "")
    older.starts_at, older.ends_at = starts_at, ends_at
    older.save()
    return _cancel(older, "", "")


def _link_predecessor(appointment: Appointment, uid: str, *, of: str) -> None:
    """Note `uid` as the booking `of` replaced (in chain order), so its own late reports are recognised."""
    chain = [*appointment.previous_booking_uids, appointment.calcom_booking_uid]
    at = chain.index(of)
    appointment.previous_booking_uids = [*chain[:at], uid, *chain[at:]][:-1]
    appointment.save(update_fields=["previous_booking_uids", "updated_at"])


def _move(
    appointment: Appointment,
    uid: str,
    start: datetime,
    end: datetime,
    status: str,
    reason: str,
    by_email: str,
) -> Appointment:
    """Take a successor booking's uid and time; a cancelled appointment comes back to life with it."""
    was_active, previous_starts_at = appointment.is_active, appointment.starts_at
    actor = _actor_for(by_email)
    modification = None
    if was_active:
        check = can_reschedule(appointment, start, by=actor)
        modification = policy_record_modification(
            appointment=appointment, check=check, by=actor, reason=reason, metadata={"via": "calcom"}
        )
    booking = Booking(uid=uid, id=None, status=status, start=start, end=end, event_type_id=None)
    appointment.status = status
    _apply_move(
        appointment, booking, start, end - start if end > start else appointment.ends_at - previous_starts_at
    )
    if not was_active:
        emit("appointment.created", appointment=appointment)
    elif start != previous_starts_at:
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
