"""An appointment is active while it is still going to happen: scheduled or confirmed."""

import pytest

from appointments.models import Appointment
from tests.factories.appointments import AppointmentFactory

pytestmark = pytest.mark.django_db


def test_only_scheduled_and_confirmed_appointments_are_active(company):
    by_status = {status: AppointmentFactory(status=status) for status in Appointment.Status.values}

    active = set(Appointment.objects.active())

    assert active == {by_status["scheduled"], by_status["confirmed"]}
    assert all(appointment.is_active == (appointment in active) for appointment in by_status.values())
