"""GDPR: a customer's appointments keep times, statuses and amounts; only the free text goes."""

from appointments.models import Appointment
from org.models import Customer


def appointments_anonymise(*, customer: Customer) -> int:
    # The audit history (django-simple-history) keeps old values: scrub them too.
    Appointment.history.filter(customer=customer).update(notes="")
    return Appointment.objects.filter(customer=customer).update(notes="")
