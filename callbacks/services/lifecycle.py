"""Contact attempts, completing, cancelling, expiring (also by a booked appointment), soft deletion."""

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from callbacks import conf
from callbacks.models import CallbackEscalation, CallbackRequest, ContactAttempt
from callbacks.services.base import (
    ALREADY_DELETED,
    ATTEMPT_NOT_ALLOWED,
    ATTEMPT_STATUSES,
    CALL_BACK_AT_IN_PAST,
    CALLBACK_DELETED,
    NOT_DELETED,
    PRIORITY_OF_CLOSED,
    UNKNOWN_PRIORITY,
    Kind,
    Status,
    User,
    _append_note,
    _check_transition,
    _deadline,
    _locked,
    _record,
    _save,
    actor_param,
)
from callbacks.services.escalation import callback_escalate
from common.events import emit
from common.messages import Stored, message, word
from org.models import Staff

if TYPE_CHECKING:  # callbacks reacts to appointment events; it never loads appointments itself
    from appointments.models import Appointment

# --- contact attempts ----------------------------------------------------------------------------------


def _mark_contacted(
    callback: CallbackRequest, attempt: ContactAttempt, *, by: User | None, now: datetime
) -> None:
    _check_transition(callback, Status.CONTACTED)
    old_status = callback.status
    callback.status = Status.CONTACTED
    callback.contacted_at = now
    callback.reassign_due_at = None
    _save(callback, "status", "contacted_at", "reassign_due_at")
    reached = message("customer_reached")
    _record(callback, Kind.CONTACTED, reached, by=by, staff=attempt.staff, attempt_id=attempt.pk)
    emit("callback.contacted", callback=callback, attempt=attempt, by=by, old_status=old_status)


def _move_deadline(callback: CallbackRequest, new_deadline: datetime, *, by: User | None) -> None:
    previous = callback.expires_at
    callback.expires_at = new_deadline
    callback.sla_warned_at = None
    _save(callback, "expires_at", "sla_warned_at")
    _record(
        callback,
        Kind.DEADLINE_MOVED,
        message("call_later", when=f"{new_deadline:%Y-%m-%d %H:%M %Z}"),
        by=by,
        previous=previous.isoformat() if previous else None,
        expires_at=new_deadline.isoformat(),
    )


@transaction.atomic
def callback_record_contact_attempt(
    *,
    callback: CallbackRequest,
    outcome: str,
    staff: Staff | None = None,
    note: str = "",
    call_back_at: datetime | None = None,
    by: User | None = None,
) -> ContactAttempt:
    """Record one try to reach the customer.

    Reaching them (or being asked to call later) makes the callback `contacted`; "call me later" moves the
    deadline to that time instead of counting as a failure. Every third failed try escalates (`max_attempts`).
    """
    callback = _locked(callback)
    if callback.deleted_at is not None:
        raise ValidationError(CALLBACK_DELETED, code="deleted")
    if callback.status not in ATTEMPT_STATUSES:
        raise ValidationError(ATTEMPT_NOT_ALLOWED, code="not_assigned", params={"current": callback.status})
    now = timezone.now()
    if call_back_at is not None and call_back_at <= now:
        raise ValidationError({"call_back_at": ValidationError(CALL_BACK_AT_IN_PAST, code="past")})
    attempt = ContactAttempt(
        callback=callback,
        staff=staff or callback.assigned_to,
        attempted_at=now,
        outcome=outcome,
        call_back_at=call_back_at,
        note=note,
        recorded_by=by,
    )
    attempt.full_clean()
    attempt.save()
    callback.contact_attempts_count += 1
    callback.failed_attempts_count += attempt.failed
    callback.reassign_due_at = None
    _save(callback, "contact_attempts_count", "failed_attempts_count", "reassign_due_at")
    _record(
        callback,
        Kind.CONTACT_ATTEMPT,
        _attempt_message(attempt),
        by=by,
        staff=attempt.staff,
        outcome=outcome,
        attempt_id=attempt.pk,
    )
    if not attempt.failed and callback.status == Status.ASSIGNED:
        _mark_contacted(callback, attempt, by=by, now=now)
    if outcome == ContactAttempt.Outcome.ASKED_TO_CALL_LATER:
        _move_deadline(callback, call_back_at, by=by)
    if attempt.failed and callback.failed_attempts_count % conf.max_failed_attempts() == 0:
        callback_escalate(callback=callback, reason=CallbackEscalation.Reason.MAX_ATTEMPTS, by=by)
    return attempt


def _attempt_message(attempt: ContactAttempt) -> Stored:
    outcome = word(attempt.get_outcome_display())
    if attempt.note:
        return message("contact_attempt_note", outcome=outcome, note=attempt.note)
    return message("contact_attempt", outcome=outcome)


# --- closing -------------------------------------------------------------------------------------------


def _resolve_escalations(callback: CallbackRequest, *, now: datetime, why: Stored) -> None:
    callback.escalations.filter(resolved_at__isnull=True).update(resolved_at=now, notes=why)


def _close(
    callback: CallbackRequest,
    status: str,
    *,
    by: User | None,
    kind: str,
    message: Stored,
    event: str,
    **event_payload: Any,
) -> CallbackRequest:
    now = timezone.now()
    stamp = {
        Status.COMPLETED: "completed_at",
        Status.CANCELLED: "cancelled_at",
        Status.EXPIRED: "expired_at",
    }[status]
    old_status = callback.status
    callback.status = status
    setattr(callback, stamp, now)
    callback.reassign_due_at = None
    _save(callback, "status", stamp, "reassign_due_at", "notes", "contacted_at", "appointment")
    _resolve_escalations(callback, now=now, why=message)
    _record(callback, kind, message, by=by, staff=callback.assigned_to)
    emit(event, callback=callback, by=by, old_status=old_status, **event_payload)
    return callback


@transaction.atomic
def callback_complete(
    *, callback: CallbackRequest, by: User | None = None, note: str = ""
) -> CallbackRequest:
    callback = _locked(callback)
    _check_transition(callback, Status.COMPLETED)
    if note:
        _append_note(callback, message("completed_by", actor=actor_param(by)), note)
    return _close(
        callback,
        Status.COMPLETED,
        by=by,
        kind=Kind.COMPLETED,
        message=message("completed"),
        event="callback.completed",
        appointment=None,
    )


@transaction.atomic
def callback_cancel(
    *, callback: CallbackRequest, by: User | None = None, reason: Stored = ""
) -> CallbackRequest:
    """`reason`: what someone typed, or a system message (`common.messages`)."""
    callback = _locked(callback)
    _check_transition(callback, Status.CANCELLED)
    if reason and isinstance(reason, str):  # what someone typed; a system reason is on the timeline
        _append_note(callback, message("cancelled_by", actor=actor_param(by)), reason)
    said = message("cancelled_because", reason=reason) if reason else message("cancelled")
    return _close(
        callback, Status.CANCELLED, by=by, kind=Kind.CANCELLED, message=said, event="callback.cancelled"
    )


@transaction.atomic
def callback_expire(*, callback: CallbackRequest, by: User | None = None) -> CallbackRequest:
    callback = _locked(callback)
    _check_transition(callback, Status.EXPIRED)
    deadline = f"{callback.expires_at:%Y-%m-%d %H:%M %Z}" if callback.expires_at else "—"
    said = message("expired", deadline=deadline)
    return _close(callback, Status.EXPIRED, by=by, kind=Kind.EXPIRED, message=said, event="callback.expired")


@transaction.atomic
def callback_complete_for_appointment(*, appointment: "Appointment") -> list[CallbackRequest]:
    """An appointment was booked: the customer's open callbacks (and the one it names) are settled.

    Booking proves the customer was reached, so this completes from any open status and stamps
    `contacted_at` when nobody recorded the contact.
    """
    if appointment.status == appointment.Status.CANCELLED:
        return []
    matches = Q(pk=appointment.callback_id) if appointment.callback_id else Q(pk__in=[])
    matches |= Q(customer=appointment.customer_id)
    phone = appointment.customer.phone
    if phone:
        matches |= Q(phone=phone)
    completed = []
    for pk in CallbackRequest.objects.open().filter(matches).values_list("pk", flat=True):
        completed.append(_complete_for_appointment(pk, appointment))
    return [callback for callback in completed if callback is not None]


@transaction.atomic
def _complete_for_appointment(pk: int, appointment: "Appointment") -> CallbackRequest | None:
    callback = _locked(pk)
    if not callback.is_open or callback.deleted_at is not None:
        return None
    now = timezone.now()
    callback.contacted_at = callback.contacted_at or now
    callback.appointment = appointment
    local = timezone.localtime(appointment.starts_at, appointment.branch.tzinfo)
    said = message(
        "completed_by_appointment",
        appointment=appointment.pk,
        when=f"{local:%Y-%m-%d %H:%M}",
        source=word(appointment.get_source_display()),
    )
    _append_note(callback, said, "")
    return _close(
        callback,
        Status.COMPLETED,
        by=None,
        kind=Kind.COMPLETED,
        message=said,
        event="callback.completed",
        appointment=appointment,
    )


# --- soft deletion -------------------------------------------------------------------------------------


@transaction.atomic
def callback_soft_delete(*, callback: CallbackRequest, by: User | None = None) -> CallbackRequest:
    callback = _locked(callback)
    if callback.deleted_at is not None:
        raise ValidationError(ALREADY_DELETED, code="deleted")
    callback.deleted_at = timezone.now()
    _save(callback, "deleted_at")
    _record(callback, Kind.DELETED, message("deleted"), by=by)
    emit("callback.deleted", callback=callback, by=by)
    return callback


@transaction.atomic
def callback_restore(*, callback: CallbackRequest, by: User | None = None) -> CallbackRequest:
    callback = _locked(callback)
    if callback.deleted_at is None:
        raise ValidationError(NOT_DELETED, code="not_deleted")
    callback.deleted_at = None
    _save(callback, "deleted_at")
    _record(callback, Kind.RESTORED, message("restored"), by=by)
    emit("callback.restored", callback=callback, by=by)
    return callback


@transaction.atomic
def callback_set_priority(
    *, callback: CallbackRequest, priority: str, by: User | None = None
) -> CallbackRequest:
    """Change an open callback's priority; its deadline follows from the new SLA budget, counted from when
    it was created (or from the customer's preferred window)."""
    if priority not in CallbackRequest.Priority.values:
        raise ValidationError({"priority": ValidationError(UNKNOWN_PRIORITY, params={"value": priority})})
    callback = _locked(callback)
    if not callback.is_open:
        raise ValidationError(PRIORITY_OF_CLOSED, code="closed", params={"current": callback.status})
    if callback.priority == priority:
        return callback
    old = callback.priority
    callback.priority = priority
    callback.expires_at = _deadline(callback, start=callback.created_at)
    _save(callback, "priority", "expires_at")
    _record(
        callback,
        Kind.PRIORITY_CHANGED,
        message(
            "priority_changed",
            old=word(CallbackRequest.Priority(old).label),
            new=word(CallbackRequest.Priority(priority).label),
            deadline=f"{callback.expires_at:%Y-%m-%d %H:%M %Z}",
        ),
        by=by,
        old=old,
        new=priority,
        expires_at=callback.expires_at.isoformat(),
    )
    emit("callback.priority_changed", callback=callback, by=by, old=old)
    return callback
