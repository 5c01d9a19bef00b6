"""Wiring domain events to callback work (subscribed in `CallbacksConfig.ready`)."""

import logging

from common.events import DomainEvent
from common.tasks import enqueue_on_commit

logger = logging.getLogger(__name__)


def assign_after_commit(event: DomainEvent) -> None:
    """A new callback, or an escalated one still without anybody, is auto-assigned once it is committed."""
    from callbacks import tasks

    callback = event["callback"]
    if callback.status == callback.Status.PENDING:
        enqueue_on_commit(tasks.auto_assign, callback.pk)


def release_after_commit(event: DomainEvent) -> None:
    """Someone stopped taking callbacks, or an absence covering now was saved: after the commit their open
    callbacks return to the pool (an absence starting later is found by the release sweep)."""
    from django.utils import timezone

    from callbacks import tasks

    absence = event.get("absence")
    if absence is None or absence.covers(timezone.now()):
        enqueue_on_commit(tasks.release_staff, event["staff"].pk)


def complete_for_booked_appointment(event: DomainEvent) -> None:
    """Settle the customer's open callbacks. Runs inside the booking's transaction: a failure here is
    logged and rolled back to its own savepoint, so it never costs the customer their appointment."""
    from callbacks.services import callback_complete_for_appointment

    appointment = event["appointment"]
    try:
        callback_complete_for_appointment(appointment=appointment)
    except Exception:
        logger.exception("could not complete callbacks for appointment %s", appointment.pk)


def scrub_for_anonymised_customer(event: DomainEvent) -> None:
    """Part of the anonymisation's transaction: a failure here undoes the whole erasure."""
    from callbacks.services.privacy import callbacks_anonymise

    callbacks_anonymise(
        customer=event["customer"],
        phone=event.get("phone", ""),
        email=event.get("email", ""),
        by=event.get("by"),
    )


def take_on_failed_booking(event: DomainEvent) -> None:
    """Cal.com could not take a booking, move or cancellation: a human finishes it from a callback."""
    from callbacks.services.handoff import callback_create_for_handoff

    handoff = event["handoff"]
    request = handoff.request
    handoff.callback = callback_create_for_handoff(
        customer=request.customer,
        service=request.service,
        branch=request.branch,
        staff=request.staff,
        call_id=request.call_id,
        notes=handoff.notes,
        metadata=handoff.metadata,
    )
