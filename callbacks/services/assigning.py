"""Assigning callbacks by hand, automatically (with a strategy) and in bulk."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from callbacks import assignment, conf
from callbacks.models import CallbackRequest
from callbacks.services.base import (
    AUDIENCE_MANAGERS,
    SAME_STAFF,
    Kind,
    Status,
    User,
    _check_transition,
    _locked,
    _reassign_due,
    _record,
    _save,
    actor_param,
)
from common.events import emit
from common.messages import Stored, message
from org.models import Staff

# Staff who let a callback sit untouched are not given it again by auto-assignment (a manager still may).
POOL_EXCLUDED_KEY = "pool_excluded_staff_ids"


def pool_excluded_staff_ids(callback: CallbackRequest) -> list[int]:
    return list(callback.metadata.get(POOL_EXCLUDED_KEY, []))


# --- assignment ----------------------------------------------------------------------------------------


def _assign(
    callback: CallbackRequest, staff: Staff, *, reason: Stored, by: User | None, now: datetime
) -> CallbackRequest:
    previous, old_status = callback.assigned_to, callback.status
    _check_transition(callback, Status.ASSIGNED)
    callback.assigned_to = staff
    callback.assigned_at = now
    if callback.status == Status.PENDING:
        callback.status = Status.ASSIGNED
    callback.assignment_reason = reason
    callback.unassignable_reason, callback.unassignable_since = "", None
    callback.reassign_due_at = (
        _reassign_due(callback, now=now) if callback.status == Status.ASSIGNED else None
    )
    _save(
        callback,
        "assigned_to",
        "assigned_at",
        "status",
        "assignment_reason",
        "unassignable_reason",
        "unassignable_since",
        "reassign_due_at",
    )
    _record(
        callback,
        Kind.ASSIGNED,
        message("assigned_to", staff=staff.name, reason=reason),
        by=by,
        staff=staff,
        reason=reason,
        previous_staff_id=previous.pk if previous else None,
    )
    emit(
        "callback.assigned",
        callback=callback,
        staff=staff,
        previous_staff=previous,
        reason=reason,
        by=by,
        old_status=old_status,
    )
    return callback


def _checked_manual_staff(callback: CallbackRequest, staff: Staff) -> Staff:
    """The chosen person, locked, once `assignment.refusal` finds nothing against them."""
    staff = assignment.lock_staff(staff)
    if callback.assigned_to_id == staff.pk:
        params = {"staff": staff.name}
        raise ValidationError({"assigned_to": ValidationError(SAME_STAFF, code="same", params=params)})
    refused = assignment.refusal(staff, callback)
    if refused is not None:
        raise ValidationError({"assigned_to": refused})
    return staff


@transaction.atomic
def callback_assign(*, callback: CallbackRequest, staff: Staff, by: User | None = None) -> CallbackRequest:
    """Assign by hand (admin, API): the person must be eligible (`assignment.refusal` says why not)."""
    callback = _locked(callback)
    _check_transition(callback, Status.ASSIGNED)
    staff = _checked_manual_staff(callback, staff)
    return _assign(
        callback, staff, reason=message("assigned_by", actor=actor_param(by)), by=by, now=timezone.now()
    )


def _flag_unassignable(
    callback: CallbackRequest, reason: Stored, *, by: User | None, now: datetime
) -> CallbackRequest:
    """Stay pending and tell the branch managers, once per distinct reason (sweeps retry every 5 minutes)."""
    if callback.unassignable_reason == reason:
        return callback
    callback.unassignable_reason = reason
    callback.unassignable_since = callback.unassignable_since or now
    _save(callback, "unassignable_reason", "unassignable_since")
    _record(callback, Kind.UNASSIGNABLE, message("nobody_assigned", reason=reason), by=by, reason=reason)
    emit(
        "callback.unassignable",
        callback=callback,
        branch=callback.branch,
        reason=reason,
        audience=[AUDIENCE_MANAGERS],
        by=by,
    )
    return callback


@transaction.atomic
def callback_auto_assign(
    *, callback: CallbackRequest | int, strategy: str | None = None, by: User | None = None
) -> CallbackRequest:
    """Assign a pending callback with the company's (or the given) strategy; idempotent.

    A callback that is no longer pending (another worker got there first, or it was cancelled) is
    returned unchanged, so the same callback is never assigned twice.
    """
    callback = _locked(callback)
    if callback.deleted_at is not None or callback.status != Status.PENDING:
        return callback
    now = timezone.now()
    choice = assignment.choose(
        callback,
        strategy=strategy or conf.assignment_strategy(),
        now=now,
        exclude_staff_ids=pool_excluded_staff_ids(callback),
    )
    if choice.staff is None:
        return _flag_unassignable(callback, choice.reason, by=by, now=now)
    return _assign(callback, choice.staff, reason=choice.reason, by=by, now=now)


@dataclass(frozen=True)
class BulkAssignment:
    assigned: int
    unassignable: int
    skipped: int


PRIORITY_ORDER = Case(
    When(priority=CallbackRequest.Priority.URGENT, then=Value(0)),
    When(priority=CallbackRequest.Priority.HIGH, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def callbacks_bulk_auto_assign(
    *, callback_ids: Iterable[int], strategy: str | None = None, by: User | None = None
) -> BulkAssignment:
    """Auto-assign many callbacks, most pressing first, one transaction each.

    Each assignment sees the ones before it (load counts, the round-robin cursor), which is what spreads
    a batch as evenly as the strategy allows.
    """
    ordered = list(
        CallbackRequest.objects.filter(pk__in=list(callback_ids))
        .order_by(PRIORITY_ORDER, "created_at", "pk")
        .values_list("pk", "status")
    )
    assigned = unassignable = skipped = 0
    for pk, status in ordered:
        if status != Status.PENDING:
            skipped += 1
            continue
        result = callback_auto_assign(callback=pk, strategy=strategy, by=by)
        if result.status == Status.PENDING:
            unassignable += 1
        else:
            assigned += 1
    return BulkAssignment(assigned=assigned, unassignable=unassignable, skipped=skipped)
