"""Which actions a user may take on a callback right now: the lifecycle (`TRANSITIONS`) and the user's role
(`org.access`) together. Every screen offers only what this allows, and refuses the rest with its reason.

A read, not a change: the services still check their own rules when called.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from callbacks.models import CallbackRequest
from callbacks.services.base import ATTEMPT_STATUSES, TRANSITIONS, Status
from org import access
from org.access import User

TAKE = "take"
ASSIGN = "assign"
AUTO_ASSIGN = "auto_assign"
LOG_ATTEMPT = "log_attempt"
NO_ANSWER = "no_answer"
VOICEMAIL = "voicemail"
REACHED_DONE = "reached_done"
REACHED_BOOK = "reached_book"
NOTE = "note"
COMPLETE = "complete"
ESCALATE = "escalate"
CANCEL = "cancel"
SOFT_DELETE = "soft_delete"
RESTORE = "restore"

OUTCOMES = (NO_ANSWER, VOICEMAIL, REACHED_DONE, REACHED_BOOK)
ACTIONS = (
    TAKE,
    ASSIGN,
    AUTO_ASSIGN,
    LOG_ATTEMPT,
    *OUTCOMES,
    NOTE,
    COMPLETE,
    ESCALATE,
    CANCEL,
    SOFT_DELETE,
    RESTORE,
)
MANAGER_ONLY = (SOFT_DELETE, RESTORE)

IN_TRASH = _("it is in the trash; restore it first")
NOT_IN_TRASH = _("it is not in the trash")
CLOSED = _("it is already %(status)s")
TAKE_FIRST = _("nobody has taken it yet; take it first")
ALREADY_TAKEN = _("%(name)s is already working on it")
NO_PROFILE = _("you have no staff profile in this company")
NOT_ACCEPTING = _("you do not take callbacks")
MANAGERS_ONLY = _("only managers and admins may do this")
NOT_CONTACTED = _("the customer has not been reached yet")
NOT_PENDING = _("it is no longer waiting for an assignee")


Refusal = tuple[str, dict[str, object]]  # a message and its parameters, translated only when shown


def _can_become(callback: CallbackRequest, status: str) -> bool:
    return status in TRANSITIONS.get(callback.status, set())


def _refused(action: str, callback: CallbackRequest, user: User, manager: bool) -> Refusal | None:
    """The rule itself: why `user` may not take `action` now, untranslated (a list asks it 14 times a row
    and needs only yes or no); None when they may."""
    if action in MANAGER_ONLY and not manager:
        return MANAGERS_ONLY, {}
    if action == RESTORE:
        return None if callback.deleted_at is not None else (NOT_IN_TRASH, {})
    if callback.deleted_at is not None:
        return IN_TRASH, {}
    if action in (SOFT_DELETE, NOTE):
        return None
    if not callback.is_open:
        return CLOSED, {"status": callback.get_status_display()}
    if action == TAKE:
        staff = access.staff_of(user)
        if staff is None:
            return NO_PROFILE, {}
        if not staff.accepts_callbacks:
            return NOT_ACCEPTING, {}
        if callback.assigned_to_id is not None:
            return ALREADY_TAKEN, {"name": callback.assigned_to.name}
        return None
    if action == ASSIGN:
        if manager or callback.assigned_to_id is None:
            return None
        return ALREADY_TAKEN, {"name": callback.assigned_to.name}
    if action == AUTO_ASSIGN:
        return None if callback.status == Status.PENDING else (NOT_PENDING, {})
    if action in (LOG_ATTEMPT, *OUTCOMES):
        return None if callback.status in ATTEMPT_STATUSES else (TAKE_FIRST, {})
    if action == COMPLETE:
        return None if _can_become(callback, Status.COMPLETED) else (NOT_CONTACTED, {})
    return None  # escalate, cancel: any open callback


def refusal(action: str, callback: CallbackRequest, user: User) -> str | None:
    """Why `user` may not take `action` on `callback` now, in words; None when they may.

    The caller has already checked that the user sees the callback (`org.access.callback_q`).
    """
    refused = _refused(action, callback, user, access.is_manager(user))
    if refused is None:
        return None
    message, params = refused
    return gettext(message) % params if params else gettext(message)


def allowed_actions(callback: CallbackRequest, user: User) -> list[str]:
    """The actions `user` may take on `callback` now, in the order screens offer them."""
    manager = access.is_manager(user)
    return [action for action in ACTIONS if _refused(action, callback, user, manager) is None]
