"""Callbacks going back to the pool: their assignee is away, deactivated, no longer takes callbacks, or let
one sit untouched.

"The pool" is what auto-assignment draws from. A callback that returns is given at once to someone else who
may take it (`assignment.choose`, the company's strategy); when nobody can, it becomes pending without an
assignee, its branch's managers are told (`callback.unassignable`) and the assign-pending sweep retries.
Either way the timeline says why, in the reader's language (`common.messages`): "Zurück in den Pool: Anna ist
abwesend (Urlaub) bis 12.12.".
"""

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from callbacks import assignment, conf
from callbacks.models import CallbackRequest
from callbacks.services.assigning import (
    POOL_EXCLUDED_KEY,
    PRIORITY_ORDER,
    _assign,
    _flag_unassignable,
    pool_excluded_staff_ids,
)
from callbacks.services.base import Status, _locked, _save
from common.messages import Stored, message, word
from org.models import Absence, Staff
from org.services import absences_mark_released

logger = logging.getLogger(__name__)


def unavailability(staff: Staff, *, now: datetime) -> Stored | None:
    """Why `staff` cannot hold callbacks right now (deactivated, not accepting, absent), or None."""
    if not staff.is_active:
        return message("staff_deactivated", staff=staff.name)
    if not staff.accepts_callbacks:
        return message("staff_stopped", staff=staff.name)
    absence = Absence.objects.covering(now).filter(staff=staff).order_by("-ends_on").first()
    if absence is None:
        return None
    kind = word(absence.get_kind_display())
    return message("staff_away", staff=staff.name, kind=kind, until=f"{absence.ends_on:%d.%m.}")


def untouched_reason(staff: Staff) -> Stored:
    return message("staff_untouched", staff=staff.name, share=f"{conf.reassign_after_share():.0%}")


def send_to_pool(
    callback: CallbackRequest, reason: Stored, *, now: datetime, keep_away: Staff | None = None
) -> CallbackRequest:
    """Nobody could take `callback` (locked) directly: pending without an assignee, managers told once.

    `keep_away` (someone who let it sit untouched) is not given it again by auto-assignment.
    """
    if keep_away is not None:
        excluded = sorted({*pool_excluded_staff_ids(callback), keep_away.pk})
        callback.metadata = {**callback.metadata, POOL_EXCLUDED_KEY: excluded}
    callback.assigned_to, callback.assigned_at, callback.reassign_due_at = None, None, None
    callback.status = Status.PENDING
    _save(callback, "metadata", "assigned_to", "assigned_at", "reassign_due_at", "status")
    return _flag_unassignable(callback, message("back_to_pool", reason=reason), by=None, now=now)


def return_to_pool(callback: CallbackRequest, reason: Stored, *, now: datetime) -> CallbackRequest:
    """`callback` (locked, open, assigned) goes to someone else at once, or to the pool (`send_to_pool`)."""
    exclude = {callback.assigned_to_id, *pool_excluded_staff_ids(callback)}
    choice = assignment.choose(
        callback, strategy=conf.assignment_strategy(), now=now, exclude_staff_ids=exclude
    )
    if choice.staff is None:
        return send_to_pool(callback, [reason, choice.reason], now=now)
    stated = message("back_to_pool", reason=reason)
    return _assign(callback, choice.staff, reason=[stated, choice.reason], by=None, now=now)


@transaction.atomic
def callback_return_to_pool(*, callback: CallbackRequest | int, reason: Stored) -> CallbackRequest:
    """Return one callback from its assignee with a stated reason; a no-op once it is closed or unassigned."""
    callback = _locked(callback)
    if callback.deleted_at is not None or not callback.is_open or callback.assigned_to_id is None:
        return callback
    return return_to_pool(callback, reason, now=timezone.now())


def callbacks_return_to_pool(staff: Staff, reason: Stored) -> int:
    """Every open callback `staff` holds goes back to the pool, one transaction each (most pressing first)."""
    ids = list(
        CallbackRequest.objects.open()
        .filter(assigned_to=staff)
        .order_by(PRIORITY_ORDER, "expires_at", "pk")
        .values_list("pk", flat=True)
    )
    for pk in ids:
        callback_return_to_pool(callback=pk, reason=reason)
    return len(ids)


def staff_release(*, staff: Staff | int) -> int:
    """If `staff` cannot hold callbacks now, return theirs to the pool and mark the absence released.

    The door for the queued task and the sweep: idempotent, and it decides on the state at this moment
    (someone reactivated before the task ran keeps their callbacks).
    """
    staff = Staff.objects.get(pk=staff.pk if isinstance(staff, Staff) else staff)
    now = timezone.now()
    reason = unavailability(staff, now=now)
    if reason is None:
        return 0
    returned = callbacks_return_to_pool(staff, reason)
    absences_mark_released(staff=staff, now=now)
    return returned


def staff_to_release(now: datetime) -> list[int]:
    """People the sweep must look at: an absence started and not yet released, or unavailable while holding
    open callbacks (a queued release that was lost)."""
    absent_now = Absence.objects.covering(now)
    unavailable = Q(is_active=False) | Q(accepts_callbacks=False) | Q(pk__in=absent_now.values("staff"))
    holding = CallbackRequest.objects.open().filter(assigned_to__isnull=False).values("assigned_to")
    unreleased = absent_now.filter(released_at__isnull=True).values("staff")
    people = Staff.objects.filter((unavailable & Q(pk__in=holding)) | Q(pk__in=unreleased))
    return list(people.order_by("pk").values_list("pk", flat=True))


def staff_release_sweep() -> int:
    """The periodic pass: release everyone `staff_to_release` finds; one person's failure is logged."""
    released = 0
    for pk in staff_to_release(timezone.now()):
        try:
            staff_release(staff=pk)
        except Exception:
            logger.exception("returning the callbacks of staff %s to the pool failed", pk)
        else:
            released += 1
    return released
