"""Every change to a callback request goes through here: admin, API, phone agent, webhooks and tasks.

Each function owns its transaction, locks the callback row first (then, for assignments, staff rows in id
order), validates before it writes, appends to the callback's timeline and emits one domain event per
transition. Illegal transitions raise `CallbackTransitionError` naming the current and requested status.
Error messages are constants in `callbacks.services.base`, re-exported here.
"""

from callbacks.assignment import (
    STAFF_AT_CAPACITY,
    STAFF_INACTIVE,
    STAFF_NOT_ACCEPTING,
    STAFF_NOT_AT_BRANCH,
    STAFF_WITHOUT_SERVICE,
)
from callbacks.services.allowed import allowed_actions, refusal
from callbacks.services.assigning import (
    PRIORITY_ORDER,
    BulkAssignment,
    callback_assign,
    callback_auto_assign,
    callbacks_bulk_auto_assign,
)
from callbacks.services.base import (
    ALREADY_DELETED,
    ATTEMPT_NOT_ALLOWED,
    AUDIENCE_ADMINS,
    AUDIENCE_MANAGERS,
    CALL_BACK_AT_IN_PAST,
    CALLBACK_DELETED,
    ILLEGAL_TRANSITION,
    NOT_DELETED,
    PHONE_REQUIRED,
    PRIORITY_OF_CLOSED,
    SAME_STAFF,
    SERVICE_NOT_AT_BRANCH,
    TRANSITIONS,
    UNKNOWN_BRANCH,
    UNKNOWN_CUSTOMER,
    UNKNOWN_PRIORITY,
    UNKNOWN_REASON,
    UNKNOWN_SERVICE,
    UNKNOWN_SOURCE,
    UNKNOWN_STAFF,
    WINDOW_ENDS_BEFORE_START,
    CallbackTransitionError,
    CreatedCallback,
    actor_name,
)
from callbacks.services.creation import callback_create
from callbacks.services.escalation import (
    callback_escalate,
    callback_escalate_if_overdue,
    callback_hand_on_if_untouched,
    callback_warn_sla_approaching,
)
from callbacks.services.lifecycle import (
    callback_cancel,
    callback_complete,
    callback_complete_for_appointment,
    callback_expire,
    callback_record_contact_attempt,
    callback_restore,
    callback_set_priority,
    callback_soft_delete,
)
from callbacks.services.working import callback_add_note, callback_close_reached, callback_take

__all__ = [
    "ALREADY_DELETED",
    "ATTEMPT_NOT_ALLOWED",
    "AUDIENCE_ADMINS",
    "AUDIENCE_MANAGERS",
    "CALLBACK_DELETED",
    "CALL_BACK_AT_IN_PAST",
    "ILLEGAL_TRANSITION",
    "NOT_DELETED",
    "PRIORITY_OF_CLOSED",
    "PHONE_REQUIRED",
    "PRIORITY_ORDER",
    "SAME_STAFF",
    "SERVICE_NOT_AT_BRANCH",
    "STAFF_AT_CAPACITY",
    "STAFF_INACTIVE",
    "STAFF_NOT_ACCEPTING",
    "STAFF_NOT_AT_BRANCH",
    "STAFF_WITHOUT_SERVICE",
    "TRANSITIONS",
    "UNKNOWN_BRANCH",
    "UNKNOWN_CUSTOMER",
    "UNKNOWN_PRIORITY",
    "UNKNOWN_REASON",
    "UNKNOWN_SERVICE",
    "UNKNOWN_SOURCE",
    "UNKNOWN_STAFF",
    "WINDOW_ENDS_BEFORE_START",
    "BulkAssignment",
    "CallbackTransitionError",
    "CreatedCallback",
    "actor_name",
    "allowed_actions",
    "callback_add_note",
    "callback_close_reached",
    "callback_take",
    "refusal",
    "callback_assign",
    "callback_auto_assign",
    "callback_cancel",
    "callback_complete",
    "callback_complete_for_appointment",
    "callback_create",
    "callback_escalate",
    "callback_escalate_if_overdue",
    "callback_expire",
    "callback_hand_on_if_untouched",
    "callback_record_contact_attempt",
    "callback_restore",
    "callback_set_priority",
    "callback_soft_delete",
    "callback_warn_sla_approaching",
    "callbacks_bulk_auto_assign",
]
