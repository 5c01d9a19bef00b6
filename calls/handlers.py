"""Wiring other apps' domain events to call work (subscribed in `CallsConfig.ready`)."""

from common.events import DomainEvent


def scrub_for_anonymised_customer(event: DomainEvent) -> None:
    from calls.services import calls_anonymise

    calls_anonymise(customer=event["customer"], phone=event.get("phone", ""))
