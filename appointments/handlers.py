"""Wiring other apps' domain events to appointment work (subscribed in `AppointmentsConfig.ready`)."""

from common.events import DomainEvent


def scrub_for_anonymised_customer(event: DomainEvent) -> None:
    from appointments.services.privacy import appointments_anonymise

    appointments_anonymise(customer=event["customer"])
