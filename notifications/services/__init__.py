"""Every state change of a notification: planning deliveries, sending them once, retrying, falling back.

Life of a delivery: a domain event (or the reminder planner) creates one row per recipient and channel
inside the caller's transaction, `queued` with a `not_before` (planning); after commit a task claims it
with a conditional UPDATE (`queued → sending`), so a task that runs twice sends once; then `sent`, or
back to `queued` for a retry, or `failed` / `fallback` (a new row on the fallback channel, tried once),
or `skipped` with the reason (sending). Rows are never deleted: the log is the admin's delivery history.
"""

from notifications.services.operations import (
    NOT_RESENDABLE,
    STUCK_IN_SENDING,
    configuration_save,
    deliveries_anonymise,
    deliveries_dispatch_due,
    deliveries_fail_stuck,
    delivery_resend,
    event_type_save,
    in_app_mark_read,
    template_preview,
    template_save,
)
from notifications.services.opt_outs import channels_named, opt_out_record, sms_reply_receive
from notifications.services.planning import (
    APPOINTMENT_CANCELLED,
    APPOINTMENT_MOVED,
    APPOINTMENT_PASSED,
    DAILY_CAP_REACHED,
    INVALID_EMAIL,
    INVALID_PHONE,
    NO_CONSENT,
    NO_EMAIL,
    NO_LOGIN,
    NO_PHONE,
    NO_SLACK_WEBHOOK,
    NO_TEMPLATE,
    NOT_MOBILE,
    OPTED_OUT,
    QUIET_UNTIL_START,
    TEMPLATE_INVALID,
    SkipDelivery,
    notifications_for_event,
)
from notifications.services.reminders import reminders_drop, reminders_plan
from notifications.services.sending import delivery_record_receipt, delivery_send

__all__ = [
    "APPOINTMENT_CANCELLED",
    "APPOINTMENT_MOVED",
    "APPOINTMENT_PASSED",
    "DAILY_CAP_REACHED",
    "INVALID_EMAIL",
    "INVALID_PHONE",
    "NOT_MOBILE",
    "NOT_RESENDABLE",
    "NO_CONSENT",
    "NO_EMAIL",
    "NO_LOGIN",
    "NO_PHONE",
    "NO_SLACK_WEBHOOK",
    "NO_TEMPLATE",
    "OPTED_OUT",
    "QUIET_UNTIL_START",
    "STUCK_IN_SENDING",
    "TEMPLATE_INVALID",
    "SkipDelivery",
    "channels_named",
    "configuration_save",
    "deliveries_anonymise",
    "deliveries_dispatch_due",
    "deliveries_fail_stuck",
    "delivery_resend",
    "delivery_record_receipt",
    "delivery_send",
    "event_type_save",
    "in_app_mark_read",
    "notifications_for_event",
    "opt_out_record",
    "reminders_drop",
    "reminders_plan",
    "sms_reply_receive",
    "template_preview",
    "template_save",
]
