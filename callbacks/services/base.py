"""Shared by the callback services: error messages, the transition table, locking and the timeline."""

from datetime import datetime
from typing import Any, NamedTuple

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callbacks import conf, sla
from callbacks.models import CallbackEvent, CallbackRequest
from common.messages import Stored, heading_line, word
from org.models import Staff

Status = CallbackRequest.Status
Kind = CallbackEvent.Kind
User = AbstractBaseUser

ILLEGAL_TRANSITION = _("A callback that is %(current)s cannot become %(requested)s.")
CALLBACK_DELETED = _("This callback was deleted; restore it first.")
NOT_DELETED = _("This callback is not deleted.")
ALREADY_DELETED = _("This callback is already deleted.")
UNKNOWN_BRANCH = _("There is no active branch with id “%(value)s”.")
UNKNOWN_SERVICE = _("There is no active service with id “%(value)s”.")
SERVICE_NOT_AT_BRANCH = _("%(service)s is not offered at %(branch)s.")
UNKNOWN_CUSTOMER = _("There is no customer with id “%(value)s”.")
UNKNOWN_STAFF = _("There is no active staff member with id “%(value)s”.")
UNKNOWN_PRIORITY = _("“%(value)s” is not a priority; choose normal, high or urgent.")
PRIORITY_OF_CLOSED = _("The priority of a callback that is %(current)s cannot change.")
UNKNOWN_SOURCE = _("“%(value)s” is not a callback source.")
PHONE_REQUIRED = _("A phone number (or at least an email address) is required to reach the customer.")
WINDOW_ENDS_BEFORE_START = _("The preferred time window must end after it starts.")
ATTEMPT_NOT_ALLOWED = _(
    "Contact attempts are recorded on assigned or contacted callbacks; this one is %(current)s."
)
CALL_BACK_AT_IN_PAST = _("The time to call back must be in the future.")
UNKNOWN_REASON = _("“%(value)s” is not an escalation reason; choose sla_breach, max_attempts or manual.")
SAME_STAFF = _("%(staff)s is already assigned to this callback.")

AUDIENCE_MANAGERS = "branch_managers"
AUDIENCE_ADMINS = "company_admins"
SYSTEM = "system"


class CallbackTransitionError(ValidationError):
    """A status change the lifecycle does not allow; the message names both statuses."""

    def __init__(self, current: str, requested: str) -> None:
        super().__init__(
            ILLEGAL_TRANSITION, code="invalid_transition", params={"current": current, "requested": requested}
        )
        self.current = current
        self.requested = requested


# pending → assigned → contacted → completed, plus cancelled and expired from any open status.
# assigned → assigned is a reassignment; a contacted callback can change hands without changing status.
TRANSITIONS: dict[str, set[str]] = {
    Status.PENDING: {Status.ASSIGNED, Status.CANCELLED, Status.EXPIRED},
    Status.ASSIGNED: {Status.ASSIGNED, Status.CONTACTED, Status.CANCELLED, Status.EXPIRED},
    Status.CONTACTED: {Status.ASSIGNED, Status.COMPLETED, Status.CANCELLED, Status.EXPIRED},
}
# Contact attempts are recorded once someone works the callback (the first success makes it contacted).
ATTEMPT_STATUSES = (Status.ASSIGNED, Status.CONTACTED)


class CreatedCallback(NamedTuple):
    """What `callback_create` did: `created` is False when the request was merged into an open one."""

    callback: CallbackRequest
    created: bool


# --- helpers -------------------------------------------------------------------------------------------


def _check_transition(callback: CallbackRequest, requested: str) -> None:
    if callback.deleted_at is not None:
        raise ValidationError(CALLBACK_DELETED, code="deleted")
    if requested not in TRANSITIONS.get(callback.status, set()):
        raise CallbackTransitionError(callback.status, requested)


def _locked(callback: CallbackRequest | int) -> CallbackRequest:
    """Re-read the callback under a row lock: every decision below is made on the committed state."""
    pk = callback.pk if isinstance(callback, CallbackRequest) else callback
    return (
        CallbackRequest.all_objects.select_for_update(of=("self",))
        .select_related("branch", "service")
        .get(pk=pk)
    )


def actor_param(by: User | None) -> Stored:
    """Who did it, as a parameter of a stored system message: the system's own name is a word, so a German
    reader sees "zugewiesen von System", not "system"."""
    return word(_("system")) if by is None else actor_name(by)


def actor_name(by: User | None) -> str:
    if by is None:
        return SYSTEM
    try:
        return by.staff.name
    except ObjectDoesNotExist:
        return by.get_full_name() or by.get_username()


def _record(
    callback: CallbackRequest,
    kind: str,
    message: Stored,
    *,
    by: User | None = None,
    staff: Staff | None = None,
    at: datetime | None = None,
    **details: Any,
) -> CallbackEvent:
    return CallbackEvent.objects.create(
        callback=callback,
        kind=kind,
        message=message,
        at=at or timezone.now(),
        actor=by,
        actor_name=actor_name(by),
        staff=staff,
        details=details,
    )


def _save(callback: CallbackRequest, *fields: str) -> None:
    callback.full_clean()
    callback.save(update_fields=[*fields, "updated_at"])


def _append_note(callback: CallbackRequest, heading: Stored, text: str) -> None:
    """Append a block under a heading line whose heading is a stored message (`common.messages`), so the
    callback page shows it in the reader's language."""
    block = f"{heading_line(heading)}\n{text}".strip()
    callback.notes = f"{callback.notes}\n\n{block}" if callback.notes else block


def _deadline(callback: CallbackRequest, *, start: datetime) -> datetime:
    return sla.sla_deadline(
        budget=conf.sla_budget(callback.priority),
        created_at=start,
        hours=callback.branch.weekly_hours(),
        window_start=callback.preferred_window_start,
    )


def _reassign_due(callback: CallbackRequest, *, now: datetime) -> datetime | None:
    """When an assignee who has not tried to call is relieved; counted from when the customer wants the
    call at the earliest, so a preferred window tomorrow does not hand the callback on today."""
    if callback.expires_at is None:
        return None
    started_at = sla.clock_start(callback.created_at or now, callback.preferred_window_start)
    return sla.reassign_due(
        assigned_at=max(now, started_at),
        started_at=started_at,
        deadline=callback.expires_at,
        share=conf.reassign_after_share(),
        hours=callback.branch.weekly_hours(),
    )
