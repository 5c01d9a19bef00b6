"""Wiring other apps' domain events to the inbox (subscribed in `IntegrationsConfig.ready`)."""

from common.events import DomainEvent


def scrub_for_anonymised_customer(event: DomainEvent) -> None:
    """Part of the anonymisation's transaction: a failure here undoes the whole erasure."""
    from integrations.privacy import webhook_events_anonymise

    webhook_events_anonymise(
        customer=event["customer"], phone=event.get("phone", ""), email=event.get("email", "")
    )
