"""Domain events → notifications; runs inside the emitter's transaction."""

import logging
from collections.abc import Callable
from functools import wraps

from django.db import transaction

from common.events import DomainEvent
from notifications import services
from notifications.context import Subject
from org.models import Staff
from org.roles import Role

logger = logging.getLogger(__name__)
ADMINS_AUDIENCE = "company_admins"  # callbacks.services.AUDIENCE_ADMINS
# An `appointment.updated` is news for the customer only when something they would notice changed;
# notes, sync state and completed/no-show are internal.
CUSTOMER_VISIBLE_CHANGES = {"starts_at", "ends_at", "staff", "service", "branch"}


def isolated(handler: Callable[[DomainEvent], None]) -> Callable[[DomainEvent], None]:
    """A notification problem must never undo the booking or callback change that caused it.

    The handler runs in a savepoint of the emitter's transaction; if it fails, only its own rows roll
    back, the error is logged with the event, and the emitter carries on.
    """

    @wraps(handler)
    def run(event: DomainEvent) -> None:
        try:
            with transaction.atomic():
                handler(event)
        except Exception:
            logger.exception("notifications for %s failed", event.name)

    return run


@isolated
def on_appointment_event(event: DomainEvent) -> None:
    """Tell the customer, and keep the appointment's reminders in step with it (whatever changed it)."""
    appointment = event.get("appointment")
    if appointment is None:
        return
    previous = event.get("previous_starts_at") or event.get("old_starts_at")
    subject = Subject(appointment=appointment, previous_starts_at=previous)
    if _customer_should_hear_of(event):
        services.notifications_for_event(event_name=event.name, subject=subject)
    services.reminders_plan(appointment=appointment)


def _customer_should_hear_of(event: DomainEvent) -> bool:
    if event.name != "appointment.updated" or event.get("changed") is None:
        return True
    return bool(CUSTOMER_VISIBLE_CHANGES & set(event.get("changed")))


@isolated
def on_callback_event(event: DomainEvent) -> None:
    callback = event.get("callback")
    if callback is None:
        return
    extra_staff = []
    if ADMINS_AUDIENCE in (event.get("audience") or []):  # high escalation levels also reach company admins
        extra_staff = list(Staff.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk"))
    services.notifications_for_event(
        event_name=event.name, subject=Subject(callback=callback), extra_staff=extra_staff
    )


@isolated
def on_customer_anonymised(event: DomainEvent) -> None:
    customer = event.get("customer")
    if customer is not None:
        services.deliveries_anonymise(customer=customer, phone=str(event.get("phone") or ""))
