"""Booking an appointment for the customer settles their open callbacks (whatever the booking's source)."""

from datetime import timedelta

import pytest

from appointments.models import Appointment
from callbacks.models import CallbackRequest
from common.events import emit
from common.messages import render_headings
from tests.factories.callbacks import AssignedCallbackFactory, CallbackRequestFactory
from tests.factories.org import CustomerFactory
from tests.personas import WEDNESDAY_10

pytestmark = pytest.mark.django_db
Status = CallbackRequest.Status


def book(customer, service, **fields):
    starts = WEDNESDAY_10 + timedelta(days=1)
    appointment = Appointment.objects.create(
        customer=customer,
        service=service,
        branch=service.branches.get(),
        starts_at=starts,
        ends_at=starts + timedelta(minutes=30),
        **fields,
    )
    emit("appointment.created", appointment=appointment)
    return appointment


def test_booking_completes_the_customers_open_callback_with_a_note(mitte, haircut, anna, customer, events):
    callback = AssignedCallbackFactory(branch=mitte, assigned_to=anna, customer=customer)
    appointment = book(customer, haircut, source=Appointment.Source.CALCOM)
    callback.refresh_from_db()
    assert callback.status == Status.COMPLETED
    assert callback.appointment == appointment
    assert callback.completed_at == WEDNESDAY_10
    assert callback.contacted_at == WEDNESDAY_10
    assert f"appointment #{appointment.pk} booked for 2026-03-05 10:00" in render_headings(
        callback.notes, "en"
    )
    completed = [e for e in events if e.name == "callback.completed"]
    assert completed[0]["appointment"] == appointment


def test_pending_callback_of_a_caller_matched_by_phone_completes_too(mitte, haircut, customer):
    callback = CallbackRequestFactory(branch=mitte, phone=customer.phone)
    book(customer, haircut)
    callback.refresh_from_db()
    assert callback.status == Status.COMPLETED


def test_the_callback_named_by_the_appointment_completes(mitte, haircut, customer):
    callback = CallbackRequestFactory(branch=mitte, phone="+491711234567")
    book(customer, haircut, callback=callback)
    callback.refresh_from_db()
    assert callback.status == Status.COMPLETED


def test_other_customers_and_closed_callbacks_are_untouched(mitte, haircut, customer):
    someone_else = CallbackRequestFactory(branch=mitte, customer=CustomerFactory())
    cancelled = CallbackRequestFactory(branch=mitte, customer=customer, status=Status.CANCELLED)
    book(customer, haircut)
    someone_else.refresh_from_db()
    cancelled.refresh_from_db()
    assert (someone_else.status, cancelled.status) == (Status.PENDING, Status.CANCELLED)
    assert cancelled.completed_at is None
