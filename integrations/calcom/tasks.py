"""Celery tasks for Cal.com webhook events: thin, they load the stored event and call the service."""

from celery import shared_task

from common.unavailable import DATABASE_RETRY
from integrations.calcom.reconcile import calcom_reconcile
from integrations.calcom.services import (
    ECHO_ATTEMPTS,
    OwnBookingNotSavedYet,
    calcom_event_process,
    calcom_events_sweep,
)

SWEEP_TASK = "calcom.sweep_stuck_events"
RECONCILE_TASK = "calcom.reconcile_bookings"


@shared_task(name="calcom.process_event", bind=True, **{**DATABASE_RETRY, "max_retries": ECHO_ATTEMPTS})
def process_calcom_event(self, event_id: int) -> str:
    """Our own booking not saved yet: again in 5 s. A dead database: again within seconds (DATABASE_RETRY)."""
    try:
        stored = calcom_event_process(event_id=event_id)
    except OwnBookingNotSavedYet as exc:
        raise self.retry(exc=exc, countdown=5) from exc
    return stored.status if stored is not None else "skipped"


@shared_task(name=SWEEP_TASK)
def sweep_stuck_events() -> int:
    """One company's events whose message was lost; beat fans it out (integrations/beat.py)."""
    return calcom_events_sweep()


@shared_task(name=RECONCILE_TASK)
def reconcile_bookings() -> int:
    """One company's bookings against Cal.com's own list; beat fans it out (integrations/beat.py)."""
    return calcom_reconcile()
