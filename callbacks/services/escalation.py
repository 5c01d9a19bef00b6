"""Escalation up the ladder, the deadline warning, and handing on untouched callbacks."""

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from callbacks import assignment, conf
from callbacks.models import CallbackEscalation, CallbackRequest
from callbacks.priority import raised_priority
from callbacks.services.assigning import _assign, _checked_manual_staff
from callbacks.services.base import (
    AUDIENCE_ADMINS,
    AUDIENCE_MANAGERS,
    CALLBACK_DELETED,
    UNKNOWN_REASON,
    CallbackTransitionError,
    Kind,
    Status,
    User,
    _locked,
    _record,
    _save,
    actor_param,
)
from callbacks.services.pool import send_to_pool, untouched_reason
from common.events import emit
from common.messages import Stored, message, word
from org.models import Staff

# --- escalation ----------------------------------------------------------------------------------------


def _escalation_audience(level: int) -> list[str]:
    return [AUDIENCE_MANAGERS, AUDIENCE_ADMINS] if level >= 3 else [AUDIENCE_MANAGERS]


@transaction.atomic
def callback_escalate(
    *,
    callback: CallbackRequest,
    reason: str,
    by: User | None = None,
    to_staff: Staff | None = None,
    notes: str = "",
) -> CallbackEscalation:
    """Escalate up the ladder: 1st → someone else takes it; 2nd → priority up one step; 3rd+ → admins too.

    Managers are told at every level (through the `callback.escalated` event and its `audience`).
    `to_staff` (manual escalation) hands it to that person at any level.
    """
    if reason not in CallbackEscalation.Reason.values:
        raise ValidationError(
            {"reason": ValidationError(UNKNOWN_REASON, code="invalid", params={"value": reason})}
        )
    callback = _locked(callback)
    if callback.deleted_at is not None:
        raise ValidationError(CALLBACK_DELETED, code="deleted")
    if not callback.is_open:
        raise CallbackTransitionError(callback.status, "escalated")
    now = timezone.now()
    level = callback.escalation_level + 1
    from_staff = callback.assigned_to
    steps: list[Stored] = []
    new_staff = _escalation_handover(callback, level=level, to_staff=to_staff, by=by, now=now, steps=steps)
    metadata: dict[str, Any] = {"audience": _escalation_audience(level)}
    if level == 2:
        before = callback.priority
        callback.priority = raised_priority(before)
        metadata["priority"] = [before, callback.priority]
        labels = dict(CallbackRequest.Priority.choices)
        steps.append(
            message("priority_raised", old=word(labels[before]), new=word(labels[callback.priority]))
        )
    if level >= 3:
        steps.append(message("admins_informed"))
    if notes:
        steps.append(notes)
    callback.escalation_level, callback.last_escalated_at = level, now
    _save(callback, "escalation_level", "last_escalated_at", "priority")
    escalation = CallbackEscalation(
        callback=callback,
        reason=reason,
        level=level,
        from_staff=from_staff,
        to_staff=new_staff,
        escalated_at=now,
        escalated_by=by,
        notes=steps,
        metadata=metadata,
    )
    escalation.full_clean()
    escalation.save()
    _record(
        callback,
        Kind.ESCALATED,
        message("escalated", reason=word(escalation.get_reason_display()), level=level, notes=steps),
        by=by,
        staff=new_staff,
        reason=reason,
        level=level,
        escalation_id=escalation.pk,
    )
    emit(
        "callback.escalated",
        callback=callback,
        escalation=escalation,
        level=level,
        audience=metadata["audience"],
        by=by,
    )
    return escalation


def _escalation_handover(
    callback: CallbackRequest,
    *,
    level: int,
    to_staff: Staff | None,
    by: User | None,
    now: datetime,
    steps: list[Stored],
) -> Staff | None:
    """Hand the callback to someone else when the ladder (or a manager) says so; never to the same person."""
    if to_staff is not None:
        staff = _checked_manual_staff(callback, to_staff)
        reason = message("escalated_to_by", staff=staff.name, actor=actor_param(by))
        _assign(callback, staff, reason=reason, by=by, now=now)
        steps.append(message("handed_to", staff=staff.name))
        return staff
    if level != 1:
        return None
    current = callback.assigned_to
    exclude = [current.pk] if current else []
    choice = assignment.choose(
        callback, strategy=conf.assignment_strategy(), now=now, exclude_staff_ids=exclude
    )
    if choice.staff is None:
        kept = message("stays_with", staff=current.name) if current else message("stays_unassigned")
        steps += [message("nobody_else_could", reason=choice.reason), kept]
        return None
    _assign(callback, choice.staff, reason=message("after_escalation", reason=choice.reason), by=by, now=now)
    steps.append(message("reassigned_to", staff=choice.staff.name))
    return choice.staff


# --- deadline watch ------------------------------------------------------------------------------------


@transaction.atomic
def callback_warn_sla_approaching(*, callback: CallbackRequest | int) -> bool:
    """Emit `callback.sla_approaching` once per deadline (a moved deadline may warn again)."""
    callback = _locked(callback)
    now = timezone.now()
    due_soon = callback.expires_at is not None and now <= callback.expires_at <= now + conf.sla_warning_lead()
    if callback.deleted_at or not callback.is_open or callback.sla_warned_at or not due_soon:
        return False
    callback.sla_warned_at = now
    _save(callback, "sla_warned_at")
    minutes_left = int((callback.expires_at - now) / timedelta(minutes=1))
    _record(
        callback,
        Kind.SLA_APPROACHING,
        message("deadline_in", minutes=minutes_left),
        minutes_left=minutes_left,
    )
    emit("callback.sla_approaching", callback=callback, minutes_left=minutes_left)
    return True


@transaction.atomic
def callback_hand_on_if_untouched(*, callback: CallbackRequest | int) -> CallbackRequest:
    """The assignee made no contact attempt within their share of the SLA budget: give it to someone else.

    When nobody else can take it directly, it returns to the pool (`pool.send_to_pool`): pending, managers
    told, and auto-assignment does not give it back to the person who let it sit.
    """
    callback = _locked(callback)
    now = timezone.now()
    due = callback.reassign_due_at
    if callback.deleted_at or callback.status != Status.ASSIGNED or due is None or due > now:
        return callback
    current = callback.assigned_to
    exclude = [current.pk] if current else []
    choice = assignment.choose(
        callback, strategy=conf.assignment_strategy(), now=now, exclude_staff_ids=exclude
    )
    why = untouched_reason(current) if current else None
    if choice.staff is not None:
        reason = [why, choice.reason] if why else choice.reason
        return _assign(callback, choice.staff, reason=reason, by=None, now=now)
    if current is None:
        return send_to_pool(callback, choice.reason, now=now)
    return send_to_pool(callback, [why, choice.reason], now=now, keep_away=current)


@transaction.atomic
def callback_escalate_if_overdue(
    *, callback: CallbackRequest | int, reason: str
) -> CallbackEscalation | None:
    """The sweep's door: re-checks, under the row lock, that the callback is still overdue and cooled down."""
    callback = _locked(callback)
    now = timezone.now()
    cooled_down = (
        callback.last_escalated_at is None or callback.last_escalated_at <= now - conf.escalation_cooldown()
    )
    if callback.deleted_at is not None or not callback.is_overdue or not cooled_down:
        return None
    return callback_escalate(callback=callback, reason=reason)
