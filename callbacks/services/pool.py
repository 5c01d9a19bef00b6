"""Callbacks going back to the pool: their assignee is away, deactivated, no longer takes callbacks, or let
one sit untouched.

"The pool" is what auto-assignment draws from. A callback that returns is given at once to someone else who
may take it (`assignment.choose`, the company's strategy); when nobody can, it becomes pending without an
assignee, its branch's managers are told (`callback.unassignable`) and the assign-pending sweep retries.
Either way the timeline says why, in the company's language: "Zurück in den Pool: Anna ist abwesend
(Urlaub) bis 12.12.".
"""

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

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
from org.models import Absence, Staff
from org.services import absences_mark_released

logger = logging.getLogger(__name__)

BACK_TO_POOL = _("Back to the pool: %(reason)s")
STAFF_AWAY = _("%(staff)s is absent (%(kind)s) until %(until)s")
STAFF_DEACTIVATED = _("%(staff)s is no longer active")
STAFF_STOPPED = _("%(staff)s no longer takes callbacks")
STAFF_UNTOUCHED = _("%(staff)s made no contact attempt within %(share)s of the time to the deadline")


def unavailability(staff: Staff, *, now: datetime) -> str | None:
    """Why `staff` cannot hold callbacks right now (deactivated, not accepting, absent), or None."""
    if not staff.is_active:
        return gettext(STAFF_DEACTIVATED) % {"staff": staff.name}
    if not staff.accepts_callbacks:
        return gettext(STAFF_STOPPED) % {"staff": staff.name}
    absence = Absence.objects.covering(now).filter(staff=staff).order_by("-ends_on").first()
    if absence is None:
        return None
    params = {"staff": staff.name, "kind": absence.get_kind_display(), "until": f"{absence.ends_on:%d.%m.}"}
    return gettext(STAFF_AWAY) % params


def untouched_reason(staff: Staff) -> str:
    return gettext(STAFF_UNTOUCHED) % {"staff": staff.name, "share": f"{conf.reassign_after_share():.0%}"}


def send_to_pool(
    callback: CallbackRequest, reason: str, *, now: datetime, keep_away: Staff | None = None
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
    return _flag_unassignable(callback, gettext(BACK_TO_POOL) % {"reason": reason}, by=None, now=now)


def return_to_pool(callback: CallbackRequest, reason: str, *, now: datetime) -> CallbackRequest:
    """`callback` (locked, open, assigned) goes to someone else at once, or to the pool (`send_to_pool`)."""
    exclude = {callback.assigned_to_id, *pool_excluded_staff_ids(callback)}
    choice = assignment.choose(
        callback, strategy=conf.assignment_strategy(), now=now, exclude_staff_ids=exclude
    )
    if choice.staff is None:
        return send_to_pool(callback, f"{reason}; {choice.reason}", now=now)
    stated = gettext(BACK_TO_POOL) % {"reason": reason}
    return _assign(callback, choice.staff, reason=f"{stated}; {choice.reason}", by=None, now=now)


@transaction.atomic
def callback_return_to_pool(*, callback: CallbackRequest | int, reason: str) -> CallbackRequest:
    """Return one callback from its assignee with a stated reason; a no-op once it is closed or unassigned."""
    callback = _locked(callback)
    if callback.deleted_at is not None or not callback.is_open or callback.assigned_to_id is None:
        return callback
    return return_to_pool(callback, reason, now=timezone.now())


def callbacks_return_to_pool(staff: Staff, reason: str) -> int:
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
