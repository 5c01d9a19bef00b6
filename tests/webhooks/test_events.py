"""Which domain events become which webhook events, with what data."""

from datetime import timedelta

import pytest
from django_tenants.utils import tenant_context
from standardwebhooks import Webhook

from callbacks.services import callback_assign
from common.events import emit
from tests.factories.appointments import AppointmentFactory
from tests.factories.callbacks import CallbackRequestFactory
from tests.factories.webhooks import WebhookEndpointFactory
from webhooks.models import WebhookDelivery


def received(endpoint, receiver) -> list[dict]:
    return [Webhook(endpoint.secret).verify(r.body, r.headers) for r in receiver.requests]


def test_assigning_a_pending_callback_sends_assigned_and_status_changed(
    mitte, anna, receiver, clock, django_capture_on_commit_callbacks
):
    endpoint = WebhookEndpointFactory(url=receiver.url)
    callback = CallbackRequestFactory(branch=mitte)
    with django_capture_on_commit_callbacks(execute=True):
        callback_assign(callback=callback, staff=anna)

    bodies = {body["type"]: body["data"] for body in received(endpoint, receiver)}
    assert set(bodies) == {"callback.assigned", "callback.status_changed"}
    assert bodies["callback.assigned"]["callback"]["assigned_to_id"] == anna.pk
    assert (
        bodies["callback.status_changed"]["old_status"],
        bodies["callback.status_changed"]["new_status"],
    ) == (
        "pending",
        "assigned",
    )


@pytest.mark.parametrize("name", ["appointment.created", "appointment.cancelled"])
def test_appointment_events_carry_the_appointment(
    company, receiver, clock, django_capture_on_commit_callbacks, name
):
    endpoint = WebhookEndpointFactory(url=receiver.url)
    appointment = AppointmentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        emit(name, appointment=appointment)

    [body] = received(endpoint, receiver)
    assert body["type"] == name
    assert body["data"]["appointment"]["reference"] == str(appointment.reference)


def test_a_rescheduled_appointment_says_when_it_was_before(
    company, receiver, clock, django_capture_on_commit_callbacks
):
    endpoint = WebhookEndpointFactory(url=receiver.url)
    appointment = AppointmentFactory()
    before = appointment.starts_at - timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        emit("appointment.rescheduled", appointment=appointment, previous_starts_at=before)

    [body] = received(endpoint, receiver)
    assert body["data"]["previous_starts_at"] == before.isoformat()
    assert body["data"]["appointment"]["starts_at"] == appointment.starts_at.isoformat()


def test_internal_events_are_not_sent(company, clock):
    WebhookEndpointFactory()
    emit("appointment.updated", appointment=AppointmentFactory(), changed=["notes"])
    emit("callback.priority_changed", callback=CallbackRequestFactory(), old="normal")

    assert not WebhookDelivery.objects.exists()


def test_another_companys_callbacks_never_reach_this_companys_endpoint(
    company, other_company, receiver, clock, django_capture_on_commit_callbacks
):
    WebhookEndpointFactory(url=receiver.url)
    with tenant_context(other_company), django_capture_on_commit_callbacks(execute=True):
        emit("callback.created", callback=CallbackRequestFactory())

    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()
