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


def _closed(callback: CallbackRequest) -> str:
    return gettext(CLOSED) % {"status": callback.get_status_display()}


def _can_become(callback: CallbackRequest, status: str) -> bool:
    return status in TRANSITIONS.get(callback.status, set())


def refusal(action: str, callback: CallbackRequest, user: User) -> str | None:
    """Why `user` may not take `action` on `callback` now, in words; None when they may.

    The caller has already checked that the user sees the callback (`org.access.callback_q`).
    """
    manager = access.is_manager(user)
    if action in MANAGER_ONLY and not manager:
        return gettext(MANAGERS_ONLY)
    if action == RESTORE:
        return None if callback.deleted_at is not None else gettext(NOT_IN_TRASH)
    if callback.deleted_at is not None:
        return gettext(IN_TRASH)
    if action in (SOFT_DELETE, NOTE):
        return None
    if not callback.is_open:
        return _closed(callback)
    if action == TAKE:
        staff = access.staff_of(user)
        if staff is None:
            return gettext(NO_PROFILE)
        if not staff.accepts_callbacks:
            return gettext(NOT_ACCEPTING)
        if callback.assigned_to_id is not None:
            return gettext(ALREADY_TAKEN) % {"name": callback.assigned_to.name}
        return None
    if action == ASSIGN:
        if manager or callback.assigned_to_id is None:
            return None
        return gettext(ALREADY_TAKEN) % {"name": callback.assigned_to.name}
    if action == AUTO_ASSIGN:
        return None if callback.status == Status.PENDING else gettext(NOT_PENDING)
    if action in (LOG_ATTEMPT, *OUTCOMES):
        return None if callback.status in ATTEMPT_STATUSES else gettext(TAKE_FIRST)
    if action == COMPLETE:
        return None if _can_become(callback, Status.COMPLETED) else gettext(NOT_CONTACTED)
    return None  # escalate, cancel: any open callback


def allowed_actions(callback: CallbackRequest, user: User) -> list[str]:
    """The actions `user` may take on `callback` now, in the order screens offer them."""
    return [action for action in ACTIONS if refusal(action, callback, user) is None]
