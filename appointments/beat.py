"""Beat entries of the appointments app (each fans out per company)."""

from common.tasks import per_company

SCHEDULE = {
    "appointments-expire-slot-holds": per_company("appointments.expire_slot_holds", 5 * 60),
    # Cancellations Cal.com has not heard of, whose push task was lost (queue down).
    "appointments-push-pending-cancels": per_company("appointments.push_pending_cancels", 60),
}
