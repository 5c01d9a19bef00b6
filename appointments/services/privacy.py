"""GDPR: a customer's appointments keep times, statuses and amounts; only the free text goes."""

from appointments.models import Appointment
from org.models import Customer


def appointments_anonymise(*, customer: Customer) -> int:
    return Appointment.objects.filter(customer=customer).update(notes="")
