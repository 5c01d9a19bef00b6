"""Cancel, reschedule and update: the policy decides, the change is recorded, Cal.com follows."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appointments.models import Appointment
from appointments.selectors import cancellations_not_in_calcom, event_type_for
from appointments.services.base import (
    CALCOM_REFUSED,
    DEFERRED_RESCHEDULE_NOTE,
    NAIVE_TIME,
    NOT_CHANGEABLE,
    OVERRIDE_NOT_ALLOWED,
    SAME_TIME,
    UNSAVED_MOVE_NOTE,
    UNSYNCED_CANCEL_NOTE,
    AppointmentDeferred,
    PolicyRefused,
    SlotNotFree,
    _apply_move,
    _attendee,
    _callback_for,
    _check_time,
    _local,
    _request_of,
)
from common.conf import platform_setting
from common.db.locks import advisory_lock
from common.events import emit
from integrations.calcom.client import CalcomClient, calcom_client_for_current_company
from integrations.calcom.echo import expect_echo, forget_echo
from integrations.calcom.errors import (
    CalcomNotFound,
    CalcomRequestRejected,
    CalcomUnavailable,
    NoSlotsAvailable,
)
from integrations.calcom.types import Booking
from org.models import Staff
from policies.services import Actor, PolicyCheck, can_cancel, can_reschedule
from policies.services import record_modification as policy_record_modification

logger = logging.getLogger(__name__)
# Cal.com's answer to cancelling a booking that is already cancelled (handleCancelBooking.ts): 400.
ALREADY_CANCELLED_IN_CALCOM = "already been cancelled"


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
        if exc.status_code == 400 and ALREADY_CANCELLED_IN_CALCOM in str(exc):
            # An earlier attempt got through (a retry after a timeout, a job run again after its worker
            # died), or someone cancelled it in Cal.com: either way Cal.com holds what we hold.
            logger.info("Cal.com booking %s was already cancelled (appointment %s)", uid, appointment.pk)
            return Appointment.SyncState.SYNCED
        forget_echo("BOOKING_CANCELLED", uid)
        raise ValidationError(CALCOM_REFUSED % {"message": exc}, code="calcom_refused") from exc
    return Appointment.SyncState.SYNCED


def _event_type_of(appointment: Appointment) -> int | None:
    try:
        return event_type_for(service=appointment.service, branch=appointment.branch, staff=appointment.staff)
    except ValidationError:
        return None


def appointment_push_cancel_to_calcom(*, appointment: Appointment, final_attempt: bool) -> bool:
    """Retry telling Cal.com about a cancellation made while it was down; True when done (or another run
    is doing it). After the last attempt the appointment is marked failed and a human gets a callback.
    """
    with _push_claimed(appointment) as claimed:
        if not claimed:
            return True
        appointment.refresh_from_db(fields=["status", "sync_state"])
        if not _awaits_push(appointment):
            return True
        state = _cancel_in_calcom(appointment, "Cancelled by the business", None)
        if state == Appointment.SyncState.PENDING and not final_attempt:
            return False
        _record_push(appointment, synced=state == Appointment.SyncState.SYNCED)
    return True


@contextmanager
def _push_claimed(appointment: Appointment) -> Iterator[bool]:
    """The retrying task and the sweep may pick the same cancellation: whoever claims it tells Cal.com.

    An advisory lock, not a row lock (no transaction of ours stays open across a Cal.com call) and not a
    claim with a lifetime in Redis: the lock dies with its holder's connection, so when a worker is killed
    mid-push the job Redis hands out again can push at once instead of finding a dead worker's claim.
    """
    key = f"{connection.schema_name}:appointment-push-cancel:{appointment.pk}"
    with advisory_lock(key, wait=False) as claimed:
        yield claimed


def _awaits_push(appointment: Appointment) -> bool:
    return (
        appointment.sync_state == Appointment.SyncState.PENDING
        and appointment.status == Appointment.Status.CANCELLED
    )


@transaction.atomic
def _record_push(appointment: Appointment, *, synced: bool) -> None:
    appointment.sync_state = Appointment.SyncState.SYNCED if synced else Appointment.SyncState.FAILED
    appointment.save(update_fields=["sync_state", "updated_at"])
    if not synced:
        request = _request_of(appointment, appointment.starts_at)
        notes = UNSYNCED_CANCEL_NOTE % {"when": _local(appointment.starts_at, appointment.branch)}
        _callback_for(request, notes=notes, kind="unsynced_cancel", extra={"appointment_id": appointment.pk})
    emit("appointment.updated", appointment=appointment, changed=["sync_state"])


def appointments_push_pending_cancels(*, limit: int = 200) -> int:
    """The sweep: cancellations Cal.com has not heard of a while after they were made (their task was
    lost), pushed in this worker. Past the give-up age the attempt is the last one, as the task's is."""
    now = timezone.now()
    waited = timedelta(minutes=int(platform_setting("APPOINTMENT_PENDING_CANCEL_MINUTES", 2)))
    # The task's own retries give up after about 32 minutes; the sweep gives up a little later.
    give_up = timedelta(minutes=int(platform_setting("APPOINTMENT_PENDING_CANCEL_GIVE_UP_MINUTES", 35)))
    settled = 0
    for appointment in cancellations_not_in_calcom(changed_before=now - waited)[:limit]:
        final = appointment.updated_at < now - give_up
        try:
            settled += appointment_push_cancel_to_calcom(appointment=appointment, final_attempt=final)
        except ValidationError:  # Cal.com refused: logged, the others still go
            logger.exception("pushing the cancellation of appointment %s was refused", appointment.pk)
    return settled


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
    event_type_id = event_type_for(
        service=appointment.service, branch=appointment.branch, staff=appointment.staff
    )
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
