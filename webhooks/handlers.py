"""Domain events → outbound webhook deliveries; runs inside the emitter's transaction."""

import logging

from django.db import transaction

from common.events import DomainEvent
from webhooks import services
from webhooks.payloads import webhook_events_for

logger = logging.getLogger(__name__)


def on_domain_event(event: DomainEvent) -> None:
    """Queue deliveries for the event; a problem here must never undo the change that caused it."""
    for event_type, data in webhook_events_for(event):
        try:
            with transaction.atomic():
                services.deliveries_create(event_type=event_type, data=data, occurred_at=event.occurred_at)
        except Exception:
            logger.exception("outbound webhooks for %s failed", event.name)
