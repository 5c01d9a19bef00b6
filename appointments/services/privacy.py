"""GDPR: a customer's appointments keep times, statuses and amounts; only the free text goes."""

from appointments.models import Appointment
from org.models import Customer


def appointments_anonymise(*, customer: Customer) -> int:
    # The audit history (django-simple-history) keeps old values: scrub them too.
    Appointment.history.filter(customer=customer).update(notes="")
    return Appointment.objects.filter(customer=customer).update(notes="")


def appointments_export(customer: Customer) -> list[dict]:
    """Data-subject export: the customer's appointments (times, place, service, status, price, notes)."""
    rows = Appointment.objects.filter(customer=customer).order_by("starts_at", "pk")
    return list(
        rows.values(
            "id",
            "starts_at",
            "ends_at",
            "status",
            "source",
            "branch__name",
            "service__name",
            "staff__name",
            "price",
            "currency",
            "notes",
            "created_at",
        )  # fmt: skip
    )
