"""Celery task for Cal.com webhook events: thin, it loads the stored event and calls the service."""

from celery import shared_task

from integrations.calcom.services import ECHO_ATTEMPTS, OwnBookingNotSavedYet, calcom_event_process


@shared_task(name="calcom.process_event", bind=True, max_retries=ECHO_ATTEMPTS)
def process_calcom_event(self, event_id: int) -> str:
    try:
        stored = calcom_event_process(event_id=event_id)
    except OwnBookingNotSavedYet as exc:
        raise self.retry(exc=exc, countdown=5) from exc
    return stored.status if stored is not None else "skipped"
